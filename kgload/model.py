"""The values every layer passes on: a run, an input to read, a mapped document and the merges
it made. They sit at the bottom with ``kgload.records``: readers, the mapper, the sinks and the
CLI all speak them, and none of them belongs to one of those layers."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pyoxigraph import Quad

from kgload.records import Extraction, Origin, Reject, Relation

# How an entity was identified (kgload.mapping.identity), strongest first: the report counts them so.
How = Literal["gazetteer", "code", "role", "learned", "unresolved"]
HOWS: tuple[How, ...] = ("gazetteer", "code", "role", "learned", "unresolved")


@dataclass(frozen=True)
class Run:
    """One invocation of kgload: its provenance goes on every claim it records."""

    id: str
    started: datetime

    @classmethod
    def new(cls) -> Run:
        # microseconds kept: two runs in one second are still listed in the order they started
        # (claims record the start to the second: kgload.rdf.document_node.recorded_literal)
        now = datetime.now(UTC)
        return cls(f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}", now)

    def iri(self, base: str) -> str:
        return f"{base}run/{self.id}"


@dataclass(frozen=True)
class Source:
    path: Path
    format: str | None = None


@dataclass(frozen=True)
class Merge:
    """Names that were merged into one entity, and why."""

    iri: str
    canonical: str
    names: tuple[str, ...]
    source: str  # "gazetteer" or "document"


@dataclass(frozen=True)
class SelfLoop:
    """A relation whose two ends, two entities of its document, are one entity once resolved: an
    ICEWS "Government Official (Thailand)" acting on "Head of Government (Thailand)", a GDELT
    AUSTRALIAN on AUSTRALIA, an ACLED communal militia fighting itself."""

    document: str
    claim: str  # the claim's IRI
    entity: str  # the one entity's IRI
    type: str  # the relation type as the source gives it
    names: tuple[str, str]  # the head's and the tail's names as the source gives them

    @property
    def resolved(self) -> bool:
        """Two different names made one by resolution, rather than one name the source gives twice."""
        return self.names[0] != self.names[1]


# a quad's terms (subject, predicate, object, graph; pyoxigraph's), before a quad is made of them
Statement = tuple[Any, Any, Any, Any]


@dataclass
class MappedDocument:
    source: Extraction
    iri: str
    graph: str
    fingerprint: str
    quads: list[Quad] = field(default_factory=list)
    # the quads as tuples of their terms, not yet made quads: a renderer leaves them so when a stage
    # may read the terms only (the shapes of the validated rows path, kgload.sinks.neo4j.direct);
    # ``quads`` is then empty until ``make_quads``
    statements: list[Statement] | None = None
    rejects: list[Reject] = field(default_factory=list)
    merges: list[Merge] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)
    # entity IRI -> how it was identified (gazetteer, code, role, learned, unresolved)
    identities: dict[str, str] = field(default_factory=dict)
    ambiguous: list[str] = field(default_factory=list)  # names the gazetteer could not tell apart
    self_loops: list[SelfLoop] = field(default_factory=list)  # relations with one entity at both ends
    # (IRI, name) of each entity no gazetteer resolved: distinct names reaching one IRI share a slug
    free_names: list[tuple[str, str]] = field(default_factory=list)
    entities: int = 0
    claims: int = 0
    # claim IRI -> the relation it came from, so a later stage (SHACL) can reject that record
    claim_sources: dict[str, tuple[Origin, Relation]] = field(default_factory=dict)
    # the later relations of the document that state a claim already in claim_sources: one claim, but
    # each relation is counted and, when the claim is rejected, rejected on its own
    claim_repeats: dict[str, list[tuple[Origin, Relation]]] = field(default_factory=dict)
    # the relations whose claims the shapes refused (kgload.validate), each once
    refused: list[tuple[Origin, Relation]] = field(default_factory=list)
    raw: bool = False  # RDF loaded as it is, not through the mapping
    # what a sink made of the quads as soon as the document was mapped (Sink.prepare: the Neo4j
    # sink's rows), so that a batch holds rows rather than quads; ``quads`` is then emptied
    prepared: Any = None
    quad_count: int = 0  # how many quads there were before they made way for ``prepared``
    # what a preparer made of the document's plan beside its statements (kgload.sinks.CheckedPreparer),
    # and those statements: its call uses it while the shapes have left them as they were
    held: tuple[Any, list[Statement]] | None = None
    # the raw hash of the line it was read from, read without rejects (kgload.pipeline.unchanged):
    # stored beside the fingerprint by a target that keeps them
    raw_hash: str | None = None
    # whether the target may hold a version of this document, whose contribution a write then removes
    # first; False once the load asked the target and found none (nothing to detach)
    in_target: bool = True

    def make_quads(self) -> list[Quad]:
        """``quads``, made of the pending ``statements`` first if there are any."""
        if self.statements is not None:
            self.quads, self.statements = [Quad(*statement) for statement in self.statements], None
        return self.quads

    def drop_quads(self, prepared: Any) -> None:
        """Keep what a sink made of the quads (or the pending statements) instead of them."""
        count = len(self.statements) if self.statements is not None else len(self.quads)
        self.prepared, self.quad_count, self.quads, self.statements = prepared, count, [], None

    @property
    def triples(self) -> int:
        if self.prepared is not None:
            return self.quad_count
        return len(self.statements) if self.statements is not None else len(self.quads)
