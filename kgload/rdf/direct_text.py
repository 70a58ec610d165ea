"""Records -> N-Quads (or N-Triples) text without quads: the fast path of ``kgload map``.

``map_extraction`` builds some 23 pyoxigraph quads per relation, and writing them serialises each
one again; together with the quads' Python objects that was most of a mapping worker's time. When
no shapes are checked, nothing needs those quads, so this module writes the lines straight from the
same decisions (``kgload.rdf.build``: entity grouping and resolution, which relations are accepted
and in which direction, claim IRIs, typed attributes), in the same order and with the same
de-duplication. A term's text is pyoxigraph's own (``str`` of the term is its N-Triples form, the
one ``ox.serialize`` writes), so the bytes are what the quads path writes: the property tests in
tests/unit/test_direct_text.py hold the two to that, byte for byte.

A mapping with per-relation graphs takes the quads path.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from pyoxigraph import Literal, NamedNode, Quad

from kgload.fingerprint import canonical_json
from kgload.mapping.spec import Mapping
from kgload.mapping.tenures import TenureIndex
from kgload.model import MappedDocument, Run
from kgload.rdf.build import (
    ANY_URI,
    CLAIM,
    DERIVED_FROM,
    DOCUMENT,
    GENERATED_BY,
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
from kgload.rdf.serialize import serialise
from kgload.records import Extraction
from kgload.vocabulary.literals import confidence_literal, sentence_literal, temporal_literal

TEXT_FORMATS = frozenset({"nquads", "ntriples"})

_T = {name: str(term) for name, term in P.items()}
_TYPE, _CLAIM, _DOCUMENT, _MENTIONS = str(A), str(CLAIM), str(DOCUMENT), str(MENTIONS)
_SUBJECT, _PREDICATE, _OBJECT = str(SUBJECT), str(PREDICATE), str(OBJECT)
_DERIVED_FROM, _GENERATED_BY = str(DERIVED_FROM), str(GENERATED_BY)
_IDENTIFIER, _TITLE, _PUBLISHER, _ISSUED = str(IDENTIFIER), str(TITLE), str(PUBLISHER), str(ISSUED)
_LANGUAGE, _URL = str(LANGUAGE), str(URL)
_STATUS = {status: f"{_T['status']} {node}" for status, node in STATUS.items()}
_TENSES = (("date", f" {_T['date']} "), ("start", f" {_T['startDate']} "), ("end", f" {_T['endDate']} "))


@dataclass(frozen=True)
class TextPreparer:
    """``kgload map``'s preparer for the formats written line by line (N-Quads, N-Triples): called
    on a mapped document, it serialises the quads as ``RdfWriter`` would and keeps the bytes as
    ``prepared``; ``map`` writes them straight from the records, which the mapping uses instead
    when no shapes are checked."""

    rdf_format: str = "nquads"

    def __call__(self, doc: MappedDocument) -> MappedDocument:
        doc.drop_quads(serialise(doc.quads, self.rdf_format))
        return doc

    def map(self, extraction: Extraction, mapping: Mapping, run: Run, tenures: TenureIndex | None) -> MappedDocument:
        if not _covers(mapping):
            mapped = map_extraction(extraction, mapping, run, tenures)
            return self(mapped) if mapped.iri else mapped
        return map_to_text(extraction, mapping, run, tenures, graphs=self.rdf_format == "nquads")


def _covers(mapping: Mapping) -> bool:
    return mapping.memo.get("direct text", None, _mapping_covered, mapping)


def _mapping_covered(mapping: Mapping) -> bool:
    """A relation rule with its own graph adds a quad in another graph: the quads path writes those."""
    return all(rule.graph is None for rule in mapping.all_relation_rules())


def map_to_text(
    extraction: Extraction, mapping: Mapping, run: Run, tenures: TenureIndex | None = None, *, graphs: bool = True
) -> MappedDocument:
    """The document mapped, its lines (N-Quads, or N-Triples without ``graphs``) as ``prepared``
    bytes: what ``ox.serialize`` writes for ``map_extraction``'s quads. Never raises on bad input;
    a document whose IRI cannot be made comes back without lines, with the reject saying why."""
    out, doc_node, graph = start_document(extraction, mapping)
    if doc_node is None or graph is None:
        return out
    doc = extraction.document
    end = f" {graph} .\n" if graphs else " .\n"
    lines: list[str] = []
    add = lines.append
    language = doc.language or mapping.language
    this = f"<{out.iri}> "  # the document as a subject
    run_text = f"<{run.iri(mapping.base)}>"

    add(f"{this}{_TYPE} {_DOCUMENT}{end}")
    add(f"{this}{_IDENTIFIER} {Literal(doc.id)}{end}")
    add(f"{this}{_TITLE} {Literal(doc.title, language=language) if language else Literal(doc.title)}{end}")
    if doc.publisher:
        add(f"{this}{_PUBLISHER} {Literal(doc.publisher)}{end}")
    if doc.published:
        add(f"{this}{_ISSUED} {_temporal(doc.published)}{end}")
    if language:
        add(f"{this}{_LANGUAGE} {Literal(language)}{end}")
    if doc.url:
        add(f"{this}{_URL} {Literal(doc.url, datatype=ANY_URI)}{end}")
    add(f"{this}{_T['fingerprint']} {Literal(out.fingerprint)}{end}")
    add(f"{this}{_GENERATED_BY} {run_text}{end}")

    day = doc.published[:10] if doc.published else None
    labels: dict[str, str] = {}
    groups, group_of = group_entities(extraction, mapping, out)
    nodes: dict[int, NamedNode] = {}
    for group in groups:
        entity = resolve_entity(group, mapping, out, tenures, day, labels)
        lines.extend([pair + end for pair in _pairs(mapping, entity)])
        lines.extend([_line(quad, end) for quad in entity_attribute_quads(group, entity, mapping, out, graph)])
        add(f"{this}{_MENTIONS} <{entity.iri}>{end}")
        nodes[id(group)] = entity.node
    iris = {entity_id: nodes[id(group)] for entity_id, group in group_of.items()}

    recorded = f" {_T['recordedAt']} {_recorded(mapping, run)}{end}"
    provenance = f" {_DERIVED_FROM} <{out.iri}>{end}"
    generated = f" {_GENERATED_BY} {run_text}{end}"
    for relation, origin in zip(extraction.relations, relation_origins(extraction), strict=True):
        accepted = accept_relation(relation, mapping, iris)
        if isinstance(accepted, str):
            out.rejects.append(relation_reject(origin, accepted, relation))
            continue
        rule, head_node, tail_node = accepted
        prop = rule.property
        claim_iri = claim_node(mapping, doc.id, head_node, prop.iri, tail_node, relation)
        conflict = repeated_claim(out, claim_iri.value, relation, mapping, iris)
        if conflict is not None:
            out.rejects.append(relation_reject(origin, conflict, relation))
            continue
        typed, rest = claim_attribute_quads(rule, relation, claim_iri, graph, mapping)
        if isinstance(typed, str):
            out.rejects.append(relation_reject(origin, typed, relation))
            continue
        lines.extend([_line(quad, end) for quad in typed])
        head, predicate, tail, claim = f"<{head_node.value}>", f"<{prop.iri}>", f"<{tail_node.value}>", f"{claim_iri}"
        if relation.status == "asserted":
            add(f"{head} {predicate} {tail}{end}")
        add(f"{claim} {_TYPE} {_CLAIM}{end}")
        add(f"{claim} {_SUBJECT} {head}{end}")
        add(f"{claim} {_PREDICATE} {predicate}{end}")
        add(f"{claim} {_OBJECT} {tail}{end}")
        add(f"{claim} {_STATUS[relation.status]}{end}")
        for attribute, tense in _TENSES:
            when = getattr(relation, attribute)
            if when:
                add(f"{claim}{tense}{_temporal(when)}{end}")
        if relation.evidence:
            evidence = Literal(relation.evidence, language=language) if language else Literal(relation.evidence)
            add(f"{claim} {_T['evidence']} {evidence}{end}")
        if relation.sentence is not None:
            add(f"{claim} {_T['sentenceIndex']} {_sentence(relation.sentence)}{end}")
        if relation.confidence is not None:
            add(f"{claim} {_T['confidence']} {_confidence(relation.confidence)}{end}")
        for ref in relation.asserted_by:
            add(f"{claim} {_T['assertedBy']} <{iris[ref].value}>{end}")
        for ref in relation.denied_by:
            add(f"{claim} {_T['deniedBy']} <{iris[ref].value}>{end}")
        if relation.location:
            add(f"{claim} {_T['location']} <{iris[relation.location].value}>{end}")
        code = relation.event_code or (relation.type if rule.fallback else None)
        if code:
            add(f"{claim} {_T['eventCode']} {_plain(mapping, code)}{end}")
            if relation.event_code_scheme:
                add(f"{claim} {_T['eventCodeScheme']} {_plain(mapping, relation.event_code_scheme)}{end}")
        if rest:
            add(f"{claim} {_T['attributes']} {Literal(canonical_json(rest), datatype=RDF_JSON)}{end}")
        add(claim + provenance)
        add(claim + generated)
        add(claim + recorded)
        out.claims += 1
        out.claim_sources[claim_iri.value] = (origin, relation)
        if tenures is not None and relation.start and relation.status == "asserted":
            learn_tenure(tenures, mapping, relation, iris, labels)
    unique = dict.fromkeys(lines)  # as the quads path: two claims of one fact share its direct triple
    out.prepared, out.quad_count = "".join(unique).encode(), len(unique)
    return out


def _line(quad: Quad, end: str) -> str:
    return f"{quad.subject} {quad.predicate} {quad.object}{end}"


def _pairs(mapping: Mapping, entity: ResolvedEntity) -> list[str]:
    """The entity's own quads, without their graph (the same for every document naming it)."""
    table = mapping.memo.table("entity text")
    found = table.get(id(entity))
    if found is None or found[0] is not entity:  # the entry keeps its entity alive: an id is not reused
        node = str(entity.node)
        found = table[id(entity)] = (entity, [f"{node} {p} {o}" for p, o in entity.pairs])
    return found[1]


def _recorded(mapping: Mapping, run: Run) -> str:
    return str(recorded_literal(mapping, run))


def _plain(mapping: Mapping, text: str) -> str:
    return mapping.memo.get("literal text", text, _literal_text, text)


def _literal_text(text: str) -> str:
    return str(Literal(text))


@lru_cache(maxsize=16_384)
def _temporal(text: str) -> str:
    return str(temporal_literal(text))


@lru_cache(maxsize=4096, typed=True)
def _sentence(value: int) -> str:
    return str(sentence_literal(value))


@lru_cache(maxsize=4096, typed=True)
def _confidence(value: float) -> str:
    return str(confidence_literal(value))
