"""``kgload load --to neo4j-admin``: the CSV files ``neo4j-admin database import full`` takes,
for the first load of a large corpus (see docs/bulk-import.md).

The export is a sink run by the ordinary load pipeline (``kgload.api.load``), so it reads, maps,
validates, fingerprints and de-duplicates documents exactly as ``kgload load`` does, and projects
them with the Neo4j sink's own projection (``kgload.sinks.neo4j.projection``). What the online
sink computes inside the database needs the whole corpus: an entity's name and aliases come from
every document naming it, and a relationship from every claim supporting its key, in document
order. So rows go to a spool first, and ``finish`` streams ordered queries over it into the CSV
files, replaying the Cypher of ``kgload.sinks.neo4j.cypher`` (REFRESH_ENTITIES,
``upsert_relationships``) in Python.

What is held, and where: the spool is an SQLite file in the output folder (on disk, deleted at
the end), keyed by document so that a document read twice replaces its first version as in an
online load. Only this process writes it, so it is what a parallel export waits on: the mapping
workers make each document's rows for it (``spool_rows``, values pickled), and this process only
inserts them. Memory holds one batch of mapped documents, SQLite's page cache (bounded below), one
entity's or one relationship's rows while it is aggregated, and one open file per CSV group.
The disk needs roughly the size of the CSV files twice.

One CSV group (a header file and a data file) per kind of row and set of typed properties: every
cell of a row is set, so "absent" never has to be told from "empty", and a property that is a
Date in one row and a string in another (``published: 2022-02``) needs no compromise.
"""

from __future__ import annotations

import datetime as dt
import itertools
import multiprocessing
import os
import pickle
import shutil
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from kgload.defaults import RUNS_LISTED
from kgload.errors import UsageError
from kgload.ledger import RunRecord
from kgload.mapping.spec import Mapping
from kgload.mapping.tenures import Holding
from kgload.model import MappedDocument
from kgload.ontology import Ontology, load_ontology
from kgload.report import LoadReport
from kgload.sinks.bulk.cells import CsvGroups, ExportError, RowWriter, Wgs84Point
from kgload.sinks.bulk.script import IMPORT_SCRIPT, POST_IMPORT, import_script, post_import
from kgload.sinks.learned import Relinked
from kgload.sinks.neo4j import relink
from kgload.sinks.neo4j.preparing import ProjectingSink, RowsPreparer
from kgload.sinks.neo4j.projection import DocumentRows, relationship_key, rows_of
from kgload.sinks.neo4j.rows import fact_properties

SPOOL = ".kgload-spool.sqlite"
_KIND_ORDER = (
    "node-documents", "node-entities", "node-claims", "node-runs", "node-aliases", "rel-mentions", "rel-claims",
    "rel-facts",
)  # fmt: skip


@dataclass
class Neo4jAdminExport:
    report: LoadReport
    folder: Path
    nodes: int
    relationships: int
    files: list[str] = field(default_factory=list)


# the key a mention's spooled properties hold the place's (latitude, longitude) under: never a
# property key (check_key refuses the space), so no property of RDF loaded as it is meets it
_SPOOL_POINT = " location"


# -- the spool -----------------------------------------------------------------------------------

