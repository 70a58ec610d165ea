"""The internal records every reader produces and the mapper consumes.

Readers turn whatever shape they read into these; everything downstream sees only them.
They are plain frozen dataclasses: cheap to build on the hot path, and hashable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ClaimStatus = str  # "asserted" | "denied" | "disputed"
STATUSES: tuple[str, ...] = ("asserted", "denied", "disputed")


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a record came from, for error messages and the rejects file."""

    file: str
    record: int  # 1-based line (JSONL, CSV) or position in a JSON array
    path: str = ""  # inside the record, e.g. "relations[3]"

    def __str__(self) -> str:
        where = f"{self.file}:{self.record}"
        return f"{where} {self.path}" if self.path else where

    def at(self, path: str) -> Origin:
        return Origin(self.file, self.record, path)

    def __reduce__(self) -> tuple[type[Origin], tuple[str, int, str]]:
        # pickled with every line a worker gets and every reject it sends: a frozen slots dataclass
        # otherwise pickles through the Python __getstate__/__setstate__ that dataclasses add
        return Origin, (self.file, self.record, self.path)


@dataclass(frozen=True, slots=True)
class Document:
    id: str
    title: str
    publisher: str | None = None
    published: str | None = None  # ISO 8601 date or date-time
    url: str | None = None
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Mention:
    text: str
    sentence: int | None = None
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True, slots=True)
class Entity:
    id: str  # local to its document
    name: str
    type: str  # the source's type name; the mapping turns it into a class
    aliases: tuple[str, ...] = ()
    mentions: tuple[Mention, ...] = ()
    attributes: dict[str, Any] = field(default_factory=dict, hash=False)
    wikidata: str | None = None
    iso_code: str | None = None
    # identifiers an event dataset gives an actor, for resolution: its CAMEO actor code ("RUSGOV",
    # GDELT Actor1Code), and the country it is or belongs to as the source codes it (ISO 3166
    # alpha-2, alpha-3 or numeric, or a CAMEO country code: ACLED iso, GDELT Actor1CountryCode)
    cameo: str | None = None
    country: str | None = None
    coordinates: tuple[float, float] | None = None  # (latitude, longitude) of a place


@dataclass(frozen=True, slots=True)
class Relation:
    type: str  # the source's relation type; the mapping turns it into a property
    head: str  # entity id
    tail: str  # entity id
    id: str | None = None
    date: str | None = None
    start: str | None = None
    end: str | None = None
    evidence: str | None = None
    sentence: int | None = None
    confidence: float | None = None
    status: ClaimStatus = "asserted"
    asserted_by: tuple[str, ...] = ()
    denied_by: tuple[str, ...] = ()
    location: str | None = None
    event_code: str | None = None
    event_code_scheme: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict, hash=False)
    # the relation as the source worded it, when the source's types are free text (an LLM graph):
    # kept on the claim, and a type no mapping rule names is then the mapping's generic relation
    predicate: str | None = None


@dataclass(frozen=True, slots=True)
class Extraction:
    """One source document with what was extracted from it."""

    document: Document
    entities: tuple[Entity, ...]
    relations: tuple[Relation, ...]
    origin: Origin
    fingerprint: str  # content hash of the record as read, see kgload.fingerprint
    relation_origins: tuple[Origin, ...] = ()  # parallel to relations, for rejects
    raw_hash: str | None = None  # of the JSONL line it was read from whole, for the target (kgload.pipeline.unchanged)


@dataclass(frozen=True, slots=True)
class Reject:
    """A record, or part of one, that could not be read, mapped or loaded."""

    origin: Origin
    reason: str
    data: Any = None
    stage: str = "read"  # read | map | validate | load

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.origin.file,
            "record": self.origin.record,
            "path": self.origin.path,
            "stage": self.stage,
            "reason": self.reason,
            "data": self.data,
        }


@dataclass(frozen=True, slots=True)
class RdfSource:
    """An RDF file read as it is: one source document whose triples skip the mapping."""

    document_id: str
    title: str
    quads: tuple[Any, ...]  # pyoxigraph Quads, blank nodes already made document-unique
    origin: Origin
    fingerprint: str

    @property
    def document(self) -> Document:
        """The source document it is, as an extraction's (its IRIs are made from it alike)."""
        return Document(self.document_id, self.title)
