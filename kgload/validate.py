"""SHACL validation of mapped documents, before they reach a sink (real SHACL).

Two engines give the same verdicts and messages: "compiled" (the default; the shapes compiled
into checks by kgload.fastshacl) and "pyshacl" (the reference). The compiled engine is used
whenever the shapes use only what it compiles; otherwise, or for a document it cannot check,
pyshacl answers. `--shacl-engine pyshacl` (kgload map, load, run), a run configuration's
`options.shacl_engine: pyshacl` or KGLOAD_SHACL_ENGINE=pyshacl chooses the reference engine (``engine_name``).
The compiled engine's answer for a document is remembered by the document's outline (kgload.outlines)
and given to later documents of the same outline whose value tests answer the same.

A violation about a claim rejects that claim's relation record, with the shape's message,
and the rest of the document loads. A violation about anything else (the document node, an
entity) rejects the whole document: there is no smaller record to blame.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
import rdflib
import rdflib.collection
from rdflib.namespace import RDF, SH

from kgload.errors import UsageError
from kgload.mapping.spec import Mapping
from kgload.model import MappedDocument, Statement
from kgload.rdf.claims import relation_json, relation_origins
from kgload.rdf.convert import to_rdflib_term
from kgload.rdf.lookups import GENERIC_TYPE, relation_rule_of
from kgload.records import Extraction, Reject
from kgload.vocabulary.namespaces import KG

if TYPE_CHECKING:
    from kgload.fastshacl import CompiledShapes, Result
    from kgload.outlines import Outline, Outlines
    from kgload.shacl import ShaclEngine

ENGINES = ("compiled", "pyshacl")
ENGINE_VARIABLE = "KGLOAD_SHACL_ENGINE"
_log = logging.getLogger(__name__)

_MAX_TERMS = 50_000  # terms remembered across documents: bounded, so memory does not grow with the input
_STATUS = ox.NamedNode(KG + "status")
_ASSERTED = ox.NamedNode(KG + "Asserted")


class _Terms(dict[Any, rdflib.term.Node]):
    """pyoxigraph terms to rdflib's (``to_rdflib_term``), each the compiled shapes' own object when they hold
    an equal one, remembered: a document's predicates, classes and actors recur in the next ones."""

    def __init__(self, compiled: CompiledShapes | None) -> None:
        super().__init__()
        self.compiled = compiled

    def __missing__(self, term: Any) -> rdflib.term.Node:
        found = to_rdflib_term(term)
        if self.compiled is not None:
            found = self.compiled.known(found)
        if isinstance(term, ox.BlankNode):  # each document's own: not remembered
            return found
        if len(self) >= _MAX_TERMS:
            self.clear()
        self[term] = found
        return found


@dataclass(frozen=True)
class Violation:
    focus: str
    value: str | None
    path: str | None
    message: str
    subjects_of: tuple[str, ...] = ()  # the shape targets subjects / objects of these properties:
    objects_of: tuple[str, ...] = ()  # a violation there is about a relation, not the entity


# a violation an outline gave: the slots of its focus node and value (None: the term itself), and the violation
_Template = tuple["int | None", "int | None", Violation]


