"""RDF read as it is -> a mapped document: the file's triples go into the document's named
graph (named graphs in the file are kept, and recorded on the document so a reload or a
retraction replaces them too), plus the document node with its fingerprint and run."""

from __future__ import annotations

from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad

from kgload.fingerprint import combine
from kgload.mapping.spec import Mapping
from kgload.mapping.templates import TemplateError
from kgload.model import MappedDocument, Run
from kgload.rdf.terms import DOCUMENT, GENERATED_BY, GRAPH, IDENTIFIER, TITLE, A, P
from kgload.records import Extraction, RdfSource, Reject


def map_rdf(source: RdfSource, mapping: Mapping, run: Run) -> MappedDocument:
    extraction = Extraction(source.document, (), (), source.origin, source.fingerprint)
    try:
        doc = NamedNode(mapping.document_iri_of(source.document))
        graph = NamedNode(mapping.graph_iri_of(source.document))
    except (TemplateError, ValueError) as exc:
        out = MappedDocument(extraction, "", "", "")
        out.rejects.append(Reject(source.origin, f"document IRI: {exc}", None, "map"))
        return out
    out = MappedDocument(extraction, doc.value, graph.value, combine(source.fingerprint, mapping.hash), raw=True)
    quads = out.quads
    named = set()
    for quad in source.quads:
        if isinstance(quad.graph_name, DefaultGraph):
            quads.append(Quad(quad.subject, quad.predicate, quad.object, graph))
        else:
            quads.append(quad)
            named.add(quad.graph_name)
    quads += [
        Quad(doc, A, DOCUMENT, graph),
        Quad(doc, IDENTIFIER, Literal(source.document_id), graph),
        Quad(doc, TITLE, Literal(source.title), graph),
        Quad(doc, P["fingerprint"], Literal(out.fingerprint), graph),
        Quad(doc, GENERATED_BY, NamedNode(run.iri(mapping.base)), graph),
    ]
    quads += [Quad(doc, GRAPH, g, graph) for g in sorted(named, key=str) if isinstance(g, NamedNode)]
    out.quads = list(dict.fromkeys(quads))
    return out
