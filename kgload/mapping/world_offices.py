"""The world gazetteer's offices: which office a role phrase names, and who held it on a day."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

from kgload.mapping.resolve import normalise
from kgload.mapping.world_entries import Office, Resolution, WorldEntry


class Offices:
    """The curated offices and their terms; ``complete_until`` is the last day the terms are known."""

    def __init__(self, rows: list[dict[str, Any]], entry: Callable[[int], WorldEntry], complete_until: str) -> None:
        self._rows = rows
        self._entry = entry
        self._offices: dict[str, Office] | None = None
        self._phrases = {p: o["id"] for o in rows for p in o["phrases"]}
        self.complete_until = complete_until

    @property
    def by_id(self) -> dict[str, Office]:
        if self._offices is None:
            self._offices = {
                o["id"]: Office(
                    o["id"],
                    self._entry(o["of"]),
                    o["title"],
                    o["kind"],
                    tuple((self._entry(h), s, e) for h, s, e in o["holders"]),
                )
                for o in self._rows
            }
        return self._offices

    def office(self, phrase: str) -> Office | None:
        """The office a role phrase names ("the US President" -> US.president), if it is one."""
        found = self._phrases.get(normalise(phrase))
        return self.by_id[found] if found else None

    def head(self, owner_key: str, head: str) -> Office | None:
        """The one office of ``owner_key`` whose holder is its ``head`` ("head of state" or "head of
        government"; a "head of state and government" is both), if exactly one is curated."""
        found = [o for o in self.by_id.values() if o.of.key == owner_key and o.kind in _HEADS[head]]
        return found[0] if len(found) == 1 else None

    def holder(self, office: Office, on: str | date) -> Resolution:
        """Who held ``office`` on a day (``2024-12-01``), or through a whole month or year; on a
        handover day the newcomer. Dates after the curated terms' ``complete_until`` are not answered."""
        day = on.isoformat() if isinstance(on, date) else str(on)
        first, last = _period(day)
        if self.complete_until and last > self.complete_until and first > self.complete_until:
            return Resolution(
                "unresolved", None, None, day, office=office, note=f"terms known until {self.complete_until}"
            )
        current = [(h, s, e) for h, s, e in office.holders if s <= last and (e is None or first <= e)]
        if first != last:  # a month or a year: answer only if one person held it throughout
            people = {h.key: h for h, _s, _e in current}
            if len(people) == 1 and all(s <= first and (e is None or last <= e) for _h, s, e in current):
                return Resolution("resolved", next(iter(people.values())), f"role on {day}", day, office=office)
            if people:
                return Resolution("ambiguous", None, f"role on {day}", day, tuple(people.values()), office)
            return Resolution("unresolved", None, None, day, office=office)
        if not current:
            return Resolution("unresolved", None, None, day, office=office, note="no holder known that day")
        holder = max(current, key=lambda t: (t[1], t[0].key))[0]
        return Resolution("resolved", holder, f"role on {day}", day, office=office)

    def tenures(self) -> Iterator[tuple[Office, WorldEntry, str, str | None]]:
        """Every (office, holder, start, end): reference tenures for a run's tenure index."""
        for office in self.by_id.values():
            for holder, start, end in office.holders:
                yield office, holder, start, end


_HEADS = {
    "head of state": ("head of state", "head of state and government"),
    "head of government": ("head of government", "head of state and government"),
}


def _period(day: str) -> tuple[str, str]:
    """The first and last ISO day of a date, month or year."""
    if len(day) == 4:
        return f"{day}-01-01", f"{day}-12-31"
    if len(day) == 7:
        return f"{day}-01", f"{day}-31"
    return day[:10], day[:10]
