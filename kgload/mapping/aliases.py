"""Names learned from the data: which free-name entities of different documents are one actor.

A document that says "Wagner Group", also called "Wagner", teaches that the two names are one actor
even though no gazetteer knows either. Each such group of names is a ``Learned`` row, kept per
document in the target; ``link`` derives, from every row the target holds, the node each row's
entity ends as. It is a function of the set of rows alone (never of their order), so the graph is the
same whatever the order of documents, the number of workers, or how many runs brought them, and
retracting a document (dropping its rows) derives the graph without it.
"""

from __future__ import annotations

import itertools
import pickle
import sqlite3
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from kgload.mapping.resolve import normalise
from kgload.model import MappedDocument

LEARNED_SOURCE = "document"  # the Merge source of a group of names one document gave one free entity


@dataclass(frozen=True, slots=True)
class Learned:
    """One free-name entity of one document: the IRI the mapper gave it and its names, the name
    it was labelled with first."""

    document: str
    iri: str
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Links:
    """Where each learned entity goes: (document, IRI the mapper gave) -> (IRI, canonical name),
    and the names that two learned entities share, which join nothing."""

    target: dict[tuple[str, str], tuple[str, str]]
    ambiguous: frozenset[str]


def learned_rows(doc: MappedDocument) -> list[Learned]:
    """The document's free-name entities with their names; names a gazetteer found ambiguous or of
    another kind are left out, since joining on them could merge what resolution kept apart."""
    kept_apart = {text.rsplit(" (", 1)[0] for text in doc.ambiguous}
    others: dict[str, tuple[str, ...]] = {}
    for merge in doc.merges:
        if merge.source == LEARNED_SOURCE:
            others[merge.iri] = tuple(dict.fromkeys((*others.get(merge.iri, ()), *merge.names)))
    rows: dict[tuple[str, str], Learned] = {}
    for iri, name in doc.free_names:
        if name in kept_apart or (doc.iri, iri) in rows:
            continue
        rows[(doc.iri, iri)] = Learned(doc.iri, iri, (name, *(n for n in others.get(iri, ()) if n != name)))
    return list(rows.values())


