"""The terms a mapped document's statements use, as pyoxigraph nodes (made once, at import)."""

from __future__ import annotations

from pyoxigraph import NamedNode

from kgload.records import STATUSES
from kgload.vocabulary.namespaces import DCTERMS, KG, OWL, PROV, RDF, RDFS, SCHEMA, SKOS

_N = NamedNode
A = _N(RDF + "type")
LABEL, ALT_LABEL, SAME_AS = _N(RDFS + "label"), _N(SKOS + "altLabel"), _N(OWL + "sameAs")
SUBJECT, PREDICATE, OBJECT = _N(RDF + "subject"), _N(RDF + "predicate"), _N(RDF + "object")
CLAIM, DOCUMENT = _N(KG + "Claim"), _N(KG + "Document")
STATUS = {s: _N(KG + s.capitalize()) for s in STATUSES}
P = {
    name: _N(KG + name)
    for name in (
        "date",
        "startDate",
        "endDate",
        "evidence",
        "sentenceIndex",
        "confidence",
        "status",
        "assertedBy",
        "deniedBy",
        "location",
        "eventCode",
        "eventCodeScheme",
        "predicateText",
        "attributes",
        "recordedAt",
        "fingerprint",
        "isoCode",
        "cameoActorCode",
        "countryCode",
    )
}
GRAPH = _N(KG + "graph")  # a further named graph a document's facts went to (mapping `graph:`)
DERIVED_FROM, GENERATED_BY = _N(PROV + "wasDerivedFrom"), _N(PROV + "wasGeneratedBy")
TITLE, PUBLISHER, ISSUED = _N(DCTERMS + "title"), _N(DCTERMS + "publisher"), _N(DCTERMS + "issued")
IDENTIFIER, LANGUAGE, URL, MENTIONS = (
    _N(DCTERMS + "identifier"),
    _N(DCTERMS + "language"),
    _N(SCHEMA + "url"),
    _N(SCHEMA + "mentions"),
)
RDF_JSON = _N(RDF + "JSON")
