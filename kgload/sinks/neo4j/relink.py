"""Names learned from the data, in Neo4j: the alias table and the re-link that applies it.

Each free-name entity of each document is a ``(:KgloadAlias)`` node, written and deleted in the same
transaction as its document: the document, the IRI the mapper gave the entity, the names that join
it to others (``kgload.mapping.aliases``), the document's own names and labels for it, and the IRI
and name it is linked to now. ``relink`` derives from every row where each entity belongs
(``aliases.link``) and, for each row whose entity belongs elsewhere now, moves that document's
mention, claim ends and claim links to the group's node, re-keys its claims and recomputes the
relationships of the old and new keys, as a re-write of the document would. A row still linked where
it belongs costs nothing but its read, so a re-run that changes nothing writes nothing.

The moves are applied in transactions of whole documents (``transactions``), each with its rows'
new ``linked`` and ``linkedName``, so the server's transaction memory is bounded whatever the number
of moves, and a re-link stopped between two transactions leaves rows the next one still finds moving.
Each transaction reconciles from the graph as the ones before committed it: a relationship key is
recomputed from the claims that hold it then, and a relationship moves whole only when the graph
says no other claim holds its old or new key.

A transaction of its own, after the re-link's last move has committed, marks the lease node
(``:KgloadLock``) ``relinked`` with the kgload version; a run removes the mark before it first writes or
retracts a document. While the mark is there the table is linked, and the re-link returns without
reading it; one stopped part way never set it, so the next run finishes it whatever that run writes.
"""

from __future__ import annotations

import itertools
import pickle
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

import neo4j

from kgload.mapping.aliases import Learned, learned_rows, targets
from kgload.model import MappedDocument
from kgload.sinks.neo4j.cypher import check_name
from kgload.sinks.neo4j.projection import DocumentRows, relationship_key

LABEL = "KgloadAlias"  # bookkeeping, like :LoadRun and :KgloadLock: not a :Resource of the graph
ALIAS_KEYS = ("id", "document", "iri", "names", "mentionNames", "labels", "linked", "linkedName")


def alias_id(document: str, iri: str) -> str:
    return f"{document} {iri}"


def alias_rows(doc: MappedDocument, entities: dict[str, tuple[list[str], Iterable[str]]]) -> list[dict[str, Any]]:
    """The document's rows of the alias table, as the ``KgloadAlias`` nodes hold them; ``entities``
    gives each entity node of the document its names and labels there."""
    out = []
    for row in learned_rows(doc):
        if row.iri not in entities:
            continue  # not an entity node of this document (RDF loaded as it is has no free names)
        names, labels = entities[row.iri]
        out.append(
            {
                "id": alias_id(row.document, row.iri),
                "document": row.document,
                "iri": row.iri,
                "names": list(row.names),
                "mentionNames": list(names),
                "labels": sorted(labels),
                "linked": row.iri,
                "linkedName": row.names[0],
            }
        )
    return out


def entities_of(rows: DocumentRows) -> dict[str, tuple[list[str], Iterable[str]]]:
    return {e.uri: (e.names, e.labels) for e in rows.entities}


def moved_names(canonical: str, own: Iterable[str]) -> list[str]:
    """A moved mention's names: the group's name, then the document's own (as the embedded store's
    re-link keeps the document's label as an alternative one)."""
    return list(dict.fromkeys((canonical, *own)))


def moving(rows: Iterable[dict[str, Any]], ambiguous: set[str]) -> Iterator[dict[str, Any]]:
    """The rows whose entity belongs elsewhere now (another node, or another name), each with where it
    is (``old``) and where it goes (``new``, the group's ``name``, the mention's names there: ``moved``),
    in the order of (document, IRI); the learned names that join nothing are added to ``ambiguous``
    before the first move. Rows read without their mention names and labels (``LEAN_ROWS``) give moves
    without them and ``moved``: ``with_details`` completes them. Every row is read before the first
    move is given, and waits on disk (``aliases.targets``): a move is held only while it is used."""
    learned = ((Learned(r["document"], r["iri"], tuple(r["names"])), r) for r in rows)
    for _, row, (iri, canonical) in targets(learned, ambiguous):
        if (iri, canonical) != (row["linked"], row["linkedName"]):
            move = row | {"old": row["linked"], "new": iri, "name": canonical}
            yield with_details(move, row) if "mentionNames" in row else move


