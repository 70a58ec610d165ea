"""The embedded store's table of learned aliases, and the re-link that applies it.

Rows live in one named graph (``kg:learnedAliases``), one per free-name entity of each document,
with the IRI the mapper gave it, its names, and the IRI and label it is linked to now. ``relink``
derives from every row where each entity belongs (``kgload.mapping.aliases.link``) and rewrites, in
that document's graphs only, the IRIs and labels that differ: a document keeps its own quads, so dropping it (retract,
re-load) and re-linking gives the graph as if it had never been there.

A finished re-link leaves a mark in the table's graph (``kg:relinked``, naming the kgload version that
re-linked), which any change to the table removes first (``unmark``): while it is there, the re-link has
nothing to move, and ``relink`` returns at once. A re-link stopped part way never reached its mark, so
the next run's re-link, even one that writes nothing, reads the table and finishes it.

A retract names its documents in the table (``retracting``) before it removes their graphs, and their
rows go after the graphs: a retract stopped between the two leaves rows of documents no longer there,
which the next re-link drops before it reads the table (``finish_retracts``), whatever run comes next.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from hashlib import sha256

import pyoxigraph as ox

from kgload.mapping.aliases import Learned, learned_rows, targets
from kgload.model import MappedDocument
from kgload.version import __version__
from kgload.vocabulary.namespaces import KG, RDFS, SKOS

ALIASES = ox.NamedNode(KG + "learnedAliases")
# three quads a row, the row's fields as JSON: the table is the store's bookkeeping, written per batch
_IN, _ROW, _LINKED = ox.NamedNode(KG + "learnedIn"), ox.NamedNode(KG + "learnedRow"), ox.NamedNode(KG + "linkedTo")
_FINGERPRINT, _GRAPH = ox.NamedNode(KG + "fingerprint"), ox.NamedNode(KG + "graph")
LABEL, ALT_LABEL = ox.NamedNode(RDFS + "label"), ox.NamedNode(SKOS + "altLabel")
# the table's own node: one quad of it never completes a row (``_rows`` needs three a subject)
_RELINKED = ox.NamedNode(KG + "relinked")
# a document being retracted, as its own subject: one quad, never a row either
_RETRACTING = ox.NamedNode(KG + "retracting")


@dataclass(frozen=True, slots=True)
class Relinked:
    """What a re-link did: entities moved to another node, and names that join nothing."""

    moves: tuple[tuple[str, str], ...]  # (IRI an entity had, IRI it has now), each pair once
    ambiguous: frozenset[str]


def _row_node(document: str, iri: str) -> ox.NamedNode:
    digest = sha256(f"{document} {iri}".encode()).hexdigest()[:32]
    return ox.NamedNode(f"{KG}learned/{digest}")


def unmark(store: ox.Store) -> None:
    """Before the table changes: the last re-link's mark no longer says the table is linked."""
    for quad in list(store.quads_for_pattern(ALIASES, _RELINKED, None, ALIASES)):
        store.remove(quad)


def relinked(store: ox.Store) -> bool:
    """The table is as the last re-link left it, which finished, under this kgload version's rule."""
    return any(q.object.value == __version__ for q in store.quads_for_pattern(ALIASES, _RELINKED, None, ALIASES))


def forget(store: ox.Store, documents: Iterable[str]) -> None:
    """Drop the rows of ``documents`` (re-written or retracted)."""
    for document in documents:
        for quad in list(store.quads_for_pattern(None, _IN, ox.NamedNode(document), ALIASES)):
            for own in list(store.quads_for_pattern(quad.subject, None, None, ALIASES)):
                store.remove(own)


def retracting(store: ox.Store, documents: Iterable[str]) -> None:
    """Before ``documents``' graphs go: their rows are to go too, even if this run stops first."""
    store.extend(ox.Quad(ox.NamedNode(d), _RETRACTING, ox.Literal("true"), ALIASES) for d in documents)


def finish_retracts(store: ox.Store) -> None:
    """Drop the rows of documents a retract removed, and the retract's notes: a retract that stopped
    after their graphs went would otherwise leave its rows to group the names of the documents left."""
    for quad in list(store.quads_for_pattern(None, _RETRACTING, None, ALIASES)):
        document = quad.subject
        if next(store.quads_for_pattern(document, _FINGERPRINT, None, None), None) is None:
            forget(store, [document.value])  # gone; one written again since keeps the rows its write made
        store.remove(quad)


def remember(store: ox.Store, documents: Iterable[MappedDocument]) -> None:
    """Keep the rows of freshly written documents, linked to the IRIs the mapper gave."""
    quads: list[ox.Quad] = []
    for doc in documents:
        for row in learned_rows(doc):
            node = _row_node(row.document, row.iri)
            quads += [
                ox.Quad(node, _IN, ox.NamedNode(row.document), ALIASES),
                ox.Quad(node, _ROW, ox.Literal(json.dumps([row.iri, *row.names], ensure_ascii=False)), ALIASES),
                ox.Quad(node, _LINKED, _linked(row.iri, row.names[0]), ALIASES),
            ]
    store.extend(quads)


