"""A source mapping as a reader plugin: a ``name``, a ``sniff(path, head)`` that recognises the
dataset from its name and first bytes, and a ``read(path)`` that yields its records.

kgload ships one source mapping per dataset shape it knows (``mappings/sources/*.yaml``); a user's own
source mapping is used by passing its path as the format (``kgload load --format my-source.yaml``).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from fnmatch import fnmatch
from functools import lru_cache
from pathlib import Path

from kgload.readers.source.documents import read as read_documents
from kgload.readers.source.spec import SourceSpec, load_source
from kgload.records import Extraction, Reject
from kgload.resources import data_dir

_JSON_KEY = re.compile(rb'(?<!\\)"([^"\\]{1,100})"\s*:')


@dataclass(frozen=True)
class SourceReader:
    """The reader of one source mapping file; the mapping is compiled when first needed."""

    path: Path

    @property
    def spec(self) -> SourceSpec:
        return load_source(self.path)

    @property
    def name(self) -> str:
        return self.spec.name

    def sniff(self, path: Path, head: bytes) -> bool:
        return sniff(self.spec, path, head)

    def read(self, path: Path) -> Iterator[Extraction | Reject]:
        return read_documents(self.spec, path)


def sniff(spec: SourceSpec, path: Path, head: bytes) -> bool:
    """Whether the file is this source: its name matches, or its first row or JSON keys do."""
    detect = spec.detect
    if detect is None:
        return False
    name = path.name.lower()
    if any(fnmatch(name, pattern.lower()) for pattern in detect.names):
        return True
    if spec.layout is None:
        if not detect.keys or not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"{", b"[")):
            return False
        return set(detect.keys) <= {k.decode("utf-8", "replace") for k in _JSON_KEY.findall(head)}
    if not (detect.header or detect.columns or detect.first_row):
        return False
    codec = "utf-8" if spec.layout.encoding == "utf-8-sig" else spec.layout.encoding
    first = head.split(b"\n", 1)[0].rstrip(b"\r").decode(codec, "replace").lstrip("\ufeff")
    if detect.first_row is not None and detect.first_row.search(first) is None:
        return False
    if detect.header or detect.columns:
        try:
            cells = next(csv.reader([first], **spec.layout.dialect()), [])  # type: ignore[call-overload]
        except csv.Error:  # a quote left open (a JSON line, a cut-off row): not this source's header
            return False
        if detect.columns and len(cells) not in detect.columns:
            return False
        if detect.header and not set(detect.header) <= {c.strip() for c in cells}:
            return False
    return True


@lru_cache(maxsize=1)
def shipped() -> tuple[SourceReader, ...]:
    """The source mappings kgload ships, in the order detection tries them."""
    folder = data_dir("mappings") / "sources"
    return tuple(SourceReader(p) for p in sorted(folder.glob("*.yaml")))


def shipped_by_name() -> dict[str, SourceReader]:
    return {reader.name: reader for reader in shipped()}
