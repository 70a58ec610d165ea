"""One document's statements, decided once: the plan every output of a mapped document renders.

``plan_document`` puts the decisions of the modules beside it (entity grouping in ``grouping`` and
resolution in ``entities``, which relations are accepted and in which direction and claim IRIs in
``claims``, typed attributes in ``attributes``, the document's node in ``document_node``) into an
ordered plan: the document's own statements, each entity's (``ResolvedEntity.pairs`` and its
attributes) and each claim's. Renderers only walk it: ``map_extraction`` below makes pyoxigraph
quads of it, ``kgload.rdf.direct_text`` N-Quads text and ``kgload.sinks.neo4j.direct`` the Neo4j
rows, and counts come from it. A new statement of a document or a claim is one line here.

A statement's predicate is a ``Field``: its node, its N-Triples text and the name the Neo4j
projection gives it (``role``), each made once per predicate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from pyoxigraph import Literal, NamedNode, Quad

from kgload.fingerprint import canonical_json
from kgload.mapping.spec import Mapping
from kgload.mapping.templates import TemplateError
from kgload.mapping.tenures import TenureIndex
from kgload.model import MappedDocument, Run, SelfLoop, Statement
from kgload.rdf.attributes import claim_attribute_pairs, entity_attribute_pairs
from kgload.rdf.claims import accept_relation, claim_node, relation_origins, relation_reject, repeated_claim
from kgload.rdf.document_node import recorded_literal, start_document
from kgload.rdf.entities import ResolvedEntity, resolve_entity
from kgload.rdf.geometry import AS_WKT, GEOMETRY, HAS_GEOMETRY, PLACE_CLASSES, least, point_statements, problem
from kgload.rdf.grouping import group_entities
from kgload.rdf.offices import learn_tenure
from kgload.rdf.terms import (
    ALT_LABEL,
    CLAIM,
    DERIVED_FROM,
    DOCUMENT,
    GENERATED_BY,
    GRAPH,
    IDENTIFIER,
    ISSUED,
    LANGUAGE,
    MENTIONS,
    OBJECT,
    PREDICATE,
    PUBLISHER,
    RDF_JSON,
    STATUS,
    SUBJECT,
    TITLE,
    URL,
    A,
    P,
)
from kgload.records import Entity, Extraction, Reject, Relation
from kgload.vocabulary.literals import DATATYPE, confidence_literal, sentence_literal, temporal_literal
from kgload.vocabulary.namespaces import KG, RDFS


class Shared:
    """A literal that recurs (a date, a code, the run's time), made once with its N-Triples text;
    ``row`` is a slot for its Neo4j value, which the rows renderer fills on first use."""

    __slots__ = ("row", "term", "text")

    def __init__(self, term: Literal) -> None:
        self.term, self.text, self.row = term, str(term), None


Term = NamedNode | Literal | Shared  # by the field's kind: IRI, OWN, SHARED

# the Neo4j links of a claim: a role starting with "@" is a relationship, not a property
ASSERTED_BY_ROLE, DENIED_BY_ROLE, LOCATION_ROLE = "@assertedBy", "@deniedBy", "@location"
# the extra attributes' JSON: not one property but one per attribute (kgload.sinks.neo4j.attributes)
ATTRIBUTES_ROLE = "@attributes"
NOTE = RDFS + "comment"  # a claim's note (its caveat): the "note" property, a list when several
_CLAIM_FIELD_NAMES = {"startDate": "start", "endDate": "end", "sentenceIndex": "sentence"}


def claim_field(predicate: str) -> str | None:
    """The claim row's field a kg: predicate (or rdfs:comment) fills (kg:startDate -> start,
    rdfs:comment -> note); None for other predicates outside kg:."""
    if not predicate.startswith(KG):
        return "note" if predicate == NOTE else None
    name = predicate[len(KG) :]
    return _CLAIM_FIELD_NAMES.get(name, name)


# what a field's objects are, so that renderers take each the cheap way: an IRI (a NamedNode) has
# its text made from its value (pyoxigraph's own str is several times slower), a literal that
# recurs is a ``Shared``, converted once, a literal of its own (evidence, JSON) each time
IRI, SHARED, OWN = 0, 1, 2


@dataclass(frozen=True, slots=True, eq=False)
class Field:
    """A statement's predicate, with what each renderer needs of it made once."""

    node: NamedNode
    text: str  # its N-Triples form
    # the Neo4j property (or "@" link) it becomes; None: none of its own (a claim's ends and
    # predicate are the ones its row holds apart)
    role: str | None
    kind: int  # IRI, SHARED or OWN: what its objects are

    @classmethod
    def of(cls, node: NamedNode, role: str | None, kind: int) -> Field:
        return cls(node, str(node), role, kind)


