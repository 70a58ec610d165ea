"""pyoxigraph terms <-> rdflib terms. rdflib is kgload's public RDF type; pyoxigraph its engine."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
import rdflib
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID


def to_rdflib_term(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.DefaultGraph) -> rdflib.term.Node:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == "http://www.w3.org/2001/XMLSchema#string":
            return rdflib.Literal(term.value)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(datatype))
    if isinstance(term, ox.DefaultGraph):
        return DATASET_DEFAULT_GRAPH_ID
    raise TypeError(f"unsupported RDF term {term!r}")


def to_rdflib(quads: Iterable[ox.Quad], dataset: rdflib.Dataset | None = None) -> rdflib.Dataset:
    """Add quads to an rdflib Dataset (a new one by default), graph names kept."""
    dataset = dataset if dataset is not None else rdflib.Dataset()
    graphs: dict[str, rdflib.Graph] = {}
    for quad in quads:
        name = to_rdflib_term(quad.graph_name)
        key = str(name)
        graph = graphs.get(key)
        if graph is None:
            graph = graphs[key] = dataset.graph(name)
        graph.add((to_rdflib_term(quad.subject), to_rdflib_term(quad.predicate), to_rdflib_term(quad.object)))
    return dataset
