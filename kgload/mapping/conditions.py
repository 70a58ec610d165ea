"""Conditions of ``when:`` in a mapping: tests on one field of a relation record."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from kgload.records import Relation

FIELDS = ("date", "start", "end", "evidence", "confidence", "status", "event_code", "location", "sentence")


class ConditionError(ValueError):
    pass


@dataclass(frozen=True)
class Condition:
    field: str
    present: bool | None = None
    equals: Any = None
    one_of: tuple[Any, ...] | None = None
    pattern: re.Pattern[str] | None = None
    minimum: float | None = None
    maximum: float | None = None

    def holds(self, relation: Relation) -> bool:
        value = field_value(relation, self.field)
        missing = value in (None, "", (), [])
        if self.present is not None and self.present == missing:
            return False
        if missing:
            return self.present is False or (self.present is None and self._only_presence())
        if self.equals is not None and value != self.equals:
            return False
        if self.one_of is not None and value not in self.one_of:
            return False
        if self.pattern is not None and not self.pattern.search(str(value)):
            return False
        if self.minimum is not None or self.maximum is not None:
            if not isinstance(value, int | float):
                return False
            if self.minimum is not None and value < self.minimum:
                return False
            if self.maximum is not None and value > self.maximum:
                return False
        return True

    def _only_presence(self) -> bool:
        return all(v is None for v in (self.equals, self.one_of, self.pattern, self.minimum, self.maximum))

    def describe(self) -> str:
        parts = []
        if self.present is not None:
            parts.append("present" if self.present else "absent")
        if self.equals is not None:
            parts.append(f"= {self.equals!r}")
        if self.one_of is not None:
            parts.append(f"in {list(self.one_of)!r}")
        if self.pattern is not None:
            parts.append(f"matches /{self.pattern.pattern}/")
        if self.minimum is not None:
            parts.append(f">= {self.minimum}")
        if self.maximum is not None:
            parts.append(f"<= {self.maximum}")
        return f"{self.field} {' and '.join(parts)}"


def field_value(relation: Relation, name: str) -> Any:
    if name.startswith("attributes."):
        return relation.attributes.get(name.split(".", 1)[1])
    return getattr(relation, name)


def compile_condition(name: str, spec: dict[str, Any]) -> Condition:
    if name not in FIELDS and not (name.startswith("attributes.") and len(name) > len("attributes.")):
        raise ConditionError(f"unknown field {name!r}; fields are {', '.join(FIELDS)} and attributes.<name>")
    pattern = None
    if "matches" in spec:
        try:
            pattern = re.compile(spec["matches"])
        except re.error as exc:
            raise ConditionError(f"bad regular expression {spec['matches']!r}: {exc}") from None
    return Condition(
        field=name,
        present=spec.get("present"),
        equals=spec.get("equals"),
        one_of=tuple(spec["in"]) if "in" in spec else None,
        pattern=pattern,
        minimum=spec.get("min"),
        maximum=spec.get("max"),
    )
