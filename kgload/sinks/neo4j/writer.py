"""Writes mapped documents into Neo4j in batches, one managed transaction per batch.

A batch is all-or-nothing: the driver retries it on transient errors, and a crash anywhere
leaves the previous state, so a re-run converges on the graph a clean load gives. Each batch
first detaches what its documents contributed before (those the target holds), then writes their
new contribution and recomputes only the relationships and entities that were touched.

Write-behind: a batch commits in a background thread while the caller maps the next one (the
server's work and the client's overlap; the thread mostly waits on the socket, without the GIL).
One batch at most is in flight, so batches still commit one after the other, in order, and
memory holds at most two. ``flush`` waits for it and raises its error; every call but
``fingerprints`` and ``renew_lock`` flushes first. ``fingerprints`` answers for the batch in flight
as if it had committed: if it does not, its error stops the run at the next call anyway.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import neo4j
from neo4j.exceptions import AuthError, ConfigurationError, DriverError, Neo4jError, ServiceUnavailable, SessionExpired

from kgload.defaults import ROWS_PER_STATEMENT, RUNS_LISTED
from kgload.errors import ConfigError, TargetBusy, TargetFailed, TargetUnreachable
from kgload.interrupts import signals_held
from kgload.ledger import RunRecord
from kgload.mapping.spec import Mapping
from kgload.mapping.tenures import Holding
from kgload.model import MappedDocument
from kgload.ontology import Ontology, load_ontology
from kgload.rdf.offices import office_properties
from kgload.sinks.learned import Relinked
from kgload.sinks.neo4j import cypher, diagnose, relink
from kgload.sinks.neo4j.preparing import ProjectingSink
from kgload.sinks.neo4j.projection import DocumentRows, rows_of
from kgload.sinks.neo4j.rows import BatchRows, batch_rows, unique_documents, with_element_ids
from kgload.sinks.neo4j.settings import Neo4jSettings
from kgload.sinks.neo4j.written import WrittenEntities
from kgload.version import __version__

LOCK_NAME = "kgload"
# How long the driver retries a transaction on a transient or connection error: long enough for a
# deadlock or a leader switch, short enough that a run whose server died exits well within a minute.
RETRY_SECONDS = 15.0
CONNECT_SECONDS = 10.0  # to open a connection: a server that is down answers at once or never

P = ParamSpec("P")
R = TypeVar("R")


def _kgload_errors(method: Callable[P, R]) -> Callable[P, R]:
    """The driver's errors raised as kgload's TargetFailed, naming the target; a lost connection
    also makes the sink's later calls single attempts (see ``Neo4jSink._records``)."""

    @functools.wraps(method)
    def translated(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except (DriverError, Neo4jError) as exc:
            sink = args[0]
            assert isinstance(sink, Neo4jSink)
            if isinstance(exc, ServiceUnavailable | SessionExpired):
                sink.lost = True
            cause = " ".join(f"{type(exc).__name__}: {exc}".split())
            raise TargetFailed(f"{sink.describe()}: {cause}") from exc

    return translated


def connect(settings: Neo4jSettings) -> neo4j.Driver:
    """Open a driver and check the server answers; errors name the URI, never the password."""
    try:
        # Server notifications ("property key does not exist" on an empty database, …) are for
        # people writing queries, not for a loader's output.
        driver = neo4j.GraphDatabase.driver(
            settings.uri,
            auth=settings.auth,
            notifications_min_severity=neo4j.NotificationMinimumSeverity.OFF,
            max_transaction_retry_time=RETRY_SECONDS,
            connection_timeout=CONNECT_SECONDS,
            connection_acquisition_timeout=2 * CONNECT_SECONDS,
        )
        driver.verify_connectivity()
        driver.execute_query("RETURN 1", database_=settings.database)  # the database exists and answers
    except AuthError:
        raise TargetUnreachable(f"{settings.describe()}: {diagnose.auth_failure(settings)}") from None
    except (ServiceUnavailable, OSError):
        raise TargetUnreachable(f"{settings.describe()}: {diagnose.cause(settings)}") from None
    except (ConfigurationError, ValueError) as exc:
        raise ConfigError(f"{settings.describe()}: {exc}") from None
    except neo4j.exceptions.Neo4jError as exc:
        message = diagnose.database_error(settings, exc.code or "", exc.message or "")
        raise TargetUnreachable(f"{settings.describe()}: {message}") from None
    return driver


class Neo4jSink(ProjectingSink):
    name = "neo4j"

    def __init__(
        self,
        driver: neo4j.Driver,
        database: str | None = None,
        *,
        ontology: Ontology | None = None,
        description: str = "neo4j",
        owns_driver: bool = False,
        rows_per_statement: int = ROWS_PER_STATEMENT,
        write_behind: bool = True,
        relink_moves: int | None = None,
    ) -> None:
        self.driver = driver
        self.rows_per_statement = rows_per_statement
        # read here, not as a default argument, so that a test can make every transaction small
        self.relink_moves = relink.MOVES_PER_TRANSACTION if relink_moves is None else relink_moves
        self.database = database
        self.ontology = ontology
        self.write_behind = write_behind
        self._description = description
        self._owns_driver = owns_driver
        self._executor: ThreadPoolExecutor | None = None
        self._in_flight: Future[None] | None = None
        self._in_flight_fingerprints: dict[str, str] = {}
        self._entities = WrittenEntities()  # the entity rows this sink wrote, as they were written
        self.lost = False  # the server went away: what is left to say to it gets one attempt
        self.unmarked = False  # this sink removed the mark of a finished re-link, and set none since

    @classmethod
    def connect(cls, settings: Neo4jSettings) -> Neo4jSink:
        return cls(
            connect(settings),
            settings.database,
            description=settings.describe(),
            owns_driver=True,
            rows_per_statement=settings.rows_per_statement,
        )

    def describe(self) -> str:
        return self._description

    # -- schema ------------------------------------------------------------------------------

    @_kgload_errors
    def ensure_ontology(self, ontology_path: Path, base: str) -> None:
        self.ontology = load_ontology(ontology_path)
        rel_types = [r.neo4j_type for r in self.ontology.relations.values()]
        existing = {
            r["name"]
            for query in cypher.SCHEMA_NAMES
            for r in self.driver.execute_query(query, database_=self.database).records
        }
        created = False
        for statement in cypher.schema_statements(rel_types):
            if cypher.schema_name(statement) not in existing:
                self.driver.execute_query(statement, database_=self.database)
                created = True
        if created:
            # A statement planned while an index is still populating is planned without it, and the
            # plan is cached: a first load's uri lookups would stay label scans for later runs too.
            self.driver.execute_query(cypher.AWAIT_INDEXES, database_=self.database)

    # -- reads -------------------------------------------------------------------------------

    @_kgload_errors
    @signals_held()
    def fingerprints(self, documents: list[str]) -> dict[str, str]:
        records, _, _ = self.driver.execute_query(
            cypher.planned_once(cypher.FINGERPRINTS),
            uris=cypher.Quiet(documents),
            database_=self.database,
            routing_=neo4j.RoutingControl.READ,
        )
        stored = {uri: fp or "" for uri, fp in records[0]["stored"]} if records else {}
        coming = self._in_flight_fingerprints
        stored.update((uri, coming[uri]) for uri in documents if uri in coming)
        return stored

    @_kgload_errors
    @signals_held()
    def raw_hashes(self, hashes: list[str]) -> dict[str, tuple[str, str]]:
        """Asked ahead of the writes (kgload.pipeline.unchanged): a batch in flight is not answered for, so
        a line it changes is found as it was, and the load's own record of what it wrote decides."""
        records, _, _ = self.driver.execute_query(
            cypher.planned_once(cypher.RAW_HASHES),
            hashes=cypher.Quiet(hashes),
            database_=self.database,
            routing_=neo4j.RoutingControl.READ,
        )
        return {raw: (uri, fp) for raw, uri, fp in records[0]["found"] if fp} if records else {}

    @_kgload_errors
    @signals_held()
    def keep_raw_hashes(self, rows: list[tuple[str, str, str]]) -> None:
        """Only where the fingerprint still matches: whatever order this and a batch in flight commit in,
        a document ends with its own line's raw hash or none."""
        self.driver.execute_query(
            cypher.planned_once(cypher.KEEP_RAW_HASHES),
            rows=cypher.Quiet([{"uri": uri, "raw": raw, "fingerprint": fp} for uri, raw, fp in rows]),
            database_=self.database,
        )

    @_kgload_errors
    def tenures(self, mapping: Mapping) -> list[tuple[str, str, Holding]]:
        self.flush()
        ontology = self._ontology()
        by_type = {
            ontology.relations[iri].neo4j_type: iri for iri in office_properties(mapping) if iri in ontology.relations
        }
        if not by_type:
            return []
        allowed = [r.neo4j_type for r in ontology.relations.values()]
        records, _, _ = self.driver.execute_query(
            cypher.tenures(by_type, allowed), database_=self.database, routing_=neo4j.RoutingControl.READ
        )
        return [
            (by_type[r["type"]], r["of"], Holding(r["holder"], r["name"] or r["holder"], r["start"], r["end"]))
            for r in records
        ]

    # -- writes ------------------------------------------------------------------------------

    @_kgload_errors
    def write(self, documents: list[MappedDocument]) -> None:
        ontology = self._ontology()
        projected = [(doc, rows_of(doc, ontology)) for doc in documents]
        docs = unique_documents(_with_raw_hash(rows, doc.raw_hash) for doc, rows in projected)
        # the batch's rows of the alias table, a document given twice by its later version
        by_document = {doc.iri: relink.alias_rows(doc, relink.entities_of(rows)) for doc, rows in projected}
        aliases = [row for rows in by_document.values() for row in rows]
        # what the documents held before is removed first; a document the load found absent holds nothing
        detach = list(dict.fromkeys(doc.iri for doc in documents if doc.in_target))
        # Built before the transaction, whose locks are then held only for its statements; after the
        # flush, not while the batch before commits: that held two batches' rows at once for no
        # time that could be measured.
        self.flush()
        self._unmark()
        rows = batch_rows(docs)
        if detach:  # a detach may take names back from the entities it touches (REFRESH_ENTITIES)
            self._entities.forget()
        else:
            rows = replace(rows, entities=self._entities.unwritten(rows.entities))
        if not self.write_behind:
            with signals_held():  # in this thread: an interrupt waits for the commit
                self._commit(rows, ontology, aliases, detach)
            return
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kgload-neo4j-writer")
        self._in_flight_fingerprints = {
            d.uri: d.props["fingerprint"] for d in docs if isinstance(d.props.get("fingerprint"), str)
        }
        self._in_flight = self._executor.submit(self._commit, rows, ontology, aliases, detach)

    def _commit(self, rows: BatchRows, ontology: Ontology, aliases: list[dict[str, Any]], detach: list[str]) -> None:
        try:
            with self.driver.session(database=self.database) as session:
                session.execute_write(_write_batch, rows, ontology, self.rows_per_statement, aliases, detach)
        except BaseException:
            self._entities.forget()  # the rows it counted as written were not
            raise

    @_kgload_errors
    def relink(self, *, again: bool = False) -> Relinked:
        """Join the free-name entities the learned aliases say are one (kgload.sinks.neo4j.relink); nothing
        to do when nothing was written or retracted since a re-link that finished, unless ``again``."""
        self.flush()
        self._entities.forget()  # moves and merges entities
        if not again and not self.unmarked and self._relinked():
            return Relinked((), frozenset())
        ambiguous: set[str] = set()
        with relink.Spool(relink.moving(self._alias_rows(), ambiguous)) as moves:
            if moves:
                self._apply(moves)
            # after the last move has committed: a re-link stopped before this is done again by the next run
            self._records(relink.MARK, name=LOCK_NAME, version=__version__)
            self.unmarked = False
            return Relinked(tuple(moves.pairs), frozenset(ambiguous))

    def _relinked(self) -> bool:
        records, _, _ = self.driver.execute_query(
            relink.RELINKED,
            name=LOCK_NAME,
            version=__version__,
            database_=self.database,
            routing_=neo4j.RoutingControl.READ,
        )
        return bool(records and records[0]["relinked"])

    def _unmark(self) -> None:
        """Before the first document this sink writes or retracts, in a transaction of its own: a re-link
        stopped after it, or never reached, is not taken for finished."""
        if not self.unmarked:
            self._records(relink.UNMARK, name=LOCK_NAME)
            self.unmarked = True

    def _apply(self, moves: relink.Spool) -> None:
        """The moves in bounded transactions of whole documents, in order, each completed with its rows'
        mention names and labels just before it runs; each commits its rows' links."""
        last = relink.last_transactions(relink.transactions(moves, self.relink_moves))
        ontology = self._ontology()
        with self.driver.session(database=self.database) as session:
            for index, lean in enumerate(relink.transactions(moves, self.relink_moves)):
                chunk = self._with_details(lean)
                kept = relink.kept(chunk, index, last)
                session.execute_write(_relink, chunk, ontology, self.rows_per_statement, kept)

    def _with_details(self, moves: list[dict[str, Any]]) -> list[dict[str, Any]]:
        details: dict[str, dict[str, Any]] = {}
        for chunk in _chunks([m["id"] for m in moves], self.rows_per_statement):
            records, _, _ = self.driver.execute_query(
                relink.DETAILS, ids=chunk, database_=self.database, routing_=neo4j.RoutingControl.READ
            )
            details.update((r["id"], r.data()) for r in records)
        return [relink.with_details(m, details[m["id"]]) for m in moves]

    def _alias_rows(self) -> Iterator[dict[str, Any]]:
        """Every row of the alias table, without its mention names and labels, read a page at a time."""
        after = ""
        while True:
            records, _, _ = self.driver.execute_query(
                relink.LEAN_ROWS,
                after=after,
                limit=relink.ROWS_PAGE,
                database_=self.database,
                routing_=neo4j.RoutingControl.READ,
            )
            page = records[0]["rows"] if records else []
            yield from page
            if len(page) < relink.ROWS_PAGE:
                return
            after = max(row["id"] for row in page)

    @_kgload_errors
    def flush(self) -> None:
        in_flight, self._in_flight = self._in_flight, None
        self._in_flight_fingerprints = {}
        if in_flight is not None:
            in_flight.result()

    @_kgload_errors
    def document_ids(self) -> dict[str, str]:
        """Every loaded document: IRI -> its id (for suggestions when an id is not found)."""
        records, _, _ = self.driver.execute_query(
            "MATCH (d:Document) RETURN d.uri AS uri, coalesce(d.id, d.uri) AS id",
            database_=self.database,
            routing_=neo4j.RoutingControl.READ,
        )
        return {r["uri"]: r["id"] for r in records}

    @_kgload_errors
    def retract(self, documents: list[str]) -> int:
        self.flush()
        self._entities.forget()
        self._unmark()
        ontology = self._ontology()
        with self.driver.session(database=self.database) as session:
            removed = session.execute_write(_retract, documents, ontology, self.rows_per_statement)
        self.relink()  # the aliases the documents taught go with them
        return removed

    # -- run ledger and lock ------------------------------------------------------------------

    @_kgload_errors
    def acquire_lock(self, owner: str, ttl: int, dead: Callable[[str], bool]) -> None:
        self.flush()
        if self._records(cypher.ACQUIRE_LOCK, name=LOCK_NAME, owner=owner, ttl=ttl):
            return
        holder = self._records(cypher.LOCK_HOLDER, name=LOCK_NAME)
        who = holder[0]["owner"] if holder else None
        # its holder is known dead: no need to wait for the lease to run out
        if who and dead(who) and self._records(cypher.TAKE_OVER_LOCK, name=LOCK_NAME, owner=owner, dead=who, ttl=ttl):
            return
        until = holder[0]["expires"] if holder else None
        raise TargetBusy(
            f"{self._description} is being loaded by {who or 'another run'} (lease until {until}); "
            "try again later: the lease lapses soon after its holder stops"
        )

    @_kgload_errors
    def renew_lock(self, owner: str, ttl: int) -> None:
        # called from the run's heartbeat thread too: it does not wait for the batch in flight
        if not self._records(cypher.RENEW_LOCK, name=LOCK_NAME, owner=owner, ttl=ttl):
            raise TargetBusy(f"{self._description}: this run lost its lock (lease expired); stopping")

    @_kgload_errors
    def release_lock(self, owner: str) -> None:
        self.flush()
        self._records(cypher.RELEASE_LOCK, name=LOCK_NAME, owner=owner)

    @_kgload_errors
    def record_run(self, record: RunRecord, base: str) -> None:
        self.flush()
        props = {k: v for k, v in record.properties().items() if v is not None}
        self._records(cypher.RECORD_RUN, props=props)

    @_kgload_errors
    def runs(self, limit: int = RUNS_LISTED) -> list[RunRecord]:
        self.flush()
        records, _, _ = self.driver.execute_query(
            cypher.LIST_RUNS, limit=limit, database_=self.database, routing_=neo4j.RoutingControl.READ
        )
        return [RunRecord.from_properties(r["props"]) for r in records]

    @_kgload_errors
    def fail_interrupted_runs(self, current: str, base: str) -> int:
        self.flush()
        records = self._records(cypher.FAIL_INTERRUPTED_RUNS, current=current)
        return int(records[0]["n"]) if records else 0

    def _records(self, query: str, **params: Any) -> list[neo4j.Record]:
        """A short write through the driver's retrying transaction; once the server was lost in this
        run, a single attempt, so that a run whose target is gone exits promptly."""
        if not self.lost:
            return self.driver.execute_query(query, params, database_=self.database).records
        with self.driver.session(database=self.database) as session:
            return list(session.run(query, params))

    @_kgload_errors
    def run(self, query: str, **params: Any) -> list[dict[str, Any]]:
        self.flush()
        self._entities.forget()  # any statement may change an entity
        records, _, _ = self.driver.execute_query(query, params, database_=self.database)
        return [r.data() for r in records]

    def close(self) -> None:
        try:
            self.flush()
        finally:
            if self._executor is not None:
                self._executor.shutdown()
                self._executor = None
            if self._owns_driver:
                self.driver.close()


def _chunks(rows: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _with_raw_hash(rows: DocumentRows, raw_hash: str | None) -> DocumentRows:
    """The Document node's properties with the raw hash of its line, which ``SET d = row.props`` replaces
    with the document (a version read with rejects has none)."""
    if not raw_hash:
        return rows
    # built directly: dataclasses.replace reads every field back by name, once per document
    return DocumentRows(rows.uri, {**rows.props, "rawHash": raw_hash}, rows.entities, rows.claims)


def _run(tx: neo4j.ManagedTransaction, query: str, **params: Any) -> neo4j.Result:
    """``tx.run`` of a statement that keeps its first plan, with every list parameter passed as
    ``cypher.Quiet`` (see there: the driver's debug log)."""
    quiet = {k: cypher.Quiet(v) if isinstance(v, list) else v for k, v in params.items()}
    return tx.run(cypher.planned_once(query), quiet)


def _detach(tx: neo4j.ManagedTransaction, uris: list[str]) -> tuple[dict[str, set[str]], set[str]]:
    old_keys: dict[str, set[str]] = defaultdict(set)
    touched: set[str] = set()
    for record in _run(tx, cypher.DETACH_DOCUMENTS, uris=uris):
        for rel_type, key in record["keys"]:
            old_keys[rel_type].add(key)
        touched.update(record["entities"])
    return old_keys, touched


def _supported(tx: neo4j.ManagedTransaction, keys: Iterable[str], size: int) -> set[str]:
    supported: set[str] = set()
    for chunk in _chunks(sorted(keys), size):
        supported.update(r["key"] for r in _run(tx, cypher.SUPPORTED_KEYS, keys=chunk))
    return supported


def _look_up(tx: neo4j.ManagedTransaction, ids: dict[str, str], rows: BatchRows, claims: set[str], size: int) -> None:
    """Add the element ids of stored nodes the batch links to without writing them (a claim's
    attribution or place that no document of the batch names)."""
    ends = {row[k] for row in rows.mentions for k in ("document", "entity")}
    ends |= {row[k] for row in (*rows.claims, *rows.facts) for k in ("document", "head", "tail") if k in row}
    ends |= {row["target"] for row in rows.links}
    missing = sorted(ends - ids.keys() - claims)
    for chunk in _chunks(missing, size):
        ids.update(_run(tx, cypher.ELEMENT_IDS, uris=chunk).single(strict=True)["ids"])


def _write_batch(
    tx: neo4j.ManagedTransaction,
    rows: BatchRows,
    ontology: Ontology,
    size: int,
    aliases: list[dict[str, Any]],
    detach: list[str],
) -> None:
    """Detach what the documents held before (those of ``detach``: the others are new), write their new
    contribution, reconcile the relationships they change.

    On a first load nothing is detached and nothing else supports the batch's relationships, so
    the batch is a handful of CREATE statements; only relationships other documents also support
    are recomputed from their claims on the server. The driver may run this again on a transient
    error, so ``rows`` is only read.
    """
    old_keys, touched = _detach(tx, detach) if detach else ({}, set())
    all_keys = {k for keys in (*old_keys.values(), *rows.keys.values()) for k in keys}
    supported = _supported(tx, all_keys, size) if all_keys else set()

    ids: dict[str, str] = {}  # uri -> element id of the nodes this transaction wrote or links to
    for chunk in _chunks(rows.documents, size):
        ids.update(_run(tx, cypher.UPSERT_DOCUMENTS, rows=chunk).single(strict=True)["ids"])
    _remember(tx, detach, aliases, size)
    for chunk in _chunks(cypher.entity_rows(rows.entities, ontology.classes.values()), size):
        ids.update(_run(tx, cypher.UPSERT_ENTITIES, rows=chunk).single(strict=True)["ids"])
    claim_uris = {c["props"]["uri"] for c in rows.claims}
    _look_up(tx, ids, rows, claim_uris, size)
    for chunk in _chunks(with_element_ids(rows.mentions, ids, ("document", "entity")), size):
        _run(tx, cypher.CREATE_MENTIONS, rows=chunk).consume()
    if touched:  # names a changed document took back: recompute from the documents naming them now
        _run(tx, cypher.REFRESH_ENTITIES, uris=sorted(touched)).consume()

    claim_ids: dict[str, str] = {}
    for chunk in _chunks(with_element_ids(rows.claims, ids, ("document", "head", "tail")), size):
        claim_ids.update(_run(tx, cypher.CREATE_CLAIMS, rows=chunk).single(strict=True)["ids"])
    if len(claim_ids) != len(rows.claims):
        # Never lose a claim silently: every claim's endpoints are entities its document names.
        raise RuntimeError(f"wrote {len(claim_ids)} of {len(rows.claims)} claims; rolled back")
    ids.update(claim_ids)
    links = with_element_ids(cypher.typed_rows(rows.links, cypher.CLAIM_LINK_TYPES), ids, ("claim", "target"))
    for chunk in _chunks(links, size):
        _run(tx, cypher.LINK_CLAIMS, rows=chunk).consume()

    fresh = [row for row in rows.facts if row["props"]["key"] not in supported]
    # shared keys the batch only adds claims to: its aggregate may extend what is stored
    added = {k for rel_type, keys in rows.keys.items() for k in keys - old_keys.get(rel_type, set())} & supported
    appendable = [row for row in rows.facts if row["props"]["key"] in added and _appendable(row["props"])]
    _reconcile(tx, old_keys, rows.keys, supported, fresh, ontology, size, appendable, ids)
    if touched:
        _run(tx, cypher.DELETE_ORPHANS, uris=sorted(touched)).consume()


def _reconcile(
    tx: neo4j.ManagedTransaction,
    old_keys: dict[str, set[str]],
    new_keys: dict[str, set[str]],
    supported: set[str],
    fresh: list[dict[str, Any]],
    ontology: Ontology,
    size: int,
    appendable: list[dict[str, Any]] | None = None,
    ids: dict[str, str] | None = None,
) -> None:
    """Drop the relationships of keys nothing else supports (the batch may create them anew),
    create those only the batch supports, extend or recompute the shared ones."""
    allowed = [r.neo4j_type for r in ontology.relations.values()]
    types = sorted(set(old_keys) | set(new_keys))
    for rel_type in types:
        for chunk in _chunks(sorted(old_keys.get(rel_type, set()) - supported), size):
            _run(tx, cypher.delete_relationships(rel_type, allowed), keys=chunk).consume()
    for chunk in _chunks(with_element_ids(cypher.typed_rows(fresh, allowed), ids or {}, ("head", "tail")), size):
        _run(tx, cypher.CREATE_FACTS, rows=chunk).consume()
    extended: set[str] = set()
    by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in appendable or []:
        by_type[row["type"]].append(row)
    for rel_type, type_rows in sorted(by_type.items()):
        for chunk in _chunks(type_rows, size):
            extended.update(r["key"] for r in _run(tx, cypher.append_relationships(rel_type, allowed), rows=chunk))
    for rel_type in types:
        shared = ((old_keys.get(rel_type, set()) | new_keys.get(rel_type, set())) & supported) - extended
        for chunk in _chunks(sorted(shared), size):
            _run(tx, cypher.upsert_relationships(rel_type, allowed), keys=chunk).consume()


def _appendable(props: dict[str, Any]) -> bool:
    """Every supporting document has an id, so ``sources`` orders them as the recompute would, and
    no id holds a character from U+D800 up.

    Code point order (Python) and UTF-16 code unit order (Java) differ only where a character
    beyond U+FFFF meets one in U+E000-U+FFFF, and Neo4j was seen to sort such text both ways (a
    parameter list by code unit); the append's test ``p.sources[0] > last(r.sources)`` could then
    disagree with the recompute's ORDER BY. Below U+D800 every order agrees, whatever the stored
    id holds; other ids take the recompute."""
    sources = props["sources"]
    return (
        bool(sources)
        and len(sources) == len(props["documents"])
        and all(isinstance(s, str) and all(c < "\ud800" for c in s) for s in sources)
    )


def _retract(tx: neo4j.ManagedTransaction, uris: list[str], ontology: Ontology, size: int) -> int:
    record = _run(tx, cypher.FINGERPRINTS, uris=uris).single()
    present = [uri for uri, _ in record["stored"]] if record else []
    old_keys, touched = _detach(tx, present)
    all_keys = {k for keys in old_keys.values() for k in keys}
    supported = _supported(tx, all_keys, size) if all_keys else set()
    _run(tx, cypher.DELETE_DOCUMENTS, uris=present).consume()
    _remember(tx, present, [], size)
    _run(tx, cypher.REFRESH_ENTITIES, uris=sorted(touched)).consume()
    _reconcile(tx, old_keys, {}, supported, [], ontology, size)
    _run(tx, cypher.DELETE_ORPHANS, uris=sorted(touched)).consume()
    return len(present)


def _remember(tx: neo4j.ManagedTransaction, documents: list[str], aliases: list[dict[str, Any]], size: int) -> None:
    """Replace the alias table's rows (kgload.sinks.neo4j.relink) of ``documents`` (the batch's documents
    the target held) with ``aliases`` (the batch's)."""
    for chunk in _chunks(documents, size):
        _run(tx, relink.FORGET, uris=chunk).consume()
    for chunk in _chunks(aliases, size):
        _run(tx, relink.REMEMBER, rows=chunk).consume()


def _relink(
    tx: neo4j.ManagedTransaction,
    moves: list[dict[str, Any]],
    ontology: Ontology,
    size: int,
    kept: frozenset[str] = frozenset(),
) -> None:
    """Move each row's mention, claim ends and claim links to its group's node; re-key the claims and
    reconcile the relationships of their old and new keys; refresh the nodes and drop those left empty
    but ``kept`` (a later transaction moves mentions to them); mark the rows linked."""
    allowed = list(ontology.classes.values())
    for labels in {tuple(m["labels"]) for m in moves}:
        for label in labels:
            cypher.check_name(label, allowed)
    movers = [m for m in moves if m["old"] != m["new"]]
    targets: dict[str, dict[str, str]] = defaultdict(dict)
    for m in movers:
        targets[m["document"]][m["old"]] = m["new"]
    ends = [{"document": d, "olds": sorted(olds)} for d, olds in sorted(targets.items())]
    claims: list[dict[str, Any]] = []
    for chunk in _chunks(ends, size):
        records = [r.data() for r in _run(tx, relink.CLAIM_ENDS, rows=chunk)]
        claims += relink.rekeyed(records, targets)
    for chunk in _chunks([m for m in moves if m["old"] == m["new"]], size):
        _run(tx, relink.RENAME_MENTIONS, rows=chunk).consume()
    for chunk in _chunks(movers, size):
        _run(tx, relink.MOVE_MENTIONS, rows=chunk).consume()
        _run(tx, relink.MOVE_CLAIM_LINKS, rows=chunk, types=relink.MOVED_LINK_TYPES).consume()
    candidates = relink.whole_moves(claims)
    counts: dict[str, int] = {}
    keys = sorted({k for row in candidates for k in (row["old"], row["key"])})
    for chunk in _chunks(keys, size):  # before the re-key: how many asserted claims each key has
        counts.update((r["key"], r["n"]) for r in _run(tx, relink.CLAIM_COUNTS, keys=chunk))
    for chunk in _chunks(claims, size):
        _run(tx, relink.REKEY_CLAIMS, rows=chunk).consume()
    # a relationship all of whose claims move to one new key, which no other claim has, moves with them
    whole = [r for r in candidates if counts.get(r["old"]) == r["claims"] and not counts.get(r["key"])]
    moved: set[str] = set()
    allowed_types = [r.neo4j_type for r in ontology.relations.values()]
    for rel_type in sorted({r["type"] for r in whole}):
        query = relink.move_relationships(rel_type, allowed_types)
        for chunk in _chunks([r for r in whole if r["type"] == rel_type], size):
            moved.update(r["old"] for r in _run(tx, query, rows=chunk))
    claims = [c for c in claims if c["old"] not in moved]
    old_keys, new_keys = relink.by_type(claims, "old"), relink.by_type(claims, "key")
    all_keys = {k for keys in (*old_keys.values(), *new_keys.values()) for k in keys}
    supported = _supported(tx, all_keys, size) if all_keys else set()
    _reconcile(tx, old_keys, new_keys, supported, [], ontology, size)
    touched = sorted({m["old"] for m in moves} | {m["new"] for m in moves})
    for chunk in _chunks(touched, size):
        _run(tx, cypher.REFRESH_ENTITIES, uris=chunk).consume()
        _run(tx, cypher.DELETE_ORPHANS, uris=[u for u in chunk if u not in kept]).consume()
    for chunk in _chunks(moves, size):
        _run(tx, relink.LINKED, rows=chunk).consume()