class ShaclValidator:
    def __init__(self, shapes: Path, ontology: Path, engine: str | None = None) -> None:
        self.shapes = rdflib.Graph().parse(shapes, format="turtle")
        self.ontology = rdflib.Graph().parse(ontology, format="turtle")
        self.engine_name = engine_name(engine)
        self._reference: ShaclEngine | None = None
        self.compiled: CompiledShapes | None = None
        if self.engine_name == "compiled":
            # Imported here: pyshacl is a tenth of a second of every command's start, and a load
            # without validation never needs it.
            from kgload.fastshacl import CompiledShapes, Unsupported
            from kgload.shacl import inoculated

            try:
                self.compiled = CompiledShapes.compile(self.shapes, inoculated(self.ontology)[0])
            except Unsupported as e:
                _log.info("SHACL shapes validated with pyshacl: %s", e)
        self._terms = _Terms(self.compiled)
        # the compiled checks' violations by the document's outline: most documents repeat an earlier one's
        self._outlines: Outlines[tuple[_Template, ...]] | None = None
        if self.compiled is not None:
            from kgload.fastshacl import Trace
            from kgload.outlines import Outlines

            self._outlines = Outlines(self.compiled, self._terms)
            self._new_trace = Trace

    @property
    def engine(self) -> ShaclEngine:
        """The reference engine, set up on first use."""
        if self._reference is None:
            # pyshacl runs without inference: the mapper writes every type explicitly and subclass
            # chains come from the ontology graph; RDFS inference would multiply one mistake into
            # dozens of messages.
            from kgload.shacl import ShaclEngine

            self._reference = ShaclEngine(self.shapes, self.ontology)
        return self._reference

    def violations(self, quads: Sequence[ox.Quad | Statement]) -> list[Violation]:
        """The violations of a document's quads, or of its statements (``MappedDocument.statements``)."""
        statements = _terms_of(quads)
        outlines = self._outlines
        outline = None
        if outlines is not None and not outlines.resting():
            outline = outlines.of(statements)
            recalled = outlines.recall(outline)
            outlines.asked(recalled is not None)
            if recalled is not None:
                return sorted((self._filled(t, outline) for t in recalled), key=_order)
        terms = self._terms
        # a remembered term is a dictionary subscript in C; ``_Terms.__missing__`` converts the others
        triples = [(terms[s], terms[p], terms[o]) for s, p, o, _ in statements]
        if self.compiled is not None:
            trace = self._new_trace() if outline is not None else None
            try:  # ``_Terms`` swapped the terms for the shapes' own already
                results = self.compiled.results(triples, interned=True, trace=trace)
            except Exception as e:  # a term pyoxigraph refuses, say: the reference engine takes the document
                _log.debug("compiled SHACL checks failed on a document (%s): pyshacl validates it", e)
            else:
                found = [self._violation(r) for r in results]
                if outlines is not None and outline is not None and trace is not None and trace.exact:
                    slots = outlines.slots(outline)
                    pairs = zip(results, found, strict=True)
                    kept = tuple((slots.get(r.focus), slots.get(r.value), v) for r, v in pairs)
                    outlines.remember(outline, slots, trace.tests, kept)
                return sorted(found, key=_order)
        return self.reference_violations(triples)

    def _filled(self, template: _Template, outline: Outline) -> Violation:
        """A remembered violation about this document's own terms in the slots it names."""
        focus, value, violation = template
        assert self._outlines is not None
        if focus is not None:
            violation = replace(violation, focus=str(self._outlines.term(outline, focus)))
        if value is not None:
            violation = replace(violation, value=str(self._outlines.term(outline, value)))
        return violation

    def reference_violations(self, triples: list[Any]) -> list[Violation]:
        """What pyshacl reports on a graph of ``triples`` (the reference the compiled checks equal)."""
        conforms, report = self.engine.validate(triples)
        return [] if conforms else self.violations_in(report)

    def _violation(self, result: Result) -> Violation:
        return Violation(
            focus=str(result.focus),
            value=str(result.value) if result.value is not None else None,
            path=result.path,
            message=result.message,
            subjects_of=tuple(str(o) for o in self.shapes.objects(result.shape, SH.targetSubjectsOf)),
            objects_of=tuple(str(o) for o in self.shapes.objects(result.shape, SH.targetObjectsOf)),
        )

    def violations_in(self, report: rdflib.Graph) -> list[Violation]:
        """The violations a pyshacl validation report lists, in a fixed order."""
        out = []
        # top-level results only: pyshacl also lists the nested results of sh:node/sh:not (sh:detail)
        results = [r for rep in report.subjects(RDF.type, SH.ValidationReport) for r in report.objects(rep, SH.result)]
        for result in results:
            if report.value(result, SH.resultSeverity) != SH.Violation:
                continue
            value = report.value(result, SH.value)
            path = report.value(result, SH.resultPath)
            shape = report.value(result, SH.sourceShape)
            out.append(
                Violation(
                    focus=str(report.value(result, SH.focusNode)),
                    value=str(value) if value is not None else None,
                    path=_last_step(report, path),
                    message=str(report.value(result, SH.resultMessage) or "violates a SHACL shape"),
                    subjects_of=tuple(str(o) for o in self.shapes.objects(shape, SH.targetSubjectsOf)),
                    objects_of=tuple(str(o) for o in self.shapes.objects(shape, SH.targetObjectsOf)),
                )
            )
        # pyshacl lists results in no fixed order (it walks sets): sorted, rejects come out the same every run
        return sorted(out, key=_order)

    def check(self, doc: MappedDocument) -> MappedDocument:
        """Drop the records that violate a shape from ``doc`` (recording rejects); return it."""
        found = self.violations(doc.statements if doc.statements is not None else doc.quads)
        if not found:
            return doc
        doc.make_quads()  # the records are dropped from the quads
        bad_claims: dict[str, list[str]] = {}
        other: list[str] = []
        claim_triples = _claim_triples(doc)
        for v in found:
            blamed = [n for n in (v.focus, v.value) if n in doc.claim_sources]
            # a shape on the subjects/objects of a relation property is about the relations
            # that entity takes part in: blame those claims, not the entity
            blamed += [
                c
                for c, (s, p, o) in claim_triples.items()
                if (p in v.subjects_of and s == v.focus)
                or (p in v.objects_of and o == v.focus)
                or (p == v.focus and _position(v, s, o))
            ]  # a shape targeting the property itself
            if blamed:
                for claim in blamed:
                    bad_claims.setdefault(claim, []).append(v.message)
            else:
                other.append(f"{_short(v.focus)}: {v.message}")
        if other:
            reason = "violates SHACL shapes: " + "; ".join(sorted(set(other))[:5])
            doc.rejects.append(Reject(doc.source.origin, reason, {"document": doc.source.document.id}, "validate"))
            doc.iri = ""  # nothing of this document loads
            doc.quads = []
            return doc
        for claim, messages in bad_claims.items():
            reason = "; ".join(sorted(set(messages)))
            for origin, relation in [doc.claim_sources.pop(claim), *doc.claim_repeats.pop(claim, ())]:
                doc.rejects.append(Reject(origin, reason, relation_json(relation), "validate"))
                doc.refused.append((origin, relation))
                doc.claims -= 1
        _drop_claims(doc, set(bad_claims), claim_triples)
        return doc