def attribute_field(mapping: Mapping, iri: str) -> Field:
    """The field of a typed attribute's property, named in Neo4j as the projection names it."""
    return mapping.memo.get("field", iri, lambda: Field.of(NamedNode(iri), claim_field(iri), OWN))


# a document's statements, named as the Neo4j document node's properties
DOC_TYPE = Field.of(A, None, IRI)
DOC_ID, DOC_TITLE, DOC_PUBLISHER = (
    Field.of(IDENTIFIER, "id", OWN),
    Field.of(TITLE, "title", OWN),
    Field.of(PUBLISHER, "publisher", OWN),
)
DOC_PUBLISHED, DOC_LANGUAGE, DOC_URL = (
    Field.of(ISSUED, "published", SHARED),
    Field.of(LANGUAGE, "language", OWN),
    Field.of(URL, "url", OWN),
)
DOC_FINGERPRINT, DOC_RUN = Field.of(P["fingerprint"], "fingerprint", OWN), Field.of(GENERATED_BY, "run", IRI)
DOCUMENT_PROPERTIES = {
    f.node.value: f.role for f in (DOC_ID, DOC_TITLE, DOC_PUBLISHER, DOC_PUBLISHED, DOC_LANGUAGE, DOC_URL)
} | {f.node.value: f.role for f in (DOC_FINGERPRINT, DOC_RUN)}

# a claim's statements
CLAIM_TYPE = Field.of(A, None, IRI)
CLAIM_SUBJECT, CLAIM_PREDICATE = Field.of(SUBJECT, None, IRI), Field.of(PREDICATE, None, IRI)
CLAIM_OBJECT, CLAIM_STATUS = Field.of(OBJECT, None, IRI), Field.of(P["status"], None, IRI)
CLAIM_DATE, CLAIM_START, CLAIM_END = (
    Field.of(P[key], claim_field(P[key].value), SHARED) for key in ("date", "startDate", "endDate")
)
CLAIM_EVIDENCE = Field.of(P["evidence"], "evidence", OWN)
CLAIM_SENTENCE = Field.of(P["sentenceIndex"], "sentence", SHARED)
CLAIM_CONFIDENCE = Field.of(P["confidence"], "confidence", SHARED)
CLAIM_ASSERTED_BY = Field.of(P["assertedBy"], ASSERTED_BY_ROLE, IRI)
CLAIM_DENIED_BY = Field.of(P["deniedBy"], DENIED_BY_ROLE, IRI)
CLAIM_LOCATION = Field.of(P["location"], LOCATION_ROLE, IRI)
CLAIM_EVENT_CODE = Field.of(P["eventCode"], "eventCode", SHARED)
CLAIM_EVENT_CODE_SCHEME = Field.of(P["eventCodeScheme"], "eventCodeScheme", SHARED)
CLAIM_PREDICATE_TEXT = Field.of(P["predicateText"], "predicateText", SHARED)
CLAIM_ATTRIBUTES = Field.of(P["attributes"], ATTRIBUTES_ROLE, OWN)
CLAIM_DOCUMENT, CLAIM_RUN = Field.of(DERIVED_FROM, "document", IRI), Field.of(GENERATED_BY, "run", IRI)
CLAIM_RECORDED_AT = Field.of(P["recordedAt"], "recordedAt", SHARED)


@dataclass(slots=True)
class EntityPlan:
    """What one group of a document's entities states: the entity's own pairs, then its attributes."""

    entity: ResolvedEntity
    attributes: list[tuple[NamedNode, Term]]
    # a place's point, (latitude, longitude), and its geometry node and WKT (kgload.rdf.geometry)
    point: tuple[float, float] | None = None
    geometry: tuple[NamedNode, Literal] | None = None


