"""Unchanged lines found in the loader process: a hash of each raw kgload JSONL line, salted with
what else decides its document (the mapping's files, kgload's version, the validation options),
looked up in the target before any line goes to the mapping workers.

A target stores a document's raw hash beside its fingerprint only when the line was read without
rejects, so a line whose hash is found has no read reject to report, and the document IRI and
fingerprint stored with the hash are those a worker's scan of the line would give. Lines whose hash
is not found take the usual path; a target without raw hashes (``RawHashes``) is never asked.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Any, Protocol, runtime_checkable

from kgload.fingerprint import combine
from kgload.mapping.spec import Mapping
from kgload.pipeline.written import WrittenLog
from kgload.readers.json_input import Line
from kgload.version import __version__

RAW_PREFIX = "raw:"  # keeps a raw hash from ever reading as a fingerprint ("sha256:…")


@runtime_checkable
class RawHashes(Protocol):
    """A target that keeps each document's raw hash (written with the document, dropped with it)."""

    def raw_hashes(self, hashes: list[str]) -> dict[str, tuple[str, str]]:
        """Of the given raw hashes, those stored: hash -> (document IRI, its fingerprint)."""
        ...

    def keep_raw_hashes(self, rows: list[tuple[str, str, str]]) -> None:
        """(document IRI, raw hash, fingerprint): give each document the raw hash of a line found unchanged
        by its fingerprint, if it still has that fingerprint (a write of this run may have replaced it)."""
        ...


class RawKeys:
    """The raw hash of a line, for one mapping and set of options."""

    def __init__(self, mapping: Mapping, *, validate: bool, shacl_engine: str | None) -> None:
        # everything but the line that a document's stored form depends on; what the fingerprint
        # folds in (the mapping's files) and more, since a miss only costs the usual path
        salt = combine(mapping.hash, __version__, f"validate={validate}", f"engine={shacl_engine or ''}")
        self._salt = hashlib.sha256(salt.encode("utf-8"))

    def of(self, line: Line) -> str:
        digest = self._salt.copy()
        digest.update(line.raw.rstrip(b"\r\n"))
        return RAW_PREFIX + digest.hexdigest()


class Known:
    """Looks lines up by raw hash: what is found need not be read by a worker. ``force``: nothing is looked
    up (every document is mapped), but the hashes are still made, to be written with the documents."""

    def __init__(self, target: RawHashes, keys: RawKeys, *, force: bool = False) -> None:
        self.target, self.keys, self.force = target, keys, force

    def hashes(self, lines: Sequence[Line]) -> list[str]:
        return [self.keys.of(line) for line in lines]

    def look_up(self, hashes: list[str]) -> dict[str, tuple[str, str]]:
        """hash -> (document IRI, fingerprint) of the lines the target holds unchanged."""
        return self.target.raw_hashes(sorted(set(hashes))) if hashes and not self.force else {}

    def keep(self, keyed: Iterable[tuple[Any, str, str]], changed: Iterable[tuple[Any, str, str]]) -> None:
        """Give the raw hash to the documents of lines read without rejects and found unchanged by their
        fingerprint (loaded before raw hashes, or with other options), so that the
        next run finds them without reading them."""
        mapped = {id(item) for item, _, _ in changed}
        rows = [
            (iri, item.raw_hash, fp)
            for item, iri, fp in keyed
            if iri and getattr(item, "raw_hash", None) and not getattr(item, "known", False) and id(item) not in mapped
        ]
        if rows:
            self.target.keep_raw_hashes(rows)


def known_for(
    target: object, mapping: Mapping, *, force: bool, validate: bool, shacl_engine: str | None
) -> Known | None:
    """The look-up for ``target``; None when it keeps no raw hashes."""
    if not isinstance(target, RawHashes):
        return None
    return Known(target, RawKeys(mapping, validate=validate, shacl_engine=shacl_engine), force=force)


def trusted(keyed: Iterable[tuple[Any, str, str]], written: WrittenLog) -> dict[str, str]:
    """Document IRI -> stored fingerprint of the lines found by their raw hash, but for documents this run
    has written since (their stored fingerprint is to be asked again, as for any other line)."""
    found = {iri: fp for item, iri, fp in keyed if iri and getattr(item, "known", False)}
    if found:
        for iri in written.earlier(found):
            del found[iri]
    return found
