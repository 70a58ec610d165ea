"""Who held an office on a given day, from time-scoped facts: resolves role mentions.

"the US President" in an article of 2024-12-01 is whoever the known leader-of facts say led
the United States that day. The index is filled from the gazetteer's reference tenures, from
the target graph's own leader-of facts, and from facts mapped earlier in the same run.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Holding:
    holder_iri: str
    holder_name: str
    start: str  # ISO date, month or year
    end: str | None


def _first_day(value: str) -> str:
    return {4: value + "-01-01", 7: value + "-01"}.get(len(value), value)


def _last_day(value: str) -> str:
    # string comparison of ISO dates: "-31" is after every real day of the month
    return {4: value + "-12-31", 7: value + "-31"}.get(len(value), value)


class TenureIndex:
    def __init__(self) -> None:
        self._by_office: dict[tuple[str, str], set[Holding]] = {}

    def add(self, office: str, of_iri: str, holding: Holding) -> bool:
        """Note ``holding``; True when the index did not hold it yet."""
        holdings = self._by_office.setdefault((office, of_iri), set())
        if holding in holdings:
            return False
        holdings.add(holding)
        return True

    def holder(self, office: str, of_iri: str, day: str) -> Holding | None:
        """The holder on ``day`` (the latest to take office, on a handover day)."""
        day = day[:10]
        current = [
            h
            for h in self._by_office.get((office, of_iri), ())
            if _first_day(h.start) <= day and (h.end is None or day <= _last_day(h.end))
        ]
        return max(current, key=lambda h: (_first_day(h.start), h.holder_iri)) if current else None

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_office.values())
