"""What the map and load paths read: the inputs' records, kgload's own JSONL as raw lines when
workers are to read them, in batches."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from kgload.model import Source
from kgload.readers import detect, expand_inputs, read
from kgload.readers.json_input import Line
from kgload.readers.kgload_json import read_lines
from kgload.records import Extraction, RdfSource, Reject

JSONL = (".jsonl", ".ndjson")
WINDOW = 2  # batches mapping ahead of the one being written: keeps workers busy, bounds memory


def sources_from(paths: Iterable[Path], fmt: str | None = None) -> list[Source]:
    return [Source(p, fmt) for p in expand_inputs(list(paths))]


def read_source(source: Source, *, lines: bool) -> Iterator[Extraction | RdfSource | Reject | Line]:
    """The source's records; with ``lines``, kgload's own JSONL as raw lines, for workers to read."""
    path = source.path
    if lines and path.suffix.lower() in JSONL and path.is_file() and (source.format or detect(path)) == "kgload":
        return read_lines(path)
    return read(path, source.format)


def batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch
