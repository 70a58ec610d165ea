"""The embedded store's table of learned aliases, and the re-link that applies it.

Rows live in one named graph (``kg:learnedAliases``), one per free-name entity of each document,
with the IRI the mapper gave it and the IRI it is linked to now. ``relink`` derives from every row
where each entity belongs (``kgload.mapping.aliases.link``) and rewrites, in that document's graphs
only, the IRIs and labels that differ: a document keeps its own quads, so dropping it (retract,
re-load) and re-linking gives the graph as if it had never been there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from hashlib import sha256

import pyoxigraph as ox

from kgload.mapping.aliases import Learned, learned_rows, link
from kgload.model import MappedDocument
from kgload.vocabulary.namespaces import KG, RDFS, SKOS

ALIASES = ox.NamedNode(KG + "learnedAliases")
_IN, _IRI, _LINKED = ox.NamedNode(KG + "learnedIn"), ox.NamedNode(KG + "learnedIri"), ox.NamedNode(KG + "linkedIri")
_NAME, _LABEL = ox.NamedNode(KG + "learnedName"), ox.NamedNode(KG + "learnedLabel")
_LINKED_LABEL = ox.NamedNode(KG + "linkedLabel")
_FINGERPRINT, _GRAPH = ox.NamedNode(KG + "fingerprint"), ox.NamedNode(KG + "graph")
LABEL, ALT_LABEL = ox.NamedNode(RDFS + "label"), ox.NamedNode(SKOS + "altLabel")


@dataclass(frozen=True, slots=True)
class Relinked:
    """What a re-link did: entities moved to another node, and names that join nothing."""

    moves: tuple[tuple[str, str], ...]  # (IRI an entity had, IRI it has now)
    ambiguous: frozenset[str]


def _row_node(document: str, iri: str) -> ox.NamedNode:
    digest = sha256(f"{document} {iri}".encode()).hexdigest()[:32]
    return ox.NamedNode(f"{KG}learned/{digest}")


def forget(store: ox.Store, documents: Iterable[str]) -> None:
    """Drop the rows of ``documents`` (re-written or retracted)."""
    for document in documents:
        for quad in list(store.quads_for_pattern(None, _IN, ox.NamedNode(document), ALIASES)):
            for own in list(store.quads_for_pattern(quad.subject, None, None, ALIASES)):
                store.remove(own)


def remember(store: ox.Store, documents: Iterable[MappedDocument]) -> None:
    """Keep the rows of freshly written documents, linked to the IRIs the mapper gave."""
    quads: list[ox.Quad] = []
    for doc in documents:
        for row in learned_rows(doc):
            node, label = _row_node(row.document, row.iri), ox.Literal(row.names[0])
            quads += [
                ox.Quad(node, _IN, ox.NamedNode(row.document), ALIASES),
                ox.Quad(node, _IRI, ox.NamedNode(row.iri), ALIASES),
                ox.Quad(node, _LINKED, ox.NamedNode(row.iri), ALIASES),
                ox.Quad(node, _LABEL, label, ALIASES),
                ox.Quad(node, _LINKED_LABEL, label, ALIASES),
            ]
            quads += [ox.Quad(node, _NAME, ox.Literal(name), ALIASES) for name in row.names[1:]]
    store.extend(quads)


def relink(store: ox.Store) -> Relinked:
    """Move every learned entity to the node its group of names now has."""
    rows: dict[str, dict[str, list[str]]] = {}
    for quad in store.quads_for_pattern(None, None, None, ALIASES):
        rows.setdefault(quad.subject.value, {}).setdefault(quad.predicate.value, []).append(quad.object.value)
    learned: list[tuple[Learned, str, str]] = []
    for fields in rows.values():
        try:
            (document,), (iri,), (linked,) = fields[_IN.value], fields[_IRI.value], fields[_LINKED.value]
            (label,), (linked_label,) = fields[_LABEL.value], fields[_LINKED_LABEL.value]
        except (KeyError, ValueError):
            continue  # a row half written by an interrupted run: its document is re-loaded and re-written
        names = (label, *sorted(set(fields.get(_NAME.value, ())) - {label}))
        learned.append((Learned(document, iri, names), linked, linked_label))
    links = link(row for row, _, _ in learned)
    moves: list[tuple[str, str]] = []
    for row, linked, linked_label in sorted(learned, key=lambda r: (r[0].document, r[0].iri)):
        iri, canonical = links.target[(row.document, row.iri)]
        if (iri, canonical) == (linked, linked_label):
            continue
        for graph in _graphs(store, row.document):
            _rewrite(store, graph, linked, iri)
            _relabel(store, graph, ox.NamedNode(iri), row.names[0], linked_label, canonical)
        node = _row_node(row.document, row.iri)
        for predicate, value in ((_LINKED, ox.NamedNode(iri)), (_LINKED_LABEL, ox.Literal(canonical))):
            for old in list(store.quads_for_pattern(node, predicate, None, ALIASES)):
                store.remove(old)
            store.add(ox.Quad(node, predicate, value, ALIASES))
        moves.append((linked, iri))
    return Relinked(tuple(moves), links.ambiguous)


def _graphs(store: ox.Store, document: str) -> list[ox.NamedNode | ox.BlankNode]:
    """The document's own graph and the further graphs its facts went to."""
    found: list[ox.NamedNode | ox.BlankNode] = []
    for quad in store.quads_for_pattern(ox.NamedNode(document), _FINGERPRINT, None, None):
        graph = quad.graph_name
        if isinstance(graph, ox.NamedNode | ox.BlankNode):
            found.append(graph)
            found += [q.object for q in store.quads_for_pattern(ox.NamedNode(document), _GRAPH, None, graph)]
    return found


def _rewrite(store: ox.Store, graph: ox.NamedNode | ox.BlankNode, old: str, new: str) -> None:
    if old == new:
        return
    before, after = ox.NamedNode(old), ox.NamedNode(new)
    quads = [*store.quads_for_pattern(before, None, None, graph), *store.quads_for_pattern(None, None, before, graph)]
    for quad in set(quads):
        store.remove(quad)
        subject = after if quad.subject == before else quad.subject
        obj = after if quad.object == before else quad.object
        store.add(ox.Quad(subject, quad.predicate, obj, graph))


def _relabel(
    store: ox.Store, graph: ox.NamedNode | ox.BlankNode, node: ox.NamedNode, own: str, was: str, now: str
) -> None:
    """The document labels the entity with the group's name, and keeps its own as an alternative."""
    if was == now:
        return
    for quad in list(store.quads_for_pattern(node, LABEL, None, graph)):
        if quad.object.value == was:
            store.remove(quad)
    if was != own:
        store.remove(ox.Quad(node, ALT_LABEL, ox.Literal(own), graph))
    store.add(ox.Quad(node, LABEL, ox.Literal(now), graph))
    if now != own:
        store.add(ox.Quad(node, ALT_LABEL, ox.Literal(own), graph))