@dataclass(slots=True)
class ClaimPlan:
    """One accepted relation: its typed attributes, the direct triple when asserted, then the claim's own."""

    node: NamedNode
    head: NamedNode
    predicate: NamedNode
    tail: NamedNode
    status: str
    typed: list[tuple[Field, Term]]
    own: list[tuple[Field, Term]]
    graph: NamedNode | None = None  # the rule's own named graph, when it gives one
    repeated: bool = False  # an earlier relation of the document states this claim: their statements merge


@dataclass(slots=True)
class DocumentPlan:
    out: MappedDocument
    node: NamedNode
    graph: NamedNode
    own: list[tuple[Field, Term]]
    entities: list[EntityPlan] = field(default_factory=list)
    claims: list[ClaimPlan] = field(default_factory=list)
    learned: list[Relation] = field(default_factory=list)  # what the office holdings learn from it
    iris: dict[str, NamedNode] = field(default_factory=dict)  # entity id -> its entity's node
    labels: dict[str, str] = field(default_factory=dict)  # entity IRI -> its first label here

    def learn(self, mapping: Mapping, tenures: TenureIndex | None) -> None:
        """Teach ``tenures`` the office holdings the document states, once it is rendered."""
        if tenures is not None:
            for relation in self.learned:
                learn_tenure(tenures, mapping, relation, self.iris, self.labels)


def plan_document(
    extraction: Extraction, mapping: Mapping, run: Run, tenures: TenureIndex | None = None
) -> tuple[MappedDocument, DocumentPlan | None]:
    """The document's mapping (counts, rejects, merges, claim sources) and its plan; no plan when
    its IRIs cannot be made (the reject says why). Never raises on bad input; ``tenures`` is
    read, not taught: ``DocumentPlan.learn`` does that once the plan is used."""
    out, doc_node, graph = start_document(extraction, mapping)
    if doc_node is None or graph is None:
        return out, None
    doc = extraction.document
    language = doc.language or mapping.language
    run_node = _node(mapping, run.iri(mapping.base))
    own: list[tuple[Field, Term]] = [
        (DOC_TYPE, DOCUMENT),
        (DOC_ID, Literal(doc.id)),
        (DOC_TITLE, Literal(doc.title, language=language) if language else Literal(doc.title)),
    ]
    if doc.publisher:
        own.append((DOC_PUBLISHER, Literal(doc.publisher)))
    if doc.published:
        own.append((DOC_PUBLISHED, _temporal(doc.published)))
    if language:
        own.append((DOC_LANGUAGE, Literal(language)))
    if doc.url:
        own.append((DOC_URL, Literal(doc.url, datatype=DATATYPE["anyURI"])))
    own.append((DOC_FINGERPRINT, Literal(out.fingerprint)))
    own.append((DOC_RUN, run_node))
    plan = DocumentPlan(out, doc_node, graph, own)

    day = doc.published[:10] if doc.published else None
    groups, group_of = group_entities(extraction, mapping, out)
    nodes: dict[int, NamedNode] = {}
    for group in groups:
        entity = resolve_entity(group, mapping, out, tenures, day, plan.labels)
        entity_plan = EntityPlan(entity, entity_attribute_pairs(group, entity, mapping, out))
        if entity.rule.class_iri in PLACE_CLASSES and any(m.coordinates for m in group.members):
            _place_point(entity_plan, group.members, mapping, out)
        plan.entities.append(entity_plan)
        nodes[id(group)] = entity.node
    iris = plan.iris = {entity_id: nodes[id(group)] for entity_id, group in group_of.items()}

    tail_statements = [
        (CLAIM_DOCUMENT, doc_node),
        (CLAIM_RUN, run_node),
        (CLAIM_RECORDED_AT, _recorded(mapping, run)),
    ]
    for relation, origin in zip(extraction.relations, relation_origins(extraction), strict=True):
        claim = _plan_claim(relation, mapping, iris, doc_node, tail_statements, language, out)
        if isinstance(claim, str):
            out.rejects.append(relation_reject(origin, claim, relation))
            continue
        if claim.head == claim.tail and relation.head != relation.tail and not claim.repeated:
            names = {e.id: e.name for e in extraction.entities}  # rare: built only for a self-loop
            ends = (names.get(relation.head, relation.head), names.get(relation.tail, relation.tail))
            out.self_loops.append(SelfLoop(doc.id, claim.node.value, claim.head.value, relation.type, ends))
        plan.claims.append(claim)
        out.claims += 1
        if claim.node.value in out.claim_sources:  # a repeated relation: one claim, each relation accounted for
            out.claim_repeats.setdefault(claim.node.value, []).append((origin, relation))
        else:
            out.claim_sources[claim.node.value] = (origin, relation)
        if tenures is not None and relation.start and relation.status == "asserted":
            plan.learned.append(relation)
    return out, plan


