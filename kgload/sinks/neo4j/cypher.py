"""Cypher texts, built by pure functions. Values always travel as parameters.

Labels and relationship types cannot be parameters in Cypher, so the few functions that put
one into a query text accept only names the ontology declared (``check_name``) — never a string
from input. Everything else is a constant.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kgload.ontology import NEO4J_NAME, NEO4J_TYPE


class UnsafeName(ValueError):
    pass


class Quiet(list):
    """A list parameter whose ``repr`` is its length.

    The driver formats every RUN's parameters with ``repr`` for its debug log whether or not debug
    logging is on (neo4j 6.4, ``Bolt5x5.run``); for a statement of 5k rows that took longer than
    packing them for the wire. It also keeps the news text of a batch out of a driver debug log."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<{len(self)} items>"


def check_name(name: str, allowed: Iterable[str], *, relationship: bool = False) -> str:
    pattern = NEO4J_TYPE if relationship else NEO4J_NAME
    if name not in set(allowed) or not pattern.match(name):
        kind = "relationship type" if relationship else "label"
        raise UnsafeName(f"{kind} {name!r} is not declared by the ontology")
    return name


# Every lookup names its index and asks for a seek (USING INDEX SEEK): a statement planned on a
# small database may otherwise be planned as a label scan, or as a scan of the whole index (the
# relationship-key lookups were, with plain USING INDEX), many times slower on a large graph.
#
# With every lookup a seek, the plan is the same on an empty database as on a large one, so the
# loader's statements keep their first plan (CYPHER replan=skip). Otherwise the statistics drift
# past the replan threshold again and again as a load grows the graph, and each replan holds up
# its statement for seconds (docs/benchmarks.md, "Measurements behind the code").
# tests/integration/test_neo4j.py checks the plans on a small and an empty database.
_PLANNED_ONCE = "CYPHER replan=skip\n"


def planned_once(query: str) -> str:
    return _PLANNED_ONCE + query


# What exists already: two reads instead of two dozen schema statements on every run.
SCHEMA_NAMES = ("SHOW CONSTRAINTS YIELD name", "SHOW INDEXES YIELD name")


AWAIT_INDEXES = "CALL db.awaitIndexes(300)"


def schema_name(statement: str) -> str:
    """The name a schema statement creates (``CREATE [POINT] INDEX <name> IF NOT EXISTS …``)."""
    words = statement.split()
    return words[words.index("IF") - 1]


def schema_statements(rel_types: Iterable[str]) -> list[str]:
    # Constraints before indexes and before any write: MERGE on Resource.uri is an index seek only
    # once the uniqueness constraint (and its index) exists.
    statements = [
        "CREATE CONSTRAINT kgload_resource_uri IF NOT EXISTS FOR (n:Resource) REQUIRE n.uri IS UNIQUE",
        "CREATE CONSTRAINT kgload_loadrun_id IF NOT EXISTS FOR (r:LoadRun) REQUIRE r.id IS UNIQUE",
        "CREATE CONSTRAINT kgload_lock_name IF NOT EXISTS FOR (l:KgloadLock) REQUIRE l.name IS UNIQUE",
        # names learned from the data (kgload.sinks.neo4j.relink): one row per document and entity
        "CREATE CONSTRAINT kgload_alias_id IF NOT EXISTS FOR (a:KgloadAlias) REQUIRE a.id IS UNIQUE",
        "CREATE INDEX kgload_alias_document IF NOT EXISTS FOR (a:KgloadAlias) ON (a.document)",
        "CREATE INDEX kgload_claim_key IF NOT EXISTS FOR (c:Claim) ON (c.key)",
        "CREATE INDEX kgload_entity_name IF NOT EXISTS FOR (e:Entity) ON (e.name)",
        "CREATE INDEX kgload_document_id IF NOT EXISTS FOR (d:Document) ON (d.id)",
        # the raw hashes of unchanged lines (kgload.pipeline.unchanged), looked up before any line is read
        "CREATE INDEX kgload_document_raw_hash IF NOT EXISTS FOR (d:Document) ON (d.rawHash)",
        # point.distance and point.withinBBox on places' coordinates seek this index
        "CREATE POINT INDEX kgload_place_location IF NOT EXISTS FOR (p:Place) ON (p.location)",
    ]
    for rel_type in sorted(set(rel_types)):
        if not NEO4J_TYPE.match(rel_type):
            raise UnsafeName(f"relationship type {rel_type!r} is not UPPER_SNAKE_CASE")
        statements.append(
            f"CREATE INDEX kgload_rel_{rel_type.lower()}_key IF NOT EXISTS FOR ()-[r:{rel_type}]-() ON (r.key)"
        )
    return statements


