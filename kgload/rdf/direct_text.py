"""A document's plan -> N-Quads (or N-Triples) text without quads: the fast path of ``kgload map``.

Building pyoxigraph quads only to serialise each one again was most of a mapping worker's time.
When no shapes are checked, nothing needs those quads, so this module writes the lines of the
document's plan (``kgload.rdf.plan``) straight away, in its order and with the same
de-duplication. A term's text is pyoxigraph's own (``str`` of a term is its N-Triples form, the
one ``ox.serialize`` writes), so the bytes are what the quads path writes: the property tests in
tests/unit/test_direct_text.py hold the two to that, byte for byte.

A mapping with per-relation graphs takes the quads path.
"""

from __future__ import annotations

from dataclasses import dataclass

from kgload.mapping.spec import Mapping
from kgload.mapping.tenures import TenureIndex
from kgload.model import MappedDocument, Run
from kgload.rdf.entities import ResolvedEntity
from kgload.rdf.geometry import AS_WKT, GEOMETRY, HAS_GEOMETRY
from kgload.rdf.plan import IRI, SHARED, DocumentPlan, Field, Term, map_extraction, plan_document
from kgload.rdf.serialize import serialise
from kgload.rdf.terms import A
from kgload.records import Extraction
from kgload.vocabulary.namespaces import SCHEMA

TEXT_FORMATS = frozenset({"nquads", "ntriples"})

_MENTIONS = f"<{SCHEMA}mentions>"


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
    out, plan = plan_document(extraction, mapping, run, tenures)
    if plan is None:
        return out
    unique = dict.fromkeys(render_text(plan, mapping, graphs=graphs))
    out.prepared, out.quad_count = "".join(unique).encode(), len(unique)
    plan.learn(mapping, tenures)
    return out


def render_text(plan: DocumentPlan, mapping: Mapping, *, graphs: bool = True) -> list[str]:
    """The plan's lines in its order, repeats included (two claims of one fact share its direct
    triple); a per-relation graph is not rendered (those mappings take the quads path)."""
    end = f" <{plan.graph.value}> .\n" if graphs else " .\n"
    this = f"<{plan.node.value}> "  # the document as a subject
    lines = _lines(this, plan.own, end)
    add = lines.append
    for entity_plan in plan.entities:
        entity = entity_plan.entity
        lines.extend([pair + end for pair in _pairs(mapping, entity)])
        if entity_plan.attributes:
            node = f"<{entity.iri}> "
            lines.extend([f"{node}{p} {o}{end}" for p, o in entity_plan.attributes])
        if entity_plan.geometry is not None:
            point, text = entity_plan.geometry
            add(f"<{entity.iri}> {HAS_GEOMETRY} {point}{end}")
            add(f"{point} {A} {GEOMETRY}{end}")
            add(f"{point} {AS_WKT} {text}{end}")
        add(f"{this}{_MENTIONS} <{entity.iri}>{end}")
    for claim in plan.claims:
        node = f"<{claim.node.value}> "
        if claim.typed:
            lines.extend(_lines(node, claim.typed, end))
        if claim.status == "asserted":
            add(f"<{claim.head.value}> <{claim.predicate.value}> <{claim.tail.value}>{end}")
        lines.extend(_lines(node, claim.own, end))
    return lines


def _lines(subject: str, statements: list[tuple[Field, Term]], end: str) -> list[str]:
    return [
        f"{subject}{f.text} <{o.value}>{end}"
        if f.kind == IRI
        else f"{subject}{f.text} {o.text if f.kind == SHARED else o}{end}"
        for f, o in statements
    ]


def _pairs(mapping: Mapping, entity: ResolvedEntity) -> list[str]:
    """The entity's own lines, without their graph (the same for every document naming it)."""
    table = mapping.memo.table("entity text")
    found = table.get(id(entity))
    if found is None or found[0] is not entity:  # the entry keeps its entity alive: an id is not reused
        node = str(entity.node)
        found = table[id(entity)] = (entity, [f"{node} {p} {o}" for p, o in entity.pairs])
    return found[1]
