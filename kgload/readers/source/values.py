"""The values of a source mapping: how one field of a kgload record is computed from a source record.

A value is written in YAML as a template (``"acled-{event_id_cnty}"``, ``"{Actor1Name|trim}"``), a
constant, or an object that refines one (``{value: "{fatalities}", as: integer, min: 0}``). It is
compiled once into a plain function ``record -> value | None``; ``None`` means absent (a null marker,
a missing field, a condition that does not hold). A cell that is present but unusable raises
``CellError`` naming the field, and the record becomes a reject with that reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from kgload.readers.source.dates import FormatError, date_parser
from kgload.vocabulary.transforms import TRANSFORMS

Fn = Callable[[Any], Any]  # record -> value, or None when absent
Predicate = Callable[[Any], bool]
Where = tuple[str | int, ...]  # a path in the mapping file, for its line in error messages

SLOT = re.compile(r"\{([^{}|]*)((?:\|[^{}|]*)*)\}")
_INFINITY = float("inf")
_TRUE = frozenset({"true", "yes", "1", "y", "t"})
_FALSE = frozenset({"false", "no", "0", "n", "f"})


class CellError(ValueError):
    """A present value the mapping cannot use; ``field`` is the source column or JSON field it came from."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


@dataclass(frozen=True)
class Compiled:
    """A compiled value: its function and the source fields it reads (the first names its errors)."""

    fn: Fn
    fields: tuple[str, ...] = ()
    text: bool = False  # always text or None: no conversion needed

    @property
    def field(self) -> str:
        return self.fields[0] if self.fields else ""


