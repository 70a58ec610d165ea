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

import functools
import importlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from kgload.errors import UsageError
from kgload.readers.guard import readable
from kgload.readers.source import SourceReader, is_source_mapping, shipped, shipped_by_name
from kgload.records import Extraction, Origin, Reject

_JSON = (".json", ".jsonl", ".ndjson")
_RDF = (".ttl", ".turtle", ".n3", ".nt", ".nq", ".trig", ".jsonld", ".rdf", ".owl")
_PEEK = 64 * 1024  # detection reads at most this much of a file
_JSON_KEY = re.compile(rb'(?<!\\)"([A-Za-z_]+)"\s*:')


@functools.lru_cache(maxsize=4)
def _keys(head: bytes) -> frozenset[bytes]:
    """The JSON keys a peek holds: the shapes are told apart by the keys their first records use."""
    return frozenset(_JSON_KEY.findall(head))


def _json(path: Path) -> bool:
    return path.suffix.lower() in _JSON


def _kgload_sniff(path: Path, head: bytes) -> bool:
    # "relations" may lie beyond the peek in a big document; kgload's own is also the JSON default
    return _json(path) and {b"document", b"entities"} <= _keys(head)


def _graphrag_sniff(path: Path, head: bytes) -> bool:
    keys = _keys(head)
    return _json(path) and {b"nodes", b"relationships"} <= keys and not _langchain_sniff(path, head)


def _langchain_sniff(path: Path, head: bytes) -> bool:
    keys = _keys(head)
    return (
        _json(path)
        and {b"nodes", b"relationships"} <= keys
        and not keys & {b"start_node_id", b"end_node_id", b"label"}
        and bool(keys & {b"source", b"target", b"page_content"})
    )


def _plover_sniff(path: Path, head: bytes) -> bool:
    keys = _keys(head)
    return _json(path) and {b"event", b"id"} <= keys and bool(keys & {b"source", b"target", b"eventText", b"date"})


def _csv_sniff(path: Path, head: bytes) -> bool:
    return path.suffix.lower() == ".csv"


def _rdf_sniff(path: Path, head: bytes) -> bool:
    return path.suffix.lower() in _RDF


@dataclass(frozen=True)
class PythonReader:
    """A reader written in Python: its name, how it knows its files, and the module that reads them,
    imported only when a file is read (as rdflib's plugin registry imports its parsers), so a run
    pays only for the shapes it reads and detection imports none of them."""

    name: str
    function: str  # "module:name" of the reader
    sniff: Callable[[Path, bytes], bool]

    def read(self, path: Path) -> Iterator[Extraction | Reject]:
        module, name = self.function.split(":")
        return getattr(importlib.import_module(module), name)(path)  # type: ignore[no-any-return]


class ReaderPlugin(Protocol):
    """What detection and reading need of a reader: a Python reader or a source mapping."""

    @property
    def name(self) -> str: ...

    def sniff(self, path: Path, head: bytes) -> bool: ...

    def read(self, path: Path) -> Iterator[Extraction | Reject]: ...


# name -> reader, in the order detection tries them after the source mappings
READERS: dict[str, PythonReader] = {}


def register(reader: PythonReader) -> None:
    READERS[reader.name] = reader


for _reader in (
    PythonReader("rdf", "kgload.readers.rdf_files:read", _rdf_sniff),  # RdfSource: RDF that skips the mapping
    PythonReader("kgload", "kgload.readers.kgload_json:read", _kgload_sniff),
    PythonReader("csv", "kgload.readers.csv_files:read", _csv_sniff),
    PythonReader("graphrag", "kgload.readers.graphrag:read", _graphrag_sniff),
    PythonReader("langchain", "kgload.readers.langchain:read", _langchain_sniff),
    PythonReader("plover", "kgload.readers.plover:read", _plover_sniff),
):
    register(_reader)


def formats() -> list[str]:
    """Every format name ``--format`` takes: the Python readers', then the shipped source mappings'."""
    return [*READERS, *shipped_by_name()]


def plugins() -> list[ReaderPlugin]:
    """Every reader in the order detection tries them: datasets with a source mapping know their own
    header or keys, so they go first."""
    return [*shipped(), *READERS.values()]


def detect(path: Path) -> str:
    """The input format from the file's name and a peek at its first bytes (never the whole file)."""
    head = _peek(path)
    for plugin in plugins():
        if plugin.sniff(path, head):
            return plugin.name
    suffix = path.suffix.lower()
    if suffix in _JSON:
        return "kgload"  # kgload's own format is the default for JSON
    if suffix in (".tsv", ".tab"):
        raise UsageError(
            f"{path}: a tab-separated file that no source mapping recognises "
            f"({', '.join(shipped_by_name())}); pass --format, or a source mapping of your own (docs/sources.md)"
        )
    raise UsageError(f"{path}: cannot tell the input format from the name; pass --format ({', '.join(formats())})")


def _peek(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(_PEEK).lstrip(b"\xef\xbb\xbf")
    except OSError:
        return b""


def read(path: Path, fmt: str | None = None) -> Iterator[Extraction | Reject]:
    """The records of ``path`` read as ``fmt``: a reader's name, a shipped source mapping's name, or
    the path of a source mapping file; detected from the file when None."""
    return readable(path, _records(path, fmt))  # _records raises a usage error before any reading


def _dangling(path: Path) -> bool:
    """A symbolic link to nothing: an input that went missing, reported rather than passed over."""
    return path.is_symlink() and not path.exists()


def _records(path: Path, fmt: str | None) -> Iterator[Extraction | Reject]:
    if _dangling(path):
        return iter(
            [
                Reject(
                    Origin(str(path), 1),
                    f"cannot read the file: a symbolic link to {path.readlink()}, which does not exist",
                )
            ]
        )
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    name = fmt or detect(path)
    reader = READERS.get(name)
    if reader is not None:
        return reader.read(path)
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
                    if (p.is_file() or _dangling(p))
                    and not p.name.startswith(".")
                    and p.suffix.lower() in INPUT_SUFFIXES
                )
            )
        elif path.is_file():
            files.append(path)
        else:
            raise UsageError(f"{path}: no such file or folder")
    return files
