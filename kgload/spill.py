"""A map and a set that hold a bounded number of entries in memory and the rest in temporary SQLite.

A run's report keeps one entry per distinct entity, name and merge it met: held in Python, that grows
with the input. These keep up to ``KEEP`` entries in a dict; past that, the entries go to a private
temporary SQLite database (``sqlite3.connect("")``: a small page cache, the rest in a file SQLite
deletes) and the dict starts again. Keys are stored as their UTF-8 bytes (lone surrogates kept), whose
byte order is Python's order of the strings, so listing them sorted from disk gives what ``sorted``
gives in memory. Values are pickled (our own, read back by the process that wrote them).
"""

from __future__ import annotations

import pickle
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Generic, TypeVar

V = TypeVar("V")

KEEP = 10_000  # entries held in memory before they are written to disk (tests lower it)
READ = 2_000  # entries read back from disk that are kept, for the keys met again and again

_ABSENT: Any = object()


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _text(data: bytes) -> str:
    return data.decode("utf-8", "surrogatepass")


class SpilledDict(Generic[V]):
    """str -> V (a value that pickles). ``order`` gives the text a value is listed by (``sorted_values``),
    its key breaking ties."""

    def __init__(self, order: Callable[[V], str] | None = None) -> None:
        self._order = order
        self._mem: dict[str, V] = {}
        self._missed: str | None = None  # the last key looked up and not found: a set that follows needs no look-up
        self._read: dict[str, V] = {}  # values read back from disk (values are replaced, never changed in place)
        self._gone: set[str] = set()  # keys popped since the last flush that may be on disk
        self._db: sqlite3.Connection | None = None
        self._len = 0

    def _stored(self, key: str) -> V:
        if key in self._mem:
            return self._mem[key]
        if self._db is None or key in self._gone:
            return _ABSENT
        if key in self._read:
            return self._read[key]
        row = self._db.execute("SELECT v FROM kv WHERE k = ?", (_bytes(key),)).fetchone()
        if row is None:
            self._missed = key
            return _ABSENT
        value = pickle.loads(row[0])  # noqa: S301 - written by this object
        if len(self._read) >= READ:
            self._read.clear()
        self._read[key] = value
        return value

    def get(self, key: str, default: Any = None) -> Any:
        value = self._stored(key)
        return default if value is _ABSENT else value

    def __getitem__(self, key: str) -> V:
        value = self._stored(key)
        if value is _ABSENT:
            raise KeyError(key)
        return value

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._stored(key) is not _ABSENT

    def __setitem__(self, key: str, value: V) -> None:
        if key not in self._mem and (key == self._missed or self._stored(key) is _ABSENT):
            self._len += 1
        self._missed = None
        self._mem[key] = value
        self._read.pop(key, None)
        self._gone.discard(key)
        if len(self._mem) >= KEEP:
            self.flush()

    def pop(self, key: str, default: Any = None) -> Any:
        value = self._stored(key)
        if value is _ABSENT:
            return default
        self._mem.pop(key, None)
        self._read.pop(key, None)
        self._missed = None
        if self._db is not None:
            self._gone.add(key)
        self._len -= 1
        return value

    def __len__(self) -> int:
        return self._len

    def __bool__(self) -> bool:
        return self._len > 0

    def flush(self) -> None:
        """Write the entries held in memory to disk (the database made at the first flush)."""
        if self._db is None:
            self._db = sqlite3.connect("", isolation_level=None)
            self._db.executescript(
                """
                PRAGMA journal_mode = OFF;
                PRAGMA synchronous = OFF;
                PRAGMA cache_size = -1024;
                CREATE TABLE kv (k BLOB PRIMARY KEY, v BLOB NOT NULL, o BLOB) WITHOUT ROWID;
                """
            )
        order = self._order
        self._db.execute("BEGIN")
        self._db.executemany("DELETE FROM kv WHERE k = ?", ((_bytes(k),) for k in self._gone))
        self._db.executemany(
            "INSERT OR REPLACE INTO kv VALUES (?, ?, ?)",
            (
                (_bytes(k), pickle.dumps(v, pickle.HIGHEST_PROTOCOL), _bytes(order(v)) if order else None)
                for k, v in self._mem.items()
            ),
        )
        self._db.execute("COMMIT")
        self._mem.clear()
        self._gone.clear()
        self._missed = None

    def items(self) -> Iterator[tuple[str, V]]:
        """Every entry, by key."""
        if self._db is None:
            yield from sorted(self._mem.items())
            return
        self.flush()
        for key, value in self._db.execute("SELECT k, v FROM kv ORDER BY k"):
            yield _text(key), pickle.loads(value)  # noqa: S301 - written by this object

    def values(self) -> Iterator[V]:
        return (value for _, value in self.items())

    def sorted_values(self) -> Iterator[V]:
        """Every value, by ``order`` then key."""
        order = self._order
        assert order is not None, "a SpilledDict listed by order needs one"
        if self._db is None:
            yield from (v for _, v in sorted(self._mem.items(), key=lambda kv: (order(kv[1]), kv[0])))
            return
        self.flush()
        for (value,) in self._db.execute("SELECT v FROM kv ORDER BY o, k"):
            yield pickle.loads(value)  # noqa: S301 - written by this object


class SpilledSet:
    """A set of str, listed in sorted order."""

    def __init__(self) -> None:
        self._items: SpilledDict[int] = SpilledDict()

    def add(self, item: str) -> None:
        if item not in self._items:
            self._items[item] = 1

    def update(self, items: Iterable[str]) -> None:
        for item in items:
            self.add(item)

    def __contains__(self, item: object) -> bool:
        return item in self._items

    def __len__(self) -> int:
        return len(self._items)

    def __bool__(self) -> bool:
        return bool(self._items)

    def __iter__(self) -> Iterator[str]:
        """The items in sorted order (read from disk as they are listed)."""
        return (key for key, _ in self._items.items())