def moves(rows: Iterable[dict[str, Any]]) -> tuple[list[dict[str, Any]], frozenset[str]]:
    """``moving`` as a list, with the names that join nothing."""
    ambiguous: set[str] = set()
    out = list(moving(rows, ambiguous))
    return out, frozenset(ambiguous)


class Spool:
    """Moves kept in a temporary SQLite database in the order given, to be read as often as needed,
    with the distinct (old, new) pairs among them (``pairs``, for the run's report)."""

    def __init__(self, moves: Iterable[dict[str, Any]]) -> None:
        self._db = sqlite3.connect("", isolation_level=None)
        self._db.executescript(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; CREATE TABLE move (n INTEGER PRIMARY KEY, move BLOB);"
        )
        self.pairs: dict[tuple[str, str], None] = {}
        self._db.execute("BEGIN")
        source = iter(moves)
        while chunk := list(itertools.islice(source, 1_000)):
            self.pairs.update(((m["old"], m["new"]), None) for m in chunk)
            self._db.executemany("INSERT INTO move (move) VALUES (?)", [(pickle.dumps(m, protocol=5),) for m in chunk])
        self._db.execute("COMMIT")

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for (move,) in self._db.execute("SELECT move FROM move ORDER BY n"):
            yield pickle.loads(move)  # noqa: S301 (this process's own private database)

    def __bool__(self) -> bool:
        return bool(self.pairs)

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *_: object) -> None:
        self._db.close()


# The moves one re-link transaction applies, about: whole documents are never split, so that a claim's
# ends (entities of its document) always move together.
MOVES_PER_TRANSACTION = 5_000


