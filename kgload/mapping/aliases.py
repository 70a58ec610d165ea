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


def targets(rows: Iterable[tuple[Learned, Any]], ambiguous: set[str]) -> Iterator[tuple[Learned, Any, tuple[str, str]]]:
    """Each row (with a payload that pickle keeps) and where ``link`` of every row puts its entity,
    in the order of (document, IRI); the names that join nothing are added to ``ambiguous`` once every
    row has been read, before the first row is given.

    The rows wait on disk (a temporary SQLite database), and ``link`` runs on their variants, the
    distinct (IRI, names), each with the last document that gave it: rows of one variant hold the same
    names, so they join and land alike, and the last document's row is the one whose spelling ``link``
    shows for an ambiguous name. Memory holds one group of variants that share names (an actor's
    spellings, however many documents repeat them) and eight bytes a variant, never a row per
    document; SQLite sorts the rows back, on disk past its page cache. Names and payloads are pickled,
    not JSON: every row of the target goes through this at the end of every load, and JSON's encoding
    and decoding were most of its time."""
    db = sqlite3.connect("", isolation_level=None)
    try:
        db.executescript(_SCHEMA)
        _insert_rows(db, rows)
        db.executescript(_VARIANTS)
        parent = _union(db, _insert_keys(db))
        ambiguous |= _link_groups(db, parent)
        for document, iri, names, payload, target, canonical in db.execute(_LINKED_ROWS):
            # from this process's own private database
            yield Learned(document, iri, pickle.loads(names)), pickle.loads(payload), (target, canonical)  # noqa: S301
    finally:
        db.close()


_SCHEMA = """
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
CREATE TABLE row (document TEXT, iri TEXT, names BLOB, payload BLOB);
"""

# numbered from 1, in the order of the table they are read from
_VARIANTS = """
CREATE TABLE variant (v INTEGER PRIMARY KEY, iri TEXT, names BLOB, document TEXT);
INSERT INTO variant (iri, names, document) SELECT iri, names, max(document) FROM row GROUP BY iri, names;
CREATE INDEX variant_of ON variant (iri, names);
CREATE TABLE key (key TEXT, v INTEGER);
CREATE TABLE grouped (g INTEGER, v INTEGER);
CREATE TABLE target (v INTEGER PRIMARY KEY, iri TEXT, canonical TEXT);
"""

_BY_GROUP = """
SELECT g.g, v.document, v.iri, v.names, v.v FROM grouped AS g JOIN variant AS v ON v.v = g.v ORDER BY g.g, g.v
"""

_LINKED_ROWS = """
SELECT r.document, r.iri, r.names, r.payload, t.iri, t.canonical
FROM row AS r JOIN variant AS v ON v.iri = r.iri AND v.names = r.names JOIN target AS t ON t.v = v.v
ORDER BY r.document, r.iri
"""


def _insert_rows(db: sqlite3.Connection, rows: Iterable[tuple[Learned, Any]]) -> None:
    db.execute("BEGIN")
    source = iter(rows)
    while chunk := list(itertools.islice(source, 10_000)):
        db.executemany(
            "INSERT INTO row VALUES (?, ?, ?, ?)",
            [(r.document, r.iri, _pickled(tuple(r.names)), _pickled(p)) for r, p in chunk],
        )
    db.execute("COMMIT")


def _insert_keys(db: sqlite3.Connection) -> int:
    """Each variant's keys (``_keys``); returns the number of variants."""
    count = 0
    db.execute("BEGIN")
    variants = db.execute("SELECT v, document, iri, names FROM variant ORDER BY v")
    while chunk := variants.fetchmany(10_000):
        keys = [(key, v) for v, d, i, names in chunk for key in _keys(Learned(d, i, pickle.loads(names)))]  # noqa: S301
        db.executemany("INSERT INTO key VALUES (?, ?)", keys)
        count = chunk[-1][0]
    db.execute("COMMIT")
    return count


def _union(db: sqlite3.Connection, count: int) -> array[int]:
    """The variants joined by the keys they share (each variant's root: the least of its group)."""
    parent = array("q", range(count + 1))
    previous, first = None, 0
    for key, v in db.execute("SELECT key, v FROM key ORDER BY key, v"):  # the variants holding a key, together
        if key != previous:
            previous, first = key, _find(parent, v)
            continue
        other = _find(parent, v)
        if other != first:
            parent[max(first, other)] = min(first, other)
            first = min(first, other)
    return parent


def _find(parent: array[int], item: int) -> int:
    root = item
    while parent[root] != root:
        root = parent[root]
    while parent[item] != root:  # path compression
        parent[item], item = root, parent[item]
    return root


def _link_groups(db: sqlite3.Connection, parent: array[int]) -> set[str]:
    """``link`` of each group of variants, into the table ``target``; returns the names that join nothing."""
    ambiguous: set[str] = set()
    db.execute("BEGIN")
    db.executemany("INSERT INTO grouped VALUES (?, ?)", ((_find(parent, v), v) for v in range(1, len(parent))))
    for _, members in itertools.groupby(db.execute(_BY_GROUP), itemgetter(0)):
        group = [(Learned(d, i, pickle.loads(names)), v) for _, d, i, names, v in members]  # noqa: S301
        links = link(row for row, _ in group) if len(group) > 1 else _alone(group[0][0])
        ambiguous |= links.ambiguous
        db.executemany(
            "INSERT INTO target VALUES (?, ?, ?)", [(v, *links.target[(row.document, row.iri)]) for row, v in group]
        )
    db.execute("COMMIT")
    return ambiguous


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
