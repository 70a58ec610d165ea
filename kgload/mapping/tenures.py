"""Who held an office on a given day, from time-scoped facts: resolves role mentions.

"the US President" in an article of 2024-12-01 is whoever the known leader-of facts say led
the United States that day. The index is filled from the gazetteer's reference tenures, from
the target graph's own leader-of facts, and from facts mapped earlier in the same run.
"""

from __future__ import annotations

import contextlib
import sqlite3
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


SPILL_AT = 5_000  # holdings held in Python; past that, the index moves to disk (tests lower it)

_OPEN = b"\xff"  # the stored end of an open period: no UTF-8 text has this byte, and it sorts after all


def _b(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")  # byte order = Python's order of the strings


def _s(data: bytes) -> str:
    return data.decode("utf-8", "surrogatepass")


def _rank(h: Holding) -> tuple:
    """The holder on a handover day: the latest to take office; the rest only break ties the same way
    whether the index is in memory or on disk."""
    return (_first_day(h.start), h.holder_iri, h.holder_name, h.start, h.end is None, h.end or "")


class TenureIndex:
    """Holdings by (office, office-of). Past ``SPILL_AT`` holdings they are kept in a private temporary
    SQLite database (a small page cache, the rest in a file SQLite deletes) instead of Python sets: a
    run that learns many periods holds them on disk. The answers are the same either way."""

    def __init__(self) -> None:
        self._by_office: dict[tuple[str, str], set[Holding]] = {}
        self._count = 0
        self._db: sqlite3.Connection | None = None

    def add(self, office: str, of_iri: str, holding: Holding) -> bool:
        """Note ``holding``; True when the index did not hold it yet."""
        if self._db is not None:
            new = self._db.execute(_INSERT, _row(office, of_iri, holding)).rowcount == 1
            self._count += new
            return new
        holdings = self._by_office.setdefault((office, of_iri), set())
        if holding in holdings:
            return False
        holdings.add(holding)
        self._count += 1
        if self._count > SPILL_AT:
            self._spill()
        return True

    def holder(self, office: str, of_iri: str, day: str) -> Holding | None:
        """The holder on ``day`` (the latest to take office, on a handover day)."""
        day = day[:10]
        if self._db is not None:
            found = self._db.execute(_HOLDER, (_b(office), _b(of_iri), _b(day), _b(day))).fetchone()
            if found is None:
                return None
            holder, name, start, end = found
            return Holding(_s(holder), _s(name), _s(start), None if end == _OPEN else _s(end))
        current = [
            h
            for h in self._by_office.get((office, of_iri), ())
            if _first_day(h.start) <= day and (h.end is None or day <= _last_day(h.end))
        ]
        return max(current, key=_rank) if current else None

    def __len__(self) -> int:
        return self._count

    def _spill(self) -> None:
        self._db = _database()
        self._db.execute("BEGIN")
        self._db.executemany(
            _INSERT, (_row(office, of_iri, h) for (office, of_iri), hs in self._by_office.items() for h in hs)
        )
        self._db.execute("COMMIT")
        self._by_office = {}

    @property
    def on_disk(self) -> bool:
        return self._db is not None

    def save(self, path: str) -> None:
        """Copy the holdings on disk to ``path`` (for worker processes, which cannot share the connection)."""
        assert self._db is not None, "only an index on disk is saved"
        with contextlib.closing(sqlite3.connect(path)) as target:
            self._db.backup(target)

    @classmethod
    def load(cls, path: str) -> TenureIndex:
        """A private index holding what ``save`` wrote to ``path``."""
        index = cls()
        index._db = _database()
        with contextlib.closing(sqlite3.connect(path)) as source:
            source.backup(index._db)
        (index._count,) = index._db.execute("SELECT count(*) FROM holdings").fetchone()
        return index

    def __getstate__(self) -> dict:
        """Pickled (a worker started without fork): the holdings themselves."""
        if self._db is None:
            return {"by_office": self._by_office, "count": self._count}
        by_office: dict[tuple[str, str], set[Holding]] = {}
        for office, of_iri, holder, name, start, end in self._db.execute(
            "SELECT office, of_iri, holder, name, start, end_ FROM holdings"
        ):
            holding = Holding(_s(holder), _s(name), _s(start), None if end == _OPEN else _s(end))
            by_office.setdefault((_s(office), _s(of_iri)), set()).add(holding)
        return {"by_office": by_office, "count": self._count}

    def __setstate__(self, state: dict) -> None:
        self._by_office, self._count, self._db = state["by_office"], state["count"], None
        if self._count > SPILL_AT:
            self._spill()


def _database() -> sqlite3.Connection:
    db = sqlite3.connect("", isolation_level=None)
    # The key orders a period's holdings as ``_rank`` does, so the holder is the first row read backwards.
    db.executescript(
        """
        PRAGMA journal_mode = OFF;
        PRAGMA synchronous = OFF;
        PRAGMA cache_size = -1024;
        CREATE TABLE holdings (
            office BLOB, of_iri BLOB, first BLOB, holder BLOB, name BLOB, start BLOB, end_ BLOB, last BLOB,
            PRIMARY KEY (office, of_iri, first, holder, name, start, end_)
        ) WITHOUT ROWID;
        """
    )
    return db


_INSERT = "INSERT OR IGNORE INTO holdings VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
_HOLDER = """
    SELECT holder, name, start, end_ FROM holdings
    WHERE office = ? AND of_iri = ? AND first <= ? AND (last IS NULL OR ? <= last)
    ORDER BY first DESC, holder DESC, name DESC, start DESC, end_ DESC LIMIT 1
"""


def _row(office: str, of_iri: str, h: Holding) -> tuple:
    end, last = (_OPEN, None) if h.end is None else (_b(h.end), _b(_last_day(h.end)))
    return (
        _b(office),
        _b(of_iri),
        _b(_first_day(h.start)),
        _b(h.holder_iri),
        _b(h.holder_name),
        _b(h.start),
        end,
        last,
    )


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
