"""IRIs of the vocabularies kgload writes, as plain strings (cheap to concatenate)."""

from __future__ import annotations

KG = "https://w3id.org/kgload/ontology#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
SCHEMA = "https://schema.org/"
WD = "http://www.wikidata.org/entity/"
SH = "http://www.w3.org/ns/shacl#"

PREFIXES: dict[str, str] = {
    "kg": KG,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "prov": PROV,
    "dcterms": DCTERMS,
    "schema": SCHEMA,
    "wd": WD,
}


def expand(curie_or_iri: str, prefixes: dict[str, str] | None = None) -> str | None:
    """Expand ``kg:called`` to a full IRI; a full IRI comes back unchanged; None if unknown prefix."""
    if curie_or_iri.startswith(("http://", "https://", "urn:")):
        return curie_or_iri
    prefix, sep, local = curie_or_iri.partition(":")
    if not sep:
        return None
    namespace = (prefixes or PREFIXES).get(prefix)
    return namespace + local if namespace is not None else None


def shorten(iri: str, prefixes: dict[str, str] | None = None) -> str:
    for prefix, namespace in (prefixes or PREFIXES).items():
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri
