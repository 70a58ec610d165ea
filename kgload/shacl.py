"""pyshacl set up once and reused for every document: the verdicts of

    pyshacl.validate(data, shacl_graph=shapes, ont_graph=ontology, inference="none", allow_warnings=True)

for a fraction of its cost (the same top-level results; tests/integration/test_validation_engine.py
compares the two). Per call, ``pyshacl.validate`` copies the ontology into a clone of the data
graph, harvests the shapes again, parses the text of every SPARQL constraint for every focus
node, and checks the same node against the same nested shape (kgsh:IsActor, its sh:or members
and their sh:not members) each time a shape points at it. Here the ontology's triples are
picked once (by pyshacl's own inoculation, so they are the ones it would copy), the shapes are
harvested once, each SPARQL text is parsed once, a nested node shape's verdict on a node is
remembered for the rest of that data graph, and a type check's clean pass for a set of types
for as long as the class tree is the ontology's (see _MemoShapesGraph).

It leans on pyshacl's classes (Validator, ShapesGraph, Shape, written against 0.40) and on how
its constraint components use nested shapes; the comparison test is what tells whether a newer
pyshacl still behaves as this module assumes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

import rdflib
from pyshacl import Validator
from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS
from pyshacl.graph_abstraction import DataGraph
from pyshacl.monkey import apply_patches
from pyshacl.rdfutil.inoculate import inoculate
from pyshacl.shape import Shape
from pyshacl.shapes_graph import ShapesGraph
from pyshacl.validator import assign_baked_in
from rdflib.namespace import RDF, RDFS, SH
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import IdentifiedNode, Literal, Node

Triple = tuple[Node, Node, Node]
Verdict = tuple[bool, list[Any]]  # (conforms, pyshacl's result tuples)

_TYPE_PARAMETERS = {SH["class"], SH["not"], SH["or"], SH["and"], SH.xone, SH.node}
_MAX_PASSES = 100_000  # type checks x distinct type sets: small in practice; bounded all the same
_MAX_QUERIES = 10_000  # one text per SPARQL constraint in practice

# what pyshacl.validate passes to its Validator for inference="none", allow_warnings=True
_OPTIONS = {"inference": "none", "allow_warnings": True, "inplace": False, "abort_on_first": False}


class ShaclEngine:
    """Validates one data graph at a time against fixed shapes and a fixed ontology."""

    def __init__(self, shapes: rdflib.Graph, ontology: rdflib.Graph) -> None:
        apply_patches()  # the process-wide rdflib patches pyshacl.validate applies on every call
        assign_baked_in()
        self._shapes_source = shapes
        self._shapes = _MemoShapesGraph(shapes)
        self._ontology, self._prefixes = inoculated(ontology)
        self._queries: dict[str, Query | None] = {}
        self._lock = threading.Lock()  # the memo and the shapes' verdicts belong to one run at a time

    def validate(self, triples: Iterable[Triple]) -> tuple[bool, rdflib.Graph]:
        """(conforms, the validation report graph) for a graph of ``triples`` plus the ontology."""
        triples = list(triples)
        data = _DocumentGraph(self._prepared)
        bound = {prefix for prefix, _ in data.namespaces()}
        for prefix, namespace in self._prefixes:
            if prefix not in bound:  # as inoculation binds the ontology's prefixes
                data.bind(prefix, namespace)
        for triple in triples:
            data.add(triple)
        for triple in self._ontology:
            data.add(triple)
        with self._lock:
            validator = Validator(DataGraph.from_rdflib(data), shacl_graph=self._shapes_source, options=dict(_OPTIONS))
            validator.shacl_graph = self._shapes  # harvested once, not per document
            self._shapes.memo = {}
            self._shapes.classes_fixed = not any(p == RDFS.subClassOf for _, p, _ in triples)
            try:
                conforms, report, _ = validator.run()
            finally:
                self._shapes.memo = {}
        return conforms, report

    def _prepared(self, text: str) -> Query | str:
        """The parsed form of a SPARQL text pyshacl sends; the text itself when it cannot be parsed alone."""
        if text not in self._queries:
            if len(self._queries) >= _MAX_QUERIES:
                return text
            try:
                # the text declares its prefixes (sh:prefixes); a declared prefix overrides the
                # graph's own, which are all a string query would add
                self._queries[text] = prepareQuery(text)
            except Exception:  # e.g. a prefix only the graph binds: parse it on every call, as pyshacl does
                self._queries[text] = None
        return self._queries[text] or text

    def __getstate__(self) -> dict[str, Any]:
        # pickled for worker processes on platforms without fork: rebuild the pyshacl side there
        return {"shapes": self._shapes_source, "ontology": self._ontology, "prefixes": self._prefixes}

    def __setstate__(self, state: dict[str, Any]) -> None:
        apply_patches()
        assign_baked_in()
        self._shapes_source = state["shapes"]
        self._shapes = _MemoShapesGraph(state["shapes"])
        self._ontology, self._prefixes = state["ontology"], state["prefixes"]
        self._queries = {}
        self._lock = threading.Lock()


class _DocumentGraph(rdflib.Graph):
    """A plain in-memory graph whose SPARQL queries are parsed once per engine, not once per call."""

    def __init__(self, prepared: Callable[[str], Query | str]) -> None:
        super().__init__()
        self._prepare = prepared

    def query(self, query_object: Any, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if isinstance(query_object, str):
            query_object = self._prepare(query_object)
        return super().query(query_object, *args, **kwargs)


class _MemoShapesGraph(ShapesGraph):
    """pyshacl's shapes graph, remembering nested node shapes' verdicts.

    A node shape reached through sh:node, sh:or, sh:not, sh:and or sh:xone gives the same verdict
    for the same node of the same data graph however often it is asked; its results only ever
    become sh:detail of the asking constraint's own result or are dropped, never top-level
    results. So each verdict is remembered for the rest of the data graph (``memo``). Property
    shapes are not remembered: their results are top-level ones, one per asking shape.

    A "type check" (a node shape built only from sh:class, sh:not, sh:or, sh:and, sh:xone and
    sh:node over other type checks, like kgsh:IsActor) depends on nothing but the node's rdf:type
    values and the rdfs:subClassOf triples (pyshacl's sh:class reads no more). While those triples
    are the ontology's alone, a clean pass of a type check (conforms, no results) holds for any
    node with the same types, in any document: ``passes`` remembers those across documents.
    """

    def __init__(self, graph: rdflib.Graph) -> None:
        super().__init__(graph)
        self.memo: dict[tuple[Node, Node], Verdict] = {}
        self.passes: set[tuple[Node, bool, frozenset[Node]]] = set()
        self.classes_fixed = False  # set per data graph: it adds no rdfs:subClassOf of its own
        self.type_checks = _type_checks(graph) if not self.custom_constraints else frozenset()

    def lookup_shape_from_node(self, node: Node) -> Shape:
        shape = super().lookup_shape_from_node(node)
        if type(shape) is Shape and not shape.is_property_shape:
            # pyshacl's Shape has __slots__: switch the class rather than wrap the object, so that
            # identity (pyshacl's recursion checks compare shapes) stays as it was
            shape.__class__ = _RememberingShape
        return shape


class _RememberingShape(Shape):
    """A nested node shape that answers from its shapes graph's memos when it can (see _MemoShapesGraph).

    pyshacl stops at max_validation_depth nested shapes; a remembered verdict skips that count,
    which matters only for shapes nested deeper than that limit (15), far beyond kgload's.
    """

    __slots__ = ()

    def validate(self, executor: Any, target_graph: Any, focus: Any = None, _evaluation_path: Any = None) -> Verdict:
        sg = self.sg
        if (
            not isinstance(sg, _MemoShapesGraph)
            or not isinstance(focus, (IdentifiedNode, Literal))
            or executor.focus_nodes
        ):
            return super().validate(executor, target_graph, focus=focus, _evaluation_path=_evaluation_path)
        verdict = sg.memo.get((self.node, focus))
        if verdict is not None:
            return verdict[0], list(verdict[1])
        typed = None
        if sg.classes_fixed and self.node in sg.type_checks:
            types = frozenset() if isinstance(focus, Literal) else frozenset(target_graph.objects(focus, RDF.type))
            typed = (self.node, isinstance(focus, Literal), types)
            if typed in sg.passes:
                return True, []
        verdict = sg.memo[(self.node, focus)] = super().validate(
            executor, target_graph, focus=focus, _evaluation_path=_evaluation_path
        )
        if typed is not None and verdict[0] and not verdict[1] and len(sg.passes) < _MAX_PASSES:
            sg.passes.add(typed)
        return verdict[0], list(verdict[1])


def _type_checks(shapes: rdflib.Graph) -> frozenset[Node]:
    """The node shapes whose verdict on a node depends only on its rdf:type values (see _MemoShapesGraph)."""
    verdicts: dict[Node, bool] = {}

    def check(shape: Node) -> bool:
        if shape in verdicts:
            return verdicts[shape]
        verdicts[shape] = False  # a cycle: pyshacl's answer then depends on the path it came by
        parameters = {p for p in shapes.predicates(shape) if p in ALL_CONSTRAINT_PARAMETERS}
        if (shape, SH.path, None) in shapes or not parameters <= _TYPE_PARAMETERS:
            return False
        inner = [o for p in (SH.node, SH["not"]) for o in shapes.objects(shape, p)]
        inner += [
            i for p in (SH["or"], SH["and"], SH.xone) for lst in shapes.objects(shape, p) for i in shapes.items(lst)
        ]
        verdicts[shape] = all(check(i) for i in inner)
        return verdicts[shape]

    candidates = {s for s, p, _ in shapes if p in ALL_CONSTRAINT_PARAMETERS}
    return frozenset(s for s in candidates if check(s))


def inoculated(ontology: rdflib.Graph) -> tuple[list[Triple], list[tuple[str, str]]]:
    """The triples and prefixes pyshacl's ont_graph option copies from ``ontology`` into a data graph."""
    into = rdflib.Graph()
    inoculate(DataGraph.from_rdflib(into), ontology)
    return list(into), [(p, str(n)) for p, n in ontology.namespaces()]
