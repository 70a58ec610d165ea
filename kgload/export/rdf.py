"""Subgraph -> RDF in exactly kgload's model, so an export loads back as what was selected.

Per document named graph: the document node, the selected entities as that document describes
them (``schema:mentions`` included), and its claims — each a ``kg:Claim`` with its metadata, plus
the direct triple for an asserted one. Literals are typed as the mapper types them (``kgload.vocabulary.literals``).

Left out on purpose: the document's ``kg:fingerprint``. An export is usually part of a document;
with the fingerprint, a later ``kgload load`` of the full document into the same store would
think it unchanged and keep the partial copy.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

import pyoxigraph as ox

from kgload.export.formats import Job
from kgload.export.subgraph import Claim, Document, Entity, Subgraph, Term, iso
from kgload.fingerprint import canonical_json
from kgload.mapping.spec import Mapping, PropertyRule
from kgload.rdf.geometry import AS_WKT, GEOMETRY, HAS_GEOMETRY, point_statements
from kgload.rdf.serialize import RdfWriter
from kgload.records import STATUSES
from kgload.sinks.neo4j.attributes import PREFIX, unflatten

# the mapper's own typing helpers, so exported literals are byte-identical to mapped ones
from kgload.vocabulary.literals import DATATYPE, LiteralError, decimal_text, temporal_literal, typed
from kgload.vocabulary.namespaces import DCTERMS, KG, OWL, PROV, RDF, RDFS, SCHEMA, SKOS, WD, XSD

N = ox.NamedNode
A, LABEL, ALT, SAME_AS = N(RDF + "type"), N(RDFS + "label"), N(SKOS + "altLabel"), N(OWL + "sameAs")
MENTIONS, ISO = N(SCHEMA + "mentions"), N(KG + "isoCode")
_STATUS = {s: N(KG + s.capitalize()) for s in STATUSES}
_NAMES = {"start": "startDate", "end": "endDate", "sentence": "sentenceIndex"}


def to_ox(term: Term) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if term.kind == "iri":
        return N(term.value)
    if term.kind == "bnode":
        return ox.BlankNode(term.value)
    if term.language:
        return ox.Literal(term.value, language=term.language)
    return ox.Literal(term.value, datatype=N(term.datatype) if term.datatype else None)


class QuadMaker:
    def __init__(self, mapping: Mapping) -> None:
        # typed attributes (kg:count, kg:ordinal, …) take the datatype the mapping gave them
        self.rules: dict[str, PropertyRule] = {}
        self.base = mapping.base
        for rule in mapping.relation_rules.values():
            for prop in rule.properties.values():
                self.rules.setdefault(prop.iri, prop)

    def document(self, doc: Document) -> list[ox.Quad]:
        g, d = N(doc.graph), N(doc.uri)
        out = [ox.Quad(d, A, N(KG + "Document"), g), ox.Quad(d, N(DCTERMS + "identifier"), ox.Literal(doc.id), g)]
        if doc.title is not None:
            title = ox.Literal(doc.title, language=doc.language) if doc.language else ox.Literal(doc.title)
            out.append(ox.Quad(d, N(DCTERMS + "title"), title, g))
        if doc.publisher:
            out.append(ox.Quad(d, N(DCTERMS + "publisher"), ox.Literal(doc.publisher), g))
        if doc.published is not None:
            out.append(ox.Quad(d, N(DCTERMS + "issued"), temporal_literal(iso(doc.published)), g))
        if doc.language:
            out.append(ox.Quad(d, N(DCTERMS + "language"), ox.Literal(doc.language), g))
        if doc.url:
            out.append(ox.Quad(d, N(SCHEMA + "url"), ox.Literal(doc.url, datatype=DATATYPE["anyURI"]), g))
        if doc.run:
            out.append(ox.Quad(d, N(PROV + "wasGeneratedBy"), N(doc.run), g))
        out += [ox.Quad(d, N(p), to_ox(o), g) for p, o in doc.extra]
        return out

    def entity(self, entity: Entity, doc: Document) -> list[ox.Quad]:
        mention = next(m for m in entity.mentions if m.document == doc.uri)
        g, e = N(doc.graph), N(entity.uri)
        out = [ox.Quad(e, A, N(c), g) for c in entity.class_iris]
        out.append(ox.Quad(e, LABEL, ox.Literal(mention.name), g))
        out += [ox.Quad(e, ALT, ox.Literal(n), g) for n in mention.names if n != mention.name]
        if mention.wikidata:
            out.append(ox.Quad(e, SAME_AS, N(WD + mention.wikidata), g))
        out += [ox.Quad(e, SAME_AS, N(s), g) for s in mention.same_as]
        if mention.iso_code:
            out.append(ox.Quad(e, ISO, ox.Literal(mention.iso_code), g))
        out += [ox.Quad(e, N(p), to_ox(o), g) for p, o in mention.extra]
        if mention.location is not None:
            point, text = point_statements(self.base, mention.location)
            out += [ox.Quad(e, HAS_GEOMETRY, point, g), ox.Quad(point, A, GEOMETRY, g), ox.Quad(point, AS_WKT, text, g)]
        out.append(ox.Quad(N(doc.uri), MENTIONS, e, g))
        return out

    def claim(self, claim: Claim, doc: Document | None) -> list[ox.Quad]:
        g, c = N(claim.graph or (doc.graph if doc else claim.document)), N(claim.uri)
        s, p, o = N(claim.subject), N(claim.predicate), N(claim.object)
        out = [ox.Quad(s, p, o, g)] if claim.status == "asserted" else []
        out += [
            ox.Quad(c, A, N(KG + "Claim"), g),
            ox.Quad(c, N(RDF + "subject"), s, g),
            ox.Quad(c, N(RDF + "predicate"), p, g),
            ox.Quad(c, N(RDF + "object"), o, g),
            ox.Quad(c, N(KG + "status"), _STATUS.get(claim.status, _STATUS["asserted"]), g),
        ]
        language = doc.language if doc else None
        exact = {pred for pred, _ in claim.extra}
        for name, value in claim.props.items():
            if value is None or name.startswith(PREFIX):
                continue
            if name == "note":  # rdfs:comment: exact in ``extra`` from the store, rebuilt from Neo4j
                if RDFS + "comment" not in exact:
                    notes = value if isinstance(value, list) else [value]
                    out += [ox.Quad(c, N(RDFS + "comment"), self._literal("evidence", n, language), g) for n in notes]
                continue
            if name == "run":
                out.append(ox.Quad(c, N(PROV + "wasGeneratedBy"), N(str(value)), g))
                continue
            out.append(ox.Quad(c, N(KG + _NAMES.get(name, name)), self._literal(name, value, language), g))
        attributes = unflatten(claim.props) if KG + "attributes" not in exact else None
        if attributes:  # from Neo4j, which holds them as attr_ properties: the RDF's JSON again
            out.append(ox.Quad(c, N(KG + "attributes"), self._literal("attributes", attributes, language), g))
        out += [ox.Quad(c, N(KG + "assertedBy"), N(x), g) for x in claim.asserted_by]
        out += [ox.Quad(c, N(KG + "deniedBy"), N(x), g) for x in claim.denied_by]
        if claim.location:
            out.append(ox.Quad(c, N(KG + "location"), N(claim.location), g))
        out.append(ox.Quad(c, N(PROV + "wasDerivedFrom"), N(claim.document), g))
        out += [ox.Quad(c, N(pred), to_ox(obj), g) for pred, obj in claim.extra]
        return out

    def _literal(self, name: str, value: Any, language: str | None) -> ox.Literal:
        if name in ("date", "start", "end"):
            return temporal_literal(iso(value))
        if name == "evidence":
            return ox.Literal(str(value), language=language) if language else ox.Literal(str(value))
        if name == "sentence":
            return ox.Literal(str(value), datatype=DATATYPE["nonNegativeInteger"])
        if name == "confidence":
            return ox.Literal(decimal_text(float(value)), datatype=DATATYPE["decimal"])
        if name == "recordedAt":
            return ox.Literal(iso(value), datatype=DATATYPE["dateTime"])
        if name == "attributes":
            text = value if isinstance(value, str) else canonical_json(value)
            return ox.Literal(text, datatype=N(RDF + "JSON"))
        rule = self.rules.get(KG + name)
        if isinstance(value, dt.date):
            return (
                temporal_literal(iso(value))
                if rule is None
                else ox.Literal(iso(value), datatype=N(rule.datatype or XSD + "date"))
            )
        try:
            return typed(value, rule.datatype, rule.language) if rule else typed(value)
        except LiteralError:
            return ox.Literal(str(value))


def quads(subgraph: Subgraph, mapping: Mapping) -> Iterator[list[ox.Quad]]:
    """The export's quads, one batch per document (each batch deduplicated)."""
    maker = QuadMaker(mapping)
    claims_of: dict[str, list[Claim]] = defaultdict(list)
    for claim in subgraph.claims:
        claims_of[claim.document].append(claim)
    entities_of: dict[str, list[Entity]] = defaultdict(list)
    for entity in subgraph.entities.values():
        for mention in entity.mentions:
            entities_of[mention.document].append(entity)
    for uri in sorted(set(subgraph.documents) | set(claims_of)):
        doc = subgraph.documents.get(uri)
        batch: list[ox.Quad] = []
        if doc is not None:
            batch += maker.document(doc)
            for entity in entities_of.get(uri, ()):
                batch += maker.entity(entity, doc)
        for claim in claims_of.get(uri, ()):
            batch += maker.claim(claim, doc)
        yield list(dict.fromkeys(batch))


def write(subgraph: Subgraph, mapping: Mapping, out: BinaryIO, fmt: str, advance: Callable[[int], None]) -> int:
    writer = RdfWriter(out, fmt)
    count = 0
    for batch in quads(subgraph, mapping):
        writer.write(batch)
        count += len(batch)
        advance(len(batch))
    writer.close()
    return count


def export(job: Job, out: BinaryIO) -> int:
    """The ``rdf`` entry of the export registry (kgload.export.formats)."""
    return write(job.subgraph, job.mapping, out, job.fmt, job.advance)