def text(value: Any, field: str) -> str:
    """A scalar as text (JSON numbers and booleans as JSON writes them)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    kind = "an object" if isinstance(value, dict) else "a list" if isinstance(value, list) else type(value).__name__
    raise CellError(field, f"is {kind}, not a single value")


class Access:
    """How a mapping reads a field of a record: a column of a table by name, or a dotted path in JSON
    (``properties.name``, ``0`` for the first item of a list). Text is trimmed; null markers are absent.

    A table row is cleaned once (``clean``) into the columns the mapping reads, so that a column read
    by several values is trimmed once; the file's name and stem and the row's line are cells too.
    """

    def __init__(self, kind: str, null: Iterable[str]) -> None:
        self.kind = kind
        self.null = frozenset(null)
        self.context: dict[str, str] = {}  # JSON: $file, $stem, $line of the record being read
        self.used: tuple[str, ...] = ()  # tables: the columns the mapping reads (set once compiled)

    def clean(self, row: dict[str, str], context: dict[str, str]) -> dict[str, str | None]:
        null, empty_is_null = self.null, "" in self.null
        out: dict[str, str | None] = dict(context)
        get = row.get
        for name in self.used:
            value = get(name)
            if value:
                value = value.strip()
                if value in null:
                    value = None
            elif empty_is_null:
                value = None
            out[name] = value
        return out

    def getter(self, name: str) -> Fn:
        if self.kind == "table":
            return itemgetter(name)
        null = self.null
        if name.startswith("$"):
            context = self.context
            return lambda _record: context.get(name)
        steps = [int(s) if s.isdigit() else s for s in name.split(".")]

        def field(record: Any) -> Any:
            value = record
            for step in steps:
                if isinstance(value, dict):
                    value = value.get(str(step))
                elif isinstance(value, list) and isinstance(step, int):
                    value = value[step] if step < len(value) else None
                else:
                    return None
                if value is None:
                    return None
            if isinstance(value, str):
                value = value.strip()
                return None if value in null else value
            return value

        return field


class Compiler:
    """Compiles the value and condition specs of one source mapping, collecting every problem."""

    def __init__(self, access: Access, report: Callable[[Where, str, str], None]) -> None:
        self.access = access
        self.report = report
        self.fields: set[str] = set()  # every field the mapping reads
        self.field_at: dict[Where, str] = {}  # the first source field of each value compiled, by its place

    # -- templates ------------------------------------------------------------------------------

    def template(self, where: Where, source: str) -> Compiled:
        """``"text {field|transform} text"``: absent when any field is absent."""
        parts: list[str | tuple[str, Fn, tuple[tuple[str, Callable[[str], str]], ...]]] = []
        fields: list[str] = []
        position = 0
        for match in SLOT.finditer(source):
            parts.append(source[position : match.start()])
            name = match.group(1).strip()
            if not name:
                self.report(where, f"empty field {{}} in {source!r}", "name a column or field inside the braces")
            transforms = []
            for t in filter(None, (t.strip() for t in match.group(2).split("|"))):
                if t not in TRANSFORMS:
                    self.report(where, f"unknown transform |{t}", f"transforms are: {', '.join(sorted(TRANSFORMS))}")
                else:
                    transforms.append((t, TRANSFORMS[t]))
            parts.append((name, self.access.getter(name), tuple(transforms)))
            fields.append(name)
            position = match.end()
        rest = source[position:]
        if "{" in rest or "}" in rest or any("{" in p or "}" in p for p in parts if isinstance(p, str)):
            self.report(where, f"unbalanced braces in {source!r}", "write a field as {name}")
        parts.append(rest)
        parts = [p for p in parts if p != ""]
        self.fields.update(fields)
        if not fields:
            return Compiled(lambda _record, constant=source: constant, text=True)
        if len(parts) == 1 and not parts[0][2]:  # "{column}": the field itself, the common case
            name, get = parts[0][0], parts[0][1]
            if self.access.kind == "table":  # a cleaned cell is text already
                return Compiled(get, (name,), text=True)
            return Compiled(lambda record: _as_text(get(record), name), (name,), text=True)
        segments, tail = _segments(parts)
        if len(segments) == 1 and not segments[0][3] and self.access.kind == "table":
            # "prefix-{column}suffix": one cleaned cell between two constants, the next most common case
            lead, _, get, _ = segments[0]

            def one(record: Any) -> str | None:
                value = get(record)
                return None if value is None else lead + value + tail

            return Compiled(one, tuple(fields), text=True)

        def render(record: Any) -> str | None:
            out = []
            for lead, name, get, transforms in segments:
                value = get(record)
                if value is None:
                    return None
                if value.__class__ is not str:
                    value = text(value, name)
                for label, transform in transforms:
                    try:
                        value = transform(value)
                    except ValueError as exc:
                        raise CellError(name, f"|{label}: {exc}") from None
                out.append(lead)
                out.append(value)
            out.append(tail)
            return "".join(out)

        return Compiled(render, tuple(fields), text=True)

    # -- values ---------------------------------------------------------------------------------

    def value(self, where: Where, spec: Any) -> Compiled:
        """A value spec of any form (see docs/sources.md, "Values")."""
        compiled = self._value(where, spec)
        self.field_at[where] = compiled.field
        return compiled

    def _value(self, where: Where, spec: Any) -> Compiled:
        if isinstance(spec, str):
            return self.template(where, spec)
        if not isinstance(spec, dict):  # a number or a boolean: a constant (the schema allows no other)
            return Compiled(lambda _record, constant=spec: constant)
        base = self._base(where, spec)
        fn, fields, is_text = base.fn, base.fields, base.text
        column = base.field
        if "match" in spec:
            fn, is_text = self._match(where, spec["match"], fn, column), True
        if "check" in spec:
            fn = self._check(where, spec["check"], fn, column)
        if "values" in spec:
            fn = self._table(where, spec, fn, column)
            is_text = all(isinstance(v, str | None) for v in (*spec["values"].values(), spec.get("default")))
        if "split" in spec:
            fn, is_text = _split(spec["split"], fn), False
        if "as" in spec or "min" in spec or "max" in spec:
            fn = self._convert(where, spec, fn, column)
            is_text = spec.get("as") == "string"
        if spec.get("invalid") == "absent":
            fn = _absent_if_invalid(fn)
        if "when" in spec:
            holds = self.condition((*where, "when"), spec["when"])
            inner = fn

            def fn(record: Any) -> Any:
                return inner(record) if holds(record) else None

        return Compiled(fn, fields, is_text)

    def _base(self, where: Where, spec: dict[str, Any]) -> Compiled:
        if "value" in spec:
            return self.value((*where, "value"), spec["value"])
        if "field" in spec:
            name = str(spec["field"])
            self.fields.add(name)
            return Compiled(self.access.getter(name), (name,))
        if "first" in spec:
            options = [self.value((*where, "first", i), s) for i, s in enumerate(spec["first"])]
            fns = tuple(o.fn for o in options)

            def first(record: Any) -> Any:
                for option in fns:
                    value = option(record)
                    if value is not None:
                        return value
                return None

            return Compiled(first, tuple(f for o in options for f in o.fields), all(o.text for o in options))
        if "list" in spec:
            items = [self.value((*where, "list", i), s) for i, s in enumerate(spec["list"])]
            fns = tuple(o.fn for o in items)

            def collect(record: Any) -> Any:
                out: list[Any] = []
                for item in fns:
                    value = item(record)
                    if isinstance(value, list):
                        out.extend(value)
                    elif value is not None:
                        out.append(value)
                return out or None

            return Compiled(collect, tuple(f for o in items for f in o.fields))
        self.report(where, "a value needs one of value, field, first or list", "see docs/sources.md, Values")
        return Compiled(lambda _record: None)

    def _regex(self, where: Where, pattern: str) -> re.Pattern[str] | None:
        try:
            return re.compile(pattern)
        except re.error as exc:
            self.report(where, f"bad regular expression {pattern!r}: {exc}", "")
            return None

    def _match(self, where: Where, pattern: str, inner: Fn, column: str) -> Fn:
        regex = self._regex((*where, "match"), pattern)
        if regex is None:
            return inner
        group = 1 if regex.groups else 0

        def extract(record: Any) -> Any:
            value = inner(record)
            if value is None:
                return None
            found = regex.search(text(value, column))
            return found.group(group) if found is not None and found.group(group) else None

        return extract

    def _check(self, where: Where, pattern: str, inner: Fn, column: str) -> Fn:
        regex = self._regex((*where, "check"), pattern)
        if regex is None:
            return inner

        def check(record: Any) -> Any:
            value = inner(record)
            if value is not None and regex.fullmatch(text(value, column)) is None:
                raise CellError(column, f"{value!r} is not in the expected form ({pattern})")
            return value

        return check

    def _table(self, where: Where, spec: dict[str, Any], inner: Fn, column: str) -> Fn:
        table = {_key(k): v for k, v in spec["values"].items()}
        has_default = "default" in spec
        default = spec.get("default")
        known = ", ".join(repr(k) for k in list(table)[:12]) + (", …" if len(table) > 12 else "")

        def lookup(record: Any) -> Any:
            value = inner(record)
            if value is None:
                return None
            key = text(value, column)
            if key in table:
                return table[key]
            if has_default:
                return default
            raise CellError(column, f"{key!r} is not in the mapping's value table (known: {known})")

        return lookup

    def _convert(self, where: Where, spec: dict[str, Any], inner: Fn, column: str) -> Fn:
        kind = spec.get("as", "number" if ("min" in spec or "max" in spec) else "string")
        if kind == "date":
            try:
                parse = date_parser(spec.get("formats") or ["iso"])
            except FormatError as exc:
                self.report((*where, "formats"), str(exc), "use strptime directives such as %d %B %Y, or iso")
                return inner
            shown = ", ".join(spec.get("formats") or ["iso"])
            convert = _date(parse, column, shown)
        elif "formats" in spec:
            self.report((*where, "formats"), "formats apply to dates only", "add as: date")
            return inner
        else:
            convert = _CONVERTERS[kind](column)
        low, high = spec.get("min"), spec.get("max")
        if (low is not None or high is not None) and kind not in ("integer", "number"):
            self.report(where, "min and max apply to numbers only", "add as: integer or as: number")
        bounded = convert if low is None and high is None else _bounded(convert, low, high, column)

        def converted(record: Any) -> Any:
            value = inner(record)
            if value is None:
                return None
            if value.__class__ is list:
                return [bounded(v) for v in value]
            return bounded(value)

        return converted

    # -- conditions -----------------------------------------------------------------------------

    def condition(self, where: Where, spec: dict[str, Any]) -> Predicate:
        """``{column: {present, equals, in, matches, min, max, same_as}, …}``: every test must hold.

        A key holding ``{`` is a template over the record; a template whose transform fails is absent.
        """
        tests = tuple(self._test((*where, key), key, test) for key, test in spec.items())
        if len(tests) == 1:
            return tests[0]

        def holds(record: Any) -> bool:
            for test in tests:  # noqa: SIM110 - a loop is faster than all() over a generator here
                if not test(record):
                    return False
            return True

        return holds

    def _operand(self, where: Where, key: str) -> Fn:
        if "{" in key:
            compiled = self.template(where, key)
            fn = _absent_if_invalid(compiled.fn)
        else:
            self.fields.add(key)
            fn = self.access.getter(key)
            if self.access.kind == "table":
                return fn  # a cleaned cell: text or None

        def operand(record: Any) -> str | None:
            value = fn(record)
            if value is None or value == [] or value == {}:
                return None
            return str(value) if isinstance(value, dict | list) else text(value, key)

        return operand

    def _test(self, where: Where, key: str, spec: dict[str, Any]) -> Predicate:
        get = self._operand(where, key)
        present = spec.get("present")
        equals = _key(spec["equals"]) if "equals" in spec else None
        one_of = frozenset(_key(v) for v in spec["in"]) if "in" in spec else None
        pattern = self._regex((*where, "matches"), spec["matches"]) if "matches" in spec else None
        low, high = spec.get("min"), spec.get("max")
        other = self._operand((*where, "same_as"), str(spec["same_as"])) if "same_as" in spec else None

        def test(record: Any) -> bool:
            value = get(record)
            if present is not None and present == (value is None):
                return False
            if value is None:
                return present is False
            if equals is not None and value != equals:
                return False
            if one_of is not None and value not in one_of:
                return False
            if pattern is not None and pattern.search(value) is None:
                return False
            if low is not None or high is not None:
                try:
                    number = float(value)
                except ValueError:
                    return False
                if (low is not None and number < low) or (high is not None and number > high):
                    return False
            return other is None or value == other(record)

        return test


def _segments(parts: list[Any]) -> tuple[list[tuple[str, str, Fn, tuple[Any, ...]]], str]:
    """A template's parts as (constant text before, field, getter, transforms) and the text after."""
    segments, lead = [], ""
    for part in parts:
        if isinstance(part, str):
            lead += part
        else:
            segments.append((lead, *part))
            lead = ""
    return segments, lead


def _key(value: Any) -> str:
    """Table keys and compared constants as the text a record gives (YAML may read ``1`` as a number)."""
    return text(value, "") if not isinstance(value, str) else value


def _as_text(value: Any, field: str) -> Any:
    return value if value is None or isinstance(value, str) else text(value, field)


def _split(separator: str, inner: Fn) -> Fn:
    def split(record: Any) -> Any:
        value = inner(record)
        if value is None or isinstance(value, list):
            return value
        parts = [p.strip() for p in str(value).split(separator)]
        return [p for p in parts if p] or None

    return split


def _absent_if_invalid(inner: Fn) -> Fn:
    def lenient(record: Any) -> Any:
        try:
            return inner(record)
        except CellError:
            return None

    return lenient


def _date(parse: Callable[[str], str | None], column: str, shown: str) -> Callable[[Any], str]:
    def to_date(value: Any) -> str:
        raw = text(value, column)
        try:
            found = parse(raw)
        except ValueError as exc:
            raise CellError(column, f"{raw!r}: {exc}") from None
        if found is None:
            raise CellError(column, f"{raw!r} is not a date in the declared format(s) {shown}")
        return found

    return to_date


def _integer(column: str) -> Callable[[Any], int]:
    def to_int(value: Any) -> int:
        if isinstance(value, bool):
            raise CellError(column, f"{value!r} is not a whole number")
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        raw = text(value, column)
        try:
            return int(raw)
        except ValueError:
            pass
        try:
            number = float(raw)
        except ValueError:
            number = None
        if number is not None and number.is_integer() and abs(number) < 2**53:
            return int(number)
        raise CellError(column, f"{raw!r} is not a whole number")

    return to_int


def _number(column: str) -> Callable[[Any], int | float]:
    def to_number(value: Any) -> int | float:
        if value.__class__ is str:
            try:
                return int(value)
            except ValueError:
                pass
            try:
                number = float(value)
            except ValueError:
                raise CellError(column, f"{value!r} is not a number") from None
        elif isinstance(value, bool) or not isinstance(value, int | float):
            raise CellError(column, f"{value!r} is not a number")
        else:
            number = value
        if number != number or number in (_INFINITY, -_INFINITY):
            raise CellError(column, f"{value!r} is not a finite number")
        return number

    return to_number


def _boolean(column: str) -> Callable[[Any], bool]:
    def to_bool(value: Any) -> bool:
        if isinstance(value, bool):
            return value
        raw = text(value, column).lower()
        if raw in _TRUE:
            return True
        if raw in _FALSE:
            return False
        raise CellError(column, f"{raw!r} is not true or false")

    return to_bool


def _string(column: str) -> Callable[[Any], str]:
    return lambda value: text(value, column)


_CONVERTERS: dict[str, Callable[[str], Callable[[Any], Any]]] = {
    "string": _string,
    "integer": _integer,
    "number": _number,
    "boolean": _boolean,
}


def _bounded(convert: Callable[[Any], Any], low: float | None, high: float | None, column: str) -> Callable[[Any], Any]:
    def bounded(value: Any) -> Any:
        number = convert(value)
        if low is not None and number < low:
            raise CellError(column, f"{number} is below the minimum {low}")
        if high is not None and number > high:
            raise CellError(column, f"{number} is above the maximum {high}")
        return number

    return bounded