# One record holding every pair, not a record per document: the driver's cost per record was most of
# the lookup, paid by every batch of a re-run.
FINGERPRINTS = """
UNWIND $uris AS uri
MATCH (d:Resource {uri: uri})
USING INDEX SEEK d:Resource(uri)
WHERE d:Document
RETURN collect([d.uri, d.fingerprint]) AS stored
"""


# Of the given raw hashes, those a Document holds, with its uri and fingerprint; one record (see FINGERPRINTS).
RAW_HASHES = """
UNWIND $hashes AS raw
MATCH (d:Document {rawHash: raw})
USING INDEX SEEK d:Document(rawHash)
RETURN collect([raw, d.uri, d.fingerprint]) AS found
"""

KEEP_RAW_HASHES = """
UNWIND $rows AS row
MATCH (d:Resource {uri: row.uri})
USING INDEX SEEK d:Resource(uri)
WHERE d:Document AND d.fingerprint = row.fingerprint AND (d.rawHash IS NULL OR d.rawHash <> row.raw)
SET d.rawHash = row.raw
"""


def tenures(rel_types: Iterable[str], allowed: Iterable[str]) -> str:
    """Periods held, one branch per office type: a scan of those relationship types only, not of
    every relationship of every entity."""
    branches = [
        f"""
MATCH (h:Entity)-[r:`{check_name(t, allowed, relationship=True)}`]->(of:Entity)
WHERE r.start IS NOT NULL
RETURN type(r) AS type, h.uri AS holder, h.name AS name, of.uri AS of,
       toString(r.start) AS start, toString(r.end) AS end
"""
        for t in sorted(set(rel_types))
    ]
    return "UNION ALL".join(branches)


# Removes what the given documents contributed (their claims and mentions) and returns what
# must be recomputed: the relationship keys those claims supported and the entities they named.
# Documents not stored yet match nothing, so on a first load this is one index lookup each.
DETACH_DOCUMENTS = """
UNWIND $uris AS uri
MATCH (d:Resource {uri: uri})
USING INDEX SEEK d:Resource(uri)
OPTIONAL MATCH (d)<-[:DERIVED_FROM]-(c:Claim)
WITH d, collect(c) AS claims
OPTIONAL MATCH (d)-[m:MENTIONS]->(e:Resource)
WITH d, claims, collect(m) AS mentions, collect(e.uri) AS entities
WITH d, claims, mentions, entities,
     [c IN claims WHERE c.status = 'asserted' | [c.predicate, c.key]] AS keys
FOREACH (c IN claims | DETACH DELETE c)
FOREACH (m IN mentions | DELETE m)
RETURN keys, entities
"""

DELETE_DOCUMENTS = """
UNWIND $uris AS uri
MATCH (d:Resource {uri: uri})
USING INDEX SEEK d:Resource(uri)
WHERE d:Document
DETACH DELETE d
"""

# Every node write returns the element ids of its nodes, and the statements after it find their
# endpoints by element id: a direct record lookup instead of a seek in the uri index. Each row carries
# its endpoints' ids (rows.with_element_ids), not a map of the batch's ids sent with every statement,
# which the server read again four times a batch.
UPSERT_DOCUMENTS = """
UNWIND $rows AS row
MERGE (d:Resource {uri: row.uri})
SET d = row.props
SET d:Document
FOREACH (k IN row.datetimes | SET d[k] = datetime(row.props[k]))
RETURN collect([row.uri, elementId(d)]) AS ids
"""

# Of the given relationship keys, those still supported by an asserted claim in the graph. Run
# after the batch's documents are detached and before their claims are created, it tells the
# keys other documents support (recomputed on the server) from those only this batch supports
# (written from rows aggregated by the client). The index on Claim.key serves every type at once.
SUPPORTED_KEYS = """
UNWIND $keys AS key
WITH key
WHERE EXISTS { MATCH (c:Claim {key: key}) USING INDEX SEEK c:Claim(key) WHERE c.status = 'asserted' }
RETURN key
"""


def entity_rows(rows: list[dict[str, Any]], allowed: Iterable[str]) -> list[dict[str, Any]]:
    """``rows`` whose ``labels`` UPSERT_ENTITIES puts into a dynamic ``$(row.labels)``: each label set
    checked against the ontology first, as a label written into the query text would be."""
    names = set(allowed) | {"Entity"}
    for labels in {tuple(row["labels"]) for row in rows}:
        for label in labels:
            check_name(label, names)
    return rows