def generic_retry(extraction: Extraction, doc: MappedDocument, mapping: Mapping) -> Extraction | None:
    """The document again, with each free-text relation whose specific property the shapes refused
    (an LLM's person "located in" a city) made the mapping's generic free-text relation, which
    takes any ends; None when there is none (or the mapping has no such relation)."""
    if mapping.free_text is None or not doc.refused:
        return None
    refused = set(doc.refused)
    relations = list(extraction.relations)
    changed = False
    for index, (origin, relation) in enumerate(zip(relation_origins(extraction), relations, strict=True)):
        if relation.predicate is not None and (origin, relation) in refused:
            rule = relation_rule_of(mapping, relation)
            if rule is not None and not rule.free_text:
                relations[index] = replace(relation, type=GENERIC_TYPE)
                changed = True
    return replace(extraction, relations=tuple(relations)) if changed else None


def _terms_of(quads: Sequence[ox.Quad | Statement]) -> Sequence[Statement]:
    """Statements as they are, quads as statements (the checks read their terms many times over, and a
    quad makes a new object of a term each time it is asked for one)."""
    if quads and isinstance(quads[0], ox.Quad):
        return [(q.subject, q.predicate, q.object, None) for q in quads]  # type: ignore[union-attr]
    return quads  # type: ignore[return-value]


def _order(v: Violation) -> tuple[str, str, str, str]:
    return (v.focus, v.value or "", v.path or "", v.message)


def _position(v: Violation, subject: str, obj: str) -> bool:
    if v.path == str(RDF.subject):
        return v.value == subject
    if v.path == str(RDF.object):
        return v.value == obj
    return v.value in (subject, obj)


def _claim_triples(doc: MappedDocument) -> dict[str, tuple[str, str, str]]:
    """Each claim's (subject, predicate, object)."""
    parts: dict[str, dict[str, str]] = {}
    for q in doc.quads:
        if q.subject.value in doc.claim_sources:
            parts.setdefault(q.subject.value, {})[q.predicate.value] = q.object.value
    return {
        c: (p.get(str(RDF.subject), ""), p.get(str(RDF.predicate), ""), p.get(str(RDF.object), ""))
        for c, p in parts.items()
    }


def _drop_claims(doc: MappedDocument, claims: set[str], claim_triples: dict[str, tuple[str, str, str]]) -> None:
    """Remove the claims' quads, and each direct triple no remaining asserted claim supports."""
    asserted = {q.subject.value for q in doc.quads if q.predicate == _STATUS and q.object == _ASSERTED}
    kept = {claim_triples[c] for c in doc.claim_sources if c in asserted and c in claim_triples}
    orphans = {claim_triples[c] for c in claims if c in claim_triples} - kept
    doc.quads = [
        q
        for q in doc.quads
        if q.subject.value not in claims and (q.subject.value, q.predicate.value, q.object.value) not in orphans
    ]


def _last_step(report: rdflib.Graph, path: rdflib.term.Node | None) -> str | None:
    """The final predicate of a property path (a sequence path is an RDF list)."""
    if isinstance(path, rdflib.URIRef):
        return str(path)
    if isinstance(path, rdflib.BNode) and report.value(path, RDF.first) is not None:
        items = list(rdflib.collection.Collection(report, path))
        return str(items[-1]) if items and isinstance(items[-1], rdflib.URIRef) else None
    return None


def _short(iri: str) -> str:
    return iri.rsplit("/", 1)[-1] if iri.startswith("http") else iri


def engine_name(engine: str | None = None) -> str:
    """The SHACL engine to use: ``engine`` (an option or a run configuration's), else KGLOAD_SHACL_ENGINE,
    else the compiled engine; a UsageError names the one that is not in ENGINES."""
    chosen = engine or os.environ.get(ENGINE_VARIABLE) or "compiled"
    if chosen not in ENGINES:
        source = "" if engine else f" (from {ENGINE_VARIABLE})"
        raise UsageError(f"unknown SHACL engine {chosen!r}{source}; expected one of {', '.join(ENGINES)}")
    return chosen


def validator_for(mapping: Mapping, engine: str | None = None) -> ShaclValidator | None:
    """The mapping's SHACL shapes as a validator, or None when the mapping names no shapes.
    ``engine``: one of validate.ENGINES; None: KGLOAD_SHACL_ENGINE, else the compiled engine."""
    if mapping.shapes is None:
        return None
    return _validator(mapping.shapes, mapping.ontology.path, mapping.hash, engine_name(engine))


@lru_cache(maxsize=4)
def _validator(shapes: Path, ontology: Path, _version: str, engine: str | None) -> ShaclValidator:
    return ShaclValidator(shapes, ontology, engine)  # parsed once per process, mapping version and engine
