"""The neutral form of an exported subgraph: plain dataclasses both backends produce and every
output format reads. Values are Python values (dates as ``datetime.date``, numbers as numbers),
the same ones the Neo4j projection stores, so the two backends converge here and each format
has a single writer.

What only the embedded store knows (an entity's ``rdfs:comment``, a claim's non-``kg:``
properties, and the exact terms of a claim's note and ``kg:attributes`` JSON, which ``props``
holds as Neo4j does: ``note`` and ``attr_*``) travels as exact RDF terms in ``extra``, so an
export from the embedded store loses nothing; an export from Neo4j carries what the projection
stored (a note's language and an attribute's original key are not among it).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from kgload.ontology import Ontology


@dataclass(frozen=True)
class Term:
    """One RDF term, kept exactly (lexical form, datatype, language)."""

    value: str
    kind: Literal["iri", "literal", "bnode"] = "literal"
    datatype: str | None = None
    language: str | None = None


Extra = list[tuple[str, Term]]  # (predicate IRI, object) pairs


@dataclass
class Mention:
    """What one document says about an entity (its graph holds exactly this)."""

    document: str
    name: str
    names: list[str]  # every name the document used, ``name`` first
    wikidata: str | None = None
    iso_code: str | None = None
    same_as: list[str] = field(default_factory=list)  # owl:sameAs other than the Wikidata item
    extra: Extra = field(default_factory=list)
    location: tuple[float, float] | None = None  # a place's point here, (latitude, longitude)


@dataclass
class Entity:
    uri: str
    name: str
    aliases: list[str]
    classes: list[str]  # Neo4j labels of its ontology classes, most specific first
    class_iris: list[str]  # the most specific class IRIs (what rdf:type says)
    wikidata: str | None = None
    iso_code: str | None = None
    mentions: list[Mention] = field(default_factory=list)

    @property
    def type(self) -> str:
        return self.classes[0] if self.classes else "Entity"

    @property
    def location(self) -> tuple[float, float] | None:
        """The least of its mentions' points, as the Neo4j node keeps (kgload.rdf.geometry)."""
        return min((m.location for m in self.mentions if m.location is not None), default=None)


@dataclass
class Document:
    uri: str
    graph: str
    id: str
    title: str | None = None
    publisher: str | None = None
    published: Any = None  # date, datetime or a partial date string ("2025", "2025-06")
    language: str | None = None
    url: str | None = None
    run: str | None = None
    extra: Extra = field(default_factory=list)


@dataclass
class Claim:
    uri: str
    key: str
    type: str  # Neo4j relationship type, e.g. CALLED
    predicate: str  # property IRI, e.g. kg:called
    subject: str
    object: str
    status: str  # asserted | denied | disputed
    document: str
    graph: str
    props: dict[str, Any] = field(default_factory=dict)  # date, start, end, evidence, sentence, confidence, …
    asserted_by: list[str] = field(default_factory=list)
    denied_by: list[str] = field(default_factory=list)
    location: str | None = None
    extra: Extra = field(default_factory=list)


@dataclass
class Edge:
    """One line between two entities in the graph formats: an asserted relationship (all its
    claims folded, as in Neo4j) or a single denied/disputed claim."""

    key: str
    type: str
    subject: str
    object: str
    status: str = "asserted"
    date: Any = None
    start: Any = None
    end: Any = None
    evidence: list[str] = field(default_factory=list)
    predicate_texts: list[str] | None = None  # the distinct words of its free-text claims, in claim order
    sources: list[str] = field(default_factory=list)  # document ids
    documents: list[str] = field(default_factory=list)  # document IRIs
    confidence: float | None = None
    claims: int = 0
    recorded_at: Any = None
    symmetric: bool = False

    @property
    def when(self) -> str:
        value = self.date or self.start
        return iso(value) if value is not None else ""

    @property
    def label(self) -> str:
        text = f"{self.type} {self.when}".strip()
        return text if self.status == "asserted" else f"{text} ({self.status})"


