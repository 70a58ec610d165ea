"""RDF files (Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML) loaded as they are.

Each file is one source document. Parsing is pyoxigraph's, which never dereferences
anything: a JSON-LD remote ``@context`` or a ``file://`` IRI is not fetched or read — the
file is rejected instead. Blank nodes get ids derived from the file's identity, so two files
never share one by accident and a reload names them the same way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

from kgload.fingerprint import combine
from kgload.records import Origin, RdfSource, Reject

FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".turtle": ox.RdfFormat.TURTLE,
    ".n3": ox.RdfFormat.TURTLE,  # plain-Turtle N3 files are common (e.g. DBpedia extracts)
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
}
MAX_QUADS = 2_000_000  # one document is replaced atomically; split larger files


def read(path: Path) -> Iterator[RdfSource | Reject]:
    origin = Origin(str(path), 1)
    rdf_format = FORMATS.get(path.suffix.lower(), ox.RdfFormat.TURTLE)
    data = path.read_bytes()
    document_id = path.as_posix()  # as given: stable across scheduled runs from the same folder
    salt = hashlib.sha256(document_id.encode()).hexdigest()[:12]
    quads: list[ox.Quad] = []
    try:
        # No base IRI: relative IRIs are an error rather than silently resolved against a path.
        for quad in ox.parse(data, format=rdf_format):
            quads.append(_rename_blank_nodes(quad, salt))
            if len(quads) > MAX_QUADS:
                yield Reject(origin, f"more than {MAX_QUADS} triples in one file; split it", None, "read")
                return
    except SyntaxError as exc:
        yield Reject(origin, f"invalid {rdf_format.name}: {exc}", None, "read")
        return
    except (ValueError, OSError) as exc:
        yield Reject(origin, f"cannot read RDF: {exc}", None, "read")
        return
    for quad in quads:
        for term in (quad.subject, quad.object):
            if isinstance(term, ox.NamedNode) and term.value.lower().startswith("file:"):
                yield Reject(
                    origin, f"refers to a local file ({term.value}); kgload does not load file: IRIs", None, "read"
                )
                return
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    yield RdfSource(document_id, path.name, tuple(quads), origin, combine(digest))


def _rename_blank_nodes(quad: ox.Quad, salt: str) -> ox.Quad:
    def fix(term):
        return ox.BlankNode(f"{salt}x{term.value}") if isinstance(term, ox.BlankNode) else term

    if (
        not isinstance(quad.subject, ox.BlankNode)
        and not isinstance(quad.object, ox.BlankNode)
        and not isinstance(quad.graph_name, ox.BlankNode)
    ):
        return quad
    return ox.Quad(fix(quad.subject), quad.predicate, fix(quad.object), fix(quad.graph_name))
