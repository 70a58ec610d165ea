"""Helpers every adapter reader shares (graphrag, langchain, plover, csv_files, the source mappings).

They turn a source record into kgload's own extraction format and let the reference reader
(kgload_json) validate it, so every input shape is checked by exactly the same rules, and point
each reject back at the source record.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from kgload.fingerprint import combine, fingerprint
from kgload.readers import kgload_json
from kgload.readers.json_input import json_values
from kgload.records import Extraction, Origin, Reject
from kgload.vocabulary.dates import iso_date

MISSING = frozenset({"", "NA", "null", "NULL"})
_ISO_DATE = re.compile(r"^-?[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$")
_PART = re.compile(r"^(entities|relations)\[(\d+)\]$")
_SCHEMA_PREFIX = re.compile(r"^(entities|relations)/\d+/?")
# Relation fields a graph's relationship properties (or a CSV column) may set directly.
RELATION_FIELDS = (
    "id",
    "date",
    "start",
    "end",
    "evidence",
    "sentence",
    "confidence",
    "status",
    "asserted_by",
    "denied_by",
    "location",
    "event_code",
    "event_code_scheme",
)
ENTITY_FIELDS = ("aliases", "mentions", "wikidata", "iso_code")
DOCUMENT_FIELDS = ("id", "title", "publisher", "published", "url", "language")


class BadValue(ValueError):
    """A source value kgload cannot use; the message becomes the reject's reason."""


def missing(value: Any) -> bool:
    """Empty cells and the usual spellings of 'no value' ("NA" from R, "null") count as absent."""
    return value is None or (isinstance(value, str) and value.strip() in MISSING)


def clean(value: Any) -> Any:
    """The value, or None when it is one of the 'no value' spellings."""
    return None if missing(value) else value


def date_value(value: Any, what: str) -> str | None:
    """A source date normalised to YYYY, YYYY-MM or YYYY-MM-DD; BadValue when it is not a date."""
    if missing(value):
        return None
    try:
        text = iso_date(str(value))
    except ValueError:
        raise BadValue(
            f"{what} {value!r} is not a date (expected e.g. 2025-06-14, 20250614, 2025-06 or 2025)"
        ) from None
    if not _ISO_DATE.match(text):  # iso_date keeps the digits it is given: 2025-13-40 gets here
        raise BadValue(f"{what} {value!r} is not a valid date")
    return text


def http_url(value: Any) -> str | None:
    """Only web addresses become a document's url; GDELT also writes citations there."""
    text = clean(value)
    if isinstance(text, str) and re.match(r"^https?://\S+$", text.strip()):
        return text.strip()
    return None


def scalar_attributes(values: dict[str, Any]) -> dict[str, Any]:
    """Attributes without the absent ones (None, "", "NA"): an absent value is not a fact."""
    return {k: v for k, v in values.items() if not missing(v)}


@dataclass
class Draft:
    """A document being built in kgload's extraction format, with where each part came from."""

    origin: Origin
    raw: Any  # the record as read: its fingerprint, and the data of a whole-record reject
    document: dict[str, Any]
    entities: list[dict[str, Any]] = field(default_factory=list)
    relations: list[dict[str, Any]] = field(default_factory=list)
    entity_parts: list[tuple[Origin, Any]] = field(default_factory=list)
    relation_parts: list[tuple[Origin, Any]] = field(default_factory=list)

    def entity(self, value: dict[str, Any], origin: Origin, raw: Any) -> None:
        self.entities.append(value)
        self.entity_parts.append((origin, raw))

    def relation(self, value: dict[str, Any], origin: Origin, raw: Any) -> None:
        self.relations.append(value)
        self.relation_parts.append((origin, raw))

    def value(self) -> dict[str, Any]:
        document = {k: v for k, v in self.document.items() if v is not None}
        return {"document": document, "entities": self.entities, "relations": self.relations}


def assemble(draft: Draft, salt: str = "") -> Iterator[Extraction | Reject]:
    """Validate a draft with the reference reader and point its records back at the source.

    kgload_json checks the draft against the extraction schema and rejects a broken part on its
    own; here each reject gets the source's origin, path and raw data instead of the draft's,
    and the fingerprint hashes the record as read, so a changed row changes only its document.
    ``salt`` goes into the fingerprint too: what else decides the records (a source mapping).
    """
    for item in kgload_json.from_value(draft.value(), draft.origin):
        if isinstance(item, Extraction):
            origins = tuple(_part(draft, o)[0] for o in item.relation_origins)
            digest = fingerprint(draft.raw)
            digest = combine(digest, salt) if salt else digest
            yield replace(item, fingerprint=digest, relation_origins=origins)
        else:
            where, raw = _part(draft, item.origin)
            reason = _SCHEMA_PREFIX.sub("", item.reason) if where is not item.origin else item.reason
            yield Reject(where, reason or item.reason, raw, item.stage)


def _part(draft: Draft, origin: Origin) -> tuple[Origin, Any]:
    match = _PART.match(origin.path)
    if match is None:
        return origin, draft.raw
    parts = draft.entity_parts if match[1] == "entities" else draft.relation_parts
    return parts[int(match[2])]


def all_or_nothing(items: Iterator[Extraction | Reject], origin: Origin, raw: Any) -> Iterator[Extraction | Reject]:
    """For records that are one event: a broken part rejects the whole record, with every reason.

    An event document without its event says nothing, so it is not loaded half-way.
    """
    found = list(items)
    rejects = [i for i in found if isinstance(i, Reject)]
    if not rejects:
        yield from found
        return
    reasons = "; ".join(dict.fromkeys(f"{r.origin.path}: {r.reason}" if r.origin.path else r.reason for r in rejects))
    yield Reject(origin, reasons, raw)


def each_graph(
    path: Path, convert: Callable[[Any, Origin, str], Iterable[Extraction | Reject]]
) -> Iterator[Extraction | Reject]:
    """``convert`` applied to each JSON value of a file of graphs, with the document id to use when the
    graph names none: the file's stem, numbered when the file may hold several."""
    for item in json_values(path):
        if isinstance(item, Reject):
            yield item
            continue
        origin, raw = item
        yield from convert(raw, origin, path.stem + (f"-{origin.record}" if is_multi(path, origin) else ""))


def is_multi(path: Path, origin: Origin) -> bool:
    """Whether a file may hold several documents, so a fallback document id needs a number."""
    return path.suffix.lower() in (".jsonl", ".ndjson") or origin.record > 1 or _starts_with(path, b"[")


def _starts_with(path: Path, prefix: bytes) -> bool:
    with path.open("rb") as handle:
        return handle.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n").startswith(prefix)


def split_properties(properties: dict[str, Any], known: tuple[str, ...]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Properties kgload has a field for, and the rest (which become attributes)."""
    fields = {k: v for k, v in properties.items() if k in known and v is not None}
    rest = {k: v for k, v in properties.items() if k not in known}
    return fields, rest


def graph_document(raw: dict[str, Any], default_id: str) -> dict[str, Any]:
    """The document of a graph file: kgload's optional "document" object, else the default id as id and title."""
    given = raw.get("document")
    document = {k: given.get(k) for k in DOCUMENT_FIELDS} if isinstance(given, dict) else {}
    document["id"] = document.get("id") or default_id
    document["title"] = document.get("title") or document["id"]
    return document
