"""A document's own node and named graph, and the time every claim of the run records."""

from __future__ import annotations

from pyoxigraph import Literal, NamedNode

from kgload.fingerprint import combine
from kgload.mapping.spec import Mapping
from kgload.mapping.templates import TemplateError
from kgload.model import MappedDocument, Run
from kgload.records import Extraction, Reject
from kgload.vocabulary.literals import DATATYPE


def start_document(
    extraction: Extraction, mapping: Mapping
) -> tuple[MappedDocument, NamedNode | None, NamedNode | None]:
    """The document's mapping, still empty, with its node and named graph; or, when its IRIs
    cannot be made, a mapping without them whose reject says why."""
    doc = extraction.document
    try:
        doc_iri, graph_iri = mapping.document_iri_of(doc), mapping.graph_iri_of(doc)
        doc_node, graph = NamedNode(doc_iri), NamedNode(graph_iri)
    except (TemplateError, ValueError) as exc:
        out = MappedDocument(extraction, "", "", "")
        out.rejects.append(Reject(extraction.origin, f"document IRI: {exc}", {"document": doc.id}, "map"))
        return out, None, None
    return (
        MappedDocument(extraction, doc_iri, graph_iri, combine(extraction.fingerprint, mapping.hash)),
        doc_node,
        graph,
    )


def recorded_literal(mapping: Mapping, run: Run) -> Literal:
    """When the run started, to the second: every claim it records carries it."""
    return mapping.memo.get("recorded", run.started, _recorded, run)


def _recorded(run: Run) -> Literal:
    return Literal(run.started.strftime("%Y-%m-%dT%H:%M:%SZ"), datatype=DATATYPE["dateTime"])