def _plan_claim(
    relation: Relation,
    mapping: Mapping,
    iris: dict[str, NamedNode],
    doc_node: NamedNode,
    tail_statements: list[tuple[Field, Term]],
    language: str | None,
    out: MappedDocument,
) -> ClaimPlan | str:
    """One relation's claim, or why it cannot be mapped."""
    accepted = accept_relation(relation, mapping, iris)
    if isinstance(accepted, str):
        return accepted
    rule, head, tail = accepted
    prop = rule.property
    doc = out.source.document
    claim = claim_node(mapping, doc.id, head, prop.iri, tail, relation)
    conflict = repeated_claim(out, claim.value, relation, mapping, iris)
    if conflict is not None:
        return conflict
    graph = None
    if rule.graph is not None:
        values = {"base": mapping.base, "id": doc.id, "publisher": doc.publisher, "published": doc.published}
        try:
            graph = NamedNode(rule.graph.render({**values, "type": relation.type}))
        except (TemplateError, ValueError) as exc:
            return f"graph template: {exc}"
    pairs, rest = (), None
    if rule.constants or relation.attributes:
        typed = claim_attribute_pairs(rule, relation, mapping)
        if isinstance(typed, str):
            return typed
        pairs, rest = typed
    predicate = _node(mapping, prop.iri)
    own: list[tuple[Field, Term]] = [
        (CLAIM_TYPE, CLAIM),
        (CLAIM_SUBJECT, head),
        (CLAIM_PREDICATE, predicate),
        (CLAIM_OBJECT, tail),
        (CLAIM_STATUS, STATUS[relation.status]),
    ]
    add = own.append
    if relation.date:
        add((CLAIM_DATE, _temporal(relation.date)))
    if relation.start:
        add((CLAIM_START, _temporal(relation.start)))
    if relation.end:
        add((CLAIM_END, _temporal(relation.end)))
    if relation.evidence:
        add((CLAIM_EVIDENCE, Literal(relation.evidence, language=language) if language else Literal(relation.evidence)))
    if relation.sentence is not None:
        add((CLAIM_SENTENCE, _sentence(relation.sentence)))
    if relation.confidence is not None:
        add((CLAIM_CONFIDENCE, _confidence(relation.confidence)))
    if relation.asserted_by:  # two ids of one entity are one statement
        own.extend([(CLAIM_ASSERTED_BY, node) for node in dict.fromkeys([iris[r] for r in relation.asserted_by])])
    if relation.denied_by:
        own.extend([(CLAIM_DENIED_BY, node) for node in dict.fromkeys([iris[r] for r in relation.denied_by])])
    if relation.location:
        add((CLAIM_LOCATION, iris[relation.location]))
    code = relation.event_code or (relation.type if rule.fallback else None)
    if code:
        add((CLAIM_EVENT_CODE, _shared_text(mapping, code)))
        if relation.event_code_scheme:
            add((CLAIM_EVENT_CODE_SCHEME, _shared_text(mapping, relation.event_code_scheme)))
    if relation.predicate:
        add((CLAIM_PREDICATE_TEXT, _shared_text(mapping, relation.predicate)))
    if rest:
        add((CLAIM_ATTRIBUTES, Literal(canonical_json(rest), datatype=RDF_JSON)))
    own.extend(tail_statements)
    fields = [(attribute_field(mapping, p.value), o) for p, o in dict.fromkeys(pairs)] if pairs else []
    return ClaimPlan(
        claim, head, predicate, tail, relation.status, fields, own, graph, claim.value in out.claim_sources
    )


