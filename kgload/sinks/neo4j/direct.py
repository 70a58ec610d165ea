"""A document's plan -> Neo4j rows without the quads: the fast path of the sinks that take rows.

``project(map_extraction(...))`` builds pyoxigraph quads only for the projection to take them
apart again by subject. When no shapes are checked, nothing needs those quads, so this module
renders the rows from the document's plan (``kgload.rdf.plan``) instead, with the names the plan
gives each statement, and counts the quads the document would have from it.

It covers what the mapping commonly meets; a document it cannot make exactly as the projection
would (one IRI naming two things, a claim reported twice in one document) and a mapping with
per-relation graphs or attributes that reuse the model's own predicates take the quads path
instead. The rows are the projection's, field for field and in the same order: the property
tests in tests/unit/test_direct_rows.py hold the two paths to that.
"""

from __future__ import annotations

from typing import Any

from kgload.mapping.spec import Mapping
from kgload.mapping.tenures import TenureIndex
from kgload.model import MappedDocument, Run
from kgload.ontology import Ontology
from kgload.rdf.entities import ResolvedEntity
from kgload.rdf.geometry import least
from kgload.rdf.plan import (
    ASSERTED_BY_ROLE,
    ATTRIBUTES_ROLE,
    DENIED_BY_ROLE,
    IRI,
    LOCATION_ROLE,
    SHARED,
    DocumentPlan,
    Field,
    Shared,
    Term,
    map_extraction,
    plan_document,
    render_quads,
    render_statements,
)
from kgload.rdf.terms import ALT_LABEL, GRAPH, LABEL, MENTIONS, OBJECT, PREDICATE, SAME_AS, SUBJECT, A
from kgload.rdf.terms import P as MODEL
from kgload.records import Extraction
from kgload.sinks.neo4j.attributes import flatten_attributes
from kgload.sinks.neo4j.projection import (
    ClaimRow,
    DocumentRows,
    EntityRow,
    add_field,
    caption_claims,
    entity_row,
    project_early,
    relationship_key,
    value,
)
from kgload.vocabulary.namespaces import PROV

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


def map_with_rows(
    extraction: Extraction,
    mapping: Mapping,
    run: Run,
    ontology: Ontology,
    tenures: TenureIndex | None = None,
) -> MappedDocument:
    """``map_extraction``'s document for the shapes to check, with the rows its plan gives held beside
    its statements (``held``: ``RowsPreparer`` uses them while the shapes leave the statements as they
    are). The statements are made quads only if the shapes change them."""
    if not _covers(mapping):
        return map_extraction(extraction, mapping, run, tenures)
    out, plan = plan_document(extraction, mapping, run, tenures)
    if plan is None:
        return out
    rendered = render_rows(plan, mapping, ontology)
    if rendered is not None:
        out.statements = render_statements(plan)
        out.held = (rendered[0], out.statements)
    else:
        out.quads = render_quads(plan)
    plan.learn(mapping, tenures)
    return out


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
    out, plan = plan_document(extraction, mapping, run, tenures)
    if plan is None:
        return out
    rendered = render_rows(plan, mapping, ontology)
    if rendered is None:
        return None
    out.prepared, out.quad_count = rendered
    plan.learn(mapping, tenures)
    return out