# Rows are read back in the order they were written by rowid: SQLite gives a new row one more than
# the largest rowid in its table, so a document written again (replacing its first version) sorts
# after every row still there, as in an online load.
_SCHEMA = """
CREATE TABLE documents (uri TEXT PRIMARY KEY, id TEXT, fingerprint TEXT, props BLOB, raw_hash TEXT);
CREATE TABLE mentions (doc TEXT, entity TEXT, labels TEXT, name TEXT, names BLOB,
                       wikidata TEXT, iso TEXT, props BLOB);
CREATE TABLE claims (uri TEXT, doc TEXT, key TEXT, rel_type TEXT, head TEXT,
                     tail TEXT, status TEXT, sentence, props BLOB);
CREATE TABLE links (claim TEXT, doc TEXT, type TEXT, target TEXT, PRIMARY KEY (claim, type, target));
CREATE TABLE aliases (id TEXT PRIMARY KEY, doc TEXT, props BLOB);
CREATE INDEX aliases_doc ON aliases (doc);
"""
# Indexes are made when first needed, over the rows already there (SQLite sorts them once), rather
# than kept up to date row by row, which put every mention and claim into B-trees in random order
# (bench/HISTORY.md). By document: only when a document is read a second time; by entity and by
# claim: when a claim points outside its document, and before the CSV files are written.
_BY_DOCUMENT = (
    "CREATE INDEX IF NOT EXISTS mentions_doc ON mentions (doc)",
    "CREATE INDEX IF NOT EXISTS claims_doc ON claims (doc)",
    "CREATE INDEX IF NOT EXISTS links_doc ON links (doc)",
)
_BY_ENTITY = "CREATE INDEX IF NOT EXISTS mentions_entity ON mentions (entity)"
_BY_CLAIM = "CREATE UNIQUE INDEX IF NOT EXISTS claims_uri ON claims (uri)"  # and the uri constraint's check


def _blob(value: Any) -> bytes:
    # pickle keeps dates, datetimes and ints exactly; the spool is written and read by this
    # process only, and deleted at the end
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def _unblob(data: bytes) -> Any:
    return pickle.loads(data)  # noqa: S301 - our own spool, see _blob


# Pickling a datetime or a date costs many times a string's, and a claim's recordedAt and dates were
# most of the cost of its pickled properties (bench/HISTORY.md). So a map's temporals travel as their ISO text beside it
# (None in their place keeps the keys' order), and are parsed back on reading. Only the types that
# text gives back exactly: a datetime with another tzinfo than UTC's (a zone's name) stays pickled.
_TEMPORAL_READERS: dict[str, Callable[[str], Any]] = {"d": dt.date.fromisoformat, "t": dt.datetime.fromisoformat}


_TEMPORAL_TYPES = frozenset((dt.date, dt.datetime))  # the only types _temporal_tag tags


def _temporal_tag(value: Any) -> str | None:
    kind = type(value)
    if kind is dt.date:
        return "d"
    if kind is dt.datetime and (value.tzinfo is None or value.tzinfo is dt.UTC):
        return "t"
    return None


def pack_props(props: dict[str, Any]) -> bytes:
    """A property map as the spool stores it (``unpack_props`` reads it back equal, types and key order too)."""
    temporals = [
        (key, tag, value.isoformat())
        for key, value in props.items()
        if type(value) in _TEMPORAL_TYPES and (tag := _temporal_tag(value))  # the type first: no call for most
    ]
    if temporals:
        props = dict(props)
        for key, _, _ in temporals:
            props[key] = None
    return _blob((props, temporals))


def unpack_props(data: bytes) -> dict[str, Any]:
    props, temporals = _unblob(data)
    for key, tag, text in temporals:
        props[key] = _TEMPORAL_READERS[tag](text)
    return props


@dataclass(frozen=True, slots=True)
class SpoolRows:
    """One document's rows as the spool's tables take them, made where the document was mapped (in a
    mapping worker, mostly): the process that owns the spool only inserts them."""

    uri: str
    document: tuple[Any, ...]
    mentions: list[tuple[Any, ...]]
    claims: list[tuple[Any, ...]]
    links: list[tuple[str, str, str, str]]
    ends: list[tuple[str, str]]  # (claim, subject or object) that the document itself does not name

    def __reduce__(self) -> tuple[type[SpoolRows], tuple[Any, ...]]:
        # pickled by the worker and unpickled by the spool's process for every document: a plain tuple,
        # not the Python __getstate__/__setstate__ dataclasses give a frozen slots class
        return SpoolRows, (self.uri, self.document, self.mentions, self.claims, self.links, self.ends)