def _place_point(entity_plan: EntityPlan, members: list[Entity], mapping: Mapping, out: MappedDocument) -> None:
    """The place's point: the least of the valid coordinates its mentions give; each invalid pair
    a reject, the place kept without it."""
    points = []
    for member in members:
        if member.coordinates is None:
            continue
        why = problem(member.coordinates)
        if why is None:
            points.append(member.coordinates)
        else:
            where = out.source.origin.at(f"entities[{member.id}].coordinates")
            out.rejects.append(Reject(where, f"place {member.name!r}: {why}", list(member.coordinates), "map"))
    point = least(points)
    if point is not None:
        entity_plan.point = point
        entity_plan.geometry = point_statements(mapping.base, point)


def _node(mapping: Mapping, iri: str) -> NamedNode:
    return mapping.memo.get("node", iri, NamedNode, iri)


def _shared_text(mapping: Mapping, text: str) -> Shared:
    return mapping.memo.get("shared literal", text, lambda: Shared(Literal(text)))


def _recorded(mapping: Mapping, run: Run) -> Shared:
    return mapping.memo.get("shared recorded", run.started, lambda: Shared(recorded_literal(mapping, run)))


@lru_cache(maxsize=16_384)  # keyed by the text, as the literal's own cache: a date recurs across a corpus
def _temporal(text: str) -> Shared:
    return Shared(temporal_literal(text))


@lru_cache(maxsize=4096, typed=True)
def _sentence(value: int) -> Shared:
    return Shared(sentence_literal(value))


@lru_cache(maxsize=4096, typed=True)
def _confidence(value: float) -> Shared:
    return Shared(confidence_literal(value))


# -- pyoxigraph quads ------------------------------------------------------------------------------


def map_extraction(
    extraction: Extraction, mapping: Mapping, run: Run, tenures: TenureIndex | None = None
) -> MappedDocument:
    """Map one document's records to quads in its own named graph; never raises on bad input.

    ``tenures`` resolves role mentions ("the US President") as of the document's date, and
    learns the office holdings this document states for the documents after it.
    """
    out, plan = plan_document(extraction, mapping, run, tenures)
    if plan is None:
        return out
    out.quads = render_quads(plan)
    plan.learn(mapping, tenures)
    return out


def render_quads(plan: DocumentPlan) -> list[Quad]:
    """The plan's statements as quads, in its order and each once (two claims of one fact share
    its direct triple)."""
    return [Quad(*statement) for statement in render_statements(plan)]


def render_statements(plan: DocumentPlan) -> list[Statement]:
    """The plan's quads as tuples of their terms (``render_quads`` without making the quads, for a
    stage that reads the terms only), in its order and each once."""
    graph, doc_node = plan.graph, plan.node
    statements: list[Statement] = [(doc_node, f.node, _term(f, o), graph) for f, o in plan.own]
    append = statements.append
    for entity_plan in plan.entities:
        node = entity_plan.entity.node
        statements.extend([(node, p, o, graph) for p, o in entity_plan.entity.pairs])
        statements.extend([(node, p, o, graph) for p, o in entity_plan.attributes])
        if entity_plan.geometry is not None:
            point, text = entity_plan.geometry
            statements += [(node, HAS_GEOMETRY, point, graph), (point, A, GEOMETRY, graph)]
            append((point, AS_WKT, text, graph))
        append((doc_node, MENTIONS, node, graph))
    for claim in plan.claims:
        where = graph
        if claim.graph is not None:
            append((doc_node, GRAPH, claim.graph, graph))
            where = claim.graph
        node = claim.node
        statements.extend([(node, f.node, _term(f, o), where) for f, o in claim.typed])
        if claim.status == "asserted":
            append((claim.head, claim.predicate, claim.tail, where))
        statements.extend([(node, f.node, _term(f, o), where) for f, o in claim.own])
    return list(dict.fromkeys(statements))


__all__ = [
    "ALT_LABEL",
    "DocumentPlan",
    "Field",
    "map_extraction",
    "plan_document",
    "render_quads",
    "render_statements",
]


def _term(f: Field, o: Term) -> NamedNode | Literal:
    return o.term if f.kind == SHARED else o  # type: ignore[union-attr]
