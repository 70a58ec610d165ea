"""Readers: one module per input shape, each yielding the same internal records.

``read(path, fmt)`` picks the reader by ``fmt`` or, when it is None, by the file's name and
first bytes. Readers yield ``Extraction`` for every usable document and ``Reject`` for every
record (or part of one) they could not use: they never raise on bad content.

Datasets whose columns or fields a YAML source mapping can describe (ACLED, UCDP GED, GDELT, ICEWS,
LLM graphs...) have no Python reader: each shipped source mapping (``mappings/sources/*.yaml``) is a
reader plugin with a ``name``, a ``sniff(path, head)`` and a ``read(path)``, tried first by ``detect``;
``fmt`` may also be the path of a source mapping of one's own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

from kgload.errors import UsageError
from kgload.readers.source import SourceReader, is_source_mapping, shipped, shipped_by_name
from kgload.records import Extraction, Reject

Reader = Callable[[Path], Iterator[Extraction | Reject]]


def _kgload_json(path: Path) -> Iterator[Extraction | Reject]:
    from kgload.readers import kgload_json

    return kgload_json.read(path)


def _csv(path: Path) -> Iterator[Extraction | Reject]:
    from kgload.readers import csv_files

    return csv_files.read(path)


def _graphrag(path: Path) -> Iterator[Extraction | Reject]:
    from kgload.readers import graphrag

    return graphrag.read(path)


def _langchain(path: Path) -> Iterator[Extraction | Reject]:
    from kgload.readers import langchain

    return langchain.read(path)


def _plover(path: Path) -> Iterator[Extraction | Reject]:
    from kgload.readers import plover

    return plover.read(path)


def _rdf(path: Path) -> Iterator[Extraction | Reject]:
    from kgload.readers import rdf_files

    return rdf_files.read(path)  # type: ignore[return-value]  # RdfSource: RDF that skips the mapping


# name -> reader; imported lazily so a run pays only for the shapes it reads
READERS: dict[str, Reader] = {
    "rdf": _rdf,
    "kgload": _kgload_json,
    "csv": _csv,
    "graphrag": _graphrag,
    "langchain": _langchain,
    "plover": _plover,
}

_PEEK = 64 * 1024  # detection reads at most this much of a file
_JSON_KEY = re.compile(rb'(?<!\\)"([A-Za-z_]+)"\s*:')


def formats() -> list[str]:
    """Every format name ``--format`` takes: the Python readers', then the shipped source mappings'."""
    return [*READERS, *shipped_by_name()]


def detect(path: Path) -> str:
    """The input format from the file's name and a peek at its first bytes (never the whole file)."""
    suffix = path.suffix.lower()
    head = _peek(path)
    for source in shipped():  # datasets with a source mapping know their own header or keys
        if source.sniff(path, head):
            return source.name
    if suffix in (".json", ".jsonl", ".ndjson"):
        return _json_format(head)
    if suffix in (".tsv", ".tab"):
        raise UsageError(
            f"{path}: a tab-separated file that no source mapping recognises "
            f"({', '.join(shipped_by_name())}); pass --format, or a source mapping of your own (docs/sources.md)"
        )
    if suffix == ".csv":
        return "csv"
    if suffix in (".ttl", ".turtle", ".n3", ".nt", ".nq", ".trig", ".jsonld", ".rdf", ".owl"):
        return "rdf"
    raise UsageError(f"{path}: cannot tell the input format from the name; pass --format ({', '.join(formats())})")


def _peek(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(_PEEK).lstrip(b"\xef\xbb\xbf")
    except OSError:
        return b""


def _json_format(head: bytes) -> str:
    """JSON shapes by the keys their first records use; kgload's own format is the default."""
    keys = set(_JSON_KEY.findall(head))
    if {b"document", b"entities"} <= keys:  # "relations" may lie beyond the peek in a big document
        return "kgload"
    if {b"nodes", b"relationships"} <= keys:
        if keys & {b"start_node_id", b"end_node_id", b"label"}:
            return "graphrag"
        if keys & {b"source", b"target", b"page_content"}:
            return "langchain"
        return "graphrag"
    if b"event" in keys and b"id" in keys and keys & {b"source", b"target", b"eventText", b"date"}:
        return "plover"
    return "kgload"


def read(path: Path, fmt: str | None = None) -> Iterator[Extraction | Reject]:
    """The records of ``path`` read as ``fmt``: a reader's name, a shipped source mapping's name, or
    the path of a source mapping file; detected from the file when None."""
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    name = fmt or detect(path)
    reader = READERS.get(name)
    if reader is not None:
        return reader(path)
    sources = shipped_by_name()
    if name in sources:
        return sources[name].read(path)
    if name.lower().endswith((".yaml", ".yml")):
        mapping = Path(name)
        if not mapping.is_file():
            raise UsageError(f"{mapping}: no such source mapping file")
        if not is_source_mapping(mapping):
            raise UsageError(f"{mapping}: not a source mapping (it has no kgload_source key); see docs/sources.md")
        return SourceReader(mapping.resolve()).read(path)
    raise UsageError(
        f"unknown input format {name!r}; choose one of {', '.join(formats())}, or give a source mapping file"
    )


# what a folder may hold that kgload reads; other files there (queries, READMEs, configs) are not inputs
INPUT_SUFFIXES = frozenset(
    {".json", ".jsonl", ".ndjson", ".csv", ".tsv", ".tab", ".ttl", ".turtle", ".n3", ".nt", ".nq", ".trig"}
    | {".jsonld", ".rdf", ".owl"}
)


def expand_inputs(paths: list[Path]) -> list[Path]:
    """Files as given, folders expanded to the input files they contain (sorted, recursive): files
    of an input format's extension, not hidden."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in INPUT_SUFFIXES
                )
            )
        elif path.is_file():
            files.append(path)
        else:
            raise UsageError(f"{path}: no such file or folder")
    return files
