"""Cypher texts, built by pure functions. Values always travel as parameters.

Labels and relationship types cannot be parameters in Cypher, so the few functions that put
one into a query text accept only names the ontology declared (``check_name``) — never a string
from input. Everything else is a constant.
"""

from __future__ import annotations

from collections.abc import Iterable

from kgload.ontology import NEO4J_NAME, NEO4J_TYPE


class UnsafeName(ValueError):
    pass


def check_name(name: str, allowed: Iterable[str], *, relationship: bool = False) -> str:
    pattern = NEO4J_TYPE if relationship else NEO4J_NAME
    if name not in set(allowed) or not pattern.match(name):
        kind = "relationship type" if relationship else "label"
        raise UnsafeName(f"{kind} {name!r} is not declared by the ontology")
    return name


def schema_statements(rel_types: Iterable[str]) -> list[str]:
    statements = [
        "CREATE CONSTRAINT kgload_resource_uri IF NOT EXISTS FOR (n:Resource) REQUIRE n.uri IS UNIQUE",
        "CREATE INDEX kgload_claim_key IF NOT EXISTS FOR (c:Claim) ON (c.key)",
        "CREATE INDEX kgload_entity_name IF NOT EXISTS FOR (e:Entity) ON (e.name)",
        "CREATE INDEX kgload_document_id IF NOT EXISTS FOR (d:Document) ON (d.id)",
        "CREATE CONSTRAINT kgload_loadrun_id IF NOT EXISTS FOR (r:LoadRun) REQUIRE r.id IS UNIQUE",
        "CREATE CONSTRAINT kgload_lock_name IF NOT EXISTS FOR (l:KgloadLock) REQUIRE l.name IS UNIQUE",
    ]
    for rel_type in sorted(set(rel_types)):
        if not NEO4J_TYPE.match(rel_type):
            raise UnsafeName(f"relationship type {rel_type!r} is not UPPER_SNAKE_CASE")
        statements.append(
            f"CREATE INDEX kgload_rel_{rel_type.lower()}_key IF NOT EXISTS FOR ()-[r:{rel_type}]-() ON (r.key)"
        )
    return statements


FINGERPRINTS = """
UNWIND $uris AS uri
MATCH (d:Resource {uri: uri})
WHERE d:Document
RETURN d.uri AS uri, d.fingerprint AS fingerprint
"""

TENURES = """
MATCH (h:Entity)-[r]->(of:Entity)
WHERE type(r) IN $types AND r.start IS NOT NULL
RETURN type(r) AS type, h.uri AS holder, h.name AS name, of.uri AS of,
       toString(r.start) AS start, toString(r.end) AS end
"""

# Removes what the given documents contributed (their claims and mentions) and returns what
# must be recomputed: the relationship keys those claims supported and the entities they named.
DETACH_DOCUMENTS = """
UNWIND $uris AS uri
MATCH (d:Resource {uri: uri})
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
WHERE d:Document
DETACH DELETE d
"""

UPSERT_DOCUMENTS = """
UNWIND $rows AS row
MERGE (d:Resource {uri: row.uri})
SET d = row.props
SET d:Document
"""


def upsert_entities(labels: tuple[str, ...], allowed: Iterable[str]) -> str:
    names = [check_name(label, allowed) for label in labels]
    set_labels = "".join(f":`{name}`" for name in ["Entity", *names])
    return f"""
UNWIND $rows AS row
MERGE (e:Resource {{uri: row.uri}})
SET e{set_labels}
SET e += row.props
WITH e, row
MATCH (d:Resource {{uri: row.document}})
MERGE (d)-[m:MENTIONS]->(e)
SET m.name = row.name, m.names = row.names, m.wikidata = row.wikidata, m.isoCode = row.isoCode
"""


# An entity's properties are the union of what the documents naming it say, so that retracting
# a document takes back exactly its names.
REFRESH_ENTITIES = """
UNWIND $uris AS uri
MATCH (e:Resource {uri: uri})<-[m:MENTIONS]-(:Document)
UNWIND m.names AS n
WITH e, m, n ORDER BY n
WITH e, collect(DISTINCT n) AS names, min(m.name) AS name, max(m.wikidata) AS wikidata, max(m.isoCode) AS iso
SET e.name = name, e.aliases = [x IN names WHERE x <> name], e.wikidata = wikidata, e.isoCode = iso
"""

DELETE_ORPHANS = """
UNWIND $uris AS uri
MATCH (e:Resource {uri: uri})
WHERE e:Entity AND NOT EXISTS { MATCH (:Document)-[:MENTIONS]->(e) }
DETACH DELETE e
"""

# CREATE, not MERGE: a claim belongs to one document, and the same transaction has just
# detached everything that document contributed before (the uri constraint would catch a slip).
CREATE_CLAIMS = """
UNWIND $rows AS row
MATCH (d:Resource {uri: row.document}), (h:Resource {uri: row.head}), (t:Resource {uri: row.tail})
CREATE (c:Resource:Claim)
SET c = row.props
CREATE (c)-[:DERIVED_FROM]->(d), (c)-[:SUBJECT]->(h), (c)-[:OBJECT]->(t)
RETURN count(*) AS claims
"""

CLAIM_LINK_TYPES = ("ASSERTED_BY", "DENIED_BY", "LOCATION")


def link_claims(link_type: str) -> str:
    name = check_name(link_type, CLAIM_LINK_TYPES, relationship=True)
    return f"""
UNWIND $rows AS row
MATCH (c:Resource {{uri: row.claim}}), (x:Resource {{uri: row.target}})
MERGE (c)-[:`{name}`]->(x)
"""


def upsert_relationships(rel_type: str, allowed: Iterable[str]) -> str:
    """(Re)compute one relationship per key from the asserted claims that support it now."""
    name = check_name(rel_type, allowed, relationship=True)
    return f"""
UNWIND $keys AS key
MATCH (c:Claim {{key: key}})-[:DERIVED_FROM]->(d:Document)
WHERE c.status = 'asserted'
WITH key, c, d ORDER BY d.id, c.sentence, c.uri
WITH key, collect(c) AS claims, collect(DISTINCT d.id) AS sources, collect(DISTINCT d.uri) AS documents
WITH key, claims, sources, documents, head(claims) AS first
MATCH (first)-[:SUBJECT]->(h), (first)-[:OBJECT]->(t)
MERGE (h)-[r:`{name}` {{key: key}}]->(t)
SET r = {{
  key: key, predicate: first.predicateUri, date: first.date, start: first.start, end: first.end,
  evidence: [c IN claims WHERE c.evidence IS NOT NULL | c.evidence],
  confidence: reduce(best = null, c IN claims |
    CASE WHEN c.confidence IS NOT NULL AND (best IS NULL OR c.confidence > best) THEN c.confidence ELSE best END),
  sources: sources, documents: documents, claims: size(claims),
  recordedAt: reduce(first = null, c IN claims |
    CASE WHEN first IS NULL OR c.recordedAt < first THEN c.recordedAt ELSE first END)
}}
"""


def prune_relationships(rel_type: str, allowed: Iterable[str]) -> str:
    name = check_name(rel_type, allowed, relationship=True)
    return f"""
UNWIND $keys AS key
MATCH ()-[r:`{name}` {{key: key}}]->()
WHERE NOT EXISTS {{ MATCH (c:Claim {{key: key}}) WHERE c.status = 'asserted' }}
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
