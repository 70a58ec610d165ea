"""Sinks: where mapped documents go. Each replaces a document's contribution atomically enough
that an interrupted load, re-run, ends in the graph a clean load gives."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Protocol, runtime_checkable

from kgload.defaults import RUNS_LISTED
from kgload.ledger import RunRecord
from kgload.mapping.spec import Mapping
from kgload.mapping.tenures import Holding, TenureIndex
from kgload.model import MappedDocument, Run
from kgload.records import Extraction

Preparer = Callable[[MappedDocument], MappedDocument]


@runtime_checkable
class MappingPreparer(Protocol):
    """A preparer that can also map a document straight to what it makes of it (rows:
    ``kgload.sinks.neo4j.preparing.RowsPreparer``; N-Quads: ``kgload.rdf.direct_text.TextPreparer``).
    The result must be what calling it on ``map_extraction``'s document gives; it is used when no
    shapes are checked."""

    def __call__(self, doc: MappedDocument) -> MappedDocument: ...

    def map(
        self, extraction: Extraction, mapping: Mapping, run: Run, tenures: TenureIndex | None
    ) -> MappedDocument: ...


@runtime_checkable
class CheckedPreparer(Protocol):
    """A preparer that, for a document the shapes check, makes what it makes of it from the mapping's
    plan beside the document's statements (``map_checked``: ``map_extraction``'s document, its quads
    as ``statements`` not yet made quads, and that held in ``held``), and whose call uses that when the
    statements are still the ones rendered with it, so that a document no shape changed is neither
    made into quads nor taken apart from them."""

    def __call__(self, doc: MappedDocument) -> MappedDocument: ...

    def map_checked(
        self, extraction: Extraction, mapping: Mapping, run: Run, tenures: TenureIndex | None
    ) -> MappedDocument: ...


class Sink(Protocol):
    """Where a load writes: the target's schema, what it already holds, and the writes themselves.
    Its run ledger and its lease, when it has them, are the separate protocols below."""

    name: str

    def describe(self) -> str: ...

    def ensure_ontology(self, ontology: Path, base: str) -> None:
        """Make the target's schema match the ontology (graph, constraints, …) before writing."""
        ...

    def tenures(self, mapping: Mapping) -> Iterable[tuple[str, str, Holding]]:
        """Office holdings the target already knows: (property IRI, office-of IRI, holding)."""
        ...

    def prepare(self, doc: MappedDocument) -> MappedDocument:
        """Called on each document as soon as it is mapped, before its batch is full: turn it into
        what ``write`` will take (the Neo4j sinks project it and drop its quads, so a batch holds
        rows rather than quads)."""
        ...

    def preparer(self) -> Preparer | None:
        """A picklable function of the document alone, which mapping workers apply where they map
        (they then send rows or N-Quads, not quads, to this process), and which ``write`` takes as
        ``prepare``'s output; None when only ``prepare`` will do."""
        ...

    def fingerprints(self, documents: list[str]) -> dict[str, str]:
        """Stored fingerprints of the given document IRIs: absent ones are left out, one stored without a
        fingerprint has ``""`` (a write replaces it, and then detaches what it held first)."""
        ...

    def write(self, documents: list[MappedDocument]) -> None:
        """Replace what each document contributed with its new mapping (a document whose ``in_target``
        is False is taken to be new: there is nothing of it to remove). A sink may commit in the
        background and return at once (``flush`` waits); writes still commit in call order."""
        ...

    def retract(self, documents: list[str]) -> int:
        """Remove what the given document IRIs contributed; return how many were present."""
        ...

    def flush(self) -> None:
        """Return once every write handed over is committed; raise the error of one that failed."""
        ...

    def close(self) -> None: ...


@runtime_checkable
class Ledger(Protocol):
    """A target that keeps the record of the runs that loaded it."""

    def record_run(self, record: RunRecord, base: str) -> None:
        """Create or update the run's ledger entry in the target."""
        ...

    def runs(self, limit: int = RUNS_LISTED) -> list[RunRecord]: ...

    def fail_interrupted_runs(self, current: str, base: str) -> int:
        """Mark runs still 'running' (other than ``current``) as failed; we hold the target, so
        they were interrupted."""
        ...


@runtime_checkable
class Lease(Protocol):
    """A target that many processes can open at once, shared through a lease one run holds at a
    time (a target only one process can open, like the embedded store, needs none)."""

    def acquire_lock(self, owner: str, ttl: int, dead: Callable[[str], bool]) -> None:
        """Take the lease for ``ttl`` seconds, or raise TargetBusy. A lease held by an owner for
        which ``dead(owner)`` is true is taken over at once."""
        ...

    def renew_lock(self, owner: str, ttl: int) -> None:
        """Extend the lease by ``ttl`` seconds from now; raise TargetBusy if another run holds it."""
        ...

    def release_lock(self, owner: str) -> None: ...


def ledger_of(sink: Sink) -> Ledger | None:
    return sink if isinstance(sink, Ledger) else None


def lease_of(sink: Sink) -> Lease | None:
    return sink if isinstance(sink, Lease) else None