def _linked(iri: str, label: str) -> ox.Literal:
    return ox.Literal(json.dumps([iri, label], ensure_ascii=False))


def relink(store: ox.Store, changed: Callable[[int], None], *, again: bool = False) -> Relinked:
    """Move every learned entity to the node its group of names now has, telling ``changed`` how many
    quads each move wrote or removed (the store flushes on that count); nothing to do while the last
    re-link's mark is there (``relinked``), unless ``again``."""
    if not again and relinked(store):
        return Relinked((), frozenset())
    finish_retracts(store)
    # every row is read (to disk) before the first is given back, in document order, so the store is
    # changed only once its table has been read whole; only the distinct moves are held, for the report
    ambiguous: set[str] = set()
    moves: dict[tuple[str, str], None] = {}
    for row, (linked, linked_label), (iri, canonical) in targets(
        ((row, (linked, label)) for row, linked, label in _rows(store)), ambiguous
    ):
        if (iri, canonical) == (linked, linked_label):
            continue
        for graph in _graphs(store, row.document):
            changed(_rewrite(store, graph, linked, iri))
            changed(_relabel(store, graph, ox.NamedNode(iri), row.names[0], linked_label, canonical))
        node = _row_node(row.document, row.iri)
        for old in list(store.quads_for_pattern(node, _LINKED, None, ALIASES)):
            store.remove(old)
        store.add(ox.Quad(node, _LINKED, _linked(iri, canonical), ALIASES))
        moves[(linked, iri)] = None
        changed(2)
    unmark(store)  # a version's mark other than this one
    store.add(ox.Quad(ALIASES, _RELINKED, ox.Literal(__version__), ALIASES))  # after the last move, never before
    return Relinked(tuple(moves), frozenset(ambiguous))


def _rows(store: ox.Store) -> Iterator[tuple[Learned, str, str]]:
    """The table's rows, each parsed as soon as its three quads are read: a row's quads come together
    (the store reads the graph by subject), so only a row being read is held as quads, not the table."""
    partial: dict[ox.NamedNode | ox.BlankNode, dict[str, str]] = {}
    for quad in store.quads_for_pattern(None, None, None, ALIASES):
        fields = partial.setdefault(quad.subject, {})
        fields[quad.predicate.value] = quad.object.value
        if len(fields) < 3:
            continue
        del partial[quad.subject]
        try:
            document, (iri, *names), (linked, linked_label) = (
                fields[_IN.value],
                json.loads(fields[_ROW.value]),
                json.loads(fields[_LINKED.value]),
            )
        except (KeyError, ValueError):
            continue
        yield Learned(document, iri, tuple(names)), linked, linked_label
    # what is left in ``partial``: rows half written by an interrupted run, whose documents are re-loaded


def _graphs(store: ox.Store, document: str) -> list[ox.NamedNode | ox.BlankNode]:
    """The document's own graph and the further graphs its facts went to."""
    found: list[ox.NamedNode | ox.BlankNode] = []
    for quad in store.quads_for_pattern(ox.NamedNode(document), _FINGERPRINT, None, None):
        graph = quad.graph_name
        if isinstance(graph, ox.NamedNode | ox.BlankNode):
            found.append(graph)
            found += [q.object for q in store.quads_for_pattern(ox.NamedNode(document), _GRAPH, None, graph)]
    return found


def _rewrite(store: ox.Store, graph: ox.NamedNode | ox.BlankNode, old: str, new: str) -> int:
    """Rename ``old`` to ``new`` in ``graph``; returns the quads written and removed."""
    if old == new:
        return 0
    before, after = ox.NamedNode(old), ox.NamedNode(new)
    quads = set(store.quads_for_pattern(before, None, None, graph))
    quads.update(store.quads_for_pattern(None, None, before, graph))
    for quad in quads:
        store.remove(quad)
        subject = after if quad.subject == before else quad.subject
        obj = after if quad.object == before else quad.object
        store.add(ox.Quad(subject, quad.predicate, obj, graph))
    return 2 * len(quads)


def _relabel(
    store: ox.Store, graph: ox.NamedNode | ox.BlankNode, node: ox.NamedNode, own: str, was: str, now: str
) -> int:
    """The document labels the entity with the group's name, and keeps its own as an alternative;
    returns about the quads written and removed."""
    if was == now:
        return 0
    for quad in list(store.quads_for_pattern(node, LABEL, None, graph)):
        if quad.object.value == was:
            store.remove(quad)
    if was != own:
        store.remove(ox.Quad(node, ALT_LABEL, ox.Literal(own), graph))
    store.add(ox.Quad(node, LABEL, ox.Literal(now), graph))
    if now != own:
        store.add(ox.Quad(node, ALT_LABEL, ox.Literal(own), graph))
    return 4
