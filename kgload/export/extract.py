"""Selection + backend -> Subgraph: pick the claims, then fetch what they need in batches."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol

from kgload.export.selection import Backend, Selection, pick
from kgload.export.subgraph import Claim, Document, Entity, Subgraph
from kgload.mapping.spec import Mapping


class Source(Backend, Protocol):
    def claims(self, uris: list[str]) -> Iterator[Claim]: ...

    def entities(self, uris: list[str]) -> Iterator[Entity]: ...

    def documents(self, uris: Iterable[str]) -> Iterator[Document]: ...


def extract(source: Source, selection: Selection, mapping: Mapping) -> Subgraph:
    picked = pick(source, selection, mapping)
    claims = sorted(source.claims([c.uri for c in picked.claims]), key=lambda c: (c.document, c.uri))
    wanted: dict[str, None] = dict.fromkeys(sorted(picked.seeds))
    for claim in claims:
        wanted.update(dict.fromkeys([claim.subject, claim.object, *claim.asserted_by, *claim.denied_by]))
        if claim.location:
            wanted.setdefault(claim.location)
    documents = {c.document for c in claims} | picked.documents
    entities: dict[str, Entity] = {}
    for entity in source.entities(list(wanted)):
        # an entity is described by the exported documents that name it; one no exported
        # document names (a seed without relations) brings the documents that do
        inside = [m for m in entity.mentions if m.document in documents]
        entity.mentions = inside or entity.mentions
        documents.update(m.document for m in entity.mentions)
        entities[entity.uri] = entity
    docs = {d.uri: d for d in source.documents(documents)}
    symmetric = frozenset(r.neo4j_type for r in mapping.ontology.relations.values() if r.symmetric)
    return Subgraph(entities, docs, claims, selection.describe(), symmetric)
