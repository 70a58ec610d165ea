"""Readers: one module per input shape, each yielding the same internal records.

``read(path, fmt)`` picks the reader by ``fmt`` or, when it is None, by the file's name and
first bytes. Readers yield ``Extraction`` for every usable document and ``Reject`` for every
record (or part of one) they could not use: they never raise on bad content.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

from kgload.errors import UsageError
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


def _gdelt(path: Path) -> Iterator[Extraction | Reject]:
    from kgload.readers import cameo_events

    return cameo_events.read_gdelt(path)


def _icews(path: Path) -> Iterator[Extraction | Reject]:
    from kgload.readers import cameo_events

    return cameo_events.read_icews(path)


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
    "gdelt": _gdelt,
    "icews": _icews,
}

_PEEK = 64 * 1024  # detection reads at most this much of a file
_JSON_KEY = re.compile(rb'(?<!\\)"([A-Za-z_]+)"\s*:')
GDELT_FIELDS = 61


def detect(path: Path) -> str:
    """The input format from the file's name and a peek at its first bytes (never the whole file)."""
    suffix = path.suffix.lower()
    head = _peek(path)
    first = head.split(b"\n", 1)[0].rstrip(b"\r")
    if first.startswith(b"Event ID\t"):
        return "icews"
    if path.name.lower().endswith(".export.csv") or first.count(b"\t") == GDELT_FIELDS - 1:
        return "gdelt"
    if suffix in (".json", ".jsonl", ".ndjson"):
        return _json_format(head)
    if suffix in (".tsv", ".tab"):
        raise UsageError(
            f"{path}: a tab-separated file that is neither ICEWS (header starting 'Event ID') "
            f"nor GDELT 2.0 ({GDELT_FIELDS} columns, no header); pass --format"
        )
    if suffix == ".csv":
        return "csv"
    if suffix in (".ttl", ".turtle", ".n3", ".nt", ".nq", ".trig", ".jsonld", ".rdf", ".owl"):
        return "rdf"
    raise UsageError(f"{path}: cannot tell the input format from the name; pass --format ({', '.join(READERS)})")


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
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    name = fmt or detect(path)
    reader = READERS.get(name)
    if reader is None:
        raise UsageError(f"unknown input format {name!r}; choose one of {', '.join(READERS)}")
    return reader(path)


def expand_inputs(paths: list[Path]) -> list[Path]:
    """Files as given, folders expanded to the readable files they contain (sorted, recursive)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")))
        elif path.is_file():
            files.append(path)
        else:
            raise UsageError(f"{path}: no such file or folder")
    return files
