"""Writes mapped documents into Neo4j in batches, one managed transaction per batch.

A batch is all-or-nothing: the driver retries it on transient errors, and a crash anywhere
leaves the previous state, so a re-run converges on the graph a clean load gives. Each batch
first detaches what its documents contributed before, then writes their new contribution
and recomputes only the relationships and entities that were touched.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import neo4j
from neo4j.exceptions import AuthError, ConfigurationError, ServiceUnavailable

from kgload.errors import ConfigError, TargetBusy, TargetUnreachable
from kgload.mapping.spec import Mapping
from kgload.mapping.tenures import Holding
from kgload.ontology import Ontology, load_ontology
from kgload.rdf.build import MappedDocument, office_properties
from kgload.runs.ledger import RunRecord
from kgload.sinks.neo4j import cypher
from kgload.sinks.neo4j.projection import DocumentRows, project
from kgload.sinks.neo4j.settings import Neo4jSettings

LOCK_NAME = "kgload"


def connect(settings: Neo4jSettings) -> neo4j.Driver:
    """Open a driver and check the server answers; errors name the URI, never the password."""
    try:
        # Server notifications ("property key does not exist" on an empty database, …) are for
        # people writing queries, not for a loader's output.
        driver = neo4j.GraphDatabase.driver(
            settings.uri, auth=settings.auth, notifications_min_severity=neo4j.NotificationMinimumSeverity.OFF
        )
        driver.verify_connectivity()
        driver.execute_query("RETURN 1", database_=settings.database)  # the database exists and answers
    except AuthError:
        raise TargetUnreachable(
            f"{settings.describe()}: authentication failed (check NEO4J_USERNAME / NEO4J_PASSWORD)"
        ) from None
    except (ServiceUnavailable, OSError) as exc:
        raise TargetUnreachable(f"{settings.describe()}: cannot connect ({type(exc).__name__})") from None
    except (ConfigurationError, ValueError) as exc:
        raise ConfigError(f"{settings.describe()}: {exc}") from None
    except neo4j.exceptions.Neo4jError as exc:
        raise TargetUnreachable(f"{settings.describe()}: {exc.code}: {exc.message}") from None
    return driver


class Neo4jSink:
    name = "neo4j"

    def __init__(
        self,
        driver: neo4j.Driver,
        database: str | None = None,
        *,
        ontology: Ontology | None = None,
        description: str = "neo4j",
        owns_driver: bool = False,
    ) -> None:
        self.driver = driver
        self.database = database
        self.ontology = ontology
        self._description = description
        self._owns_driver = owns_driver

    @classmethod
    def connect(cls, settings: Neo4jSettings) -> Neo4jSink:
        return cls(connect(settings), settings.database, description=settings.describe(), owns_driver=True)

    def describe(self) -> str:
        return self._description

    # -- schema ------------------------------------------------------------------------------

    def ensure_ontology(self, ontology_path: Path, base: str) -> None:
        self.ontology = load_ontology(ontology_path)
        rel_types = [r.neo4j_type for r in self.ontology.relations.values()]
        for statement in cypher.schema_statements(rel_types):
            self.driver.execute_query(statement, database_=self.database)

    def _ontology(self) -> Ontology:
        if self.ontology is None:
            raise RuntimeError("Neo4jSink.ensure_ontology() must run before writing")
        return self.ontology

    # -- reads -------------------------------------------------------------------------------

    def fingerprints(self, documents: list[str]) -> dict[str, str]:
        records, _, _ = self.driver.execute_query(
            cypher.FINGERPRINTS, uris=documents, database_=self.database, routing_=neo4j.RoutingControl.READ
        )
        return {r["uri"]: r["fingerprint"] for r in records if r["fingerprint"]}

    def tenures(self, mapping: Mapping) -> list[tuple[str, str, Holding]]:
        ontology = self._ontology()
        by_type = {
            ontology.relations[iri].neo4j_type: iri for iri in office_properties(mapping) if iri in ontology.relations
        }
        if not by_type:
            return []
        records, _, _ = self.driver.execute_query(
            cypher.TENURES, types=list(by_type), database_=self.database, routing_=neo4j.RoutingControl.READ
        )
        return [
            (by_type[r["type"]], r["of"], Holding(r["holder"], r["name"] or r["holder"], r["start"], r["end"]))
            for r in records
        ]

    # -- writes ------------------------------------------------------------------------------

    def write(self, documents: list[MappedDocument]) -> None:
        ontology = self._ontology()
        rows = [project(doc, ontology) for doc in documents]
        with self.driver.session(database=self.database) as session:
            session.execute_write(_write_batch, rows, ontology)

    def retract(self, documents: list[str]) -> int:
        ontology = self._ontology()
        with self.driver.session(database=self.database) as session:
            return session.execute_write(_retract, documents, ontology)

    # -- run ledger and lock ------------------------------------------------------------------

    def acquire_lock(self, owner: str, ttl: int) -> None:
        records, _, _ = self.driver.execute_query(
            cypher.ACQUIRE_LOCK, name=LOCK_NAME, owner=owner, ttl=ttl, database_=self.database
        )
        if not records:
            holder = self.driver.execute_query(cypher.LOCK_HOLDER, name=LOCK_NAME, database_=self.database).records
            who = holder[0]["owner"] if holder else "another run"
            until = holder[0]["expires"] if holder else None
            raise TargetBusy(
                f"{self._description} is being loaded by {who} (lease until {until}); "
                "try again later, or wait for the lease to expire if that run died"
            )

    def renew_lock(self, owner: str, ttl: int) -> None:
        records, _, _ = self.driver.execute_query(
            cypher.RENEW_LOCK, name=LOCK_NAME, owner=owner, ttl=ttl, database_=self.database
        )
        if not records:
            raise TargetBusy(f"{self._description}: this run lost its lock (lease expired); stopping")

    def release_lock(self, owner: str) -> None:
        self.driver.execute_query(cypher.RELEASE_LOCK, name=LOCK_NAME, owner=owner, database_=self.database)

    def record_run(self, record: RunRecord, base: str) -> None:
        props = {k: v for k, v in record.properties().items() if v is not None}
        self.driver.execute_query(cypher.RECORD_RUN, props=props, database_=self.database)

    def runs(self, limit: int = 20) -> list[RunRecord]:
        records, _, _ = self.driver.execute_query(
            cypher.LIST_RUNS, limit=limit, database_=self.database, routing_=neo4j.RoutingControl.READ
        )
        return [RunRecord.from_properties(r["props"]) for r in records]

    def fail_interrupted_runs(self, current: str, base: str) -> int:
        records, _, _ = self.driver.execute_query(
            cypher.FAIL_INTERRUPTED_RUNS, current=current, database_=self.database
        )
        return int(records[0]["n"]) if records else 0

    def run(self, query: str, **params: Any) -> list[dict[str, Any]]:
        records, _, _ = self.driver.execute_query(query, params, database_=self.database)
        return [r.data() for r in records]

    def close(self) -> None:
        if self._owns_driver:
            self.driver.close()


def _detach(tx: neo4j.ManagedTransaction, uris: list[str]) -> tuple[dict[str, set[str]], set[str]]:
    old_keys: dict[str, set[str]] = defaultdict(set)
    touched: set[str] = set()
    for record in tx.run(cypher.DETACH_DOCUMENTS, uris=uris):
        for rel_type, key in record["keys"]:
            old_keys[rel_type].add(key)
        touched.update(record["entities"])
    return old_keys, touched


def _settle(tx: neo4j.ManagedTransaction, keys: dict[str, set[str]], touched: set[str], ontology: Ontology) -> None:
    """Recompute every relationship whose supporting claims changed, drop the unsupported ones,
    then drop entities no document names any more."""
    allowed = [r.neo4j_type for r in ontology.relations.values()]
    for rel_type, rel_keys in keys.items():
        params = sorted(rel_keys)
        tx.run(cypher.upsert_relationships(rel_type, allowed), keys=params).consume()
        tx.run(cypher.prune_relationships(rel_type, allowed), keys=params).consume()
    tx.run(cypher.DELETE_ORPHANS, uris=sorted(touched)).consume()


def _write_batch(tx: neo4j.ManagedTransaction, docs: list[DocumentRows], ontology: Ontology) -> None:
    keys, touched = _detach(tx, [d.uri for d in docs])
    tx.run(cypher.UPSERT_DOCUMENTS, rows=[{"uri": d.uri, "props": {"uri": d.uri, **d.props}} for d in docs]).consume()

    by_labels: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    entity_uris: set[str] = set()
    for doc in docs:
        for e in doc.entities:
            by_labels[e.labels].append(
                {
                    "uri": e.uri,
                    "document": doc.uri,
                    "name": e.name,
                    "names": e.names,
                    "wikidata": e.wikidata,
                    "isoCode": e.iso_code,
                    "props": e.props,
                }
            )
            entity_uris.add(e.uri)
    labels_allowed = list(ontology.classes.values())
    for labels, rows in by_labels.items():
        tx.run(cypher.upsert_entities(labels, labels_allowed), rows=rows).consume()
    tx.run(cypher.REFRESH_ENTITIES, uris=sorted(entity_uris | touched)).consume()

    claim_rows: list[dict[str, Any]] = []
    links: dict[str, list[dict[str, str]]] = defaultdict(list)
    for doc in docs:
        for c in doc.claims:
            claim_rows.append(
                {
                    "uri": c.uri,
                    "document": doc.uri,
                    "head": c.head,
                    "tail": c.tail,
                    "props": {"uri": c.uri, "key": c.key, **c.props},
                }
            )
            links["ASSERTED_BY"] += [{"claim": c.uri, "target": t} for t in c.asserted_by]
            links["DENIED_BY"] += [{"claim": c.uri, "target": t} for t in c.denied_by]
            if c.location:
                links["LOCATION"].append({"claim": c.uri, "target": c.location})
            if c.status == "asserted":
                keys[c.rel_type].add(c.key)
    created = tx.run(cypher.CREATE_CLAIMS, rows=claim_rows).single()
    if created is None or created["claims"] != len(claim_rows):
        # Never lose a claim silently: every claim's endpoints are entities its document names.
        raise RuntimeError(f"wrote {created['claims'] if created else 0} of {len(claim_rows)} claims; rolled back")
    for link_type, rows in links.items():
        if rows:
            tx.run(cypher.link_claims(link_type), rows=rows).consume()
    _settle(tx, keys, touched, ontology)


def _retract(tx: neo4j.ManagedTransaction, uris: list[str], ontology: Ontology) -> int:
    present = [r["uri"] for r in tx.run(cypher.FINGERPRINTS, uris=uris)]
    keys, touched = _detach(tx, present)
    tx.run(cypher.DELETE_DOCUMENTS, uris=present).consume()
    tx.run(cypher.REFRESH_ENTITIES, uris=sorted(touched)).consume()
    _settle(tx, keys, touched, ontology)
    return len(present)