def spool_rows(doc: DocumentRows) -> SpoolRows:
    props = {"uri": doc.uri, **doc.props}
    mentions = [
        (doc.uri, e.uri, "\n".join(e.labels), e.name, _blob(e.names), e.wikidata, e.iso_code,
         pack_props(e.props | {_SPOOL_POINT: e.location} if e.location else e.props) if e.props or e.location else None)
        for e in doc.entities
    ]  # fmt: skip
    claims = [
        (c.uri, doc.uri, c.key, c.rel_type, c.head, c.tail, c.status, c.props.get("sentence"),
         pack_props({"uri": c.uri, "key": c.key, **c.props}))
        for c in doc.claims
    ]  # fmt: skip
    links = [
        (c.uri, doc.uri, link_type, target)
        for c in doc.claims
        for link_type, targets in (
            ("ASSERTED_BY", c.asserted_by),
            ("DENIED_BY", c.denied_by),
            ("LOCATION", [c.location] if c.location else []),
        )
        for target in targets
    ]
    named = {doc.uri, *(e.uri for e in doc.entities)}
    ends = [(c.uri, end) for c in doc.claims for end in (c.head, c.tail) if end not in named]
    document = (doc.uri, props.get("id"), props.get("fingerprint"), pack_props(props))
    return SpoolRows(doc.uri, document, mentions, claims, links, ends)


