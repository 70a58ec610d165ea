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
from kgload.readers.limits import MAX_RDF_FILE_BYTES, MAX_RDF_TOKEN_BYTES
from kgload.readers.xml_entities import entity_problem
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
    size = path.stat().st_size
    if size > MAX_RDF_FILE_BYTES:
        yield Reject(
            origin, f"file is {size} bytes, over the {MAX_RDF_FILE_BYTES}-byte limit of one RDF document; split it"
        )
        return
    data = path.read_bytes()
    if rdf_format == ox.RdfFormat.RDF_XML and (problem := entity_problem(data)):
        yield Reject(origin, problem, None, "read")
        return
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
            if (problem := _long_token(quad)) is not None:
                yield Reject(origin, problem, None, "read")
                return
    except SyntaxError as exc:
        yield Reject(origin, f"invalid {rdf_format.name}: {exc}", None, "read")
        return
    except (ValueError, OSError) as exc:
        yield Reject(origin, f"cannot read RDF: {exc}", None, "read")
        return
    except MemoryError as exc:  # the parser's token buffer is full: a token of 16 MiB or more, not the machine's memory
        if "buffer maximal size" not in str(exc):
            raise
        yield Reject(origin, f"a literal or IRI over the {MAX_RDF_TOKEN_BYTES}-byte limit", None, "read")
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


def _long_token(quad: ox.Quad) -> str | None:
    for term in (quad.subject, quad.predicate, quad.object):
        if len(term.value) > MAX_RDF_TOKEN_BYTES // 4 and len(term.value.encode("utf-8")) > MAX_RDF_TOKEN_BYTES:
            return f"a literal or IRI over the {MAX_RDF_TOKEN_BYTES}-byte limit ({term.value[:40]!r}…)"
    return None


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