def render_rows(plan: DocumentPlan, mapping: Mapping, ontology: Ontology) -> tuple[DocumentRows, int] | None:
    """The plan's rows, as the projection makes them of its quads, and how many distinct quads it
    has; None when they would not be the projection's (an IRI naming two things, a claim given twice)."""
    doc_iri = plan.out.iri
    doc_props = {f.role: _value(f, o) for f, o in plan.own if f.role is not None}
    quads = len(plan.own)
    # per entity IRI, in first-seen order: what each group naming it resolved to, and its attributes
    resolved: dict[str, list[ResolvedEntity]] = {}
    attributes: dict[str, dict[tuple[Any, Any], None]] = {}
    points: dict[str, list[tuple[float, float]]] = {}
    geometries: set[tuple[str, str]] = set()  # (place, point): their quads are counted once each
    for entity_plan in plan.entities:
        entity = entity_plan.entity
        resolved.setdefault(entity.iri, []).append(entity)
        if entity_plan.point is not None and entity_plan.geometry is not None:
            points.setdefault(entity.iri, []).append(entity_plan.point)
            geometries.add((entity.iri, entity_plan.geometry[0].value))
        if entity_plan.attributes:
            attributes.setdefault(entity.iri, {}).update(dict.fromkeys(entity_plan.attributes))
    if doc_iri in resolved:
        return None
    entities = []
    for uri, named in resolved.items():
        if len(named) == 1:
            entities.append(_entity_row(mapping, named[0], ontology))
            quads += len(named[0].pairs)
        else:  # several groups name one entity: their statements are merged, so are their names
            pairs = dict.fromkeys(pair for entity in named for pair in entity.pairs)
            entities.append(entity_row(uri, [(p.value, o) for p, o in pairs], ontology))
            quads += len(pairs)
    quads += sum(map(len, attributes.values())) + len(resolved)  # and a mention of each
    if geometries:  # a place's geo:hasGeometry, and each point's type and WKT
        quads += len(geometries) + 2 * len({point for _, point in geometries})
        if any(point in resolved or point == doc_iri for _, point in geometries):
            return None
        for row in entities:
            row.location = least(points.get(row.uri, ()))

    claims: list[ClaimRow] = []
    facts: set[tuple[str, str, str]] = set()
    for claim in plan.claims:
        uri = claim.node.value
        if claim.repeated or uri in resolved or uri == doc_iri:
            return None  # a claim given twice merges its statements: the quads path says how
        quads += len(claim.typed) + len(claim.own)
        head, predicate, tail = claim.head.value, claim.predicate.value, claim.tail.value
        if claim.status == "asserted" and (head, predicate, tail) not in facts:
            facts.add((head, predicate, tail))
            quads += 1
        known = ontology.relations.get(predicate)
        if known is None:
            continue  # not a relation the graph can hold; SHACL reports it upstream
        fields: dict[str, Any] = {}
        links: dict[str, list[str]] = {ASSERTED_BY_ROLE: [], DENIED_BY_ROLE: [], LOCATION_ROLE: []}
        for f, o in claim.typed:  # the typed attributes come first, as their quads do
            if f.role is not None:
                add_field(fields, f.role, _value(f, o))
        for f, o in claim.own:  # as _value does, inline: this loop runs for every statement of a load
            role = f.role
            if role is None:
                continue
            kind = f.kind
            if kind == SHARED:
                fields[role] = o.row if o.row is not None else _row(o)
            elif role[0] == "@":  # an end or a link: the row holds those apart
                if role in links:
                    links[role].append(o.value)
                elif role == ATTRIBUTES_ROLE:
                    fields.update(flatten_attributes(o.value))
            else:
                fields[role] = o.value if kind == IRI else value(o)
        fields["predicate"], fields["predicateUri"], fields["status"] = known.neo4j_type, known.iri, claim.status
        location = links[LOCATION_ROLE]
        claims.append(
            ClaimRow(
                uri,
                relationship_key(head, known.iri, tail, fields),
                known.neo4j_type,
                head,
                tail,
                claim.status,
                fields,
                links[ASSERTED_BY_ROLE],
                links[DENIED_BY_ROLE],
                location[-1] if location else None,
            )
        )
    return caption_claims(DocumentRows(doc_iri, doc_props, entities, claims)), quads


def _entity_row(mapping: Mapping, entity: ResolvedEntity, ontology: Ontology) -> EntityRow:
    """``entity_row`` of one group's own pairs, made once per resolved entity, a copy each time."""
    table = mapping.memo.table("entity row")
    found = table.get(id(entity))
    if found is None or found[0] is not entity or found[1] is not ontology:  # the entry keeps both alive
        row = entity_row(entity.iri, [(p.value, o) for p, o in entity.pairs], ontology)
        found = table[id(entity)] = (entity, ontology, row)
    row = found[2]
    return EntityRow(
        row.uri, row.labels, row.name, list(row.names), row.wikidata, row.iso_code, list(row.same_as), dict(row.props)
    )


def _value(f: Field, term: Term) -> Any:
    kind = f.kind
    if kind == SHARED:
        return term.row if term.row is not None else _row(term)
    return term.value if kind == IRI else value(term)


def _row(shared: Shared) -> Any:
    """A recurring literal's Neo4j value, kept in its slot for the next row."""
    shared.row = value(shared.term)
    return shared.row