# One row per entity of the batch, of every label set in one statement: the labels are a value
# (Cypher 5.26 dynamic labels) that entity_rows has checked, so a batch sends one statement where it
# sent one per label set, and a load plans one text where it planned one per label set it met.
# Names merge into what the node holds, which is the union over the documents naming it: union, min
# and max only grow, so adding documents needs no rescan of every document that ever named Russia
# (REFRESH_ENTITIES is for retractions). A place's ``location`` is the least (latitude, longitude)
# given, as kgload.rdf.geometry keeps.
UPSERT_ENTITIES = """
UNWIND $rows AS row
MERGE (e:Resource {uri: row.uri})
SET e:$(row.labels)
SET e += row.props
WITH e, row, CASE WHEN e.name IS NULL OR row.name < e.name THEN row.name ELSE e.name END AS name
WITH e, row, name, COLLECT {
  UNWIND coalesce(e.aliases, []) + CASE WHEN e.name IS NULL THEN [] ELSE [e.name] END + row.names AS n
  WITH DISTINCT n WHERE n <> name
  RETURN n ORDER BY n
} AS aliases
SET e.name = name, e.aliases = aliases,
    e.wikidata = CASE WHEN e.wikidata IS NULL OR row.wikidata > e.wikidata THEN row.wikidata ELSE e.wikidata END,
    e.isoCode = CASE WHEN e.isoCode IS NULL OR row.isoCode > e.isoCode THEN row.isoCode ELSE e.isoCode END,
    e.location = CASE
      WHEN row.latitude IS NULL THEN e.location
      WHEN e.location IS NULL OR row.latitude < e.location.latitude
        OR (row.latitude = e.location.latitude AND row.longitude < e.location.longitude)
      THEN point({latitude: row.latitude, longitude: row.longitude})
      ELSE e.location END
RETURN collect([row.uri, elementId(e)]) AS ids
"""


ELEMENT_IDS = """
UNWIND $uris AS uri
MATCH (n:Resource {uri: uri})
USING INDEX SEEK n:Resource(uri)
RETURN collect([uri, elementId(n)]) AS ids
"""


# CREATE, not MERGE: the batch's documents have no mentions left (detached first, or new).
CREATE_MENTIONS = """
UNWIND $rows AS row
MATCH (d) WHERE elementId(d) = row.document
MATCH (e) WHERE elementId(e) = row.entity
CREATE (d)-[:MENTIONS {name: row.name, names: row.names, wikidata: row.wikidata, isoCode: row.isoCode,
  location: CASE WHEN row.latitude IS NULL THEN null
            ELSE point({latitude: row.latitude, longitude: row.longitude}) END}]->(e)
"""


# An entity's properties are the union of what the documents naming it say, so that retracting
# a document takes back exactly its names (and a place's point: the least its mentions give).
REFRESH_ENTITIES = """
UNWIND $uris AS uri
MATCH (e:Resource {uri: uri})<-[m:MENTIONS]-(:Document)
USING INDEX SEEK e:Resource(uri)
UNWIND m.names AS n
WITH e, m, n ORDER BY n
WITH e, collect(DISTINCT n) AS names, min(m.name) AS name, max(m.wikidata) AS wikidata, max(m.isoCode) AS iso,
     collect(m.location) AS points
SET e.name = name, e.aliases = [x IN names WHERE x <> name], e.wikidata = wikidata, e.isoCode = iso,
    e.location = reduce(least = null, p IN points |
      CASE WHEN least IS NULL OR p.latitude < least.latitude
        OR (p.latitude = least.latitude AND p.longitude < least.longitude) THEN p ELSE least END)
"""

DELETE_ORPHANS = """
UNWIND $uris AS uri
MATCH (e:Resource {uri: uri})
USING INDEX SEEK e:Resource(uri)
WHERE e:Entity AND NOT EXISTS { MATCH (:Document)-[:MENTIONS]->(e) }
DETACH DELETE e
"""

# CREATE, not MERGE: a claim belongs to one document, and the same transaction has just
# detached everything that document contributed before (the uri constraint would catch a slip).
# The planner buffers the rows here (Eager: the map could overwrite a uri that a later row matches
# on); splitting it into a CREATE and a MATCH…CREATE statement is slower than the buffer.
CREATE_CLAIMS = """
UNWIND $rows AS row
MATCH (d) WHERE elementId(d) = row.document
MATCH (h) WHERE elementId(h) = row.head
MATCH (t) WHERE elementId(t) = row.tail
CREATE (c:Resource:Claim)
SET c = row.props
FOREACH (k IN row.datetimes | SET c[k] = datetime(row.props[k]))
CREATE (c)-[:DERIVED_FROM]->(d), (c)-[:SUBJECT]->(h), (c)-[:OBJECT]->(t)
RETURN collect([row.props.uri, elementId(c)]) AS ids
"""

