"""Selecting from Neo4j with parameterised Cypher (values never enter a query text).

Reads kgload's projection back into the neutral form. Graph IRIs are not stored in Neo4j; they
come from the mapping's ``document.graph`` template, as when the document was mapped. ``--cypher``
runs the user's own query in a read transaction, so it cannot change the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

import neo4j
import neo4j.graph
import neo4j.time
from neo4j.exceptions import ClientError

from kgload.errors import UsageError
from kgload.export.selection import ClaimBrief, Scope
from kgload.export.subgraph import Claim, Document, Entity, Mention, batched, most_specific
from kgload.mapping.spec import Mapping
from kgload.mapping.templates import TemplateError

BATCH = 1000

_BRIEF_RETURN = """
MATCH (c)-[:SUBJECT]->(s), (c)-[:OBJECT]->(o), (c)-[:DERIVED_FROM]->(d)
RETURN DISTINCT c.uri AS uri, c.predicate AS type, s.uri AS subject, o.uri AS object, d.uri AS document,
       toString(c.date) AS date, toString(c.start) AS start, toString(c.end) AS end, toString(d.published) AS published
"""
_FILTERS = "($types IS NULL OR c.predicate IN $types) AND ($documents IS NULL OR c.document IN $documents)"

CLAIMS_TOUCHING = f"""
UNWIND $uris AS uri
MATCH (e:Resource {{uri: uri}})<-[:SUBJECT|OBJECT]-(c:Claim)
WHERE {_FILTERS}
{_BRIEF_RETURN}"""

ALL_CLAIMS = f"""
MATCH (c:Claim)
WHERE {_FILTERS}
{_BRIEF_RETURN}"""

ENTITY_NAMES = """
UNWIND $keys AS key
MATCH (e:Entity)
WHERE e.uri = key OR toLower(e.name) = toLower(key) OR any(a IN e.aliases WHERE toLower(a) = toLower(key))
RETURN key, e.uri AS uri
"""

ALL_NAMES = "MATCH (e:Entity) RETURN e.name AS name, e.aliases AS aliases"
DOCUMENT_IDS = "MATCH (d:Document) RETURN d.uri AS uri, d.id AS id"

CLASSIFY = """
UNWIND $uris AS uri
MATCH (n:Resource {uri: uri})
RETURN n.uri AS uri, labels(n) AS labels
"""

CLAIMS_OF_KEYS = """
UNWIND $keys AS key
MATCH (c:Claim {key: key})
WHERE c.status = 'asserted' AND c.predicate = $types[key]
RETURN c.uri AS uri
"""

CLAIMS = """
UNWIND $uris AS uri
MATCH (c:Resource {uri: uri})
WHERE c:Claim
MATCH (c)-[:SUBJECT]->(s), (c)-[:OBJECT]->(o)
RETURN properties(c) AS props, s.uri AS subject, o.uri AS object,
       [(c)-[:ASSERTED_BY]->(a) | a.uri] AS assertedBy, [(c)-[:DENIED_BY]->(x) | x.uri] AS deniedBy,
       head([(c)-[:LOCATION]->(l) | l.uri]) AS location
"""

ENTITIES = """
UNWIND $uris AS uri
MATCH (e:Resource {uri: uri})
WHERE e:Entity
RETURN e.uri AS uri, labels(e) AS labels, e.name AS name, e.aliases AS aliases, e.wikidata AS wikidata,
       e.isoCode AS isoCode,
       [(d:Document)-[m:MENTIONS]->(e) | {document: d.uri, name: m.name, names: m.names, wikidata: m.wikidata,
                                          isoCode: m.isoCode, location: m.location}] AS mentions
