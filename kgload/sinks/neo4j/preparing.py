"""What the sinks that take rows (Neo4j, the neo4j-admin export) hand the mapping: each document
becomes rows as soon as it is mapped, in the process that mapped it, so that a batch holds rows
(about a third of the memory) rather than quads, and workers send rows rather than N-Quads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kgload.mapping.spec import Mapping
from kgload.mapping.tenures import TenureIndex
from kgload.model import MappedDocument, Run
from kgload.ontology import Ontology
from kgload.records import Extraction
from kgload.sinks.neo4j.direct import map_to_rows, map_with_rows
from kgload.sinks.neo4j.projection import DocumentRows, project_early


@dataclass(frozen=True)
class RowsPreparer:
    """A sink's ``preparer``, picklable for the mapping workers: called on a mapped document, it
    projects it (``finish`` then turns the rows into the sink's own form, e.g. the export's spool
    rows); ``map`` maps a document straight to those rows, which the mapping uses instead when
    no shapes are checked (shapes need the quads), and ``map_checked`` makes both for the shapes."""

    ontology: Ontology
    finish: Callable[[DocumentRows], Any] | None = None

    def __call__(self, doc: MappedDocument) -> MappedDocument:
        held, doc.held = doc.held, None
        if held is not None and held[1] is doc.statements and doc.prepared is None:
            doc.drop_quads(held[0])  # the rows the plan gave: the projection of these very statements
        else:
            doc.make_quads()
            project_early(doc, self.ontology)
        if self.finish is not None and isinstance(doc.prepared, DocumentRows):
            doc.prepared = self.finish(doc.prepared)
        return doc

    def map_checked(
        self, extraction: Extraction, mapping: Mapping, run: Run, tenures: TenureIndex | None
    ) -> MappedDocument:
        return map_with_rows(extraction, mapping, run, self.ontology, tenures)

    def map(self, extraction: Extraction, mapping: Mapping, run: Run, tenures: TenureIndex | None) -> MappedDocument:
        doc = map_to_rows(extraction, mapping, run, self.ontology, tenures)
        return self(doc) if doc.iri else doc


class ProjectingSink:
    """What the sinks that take rows share: each document is projected as soon as it is mapped,
    here (``prepare``) or in a mapping worker (``preparer``)."""

    ontology: Ontology | None = None  # set by the sink's ensure_ontology

    def _ontology(self) -> Ontology:
        if self.ontology is None:
            raise RuntimeError(f"{type(self).__name__}.ensure_ontology() must run before writing")
        return self.ontology

    def prepare(self, doc: MappedDocument) -> MappedDocument:
        return self.preparer()(doc)

    def preparer(self) -> RowsPreparer:
        return RowsPreparer(self._ontology())