def transactions(moves: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    """The moves (sorted by document, as ``moving`` gives them) in runs of whole documents, each
    closed once it holds ``size`` moves or more."""
    chunk: list[dict[str, Any]] = []
    for move in moves:
        if len(chunk) >= size and move["document"] != chunk[-1]["document"]:
            yield chunk
            chunk = []
        chunk.append(move)
    if chunk:
        yield chunk


def last_transactions(chunks: Iterable[list[dict[str, Any]]]) -> dict[str, int]:
    """Each node moves go to: the last transaction that moves a mention to it."""
    last: dict[str, int] = {}
    for index, chunk in enumerate(chunks):
        for move in chunk:
            last[move["new"]] = index
    return last


def kept(chunk: list[dict[str, Any]], index: int, last: dict[str, int]) -> frozenset[str]:
    """The nodes transaction ``index`` touches that a later one moves a mention to (``last_transactions``):
    not deleted when left without mentions, as the one transaction of all moves would not have (the
    later one refreshes them, or deletes them if they end without mentions)."""
    return frozenset(u for m in chunk for u in (m["old"], m["new"]) if last.get(u, -1) > index)


def kept_for_later(chunks: list[list[dict[str, Any]]]) -> list[frozenset[str]]:
    """``kept`` of each transaction."""
    last = last_transactions(chunks)
    return [kept(chunk, index, last) for index, chunk in enumerate(chunks)]


def with_details(move: dict[str, Any], details: dict[str, Any]) -> dict[str, Any]:
    """A move completed with its row's mention names and labels (read apart, for the moved rows only),
    and the names its mention has once moved."""
    return move | {
        "mentionNames": details["mentionNames"],
        "labels": details["labels"],
        "moved": moved_names(move["name"], details["mentionNames"]),
    }


# -- Cypher (values as parameters; the one label a row sets is checked against the ontology) ----------

FORGET = f"""
UNWIND $uris AS uri
MATCH (a:{LABEL} {{document: uri}})
USING INDEX SEEK a:{LABEL}(document)
DELETE a
"""

# MERGE, not CREATE: the document's rows were just deleted, but a seek keeps the first plan safe
REMEMBER = f"""
UNWIND $rows AS row
MERGE (a:{LABEL} {{id: row.id}})
SET a = row
"""

# One record a page: the driver's cost per record was most of a large read (see cypher.FINGERPRINTS);
# pages in the order of the id's index, so that the client never holds the whole table as one record,
# and without the mention names and labels, which only the rows that move need (DETAILS).
ROWS_PAGE = 20_000
LEAN_ROWS = f"""
MATCH (a:{LABEL})
WHERE a.id > $after
WITH a ORDER BY a.id LIMIT $limit
RETURN collect(a {{.id, .document, .iri, .names, .linked, .linkedName}}) AS rows
"""

DETAILS = f"""
UNWIND $ids AS id
MATCH (a:{LABEL} {{id: id}})
USING INDEX SEEK a:{LABEL}(id)
RETURN a.id AS id, a.mentionNames AS mentionNames, a.labels AS labels
"""

# The claims of the moved rows' documents with an end at a moved node: their keys before and after.
CLAIM_ENDS = """
UNWIND $rows AS row
MATCH (d:Resource {uri: row.document})
USING INDEX SEEK d:Resource(uri)
MATCH (d)<-[:DERIVED_FROM]-(c:Claim)-[:SUBJECT]->(h), (c)-[:OBJECT]->(t)
WHERE h.uri IN row.olds OR t.uri IN row.olds
RETURN row.document AS document, c.uri AS uri, c.key AS key, c.predicate AS type, c.predicateUri AS predicate,
       c.status AS status, c.date AS date, c.start AS start, c.end AS end, h.uri AS head, t.uri AS tail
"""

# A mention that only changes its name (the group's name changed, not its node).
RENAME_MENTIONS = """
UNWIND $rows AS row
MATCH (d:Resource {uri: row.document})
USING INDEX SEEK d:Resource(uri)
MATCH (d)-[m:MENTIONS]->(e)
WHERE e.uri = row.old AND row.mentionNames[0] IN m.names
SET m.name = row.name, m.names = row.moved
"""

# The document's mention of the old node becomes one of the new node, which is made when missing,
# with the labels the document gave the entity (checked against the ontology before).
MOVE_MENTIONS = """
UNWIND $rows AS row
MATCH (d:Resource {uri: row.document})
USING INDEX SEEK d:Resource(uri)
MATCH (d)-[m:MENTIONS]->(e)
WHERE e.uri = row.old AND row.mentionNames[0] IN m.names
MERGE (n:Resource {uri: row.new})
SET n:Entity
SET n:$(row.labels)
CREATE (d)-[k:MENTIONS]->(n)
SET k = properties(m), k.name = row.name, k.names = row.moved
DELETE m
"""

# Every link of the document's claims to the old node (subject, object, attribution, place) goes to the new.
MOVE_CLAIM_LINKS = """
UNWIND $rows AS row
MATCH (d:Resource {uri: row.document})
USING INDEX SEEK d:Resource(uri)
MATCH (d)<-[:DERIVED_FROM]-(c:Claim)-[r]->(e)
WHERE e.uri = row.old AND type(r) IN $types
MATCH (n:Resource {uri: row.new})
USING INDEX SEEK n:Resource(uri)
CREATE (c)-[:$(type(r))]->(n)
DELETE r
"""

REKEY_CLAIMS = """
UNWIND $rows AS row
MATCH (c:Resource {uri: row.uri})
USING INDEX SEEK c:Resource(uri)
SET c.key = row.key
"""

LINKED = f"""
UNWIND $rows AS row
MATCH (a:{LABEL} {{id: row.id}})
USING INDEX SEEK a:{LABEL}(id)
SET a.linked = row.new, a.linkedName = row.name
"""

# On the lease node, which every run takes (MERGE: a re-link called without a lease).
MARK = """
MERGE (l:KgloadLock {name: $name})
SET l.relinked = $version
"""

UNMARK = """
MATCH (l:KgloadLock {name: $name})
WHERE l.relinked IS NOT NULL
REMOVE l.relinked
"""

RELINKED = """
OPTIONAL MATCH (l:KgloadLock {name: $name})
RETURN l.relinked = $version AS relinked
"""

CLAIM_COUNTS = """
UNWIND $keys AS key
OPTIONAL MATCH (c:Claim {key: key})
USING INDEX SEEK c:Claim(key)
WHERE c.status = 'asserted'
RETURN key, count(c) AS n
"""


def move_relationships(rel_type: str, allowed: Iterable[str]) -> str:
    """Relationships whose every claim moved to one new key: the same properties (the same claims
    aggregate to them) between the claims' new ends, under the new key; returns the old keys moved
    (a relationship missing, deleted by hand, is left to the recompute). One statement per type, so
    that the old relationship is found by its type's key index: found by an expand between its ends
    instead, each row cost the degree of the busier end, which a large feed's actors make huge."""
    name = check_name(rel_type, allowed, relationship=True)
    return f"""
UNWIND $rows AS row
MATCH ()-[r:`{name}` {{key: row.old}}]->()
USING INDEX SEEK r:`{name}`(key)
MATCH (c:Resource {{uri: row.claim}})
USING INDEX SEEK c:Resource(uri)
MATCH (c)-[:SUBJECT]->(h), (c)-[:OBJECT]->(t)
CREATE (h)-[n:`{name}`]->(t)
SET n = properties(r), n.key = row.key
DELETE r
RETURN row.old AS old
"""


def whole_moves(claims: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Old keys whose re-keyed asserted claims all go to one new key that no other old key goes to:
    (type, old, new key, one claim, how many claims, the old relationship's ends) for
    ``move_relationships``, once the graph confirms that no other claim holds either key."""
    by_old: dict[str, list[dict[str, Any]]] = defaultdict(list)
    sources: dict[str, set[str]] = defaultdict(set)
    for c in claims:
        if c["status"] == "asserted":
            by_old[c["old"]].append(c)
            sources[c["key"]].add(c["old"])
    out = []
    for old, moved in sorted(by_old.items()):
        new = {c["key"] for c in moved}
        if len(new) == 1 and len(sources[(key := new.pop())]) == 1:
            first = min(moved, key=lambda c: c["uri"])
            out.append({"type": first["type"], "old": old, "key": key, "claim": first["uri"], "claims": len(moved)})
    return out


MOVED_LINK_TYPES = ["SUBJECT", "OBJECT", "ASSERTED_BY", "DENIED_BY", "LOCATION"]


def _native(value: Any) -> Any:
    """A stored date or datetime as the Python value the projection keyed the claim with."""
    return value.to_native() if isinstance(value, neo4j.time.Date | neo4j.time.DateTime) else value


def claim_key(head: str, predicate: str, tail: str, record: dict[str, Any]) -> str:
    return relationship_key(head, predicate, tail, {k: _native(record[k]) for k in ("date", "start", "end")})


def rekeyed(records: list[dict[str, Any]], targets: dict[str, dict[str, str]]) -> list[dict[str, Any]]:
    """The claims' keys with their ends moved (``targets``: document -> old IRI -> new IRI); each
    stored key is first checked against the same function, so that a key the projection made
    another way is never replaced by one it would not make."""
    out = []
    for r in records:
        if claim_key(r["head"], r["predicate"], r["tail"], r) != r["key"]:
            raise RuntimeError(f"claim {r['uri']}: its stored key is not the one kgload derives; not re-linked")
        moved = targets[r["document"]]
        key = claim_key(moved.get(r["head"], r["head"]), r["predicate"], moved.get(r["tail"], r["tail"]), r)
        if key != r["key"]:
            out.append({"uri": r["uri"], "old": r["key"], "key": key, "type": r["type"], "status": r["status"]})
    return out


def by_type(claims: list[dict[str, Any]], field: str) -> dict[str, set[str]]:
    keys: dict[str, set[str]] = defaultdict(set)
    for c in claims:
        if c["status"] == "asserted":
            keys[c["type"]].add(c[field])
    return dict(keys)
