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


# -- across processes: a worker records what it looked up and learned, the parent replays it -----

Learned = tuple[str, str, Holding]  # (office property IRI, office-of IRI, holding)
# ("get", office, of, day, answer) or ("add", office, of, holding), in the order the mapping made them
Event = tuple


class _IndexView(TenureIndex):
    """A tenure index that passes everything on to ``index``; subclasses note what goes through."""

    def __init__(self, index: TenureIndex) -> None:  # no super().__init__: every method is delegated
        self.index = index

    def add(self, office: str, of_iri: str, holding: Holding) -> bool:
        return self.index.add(office, of_iri, holding)

    def holder(self, office: str, of_iri: str, day: str) -> Holding | None:
        return self.index.holder(office, of_iri, day)

    def __len__(self) -> int:
        return len(self.index)


class TenureRecorder(_IndexView):
    """A tenure index that notes every lookup and every learned holding, passing them to ``index``."""

    def __init__(self, index: TenureIndex) -> None:
        super().__init__(index)
        self.events: list[Event] = []

    def add(self, office: str, of_iri: str, holding: Holding) -> bool:
        self.events.append(("add", office, of_iri, holding))
        return super().add(office, of_iri, holding)

    def holder(self, office: str, of_iri: str, day: str) -> Holding | None:
        found = super().holder(office, of_iri, day)
        self.events.append(("get", office, of_iri, day, found))
        return found


class LearningIndex(_IndexView):
    """The run's tenure index, logging each holding new to it: the log is what the parent passes on to
    the workers with their next tasks. The index itself tells what is new, so the parent holds each
    learned holding once more (in the log), not twice (a log and a set to look it up in)."""

    def __init__(self, index: TenureIndex, log: list[Learned]) -> None:
        super().__init__(index)
        self.log = log

    def add(self, office: str, of_iri: str, holding: Holding) -> bool:
        new = super().add(office, of_iri, holding)
        if new:
            self.log.append((office, of_iri, holding))
        return new


def replay(events: list[Event], index: TenureIndex) -> bool:
    """Apply a worker's tenure record to the run's index, in order; False at the first lookup whose answer
    differs (the holdings applied before it are ones the serial path learns too, so they may stay)."""
    for event in events:
        if event[0] == "get":
            _, office, of_iri, day, seen = event
            if index.holder(office, of_iri, day) != seen:
                return False
        else:
            index.add(*event[1:])
    return True