@dataclass
class Subgraph:
    entities: dict[str, Entity]
    documents: dict[str, Document]
    claims: list[Claim]
    description: str = ""
    symmetric_types: frozenset[str] = frozenset()

    def edges(self) -> list[Edge]:
        return edges_from(self.claims, self.documents, self.symmetric_types)

    def size(self) -> int:
        return len(self.entities) + len(self.documents) + len(self.claims)


def iso(value: Any) -> str:
    """A date-ish value as text: ISO dates, UTC date-times with a Z, strings unchanged."""
    if isinstance(value, dt.datetime):
        offset = value.utcoffset()
        if offset is not None and offset == dt.timedelta(0):
            text = value.replace(tzinfo=None).isoformat()
            return text + "Z"
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def edges_from(
    claims: Iterable[Claim], documents: dict[str, Document], symmetric: frozenset[str] = frozenset()
) -> list[Edge]:
    """Fold asserted claims into one edge per relationship key, exactly as the Neo4j writer
    does (claims ordered by document id, sentence, IRI; the first gives the dates)."""
    by_key: dict[str, list[Claim]] = defaultdict(list)
    edges: list[Edge] = []
    for claim in claims:
        if claim.status == "asserted":
            by_key[claim.key].append(claim)
        else:
            edges.append(_edge(claim.uri, [claim], documents, symmetric, claim.status))
    for key, group in by_key.items():
        edges.append(_edge(key, group, documents, symmetric, "asserted"))
    edges.sort(key=lambda e: (e.type, e.subject, e.object, e.when, e.key))
    return edges


def _edge(key: str, group: list[Claim], documents: dict[str, Document], symmetric: frozenset[str], status: str) -> Edge:
    def order(c: Claim) -> tuple[str, int, str]:
        doc = documents.get(c.document)
        sentence = c.props.get("sentence")
        return (doc.id if doc else c.document, sentence if isinstance(sentence, int) else 1 << 62, c.uri)

    group = sorted(group, key=order)
    first = group[0]
    sources: dict[str, None] = {}
    uris: dict[str, None] = {}
    for c in group:
        doc = documents.get(c.document)
        sources.setdefault(doc.id if doc else c.document)
        uris.setdefault(c.document)
    confidences = [c.props["confidence"] for c in group if isinstance(c.props.get("confidence"), int | float)]
    recorded = [c.props["recordedAt"] for c in group if c.props.get("recordedAt") is not None]
    return Edge(
        key=key,
        type=first.type,
        subject=first.subject,
        object=first.object,
        status=status,
        date=first.props.get("date"),
        start=first.props.get("start"),
        end=first.props.get("end"),
        evidence=[c.props["evidence"] for c in group if c.props.get("evidence") is not None],
        predicate_texts=list(
            dict.fromkeys(c.props["predicateText"] for c in group if c.props.get("predicateText") is not None)
        )
        or None,
        sources=list(sources),
        documents=list(uris),
        confidence=max(confidences) if confidences else None,
        claims=len(group),
        recorded_at=min(recorded) if recorded else None,
        symmetric=first.type in symmetric,
    )


def most_specific(labels: Iterable[str], ontology: Ontology) -> tuple[list[str], list[str]]:
    """(labels most specific first, IRIs of the classes no other of them specialises)."""
    by_label = {label: iri for iri, label in ontology.classes.items()}
    iris = {by_label[label] for label in labels if label in by_label}
    depth = {iri: len(ontology.superclasses.get(iri, ())) for iri in iris}
    ordered = sorted(iris, key=lambda iri: (-depth[iri], ontology.classes[iri]))
    supers = {s for iri in iris for s in ontology.superclasses.get(iri, ())}
    return [ontology.classes[iri] for iri in ordered], [iri for iri in ordered if iri not in supers]


def batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
