"""The export formats by name, as rdflib's plugin registry keeps its serializers: each entry names
the module that writes it, imported only when that format is written, with the names, file
extensions and kind of output it takes. A format of one's own is one more ``register`` call."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from kgload.export.subgraph import Subgraph
from kgload.mapping.spec import Mapping

# text and binary write to a stream (a file or standard output); folder and file need --output
Output = Literal["text", "binary", "folder", "file"]


@dataclass(frozen=True)
class Job:
    """What every exporter is given besides where to write."""

    subgraph: Subgraph
    mapping: Mapping
    fmt: str
    advance: Callable[[int], None]


class Write(Protocol):
    def __call__(self, job: Job, out: Any) -> int: ...


@dataclass(frozen=True)
class Exporter:
    name: str
    function: str  # "module:name" of ``(job, out) -> int``, the count of items written
    extensions: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    output: Output = "text"
    counts_quads: bool = False  # the progress bar counts the subgraph's quads, else its nodes

    def write(self) -> Write:
        module, name = self.function.split(":")
        return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]


_REGISTRY: dict[str, Exporter] = {}


def register(exporter: Exporter) -> None:
    _REGISTRY[exporter.name] = exporter


def names() -> tuple[str, ...]:
    """Every format's name, in the order registered (the order ``--format`` lists them)."""
    return tuple(_REGISTRY)


def get(name: str) -> Exporter | None:
    """The format a name or alias names, in any case."""
    key = name.lower()
    return _REGISTRY.get(key) or next((e for e in _REGISTRY.values() if key in e.aliases), None)


def by_extension() -> dict[str, str]:
    """File extension (with its dot, lower case) -> format name."""
    return {ext: e.name for e in _REGISTRY.values() for ext in e.extensions}


for _exporter in (
    Exporter("turtle", "kgload.export.rdf:export", (".ttl",), ("ttl",), "binary", counts_quads=True),
    Exporter("ntriples", "kgload.export.rdf:export", (".nt",), ("nt", "n-triples"), "binary", counts_quads=True),
    Exporter("nquads", "kgload.export.rdf:export", (".nq",), ("nq", "n-quads"), "binary", counts_quads=True),
    Exporter("trig", "kgload.export.rdf:export", (".trig",), (), "binary", counts_quads=True),
    Exporter("jsonld", "kgload.export.rdf:export", (".jsonld", ".json"), ("json-ld",), "binary", counts_quads=True),
    Exporter("graphml", "kgload.export.graphml:export", (".graphml",)),
    Exporter("gexf", "kgload.export.gexf:export", (".gexf",)),
    Exporter("csv", "kgload.export.csv_files:export", (".zip",), (), "folder"),
    Exporter("cypher", "kgload.export.cypher_script:export", (".cypher", ".cql"), ("cql",), counts_quads=True),
    Exporter("html", "kgload.export.html:export", (".html", ".htm"), ("htm",)),
    Exporter("svg", "kgload.export.svg:export", (".svg",)),
    Exporter("png", "kgload.export.svg:export_png", (".png",), (), "file"),
):
    register(_exporter)
