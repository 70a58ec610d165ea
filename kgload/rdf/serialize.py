"""Writing quads as Turtle, N-Triples, N-Quads, TriG or JSON-LD, streaming where the format allows."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import BinaryIO

import pyoxigraph as ox

from kgload.errors import UsageError
from kgload.vocabulary.namespaces import PREFIXES

FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
}
EXTENSIONS = {"ttl": "turtle", "nt": "ntriples", "nq": "nquads", "trig": "trig", "jsonld": "jsonld", "json": "jsonld"}
# Formats whose documents can be written piece by piece and concatenated.
STREAMABLE = {"ntriples", "nquads", "turtle", "trig"}
QUAD_FORMATS = {"nquads", "trig", "jsonld"}


def format_for(name: str | None, filename: str | None) -> str:
    if name:
        key = name.lower().replace("-", "").replace("_", "")
        key = {"ttl": "turtle", "nt": "ntriples", "nq": "nquads", "json-ld": "jsonld"}.get(key, key)
        if key not in FORMATS:
            raise UsageError(f"unknown RDF format {name!r}; choose one of {', '.join(FORMATS)}")
        return key
    if filename and "." in filename:
        ext = filename.rsplit(".", 1)[-1].lower()
        if ext in EXTENSIONS:
            return EXTENSIONS[ext]
    return "turtle"


class RdfWriter:
    """Writes batches of quads to a binary stream in one format.

    Triple formats (Turtle, N-Triples) get the union of all graphs; quad formats keep graph
    names. JSON-LD is one JSON document, so it is gathered and written on close.
    """

    def __init__(self, out: BinaryIO, fmt: str) -> None:
        self.out = out
        self.fmt = fmt
        self.rdf_format = FORMATS[fmt]
        self._pending: list[ox.Quad] = []

    def write(self, quads: Iterable[ox.Quad]) -> None:
        if self.fmt not in STREAMABLE:
            self._pending.extend(quads)
            return
        items: list[ox.Quad] | list[ox.Triple]
        items = list(quads) if self.fmt in QUAD_FORMATS else [q.triple for q in quads]
        if items:  # each Turtle piece repeats the prefixes: concatenated pieces stay valid Turtle
            prefixes = PREFIXES if self.fmt in ("turtle", "trig") else None
            self.out.write(ox.serialize(items, format=self.rdf_format, prefixes=prefixes))

    def close(self) -> None:
        if self._pending or self.fmt not in STREAMABLE:
            self.out.write(ox.serialize(self._pending, format=self.rdf_format))
            self._pending = []
        self.out.flush()


def serialise(quads: list[ox.Quad], rdf_format: str) -> bytes:
    """One document's quads as ``RdfWriter`` writes them, so concatenated pieces equal the serial output."""
    buffer = io.BytesIO()
    RdfWriter(buffer, rdf_format).write(quads)
    return buffer.getvalue()