CLAIM_LINK_TYPES = ("ASSERTED_BY", "DENIED_BY", "LOCATION")


def typed_rows(rows: list[dict[str, Any]], allowed: Iterable[str]) -> list[dict[str, Any]]:
    """``rows`` whose ``type`` the statement puts into a dynamic ``$(row.type)``: each one checked
    against the ontology first, as a type written into the query text would be."""
    names = set(allowed)
    for row_type in {row["type"] for row in rows}:
        check_name(row_type, names, relationship=True)
    return rows


# CREATE: the claims were created in this transaction, and the rows hold each link once. One
# statement for every link type: the type is a parameter (Cypher 5.26 dynamic types) that
# typed_rows has checked.
LINK_CLAIMS = """
UNWIND $rows AS row
MATCH (c) WHERE elementId(c) = row.claim
MATCH (x) WHERE elementId(x) = row.target
CREATE (c)-[:$(row.type)]->(x)
"""

# Relationships no stored claim supported before this batch, of every type in one statement, with
# properties the client aggregated from the batch's claims (rows.relationship_rows: the rules of
# upsert_relationships). The properties are named one by one, not ``SET r = row.props``: a map of
# unknown keys makes the planner buffer every row (Eager) in case it overwrites the ``uri`` the
# MATCH reads.
CREATE_FACTS = """
UNWIND $rows AS row
MATCH (h) WHERE elementId(h) = row.head
MATCH (t) WHERE elementId(t) = row.tail
CREATE (h)-[r:$(row.type) {
  key: row.props.key, predicate: row.props.predicate, date: row.props.date, start: row.props.start,
  end: row.props.end, evidence: row.props.evidence, predicateTexts: row.props.predicateTexts,
  confidence: row.props.confidence, sources: row.props.sources,
  documents: row.props.documents, claims: row.props.claims, recordedAt: row.props.recordedAt
}]->(t)
FOREACH (k IN row.datetimes | SET r[k] = datetime(row.props[k]))
"""


def upsert_relationships(rel_type: str, allowed: Iterable[str]) -> str:
    """(Re)compute one relationship per key from the asserted claims that support it now.

    The relationship is found through the index on its key, not by MERGE between its end nodes: a
    MERGE expands every relationship of the type between the two (Russia and Ukraine share
    thousands), which made this statement the load's slowest, and slower as the graph grew. A key
    whose relationship is missing (deleted by hand) gets it created again, between the first claim's
    subject and object."""
    name = check_name(rel_type, allowed, relationship=True)
    return f"""
UNWIND $keys AS key
MATCH (c:Claim {{key: key}})-[:DERIVED_FROM]->(d:Document)
USING INDEX SEEK c:Claim(key)
WHERE c.status = 'asserted'
WITH key, c, d ORDER BY d.id, c.sentence, c.uri
WITH key, collect(c) AS claims, collect(DISTINCT d.id) AS sources, collect(DISTINCT d.uri) AS documents
WITH key, head(claims) AS first, {{
  key: key, predicate: head(claims).predicateUri, date: head(claims).date, start: head(claims).start,
  end: head(claims).end,
  evidence: [c IN claims WHERE c.evidence IS NOT NULL | c.evidence],
  predicateTexts: CASE WHEN any(c IN claims WHERE c.predicateText IS NOT NULL) THEN reduce(words = [], c IN claims |
    CASE WHEN c.predicateText IS NULL OR c.predicateText IN words THEN words ELSE words + c.predicateText END) END,
  confidence: reduce(best = null, c IN claims |
    CASE WHEN c.confidence IS NOT NULL AND (best IS NULL OR c.confidence > best) THEN c.confidence ELSE best END),
  sources: sources, documents: documents, claims: size(claims),
  recordedAt: reduce(first = null, c IN claims |
    CASE WHEN first IS NULL OR c.recordedAt < first THEN c.recordedAt ELSE first END)
}} AS props
OPTIONAL MATCH ()-[r:`{name}` {{key: key}}]->()
USING INDEX SEEK r:`{name}`(key)
FOREACH (x IN CASE WHEN r IS NULL THEN [] ELSE [r] END | SET x = props)
WITH first, props WHERE r IS NULL
MATCH (first)-[:SUBJECT]->(h), (first)-[:OBJECT]->(t)
CREATE (h)-[n:`{name}`]->(t)
SET n = props
"""