class Neo4jAdminSink(ProjectingSink):
    """A kgload Sink whose target is the spool of a neo4j-admin export."""

    name = "neo4j-admin"

    def __init__(self, folder: Path, output: Path | None = None) -> None:
        self.folder = folder
        self.output = output or folder  # what the run record names: the folder the files end up in
        self.ontology: Ontology | None = None
        self.record: RunRecord | None = None
        self.db = sqlite3.connect(folder / SPOOL, isolation_level=None)
        self.db.executescript(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -65536;"
            "PRAGMA temp_store = FILE;" + _SCHEMA
        )

    def describe(self) -> str:
        return f"neo4j-admin export {self.output}"

    def ensure_ontology(self, ontology_path: Path, base: str) -> None:
        self.ontology = load_ontology(ontology_path)

    def fingerprints(self, documents: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for start in range(0, len(documents), 500):
            chunk = documents[start : start + 500]
            marks = ",".join("?" * len(chunk))
            query = f"SELECT uri, fingerprint FROM documents WHERE uri IN ({marks})"  # noqa: S608 - only ?s
            found.update((uri, fp) for uri, fp in self.db.execute(query, chunk) if fp)
        return found

    def tenures(self, mapping: Mapping) -> list[tuple[str, str, Holding]]:
        return []  # a first load: the target knows nothing yet

    def raw_hashes(self, hashes: list[str]) -> dict[str, tuple[str, str]]:
        # an export's spool starts empty, so no line is known before it is read (a line given twice is
        # found unchanged by its fingerprint, as in any load); the hashes are asked for to be stored
        return {}

    def keep_raw_hashes(self, rows: list[tuple[str, str, str]]) -> None:
        self.db.executemany(
            "UPDATE documents SET raw_hash = ? WHERE uri = ? AND fingerprint = ?", [(r, u, fp) for u, r, fp in rows]
        )

    def preparer(self) -> RowsPreparer:
        # as far as the spool's rows, pickled values included: a mapping worker does it
        return RowsPreparer(self._ontology(), spool_rows)

    def write(self, documents: list[MappedDocument]) -> None:
        ontology = self._ontology()
        rows = [_spool_rows_of(doc, ontology) for doc in documents]
        pairs = zip(documents, rows, strict=True)
        aliases = {doc.iri: relink.alias_rows(doc, _entities_of(spooled)) for doc, spooled in pairs}
        self.db.execute("BEGIN")
        try:
            self._remove([d.uri for d in rows])
            for doc, spooled in zip(documents, rows, strict=True):
                self._add(spooled, doc.raw_hash)
            self.db.executemany(
                "INSERT INTO aliases VALUES (?, ?, ?)",
                [(row["id"], row["document"], _blob(row)) for doc_rows in aliases.values() for row in doc_rows],
            )
            for doc in rows:
                self._check_endpoints(doc)
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def _add(self, doc: SpoolRows, raw_hash: str | None) -> None:
        # the raw hash as the online writer stores it, so that a re-run into the imported database finds
        # its unchanged lines without reading them (kgload.pipeline.unchanged)
        self.db.execute("INSERT INTO documents VALUES (?, ?, ?, ?, ?)", (*doc.document, raw_hash))
        self.db.executemany("INSERT INTO mentions VALUES (?, ?, ?, ?, ?, ?, ?, ?)", doc.mentions)
        self.db.executemany("INSERT INTO claims VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", doc.claims)
        self.db.executemany("INSERT OR IGNORE INTO links VALUES (?, ?, ?, ?)", doc.links)  # MERGE: once per target

    def _check_endpoints(self, doc: SpoolRows) -> None:
        """The online sink refuses a claim whose subject or object is no node (CREATE_CLAIMS). What the
        document names itself is one (``spool_rows`` left it out); the rest must be in the spool."""
        if doc.ends:
            self._index_nodes()  # once per document that needs the lookups, not per lookup
        for claim, uri in doc.ends:
            if not self._is_node(uri):
                raise ExportError(f"{doc.uri}: claim {claim} points at {uri}, which no document names")

    def _is_node(self, uri: str) -> bool:
        return any(
            self.db.execute(query, (uri,)).fetchone()
            for query in (
                "SELECT 1 FROM mentions WHERE entity = ? LIMIT 1",
                "SELECT 1 FROM documents WHERE uri = ?",
                "SELECT 1 FROM claims WHERE uri = ?",
            )
        )

    def _index_nodes(self) -> None:
        """Index the entities' and the claims' uris, refusing a claim uri used twice (the online
        sink's uri constraint would refuse it)."""
        self.db.execute(_BY_ENTITY)
        try:
            self.db.execute(_BY_CLAIM)
        except sqlite3.IntegrityError:
            query = "SELECT uri, min(doc), max(doc) FROM claims GROUP BY uri HAVING count(*) > 1 LIMIT 1"
            claim, first, last = self.db.execute(query).fetchone()
            raise ExportError(
                f"{last}: claim {claim} is also a claim of {first} (the uri constraint would refuse it)"
                if first != last
                else f"{first}: claim {claim} is there twice (the uri constraint would refuse it)"
            ) from None

    def _remove(self, uris: list[str]) -> int:
        present = [u for u in uris if self.db.execute("SELECT 1 FROM documents WHERE uri = ?", (u,)).fetchone()]
        if present:
            for index in _BY_DOCUMENT:
                self.db.execute(index)
        tables = (("documents", "uri"), ("mentions", "doc"), ("claims", "doc"), ("links", "doc"), ("aliases", "doc"))
        for table, column in tables:
            self.db.executemany(f"DELETE FROM {table} WHERE {column} = ?", [(u,) for u in present])  # noqa: S608
        return len(present)

    def relink(self) -> Relinked:
        """The learned aliases applied to the spool before any CSV is written (kgload.sinks.neo4j.relink):
        a moved row's mention, claim ends and links go to its group's node, its claims re-keyed."""
        rows = (_unblob(props) for (props,) in self.db.execute("SELECT props FROM aliases ORDER BY id"))
        ambiguous: set[str] = set()
        pairs: dict[tuple[str, str], None] = {}
        moves = relink.moving(rows, ambiguous)  # every row is read (to disk) before the first move
        first = next(moves, None)
        if first is not None:
            for index in _BY_DOCUMENT:
                self.db.execute(index)
            self.db.execute("BEGIN")
            try:
                for move in itertools.chain([first], moves):
                    pairs[(move["old"], move["new"])] = None
                    self._move(move)
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
        return Relinked(tuple(pairs), frozenset(ambiguous))

    def _move(self, move: dict[str, Any]) -> None:
        doc, old, new = move["document"], move["old"], move["new"]
        self.db.execute(
            "UPDATE mentions SET entity = ?, name = ?, names = ? WHERE doc = ? AND entity = ?",
            (new, move["name"], _blob(move["moved"]), doc, old),
        )
        if old != new:
            claims = "SELECT rowid, head, tail, props FROM claims WHERE doc = ? AND (head = ? OR tail = ?)"
            for rowid, head, tail, packed in self.db.execute(claims, (doc, old, old)).fetchall():
                props = unpack_props(packed)
                head, tail = (new if head == old else head), (new if tail == old else tail)
                props["key"] = relationship_key(head, props["predicateUri"], tail, props)
                self.db.execute(
                    "UPDATE claims SET head = ?, tail = ?, key = ?, props = ? WHERE rowid = ?",
                    (head, tail, props["key"], pack_props(props), rowid),
                )
            self.db.execute("UPDATE OR IGNORE links SET target = ? WHERE doc = ? AND target = ?", (new, doc, old))
            self.db.execute("DELETE FROM links WHERE doc = ? AND target = ?", (doc, old))  # already linked to new
        row = {k: move[k] for k in relink.ALIAS_KEYS} | {"linked": new, "linkedName": move["name"]}
        self.db.execute("UPDATE aliases SET props = ? WHERE id = ?", (_blob(row), move["id"]))

    def retract(self, documents: list[str]) -> int:
        self.db.execute("BEGIN")
        count = self._remove(documents)
        self.db.execute("COMMIT")
        return count

    # The run ledger: the export's run becomes the imported graph's (:LoadRun), so `kgload runs`
    # after the import says how the graph was made. No lease: nobody else writes this folder.
    def record_run(self, record: RunRecord, base: str) -> None:
        self.record = record

    def runs(self, limit: int = RUNS_LISTED) -> list[RunRecord]:
        return [self.record] if self.record else []

    def fail_interrupted_runs(self, current: str, base: str) -> int:
        return 0

    def flush(self) -> None:
        """Rows reach the spool before ``write`` returns."""

    def close(self) -> None:
        self.db.close()

    # -- the CSV files ---------------------------------------------------------------------------

    def finish(self, groups: CsvGroups, *, processes: int = 1) -> RowWriter:
        """Write every node and relationship of the spool as CSV rows. With two processes the mentions
        and facts are written by a forked child while this process writes the nodes and the claims'
        links: the two halves share no CSV file, and take about as long as each other."""
        self._index_nodes()
        rows = self._row_writer(groups)
        if processes < 2 or "fork" not in multiprocessing.get_all_start_methods():  # Windows: one process
            self._nodes_and_claim_links(rows)
            self._mentions_and_facts(rows)
        else:
            context = multiprocessing.get_context("fork")  # the child reads the spool through its own connection
            receive, send = context.Pipe(duplex=False)
            child = context.Process(target=self._mentions_and_facts_in_child, args=(send,), daemon=True)
            child.start()
            send.close()
            try:
                self._nodes_and_claim_links(rows)
                outcome = receive.recv()
            except EOFError:
                outcome = RuntimeError(f"the export's second process ended without an answer (exit {child.exitcode})")
            except BaseException:
                child.terminate()  # its half is of no use without this one
                raise
            finally:
                child.join()
                receive.close()
            if isinstance(outcome, BaseException):
                raise outcome
            rows.merge(outcome)
        groups.order(_KIND_ORDER)
        return rows

    def _row_writer(self, groups: CsvGroups) -> RowWriter:
        ontology = self.ontology or _missing()
        return RowWriter(groups, ontology.classes.values(), [r.neo4j_type for r in ontology.relations.values()])

    def _mentions_and_facts_in_child(self, send: Connection) -> None:
        # Never the parent's connection, which stays referenced so that it is not closed here either.
        self._inherited, self.db = self.db, sqlite3.connect(self.folder / SPOOL, isolation_level=None)
        groups = CsvGroups(self.folder)
        try:
            rows = self._row_writer(groups)
            self._mentions_and_facts(rows)
            groups.close()
            send.send(rows)  # its groups and counts; no file is open any more
        except BaseException as error:  # ExportError and the like: the parent raises it
            send.send(error)
        finally:
            send.close()

    def _nodes_and_claim_links(self, rows: RowWriter) -> None:
        """Documents, claims, the run and entities, and the claims' links."""
        for props, raw_hash in self.db.execute("SELECT props, raw_hash FROM documents ORDER BY rowid"):
            document = unpack_props(props)
            if raw_hash:
                document["rawHash"] = raw_hash
            rows.node("node-documents", ("Resource", "Document"), document, scope="Document")
        if self.record is not None:
            run = {k: v for k, v in self.record.properties().items() if v is not None}
            rows.node("node-runs", ("LoadRun",), run, scope="LoadRun")
        for (props,) in self.db.execute("SELECT props FROM aliases ORDER BY id"):
            rows.node("node-aliases", (relink.LABEL,), _unblob(props), scope=relink.LABEL)
        # one pass for a claim's node and its three links: each kind of row has CSV files of its own
        claims = "SELECT uri, doc, head, tail, props FROM claims ORDER BY rowid"
        for claim, doc, head, tail, props in self.db.execute(claims):
            rows.node("node-claims", ("Resource", "Claim"), unpack_props(props), scope="Claim")
            rows.relationship("rel-claims", "DERIVED_FROM", claim, doc, {})
            rows.relationship("rel-claims", "SUBJECT", claim, head, {})
            rows.relationship("rel-claims", "OBJECT", claim, tail, {})
        # MATCH (x:Resource {uri: row.target}) finds nothing for a target no document names
        links = """
            SELECT l.claim, l.type, l.target FROM links l
            WHERE EXISTS (SELECT 1 FROM mentions WHERE entity = l.target)
               OR EXISTS (SELECT 1 FROM documents WHERE uri = l.target)
               OR EXISTS (SELECT 1 FROM claims WHERE uri = l.target)
            ORDER BY l.claim, l.type, l.target"""
        for claim, link_type, target in self.db.execute(links):
            rows.relationship("rel-claims", link_type, claim, target, {})
        for labels, props in self._entities():
            rows.node("node-entities", labels, props, scope="Entity")

    def _mentions_and_facts(self, rows: RowWriter) -> None:
        """The documents' mentions of entities, and the facts between them."""
        mentions = "SELECT doc, entity, name, names, wikidata, iso, props FROM mentions ORDER BY rowid"
        for doc, entity, name, names, wikidata, iso, packed in self.db.execute(mentions):
            props = {"name": name, "names": _unblob(names), "wikidata": wikidata, "isoCode": iso}
            point = unpack_props(packed).get(_SPOOL_POINT) if packed is not None else None
            if point is not None:  # CREATE_MENTIONS' location
                props["location"] = Wgs84Point(*point)
            rows.relationship("rel-mentions", "MENTIONS", doc, entity, props)
        for rel_type, head, tail, props in self._relationships():
            rows.relationship("rel-facts", rel_type, head, tail, props)

    def _entities(self) -> Iterator[tuple[set[str], dict[str, Any]]]:
        """cypher.upsert_entities + REFRESH_ENTITIES over every document naming each entity, folded
        row by row: a hub named in most documents holds only its distinct names in memory."""
        query = "SELECT entity, labels, name, names, wikidata, iso, props FROM mentions ORDER BY entity, rowid"
        entity: _Entity | None = None
        for row in self.db.execute(query):
            if entity is None or row[0] != entity.uri:
                if entity is not None:
                    yield entity.node()
                entity = _Entity(row[0])
            entity.add(row)
        if entity is not None:
            yield entity.node()

    def _relationships(self) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
        """cypher.upsert_relationships for every key: its asserted claims ORDER BY d.id, c.sentence,
        c.uri (nulls last, as in Cypher), the first one giving direction and time."""
        query = """
            SELECT c.key, c.rel_type, c.head, c.tail, c.props, d.uri, d.id FROM claims c
            JOIN documents d ON d.uri = c.doc
            WHERE c.status = 'asserted'
            ORDER BY c.key, d.id IS NULL, d.id, c.sentence IS NULL, c.sentence, c.uri"""
        for key, group in _grouped(self.db.execute(query)):
            _, rel_type, head, tail, _, _, _ = group[0]
            yield rel_type, head, tail, fact_properties(key, [(g[6], g[5], unpack_props(g[4])) for g in group])


class _Entity:
    """One entity's node, folded from its mentions in load order as upsert_entities sets it."""

    def __init__(self, uri: str) -> None:
        self.uri = uri
        self.labels = {"Resource", "Entity"}
        self.extra: dict[str, Any] = {}
        self.point: tuple[float, float] | None = None
        self.name: str | None = None
        self.names: set[str] = set()
        self.wikidata: str | None = None
        self.iso: str | None = None

    def add(self, row: tuple[Any, ...]) -> None:
        _, label_text, name, names, wikidata, iso, props = row
        self.labels.update(label_text.split("\n") if label_text else ())
        if props is not None:
            unpacked = unpack_props(props)
            if (point := unpacked.pop(_SPOOL_POINT, None)) is not None:
                self.point = point if self.point is None else min(self.point, point)
            self.extra.update(unpacked)  # SET e += row.props, in load order
        self.name = name if self.name is None else min(self.name, name)
        self.names.update(_unblob(names))
        self.wikidata = _max(self.wikidata, wikidata)
        self.iso = _max(self.iso, iso)

    def node(self) -> tuple[set[str], dict[str, Any]]:
        extra = dict(self.extra)
        if self.point is not None:  # the least point, as upsert_entities keeps
            extra["location"] = Wgs84Point(*self.point)
        return self.labels, {
            **extra,
            "uri": self.uri,
            "name": self.name,
            "aliases": [n for n in sorted(self.names) if n != self.name],
            "wikidata": self.wikidata,
            "isoCode": self.iso,
        }


def _max(kept: str | None, value: str | None) -> str | None:
    """The larger of two values, a missing one never winning (SQL's max)."""
    return value if kept is None or (value is not None and value > kept) else kept


def _spool_rows_of(doc: MappedDocument, ontology: Ontology) -> SpoolRows:
    return doc.prepared if isinstance(doc.prepared, SpoolRows) else spool_rows(rows_of(doc, ontology))


def _entities_of(doc: SpoolRows) -> dict[str, tuple[list[str], list[str]]]:
    """Each entity's names and labels in the document, from its spooled mention."""
    return {m[1]: (_unblob(m[4]), m[2].split("\n") if m[2] else []) for m in doc.mentions}


def _grouped(rows: Iterable[tuple[Any, ...]]) -> Iterator[tuple[Any, list[tuple[Any, ...]]]]:
    """Consecutive rows with the same first column (the query orders by it)."""
    current: Any = None
    group: list[tuple[Any, ...]] = []
    for row in rows:
        if group and row[0] != current:
            yield current, group
            group = []
        current = row[0]
        group.append(row)
    if group:
        yield current, group


def _missing() -> Ontology:
    raise RuntimeError("Neo4jAdminSink.ensure_ontology() must run before finish()")


# -- the whole export ----------------------------------------------------------------------------


def working_folder(output: Path) -> Path:
    """A fresh working folder beside ``output``; ``output`` must be absent or empty."""
    if output.exists() and (not output.is_dir() or any(output.iterdir())):
        raise UsageError(f"{output} exists and is not an empty folder; neo4j-admin files need a folder of their own")
    work = output.parent / f".{output.name}.partial-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    try:
        work.mkdir(parents=True)
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror}") from None
    return work


def export(output: Path, load: Callable[[Neo4jAdminSink], LoadReport], *, processes: int = 1) -> Neo4jAdminExport:
    """Run ``load`` into a spool, then write the neo4j-admin folder at ``output`` (all or nothing:
    the files appear under ``output`` only when every one of them is written)."""
    work = working_folder(output)
    try:
        sink = Neo4jAdminSink(work, output)
        try:
            report = load(sink)
            groups = CsvGroups(work)
            try:
                rows = sink.finish(groups, processes=processes)
            finally:
                groups.close()
            ontology = sink.ontology or _missing()
        finally:
            sink.close()
        (work / SPOOL).unlink()
        rel_types = [r.neo4j_type for r in ontology.relations.values()]
        (work / IMPORT_SCRIPT).write_text(import_script(groups), encoding="utf-8")
        (work / IMPORT_SCRIPT).chmod(0o755)
        (work / POST_IMPORT).write_text(post_import(rel_types, rows.empty_lists), encoding="utf-8")
        if output.exists():
            output.rmdir()
        work.rename(output)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    files = sorted(p.name for p in output.iterdir())
    return Neo4jAdminExport(report, output, rows.nodes, rows.relationships, files)