"""

DOCUMENTS = """
UNWIND $uris AS uri
MATCH (d:Resource {uri: uri})
WHERE d:Document
RETURN properties(d) AS props
"""

# the claim's own fields (the exporters rebuild them; caption is derived from the ends' names)
_CLAIM_OWN = {"uri", "key", "predicate", "predicateUri", "status", "document", "caption"}


def native(value: Any) -> Any:
    """Driver temporal values as Python ones (what the projection wrote)."""
    if isinstance(value, neo4j.time.DateTime | neo4j.time.Date | neo4j.time.Time):
        return value.to_native()
    if isinstance(value, list):
        return [native(v) for v in value]
    return value


class Neo4jBackend:
    def __init__(self, driver: neo4j.Driver, database: str | None, mapping: Mapping) -> None:
        self.driver = driver
        self.database = database
        self.mapping = mapping
        self.ontology = mapping.ontology
        self.relation_types = {r.neo4j_type: r for r in self.ontology.relations.values()}

    def _read(self, query: str, **params: Any) -> list[dict[str, Any]]:
        records, _, _ = self.driver.execute_query(
            query, params, database_=self.database, routing_=neo4j.RoutingControl.READ
        )
        return [r.data() for r in records]

    def _stream(self, query: str, **params: Any) -> Iterator[dict[str, Any]]:
        # a session's result streams record by record; execute_query would buffer them all
        with self.driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS) as session:
            for record in session.run(query, params):
                yield record.data()

    # -- names ----------------------------------------------------------------------------

    def entity_names(self, keys: list[str]) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for row in self._read(ENTITY_NAMES, keys=keys):
            found.setdefault(row["key"], set()).add(row["uri"])
        return found

    def all_entity_names(self) -> Iterator[str]:
        for row in self._stream(ALL_NAMES):
            if row["name"]:
                yield row["name"]
            yield from row["aliases"] or ()

    def document_ids(self) -> dict[str, str]:
        return {row["uri"]: row["id"] for row in self._read(DOCUMENT_IDS)}

    # -- claims for the selection ---------------------------------------------------------

    @staticmethod
    def _brief(row: dict[str, Any]) -> ClaimBrief:
        return ClaimBrief(
            row["uri"],
            row["type"],
            row["subject"],
            row["object"],
            row["document"],
            row["date"],
            row["start"],
            row["end"],
            row["published"],
        )

    def claims_touching(
        self, entities: list[str], types: list[str] | None, documents: list[str] | None
    ) -> Iterator[ClaimBrief]:
        for batch in batched(entities, BATCH):
            for row in self._stream(CLAIMS_TOUCHING, uris=batch, types=types, documents=documents):
                yield self._brief(row)

    def all_claims(self, types: list[str] | None, documents: list[str] | None) -> Iterator[ClaimBrief]:
        for row in self._stream(ALL_CLAIMS, types=types, documents=documents):
            yield self._brief(row)

    def raw_scope(self, query: str) -> Scope:
        uris: set[str] = set()
        keys: dict[str, str] = {}

        def visit(value: Any) -> None:
            if isinstance(value, neo4j.graph.Node):
                if isinstance(value.get("uri"), str):
                    uris.add(value["uri"])
            elif isinstance(value, neo4j.graph.Relationship):
                if value.type in self.relation_types and isinstance(value.get("key"), str):
                    keys[value["key"]] = value.type
                for node in (value.start_node, value.end_node):
                    if node is not None:
                        visit(node)
            elif isinstance(value, neo4j.graph.Path):
                for item in (*value.nodes, *value.relationships):
                    visit(item)
            elif isinstance(value, list):
                for item in value:
                    visit(item)
            elif isinstance(value, dict):
                for item in value.values():
                    visit(item)
            elif isinstance(value, str) and value.startswith(("http://", "https://", "urn:")):
                uris.add(value)

        def run(tx: neo4j.ManagedTransaction) -> None:
            for record in tx.run(query):
                for item in record.values():
                    visit(item)

        try:
            with self.driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS) as session:
                session.execute_read(run)
        except ClientError as exc:
            raise UsageError(f"--cypher failed: {exc.code}: {exc.message}") from None
        scope = Scope()
        for batch in batched(sorted(uris), BATCH):
            for row in self._read(CLASSIFY, uris=batch):
                labels = set(row["labels"])
                if "Claim" in labels:
                    scope.claims.add(row["uri"])
                elif "Document" in labels:
                    scope.documents.add(row["uri"])
                elif "Entity" in labels:
                    scope.entities.add(row["uri"])
        if keys:
            rows = self._read(CLAIMS_OF_KEYS, keys=sorted(keys), types=keys)
            scope.claims.update(r["uri"] for r in rows)
        return scope

    # -- details --------------------------------------------------------------------------

    def claims(self, uris: list[str]) -> Iterator[Claim]:
        graphs: dict[str, str] = {}
        for batch in batched(uris, BATCH):
            rows = self._read(CLAIMS, uris=batch)
            doc_uris = sorted({r["props"].get("document") for r in rows} - set(graphs) - {None})
            graphs.update((d.uri, d.graph) for d in self.documents(doc_uris))
            for row in rows:
                props = {k: native(v) for k, v in row["props"].items()}
                relation = self.relation_types.get(props.get("predicate", ""))
                if relation is None:
                    continue
                document = props.get("document", "")
                yield Claim(
                    uri=props["uri"],
                    key=props.get("key", ""),
                    type=relation.neo4j_type,
                    predicate=relation.iri,
                    subject=row["subject"],
                    object=row["object"],
                    status=props.get("status", "asserted"),
                    document=document,
                    graph=graphs.get(document, ""),
                    props={k: v for k, v in props.items() if k not in _CLAIM_OWN},
                    asserted_by=row["assertedBy"],
                    denied_by=row["deniedBy"],
                    location=row["location"],
                )

    def entities(self, uris: list[str]) -> Iterator[Entity]:
        for batch in batched(uris, BATCH):
            for row in self._read(ENTITIES, uris=batch):
                labels, class_iris = most_specific(row["labels"], self.ontology)
                mentions = sorted(
                    (
                        Mention(
                            m["document"],
                            m["name"],
                            list(m["names"] or [m["name"]]),
                            m["wikidata"],
                            m["isoCode"],
                            location=(m["location"].latitude, m["location"].longitude) if m["location"] else None,
                        )
                        for m in row["mentions"]
                    ),
                    key=lambda m: m.document,
                )
                yield Entity(
                    row["uri"],
                    row["name"],
                    list(row["aliases"] or []),
                    labels,
                    class_iris,
                    row["wikidata"],
                    row["isoCode"],
                    mentions,
                )

    def documents(self, uris: Iterable[str]) -> Iterator[Document]:
        for batch in batched(sorted(uris), BATCH):
            for row in self._read(DOCUMENTS, uris=batch):
                props = {k: native(v) for k, v in row["props"].items()}
                yield Document(
                    uri=props["uri"],
                    graph=self._graph(props),
                    id=props.get("id", ""),
                    title=props.get("title"),
                    publisher=props.get("publisher"),
                    published=props.get("published"),
                    language=props.get("language"),
                    url=props.get("url"),
                    run=props.get("run"),
                )

    def _graph(self, props: dict[str, Any]) -> str:
        published = props.get("published")
        try:
            return self.mapping.graph_iri_for(
                props.get("id"),
                props.get("publisher"),
                published.isoformat() if isinstance(published, dt.date) else published,
            )
        except (TemplateError, ValueError):
            return props["uri"]  # a graph named after the document keeps its facts together
