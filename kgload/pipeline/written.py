"""The documents a load has written in its run, kept on disk so that memory does not grow with them.

A document given twice in different batches of one run is written twice; the report counts it once,
as the later version. What that needs of the earlier version (where it came from, its claim and
quad counts) is a row of a private temporary SQLite database (``sqlite3.connect("")``): its pages
stay in a small cache and spill to a file SQLite deletes when the run closes it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import NamedTuple


class Written(NamedTuple):
    """The version of a document this run wrote: where it came from, its claim and quad counts."""

    where: str
    claims: int
    quads: int


class WrittenLog:
    """Document IRI -> ``Written``, for one run."""

    def __init__(self) -> None:
        self._db = sqlite3.connect("", isolation_level=None)
        self._db.executescript(
            """
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            CREATE TABLE written (iri TEXT PRIMARY KEY, origin TEXT, claims INTEGER, quads INTEGER) WITHOUT ROWID;
            """
        )

    def earlier(self, iris: Iterable[str]) -> dict[str, Written]:
        """The versions of ``iris`` written earlier in this run."""
        rows = self._db.execute(
            "SELECT w.iri, w.origin, w.claims, w.quads FROM json_each(?) AS j JOIN written AS w ON w.iri = j.value",
            (json.dumps(list(iris)),),
        )
        return {iri: Written(*rest) for iri, *rest in rows}

    def record(self, rows: Iterable[tuple[str, Written]]) -> None:
        """Keep the versions just written (each replacing an earlier one)."""
        self._db.execute("BEGIN")
        self._db.executemany("INSERT OR REPLACE INTO written VALUES (?, ?, ?, ?)", ((iri, *w) for iri, w in rows))
        self._db.execute("COMMIT")

    def close(self) -> None:
        self._db.close()
