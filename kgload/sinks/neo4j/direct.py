"""Records -> Neo4j rows without the quads: the fast path of the sinks that take rows.

``project(map_extraction(...))`` builds some 23 pyoxigraph quads per relation, only for the
projection to take them apart again by subject; together they were over half of a mapping
worker's time. When no shapes are checked, nothing needs those quads, so this module makes the
same rows from the same decisions (``kgload.rdf.build``: entity grouping and resolution, which
relations are accepted, claim IRIs, typed attributes) and counts the quads the document would have.

It covers what the mapping commonly meets; a document it cannot make exactly as the projection
would (one IRI naming two things, a claim reported twice in one document) and a mapping with
per-relation graphs or attributes that reuse the model's own predicates take the quads path
instead. The rows are the projection's, field for field and in the same order: the property
tests in tests/unit/test_direct_rows.py hold the two paths to that.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pyoxigraph import NamedNode, Quad

from kgload.fingerprint import canonical_json
from kgload.mapping.spec import Mapping
from kgload.mapping.tenures import TenureIndex
from kgload.model import MappedDocument, Run
from kgload.ontology import Ontology
from kgload.rdf.build import (
    ALT_LABEL,
    GRAPH,
    LABEL,
    MENTIONS,
    OBJECT,
    PREDICATE,
    SAME_AS,
    SUBJECT,
    A,
    ResolvedEntity,
    accept_relation,
    claim_attribute_quads,
    claim_node,
    entity_attribute_quads,
    group_entities,
    learn_tenure,
    map_extraction,
    recorded_literal,
    relation_origins,
    relation_reject,
    repeated_claim,
    resolve_entity,
    start_document,
)
from kgload.rdf.build import P as MODEL
from kgload.records import Extraction, Relation
from kgload.sinks.neo4j.projection import (
    ClaimRow,
    DocumentRows,
    EntityRow,
    claim_field,
    entity_row,
    project_early,
    relationship_key,
    value,
)
from kgload.vocabulary.literals import confidence_literal, sentence_literal, temporal_literal
from kgload.vocabulary.namespaces import PROV, WD

# predicates a mapped attribute must not use for the rows to be made here: the projection reads
# them as the node's own (a claim's subject, an entity's name, …), or a quad of theirs could
# coincide with one the model writes itself
_ENTITY_OWN = frozenset(
    t.value
    for t in (A, LABEL, ALT_LABEL, SAME_AS, MODEL["isoCode"], MODEL["cameoActorCode"], MODEL["countryCode"], MENTIONS)
)
_CLAIM_OWN = frozenset(
    [A.value, SUBJECT.value, PREDICATE.value, OBJECT.value, PROV + "wasDerivedFrom", PROV + "wasGeneratedBy"]
    + [node.value for node in MODEL.values()]
    + [GRAPH.value]
)


def map_to_rows(
    extraction: Extraction,
    mapping: Mapping,
    run: Run,
    ontology: Ontology,
    tenures: TenureIndex | None = None,
) -> MappedDocument:
    """The document mapped and projected (``project_early(map_extraction(...))``), its rows made
    without quads where that gives the same rows; never raises on bad input. A document whose
    IRI cannot be made comes back without rows, with the reject saying why."""
    if _covers(mapping):
        mapped = _rows(extraction, mapping, run, ontology, tenures)
        if mapped is not None:
            return mapped
    mapped = map_extraction(extraction, mapping, run, tenures)
    return project_early(mapped, ontology) if mapped.iri else mapped


def _covers(mapping: Mapping) -> bool:
    return mapping.memo.get("direct rows", None, _mapping_covered, mapping)


def _mapping_covered(mapping: Mapping) -> bool:
    relation_rules = mapping.all_relation_rules()
    if any(rule.graph is not None or rule.property.iri in _ENTITY_OWN for rule in relation_rules):
        return False
    if any(p.iri in _CLAIM_OWN for rule in relation_rules for p in rule.properties.values()):
        return False
    return not any(p.iri in _ENTITY_OWN for rule in mapping.entity_rules.values() for p in rule.properties.values())


def _rows(
    extraction: Extraction, mapping: Mapping, run: Run, ontology: Ontology, tenures: TenureIndex | None
) -> MappedDocument | None:
    """The mapped document with its rows, or None when only the quads path gives them exactly."""
    out, doc_node, graph = start_document(extraction, mapping)
    if doc_node is None or graph is None:
        return out
    doc = extraction.document
    language = doc.language or mapping.language
    run_iri = run.iri(mapping.base)
    doc_props: dict[str, Any] = {"id": doc.id, "title": doc.title}
    if doc.publisher:
        doc_props["publisher"] = doc.publisher
    if doc.published:
        doc_props["published"] = _temporal(doc.published)
    if language:
        doc_props["language"] = language
    if doc.url:
        doc_props["url"] = doc.url
    doc_props["fingerprint"], doc_props["run"] = out.fingerprint, run_iri
    quads = len(doc_props) + 1  # and its rdf:type

    day = doc.published[:10] if doc.published else None
    labels: dict[str, str] = {}
    groups, group_of = group_entities(extraction, mapping, out)
    # per entity IRI, in first-seen order: what each group naming it resolved to, and its attribute quads
    resolved: dict[str, list[ResolvedEntity]] = {}
    attributes: dict[str, dict[Quad, None]] = {}
    nodes: dict[int, NamedNode] = {}
    for group in groups:
        entity = resolve_entity(group, mapping, out, tenures, day, labels)
        resolved.setdefault(entity.iri, []).append(entity)
        extra = entity_attribute_quads(group, entity, mapping, out, graph)
        if extra:
            attributes.setdefault(entity.iri, {}).update(dict.fromkeys(extra))
        nodes[id(group)] = entity.node
    if out.iri in resolved:
        return None
    iris = {entity_id: nodes[id(group)] for entity_id, group in group_of.items()}
    entities = []
    for uri, named in resolved.items():
        if len(named) == 1:
            entities.append(_entity_row(named[0], ontology))
            quads += len(named[0].pairs)
        else:  # several groups name one entity: their quads are merged, so are their names
            pairs = dict.fromkeys(pair for entity in named for pair in entity.pairs)
            entities.append(entity_row(uri, [(p.value, o) for p, o in pairs], ontology))
            quads += len(pairs)
    quads += sum(map(len, attributes.values())) + len(resolved)  # and a mention of each

    recorded = value(recorded_literal(mapping, run))
    claims: list[ClaimRow] = []
    facts: set[tuple[str, str, str]] = set()
    learned: list[Relation] = []
    for relation, origin in zip(extraction.relations, relation_origins(extraction), strict=True):
        accepted = accept_relation(relation, mapping, iris)
        if isinstance(accepted, str):
            out.rejects.append(relation_reject(origin, accepted, relation))
            continue
        rule, head, tail = accepted
        prop = rule.property
        claim = claim_node(mapping, doc.id, head, prop.iri, tail, relation)
        conflict = repeated_claim(out, claim.value, relation, mapping, iris)
        if conflict is not None:
            out.rejects.append(relation_reject(origin, conflict, relation))
            continue
        typed, rest = claim_attribute_quads(rule, relation, claim, graph, mapping)
        if isinstance(typed, str):
            out.rejects.append(relation_reject(origin, typed, relation))
            continue
        uri = claim.value
        if uri in out.claim_sources or uri in resolved or uri == out.iri:
            return None  # a claim given twice merges its quads: the quads path says how
        out.claims += 1
        out.claim_sources[uri] = (origin, relation)
        if tenures is not None and relation.start and relation.status == "asserted":
            learned.append(relation)

        fields: dict[str, Any] = {}
        for quad in dict.fromkeys(typed):  # the typed attributes come first, as their quads do
            quads += 1
            if (name := claim_field(quad.predicate.value)) is not None:
                fields[name] = value(quad.object)
        quads += 8  # type, subject, predicate, object, status, derivedFrom, generatedBy, recordedAt
        if relation.status == "asserted":
            fact = (head.value, prop.iri, tail.value)
            if fact not in facts:
                facts.add(fact)
                quads += 1
        for key, when in (("date", relation.date), ("start", relation.start), ("end", relation.end)):
            if when:
                fields[key] = _temporal(when)
                quads += 1
        if relation.evidence:
            fields["evidence"] = relation.evidence
            quads += 1
        if relation.sentence is not None:
            fields["sentence"] = value(sentence_literal(relation.sentence))
            quads += 1
        if relation.confidence is not None:
            fields["confidence"] = value(confidence_literal(relation.confidence))
            quads += 1
        asserted_by = list(dict.fromkeys(iris[ref].value for ref in relation.asserted_by))
        denied_by = list(dict.fromkeys(iris[ref].value for ref in relation.denied_by))
        location = iris[relation.location].value if relation.location else None
        quads += len(asserted_by) + len(denied_by) + (location is not None)
        code = relation.event_code or (relation.type if rule.fallback else None)
        if code:
            fields["eventCode"] = code
            quads += 1
            if relation.event_code_scheme:
                fields["eventCodeScheme"] = relation.event_code_scheme
                quads += 1
        if rest:
            fields["attributes"] = canonical_json(rest)  # the text of its rdf:JSON literal
            quads += 1
        fields["document"], fields["run"], fields["recordedAt"] = out.iri, run_iri, recorded
        known = ontology.relations.get(prop.iri)
        if known is None:
            continue  # not a relation the graph can hold; SHACL reports it upstream
        fields["predicate"], fields["predicateUri"], fields["status"] = known.neo4j_type, known.iri, relation.status
        claims.append(
            ClaimRow(
                uri,
                relationship_key(head.value, known.iri, tail.value, fields),
                known.neo4j_type,
                head.value,
                tail.value,
                relation.status,
                fields,
                asserted_by,
                denied_by,
                location,
            )
        )
    if tenures is not None:
        for relation in learned:
            learn_tenure(tenures, mapping, relation, iris, labels)
    out.prepared, out.quad_count = DocumentRows(out.iri, doc_props, entities, claims), quads
    return out


def _entity_row(entity: ResolvedEntity, ontology: Ontology) -> EntityRow:
    """``entity_row`` of one group's own quads: its class, canonical name, other names, QID, ISO code."""
    wikidata = entity.wikidata
    return EntityRow(
        entity.iri,
        ontology.node_labels((entity.rule.class_iri,)),
        entity.canonical,
        list(entity.names),
        wikidata,
        entity.iso_code,
        [WD + wikidata] if wikidata else [],
        _identifiers(entity),
    )


def _identifiers(entity: ResolvedEntity) -> dict[str, str]:
    """The node properties of the entity's codes, as ``projection.entity_row`` reads them from its quads."""
    found = {}
    if entity.cameo:
        found["cameoActorCode"] = entity.cameo
    if entity.country:
        found["countryCode"] = entity.country
    return found


@lru_cache(maxsize=16_384)  # a date, datetime or text: immutable, so one value serves every row
def _temporal(text: str) -> Any:
    return value(temporal_literal(text))