def append_relationships(rel_type: str, allowed: Iterable[str]) -> str:
    """Extend shared relationships with the batch's claims when they all come after the claims
    already supporting them, and return the keys so extended.

    upsert_relationships orders a key's claims by document id first, so when every document of the
    batch sorts after the last stored source (``sources`` is in that order), the recompute would
    keep the first claim and append the batch's claims after the stored ones: the stored lists
    grow by the batch's own aggregate (``row.props`` from rows.relationship_rows; the words by those not
    there yet), the count adds up,
    confidence and recordedAt take the max and min. A load of documents in id order then costs a
    seek per key instead of re-reading every claim of a key that thousands support; any other key
    (a source without id, an earlier id, a missing relationship) is left to upsert_relationships.
    Only for keys the batch adds claims to without having detached any."""
    name = check_name(rel_type, allowed, relationship=True)
    return f"""
UNWIND $rows AS row
WITH row, row.props AS p
MATCH ()-[r:`{name}` {{key: p.key}}]->()
USING INDEX SEEK r:`{name}`(key)
WHERE size(r.sources) > 0 AND size(r.sources) = size(r.documents) AND p.sources[0] > last(r.sources)
WITH r, p, CASE WHEN 'recordedAt' IN row.datetimes THEN datetime(p.recordedAt) ELSE p.recordedAt END AS recorded
SET r.evidence = coalesce(r.evidence, []) + p.evidence, r.sources = r.sources + p.sources,
    r.predicateTexts = CASE WHEN p.predicateTexts IS NULL THEN r.predicateTexts
                            ELSE coalesce(r.predicateTexts, [])
                                 + [w IN p.predicateTexts WHERE NOT w IN coalesce(r.predicateTexts, [])] END,
    r.documents = r.documents + p.documents, r.claims = r.claims + p.claims,
    r.confidence = CASE WHEN p.confidence IS NOT NULL AND (r.confidence IS NULL OR p.confidence > r.confidence)
                        THEN p.confidence ELSE r.confidence END,
    r.recordedAt = CASE WHEN recorded IS NOT NULL AND (r.recordedAt IS NULL OR recorded < r.recordedAt)
                        THEN recorded ELSE r.recordedAt END
RETURN p.key AS key
"""


def delete_relationships(rel_type: str, allowed: Iterable[str]) -> str:
    """For keys SUPPORTED_KEYS found no asserted claim for any more."""
    name = check_name(rel_type, allowed, relationship=True)
    return f"""
UNWIND $keys AS key
MATCH ()-[r:`{name}` {{key: key}}]->()
USING INDEX SEEK r:`{name}`(key)
DELETE r
"""


# -- run ledger and lock --------------------------------------------------------------------

RECORD_RUN = """
MERGE (r:LoadRun {id: $props.id})
SET r = $props
"""

LIST_RUNS = """
MATCH (r:LoadRun)
RETURN properties(r) AS props
ORDER BY r.started DESC
LIMIT $limit
"""

FAIL_INTERRUPTED_RUNS = """
MATCH (r:LoadRun {status: 'running'})
WHERE r.id <> $current
SET r.status = 'failed', r.note = 'interrupted; found still running by run ' + $current
RETURN count(r) AS n
"""

# A lease, not a flag: a lock whose holder died expires by itself after its TTL.
ACQUIRE_LOCK = """
MERGE (l:KgloadLock {name: $name})
WITH l
WHERE l.owner IS NULL OR l.owner = $owner OR l.expires < datetime()
SET l.owner = $owner, l.acquired = datetime(), l.expires = datetime() + duration({seconds: $ttl})
RETURN l.owner AS owner
"""

# A lease whose holder is known to be dead (same host, process gone): taken over before it expires.
TAKE_OVER_LOCK = """
MATCH (l:KgloadLock {name: $name})
WHERE l.owner = $dead
SET l.owner = $owner, l.acquired = datetime(), l.expires = datetime() + duration({seconds: $ttl})
RETURN l.owner AS owner
"""

LOCK_HOLDER = """
MATCH (l:KgloadLock {name: $name})
RETURN l.owner AS owner, l.expires AS expires
"""

RENEW_LOCK = """
MATCH (l:KgloadLock {name: $name})
WHERE l.owner = $owner
SET l.expires = datetime() + duration({seconds: $ttl})
RETURN l.owner AS owner
"""

RELEASE_LOCK = """
MATCH (l:KgloadLock {name: $name})
WHERE l.owner = $owner
REMOVE l.owner, l.expires, l.acquired
"""