class _Union:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, item: int) -> int:
        root = item
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while item != root:  # path compression
            self.parent[item], item = root, self.parent.get(item, item)
        return root

    def join(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _rank(name: str) -> tuple[int, str]:
    return (len(name), name)


def link(rows: Iterable[Learned]) -> Links:
    """Join rows that share a name into one entity, named by its longest name (then the greatest
    alphabetically) among the names its documents labelled it with, with that name's IRI.

    A name is ambiguous when the groups holding it would not be connected without it ("Wagner" as
    an alias of both "Wagner Group" and "Richard Wagner Society"): it then joins nothing, and a bare
    "Wagner" elsewhere stays a node of its own."""
    ordered = sorted(set(rows), key=lambda r: (r.document, r.iri, r.names))
    # a name joins rows of one namespace only: the place "Kharkiv" (id/place/) never an actor (id/name/)
    keys = [_keys(r) for r in ordered]
    groups = sorted({k for k in keys if len(k) > 1}, key=sorted)
    holders: dict[str, list[int]] = defaultdict(list)
    for index, group in enumerate(groups):
        for key in group:
            holders[key].append(index)
    ambiguous = {key for key, held in holders.items() if len(held) > 1 and _separates(key, held, groups, holders)}
    union = _Union()
    first: dict[str, int] = {}
    for index, row_keys in enumerate(keys):
        for key in sorted(row_keys - ambiguous):
            union.join(index, first.setdefault(key, index))
    members: dict[int, list[int]] = defaultdict(list)
    for index in range(len(ordered)):
        members[union.find(index)].append(index)
    target: dict[tuple[str, str], tuple[str, str]] = {}
    for indices in members.values():
        canonical = max((ordered[i].names[0] for i in indices), key=_rank)
        iri = min(ordered[i].iri for i in indices if ordered[i].names[0] == canonical)
        for i in indices:
            target[(ordered[i].document, ordered[i].iri)] = (iri, canonical)
    names = {f"{_scope(r.iri)} {normalise(n)}": n for r in ordered for n in sorted(r.names, reverse=True)}
    return Links(target, frozenset(names.get(k, k) for k in ambiguous))


def grouped(rows: Iterable[tuple[Learned, Any]]) -> Iterator[tuple[list[tuple[Learned, Any]], Links]]:
    """The rows (each with a payload that pickle keeps) in groups that share no name, each with ``link`` of
    its rows: ``link`` of every row is the union of these, since rows join only through a shared name
    and a name is judged ambiguous among the rows holding it. The rows wait on disk (a temporary SQLite
    database) until their group is read, so memory holds one group and eight bytes a row at a time.
    Names and payloads are pickled there, not JSON: every row of the target goes through this at the
    end of every load, and JSON's encoding and decoding were most of its time."""
    db = sqlite3.connect("", isolation_level=None)
    try:
        db.executescript(
            """
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            CREATE TABLE row (n INTEGER PRIMARY KEY, document TEXT, iri TEXT, names BLOB, payload BLOB);
            CREATE TABLE key (key TEXT, n INTEGER);
            """
        )
        count = 0
        db.execute("BEGIN")
        numbered = enumerate(rows)
        while chunk := list(itertools.islice(numbered, 10_000)):
            db.executemany(
                "INSERT INTO row VALUES (?, ?, ?, ?, ?)",
                [(n, r.document, r.iri, _pickled(r.names), _pickled(p)) for n, (r, p) in chunk],
            )
            db.executemany("INSERT INTO key VALUES (?, ?)", [(key, n) for n, (r, _) in chunk for key in _keys(r)])
            count = chunk[-1][0] + 1
        db.execute("COMMIT")
        parent = array("q", range(count))

        def find(item: int) -> int:
            root = item
            while parent[root] != root:
                root = parent[root]
            while parent[item] != root:  # path compression
                parent[item], item = root, parent[item]
            return root

        previous, first = None, 0
        for key, n in db.execute("SELECT key, n FROM key ORDER BY key, n"):  # the rows holding a key, together
            if key != previous:
                previous, first = key, find(n)
                continue
            other = find(n)
            if other != first:
                parent[max(first, other)] = min(first, other)
                first = min(first, other)
        db.execute("CREATE TABLE grouped (g INTEGER, n INTEGER)")
        db.execute("BEGIN")
        db.executemany("INSERT INTO grouped VALUES (?, ?)", ((find(n), n) for n in range(count)))
        db.execute("COMMIT")
        query = """
            SELECT g.g, r.document, r.iri, r.names, r.payload FROM grouped AS g JOIN row AS r ON r.n = g.n
            ORDER BY g.g, g.n
        """
        for _, members in itertools.groupby(db.execute(query), itemgetter(0)):
            # from this process's own private database
            group = [(Learned(d, i, pickle.loads(names)), pickle.loads(p)) for _, d, i, names, p in members]  # noqa: S301
            yield group, link(row for row, _ in group) if len(group) > 1 else _alone(group[0][0])
    finally:
        db.close()


def _pickled(value: Any) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def _alone(row: Learned) -> Links:
    """``link`` of one row (most groups of an event feed): it stays where it is, under its first name."""
    return Links({(row.document, row.iri): (row.iri, row.names[0])}, frozenset())


def _keys(row: Learned) -> frozenset[str]:
    """The row's names as ``link`` joins them: normalised, within the namespace of its IRI."""
    return frozenset(f"{_scope(row.iri)} {k}" for n in row.names if (k := normalise(n)))


def _scope(iri: str) -> str:
    """The namespace of a free-name IRI (``…/id/name``, ``…/id/place``): the IRI without its last segment."""
    return iri.rsplit("/", 1)[0]


def _separates(key: str, held: list[int], groups: list[frozenset[str]], holders: dict[str, list[int]]) -> bool:
    """Whether the groups holding ``key`` fall apart once ``key`` no longer joins them."""
    reached, frontier = {held[0]}, [held[0]]
    while frontier:
        for other in groups[frontier.pop()]:
            if other == key:
                continue
            for index in holders[other]:
                if index not in reached:
                    reached.add(index)
                    frontier.append(index)
    return not set(held) <= reached
