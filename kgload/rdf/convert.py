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
            return text_literal(term.value, term.language)
        datatype = term.datatype.value
        if datatype == "http://www.w3.org/2001/XMLSchema#string":
            return text_literal(term.value, None)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(datatype))
    if isinstance(term, ox.DefaultGraph):
        return DATASET_DEFAULT_GRAPH_ID
    raise TypeError(f"unsupported RDF term {term!r}")


def text_literal(text: str, language: str | None) -> rdflib.Literal:
    """``rdflib.Literal(text, lang=language)``, made without its generic conversions: for a string
    without a datatype they leave the text as it is, and cost most of a document's SHACL input."""
    if language is not None and language not in _LANGUAGES:
        rdflib.Literal("", lang=language)  # raises on a tag rdflib refuses, as the constructor would
        if len(_LANGUAGES) < 1_000:  # bounded: a feed has a handful of tags
            _LANGUAGES.add(language)
    if not _SHORTCUT:
        return rdflib.Literal(text, lang=language)
    literal = str.__new__(rdflib.Literal, text)
    literal._language, literal._datatype, literal._value, literal._ill_typed = language, None, text, None
    return literal


_LANGUAGES: set[str] = set()  # tags rdflib accepted


def _shortcut_holds() -> bool:
    """Whether this rdflib's Literal keeps the four slots the shortcut fills (rdflib 7.6 does); any other
    layout gets the constructor, so an rdflib upgrade can slow the literals down but never change them."""
    try:
        made = str.__new__(rdflib.Literal, "x")
        made._language, made._datatype, made._value, made._ill_typed = "en", None, "x", None
        expected = rdflib.Literal("x", lang="en")
        return (made.n3(), made.value, made.ill_typed, hash(made)) == (
            expected.n3(),
            expected.value,
            expected.ill_typed,
            hash(expected),
        ) and made.eq(expected)
    except (AttributeError, TypeError):
        return False


_SHORTCUT = _shortcut_holds()


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
