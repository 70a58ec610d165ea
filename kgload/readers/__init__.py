"""Readers: one module per input shape, each yielding the same internal records.

``read(path, fmt)`` picks the reader by ``fmt`` or, when it is None, by the file's name and
first bytes. Readers yield ``Extraction`` for every usable document and ``Reject`` for every
record (or part of one) they could not use: they never raise on bad content.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from kgload.errors import UsageError
from kgload.records import Extraction, Reject

Reader = Callable[[Path], Iterator[Extraction | Reject]]


def _kgload_json(path: Path) -> Iterator[Extraction | Reject]:
    from kgload.readers import kgload_json

    return kgload_json.read(path)


# name -> reader; imported lazily so a run pays only for the shapes it reads
READERS: dict[str, Reader] = {"kgload": _kgload_json}


def detect(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".json", ".jsonl", ".ndjson"):
        return "kgload"
    raise UsageError(f"{path}: cannot tell the input format from the name; pass --format ({', '.join(READERS)})")


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
