"""SHACL shapes compiled into plain checks: pySHACL's top-level results for a fraction of its cost.

``CompiledShapes.compile`` reads a SHACL shapes graph and turns every shape with a target into a
check that runs on one data graph (a document's triples plus the ontology's, as pySHACL's
ont_graph option adds them). It supports the constraint components kgload's shapes use (sh:class,
sh:datatype, sh:nodeKind, sh:minCount/maxCount, sh:in, sh:pattern, sh:min/maxInclusive and
Exclusive, sh:node, sh:not, sh:or, sh:and, sh:property and SELECT-based sh:sparql, over predicate,
inverse and sequence paths) and raises ``Unsupported`` on any other, so that the caller can fall
back to pySHACL. Each check follows pySHACL 0.40's own rules (its literal comparison, its
datatype test, its regular-expression test, which results carry a sh:value and which message
each result shows); tests/integration/test_fastshacl_differential.py holds the two engines to equal
results. A SPARQL constraint whose query is a basic graph pattern with FILTER NOT EXISTS of basic
graph patterns is answered in Python over the document's index, matching terms as rdflib (pySHACL's
engine) does; any other runs in pyoxigraph on a copy of the document's triples. Neither runs, nor is
the copy made, when a triple pattern every solution needs matches nothing in the document or the
ontology.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import pyoxigraph as ox
import rdflib
from pyshacl.rdfutil.compare import compare_literal
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Node

Triple = tuple[Node, Node, Node]


@dataclass(frozen=True)
class Result:
    """One top-level validation result, as pySHACL's report would list it."""

    focus: Node
    value: Node | None
    path: str | None  # the last predicate of the result path, when it is one
    message: str
    shape: Node  # sh:sourceShape


class Unsupported(Exception):
    """The shapes use a SHACL feature the compiler does not check; validate with pySHACL instead."""


@dataclass
class Trace:
    """What a run of the checks read of the document's values, for kgload.outlines: each test that read a
    value itself (sh:datatype, sh:pattern, the ranges) with its answer, and whether anything else did
    (a query in pyoxigraph, a message with a value written into it, a class tree the document changed)."""

    tests: list[tuple[Node, Callable[[Node, Any], bool], bool]] = field(default_factory=list)
    exact: bool = True


# the parameters a shape may carry: constraint parameters the compiler checks, plus the ones that
# change no verdict; anything else in the SHACL namespace makes the compiler refuse the shapes
_CHECKED = {
    SH["class"], SH.datatype, SH.nodeKind, SH.minCount, SH.maxCount, SH["in"], SH.pattern, SH.flags,
    SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive,
    SH.node, SH["not"], SH["or"], SH["and"], SH.property, SH.sparql, SH.path, SH.message,
    SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf,
}  # fmt: skip
_INERT = {SH.name, SH.description, SH.order, SH.group, SH.defaultValue, SH.declare, SH.prefixes}
_SPARQL_KEYS = {RDF.type, SH.select, SH.message, SH.prefixes}
_NODE_KINDS = {
    SH.IRI: (URIRef,),
    SH.Literal: (Literal,),
    SH.BlankNode: (BNode,),
    SH.IRIOrLiteral: (URIRef, Literal),
    SH.BlankNodeOrIRI: (BNode, URIRef),
    SH.BlankNodeOrLiteral: (BNode, Literal),
}
_VALUE_TYPES: dict[Node, type | tuple[type, ...]] = {
    XSD.string: (str, bytes),
    RDF.langString: (str, bytes),
    XSD.integer: int,
    XSD.float: float,
    XSD.decimal: Decimal,
    XSD.boolean: bool,
    XSD.date: date,
    XSD.time: time,
    XSD.dateTime: datetime,
}
_MAX_CACHED = 100_000  # cross-document caches of class lookups: bounded all the same
# pyoxigraph's in-memory store keeps every term it was given, removed graphs included: the store the
# SPARQL constraints read is built again after this many documents, so a worker's memory stays bounded
RENEW_STORE = 2_000
# rdflib's namespace attributes are looked up anew on each use: the hot checks use these instead
_TYPE, _SUBCLASS_OF, _RDFS_LITERAL, _RDFS_DATATYPE = RDF.type, RDFS.subClassOf, RDFS.Literal, RDFS.Datatype
_XSD_STRING, _LANG_STRING = XSD.string, RDF.langString

Step = tuple[bool, URIRef]  # (inverse, predicate)
# a check yields the value nodes that fail it; None stands for a failure without a value (counts)
Check = Callable[[Node, list[Node], "_Data"], Iterator[Node | None]]
# a check as the hot loops call it: its test of one value, or a count's bounds (least, most), and the check
_Test = tuple[Callable[[Node, "_Data"], bool] | None, tuple[int, float] | None, Check]


@dataclass
class _Shape:
    node: Node
    path: tuple[Step, ...] | None = None
    last_step: str | None = None
    message: str | None = None
    checks: list[Check] = field(default_factory=list)
    # how many checks fail when the path reaches no value: only the counts can, so this is known
    # when compiling, and a property the focus node lacks costs no call of its checks
    on_no_values: int = 0
    properties: list[_Shape] = field(default_factory=list)
    sparql: list[_Sparql] = field(default_factory=list)
    # its sh:class checks and the ones nesting shapes (sh:node, sh:not, sh:or, sh:and), and those shapes:
    # what tells a verdict that reads only the value's rdf:type (``_reads_types_only``)
    kinds: list[str] = field(default_factory=list)
    nested: list[_Shape] = field(default_factory=list)
    # a verdict read from the value's types alone, remembered across documents by their set
    by_types: bool = False
    # the predicate of a one-predicate path, for a shape with no property shapes or SPARQL of its own:
    # a focus node without it gets ``on_no_values`` failures without a call (most of a claim's thirty)
    lone_predicate: Node | None = None
    # each check with its test of one value when it has one (all but the counts) and the bounds of a count
    # check (least, most): the hot loops test these themselves instead of making the check's iterator
    tests: list[_Test] = field(default_factory=list)


@dataclass
class _Targets:
    nodes: list[Node]
    classes: list[Node]
    subjects_of: list[Node]
    objects_of: list[Node]


class _Index:
    """Triples indexed both ways, each list free of repeats."""

    def __init__(self, triples: Iterable[Triple], *, remember_pairs: bool = False) -> None:
        self.out: dict[Node, dict[Node, dict[Node, None]]] = {}
        self.into: dict[Node, dict[Node, dict[Node, None]]] = {}
        # the subjects of each predicate, its (subject, object) pairs read from ``out`` when asked: a pair made
        # and hashed per triple (a literal's hash is Python) cost more than the few lookups that read pairs
        self.by_predicate: dict[Node, dict[Node, None]] = {}
        self._pairs: dict[Node, dict[tuple[Node, Node], None]] | None = {} if remember_pairs else None
        out, into, by_predicate = self.out.setdefault, self.into.setdefault, self.by_predicate.setdefault
        for s, p, o in triples:
            out(s, {}).setdefault(p, {})[o] = None
            into(o, {}).setdefault(p, {})[s] = None
            by_predicate(p, {})[s] = None

    def pairs(self, p: Node) -> dict[tuple[Node, Node], None]:
        """The (subject, object) pairs of ``p``, free of repeats (remembered for the fixed ontology's index)."""
        if self._pairs is not None and p in self._pairs:
            return self._pairs[p]
        subjects = self.by_predicate.get(p)
        found = {(s, o): None for s in subjects for o in self.out[s][p]} if subjects else _EMPTY
        if self._pairs is not None:
            self._pairs[p] = found
        return found


_EMPTY: dict[Any, None] = {}


class _Data:
    """A document's triples over the ontology's: the data graph pySHACL would validate."""

    def __init__(
        self,
        triples: list[Triple],
        ontology: _Index,
        supers: dict[Node, frozenset[Node]],
        record: bool = False,
        trace: Trace | None = None,
    ) -> None:
        self.doc = _Index(triples)
        self.trace = trace
        self.touched: set[Node] | None = set() if record else None  # every node whose triples were read
        self.ontology = ontology
        # the ontology's class tree holds unless the document adds to it
        self.supers = supers if _SUBCLASS_OF not in self.doc.by_predicate else {}
        self.memo: dict[tuple[int, Node], bool] = {}

    def objects(self, s: Node, p: Node) -> Iterable[Node]:
        if self.touched is not None:
            self.touched.add(s)
        mine = self.doc.out.get(s, _EMPTY).get(p, _EMPTY)
        theirs = self.ontology.out.get(s, _EMPTY).get(p, _EMPTY)
        return (mine | theirs) if theirs else mine

    def subjects(self, p: Node, o: Node) -> Iterable[Node]:
        if self.touched is not None:
            self.touched.add(o)
        mine = self.doc.into.get(o, _EMPTY).get(p, _EMPTY)
        theirs = self.ontology.into.get(o, _EMPTY).get(p, _EMPTY)
        return (mine | theirs) if theirs else mine

    def pairs(self, p: Node) -> Iterable[tuple[Node, Node]]:
        mine = self.doc.pairs(p)
        theirs = self.ontology.pairs(p)
        return (mine | theirs) if theirs else mine

    def superclasses(self, cls: Node) -> frozenset[Node]:
        """``cls`` and every class it is an rdfs:subClassOf of, transitively (rdflib's transitive_objects)."""
        found = self.supers.get(cls)
        if found is None:
            seen: dict[Node, None] = {}
            todo = [cls]
            while todo:
                c = todo.pop()
                if c not in seen:
                    seen[c] = None
                    todo.extend(self.objects(c, _SUBCLASS_OF))
            found = frozenset(seen)
            if len(self.supers) < _MAX_CACHED:
                self.supers[cls] = found
        return found

    def is_instance(self, value: Node, cls: Node) -> bool:
        if isinstance(value, Literal):
            return False
        return any(t is cls or cls in self.superclasses(t) for t in self.objects(value, _TYPE))

    def instances(self, cls: Node) -> Iterable[Node]:
        found: dict[Node, None] = dict.fromkeys(self.subjects(_TYPE, cls))
        todo, seen = [cls], {cls}
        while todo:  # rdflib's transitive_subjects over rdfs:subClassOf, as pySHACL's targets
            for sub in self.subjects(_SUBCLASS_OF, todo.pop()):
                if sub not in seen:
                    seen.add(sub)
                    todo.append(sub)
                    found.update(dict.fromkeys(self.subjects(_TYPE, sub)))
        return found

    def has(self, s: Node | None, p: Node, o: Node | None) -> bool:
        """Whether a triple matches (``None`` matches any node)."""
        if s is not None:
            found = self.objects(s, p)
            return o in found if o is not None else bool(found)
        if o is not None:
            return bool(self.subjects(p, o))
        return bool(self.doc.by_predicate.get(p) or self.ontology.by_predicate.get(p))

    def values(self, focus: Node, path: tuple[Step, ...]) -> list[Node]:
        if len(path) == 1:  # most paths are one predicate: its lookup is already free of repeats
            inverse, predicate = path[0]
            return list(self.subjects(predicate, focus) if inverse else self.objects(focus, predicate))
        nodes: dict[Node, None] = {focus: None}
        for inverse, predicate in path:
            step: dict[Node, None] = {}
            for n in nodes:
                step.update(dict.fromkeys(self.subjects(predicate, n) if inverse else self.objects(n, predicate)))
            nodes = step
        return list(nodes)


_NO_DATA = _Data([], _Index(()), {})  # what a check on no values is given: it reads nothing


class _Sparql:
    """A SELECT-based SPARQL constraint, run in pyoxigraph with $this substituted."""

    def __init__(self, node: Node, text: str, prefixes: dict[str, str], messages: list[str]) -> None:
        self.node, self.text, self.prefixes, self.messages = node, text, prefixes, messages
        self.binds_this = re.search(r"[?$]this\b", text) is not None
        query = _parsed(text, prefixes)
        self.required = _required_patterns(query)
        # each required pattern's terms: (True, None) where $this goes, else (False, the node a triple must hold)
        self._needed = [
            tuple((True, None) if t == _THIS and self.binds_this else (False, _constant(t)) for t in pattern)
            for pattern in self.required
        ]
        self.plan = _Plan.of(query)  # None: the query is not in the subset answered in Python

    def intern(self, known: dict[Node, Node]) -> None:
        """The query's IRIs swapped for ``known``'s objects, so that matching them hits by identity."""

        def one(term: Node) -> Node:
            return known.setdefault(term, term) if type(term) is URIRef else term

        self._needed = [tuple((this, None if t is None else one(t)) for this, t in p) for p in self._needed]
        if self.plan is not None:
            self.plan.patterns = [tuple(map(one, t)) for t in self.plan.patterns]  # type: ignore[misc]
            self.plan.absent = [[tuple(map(one, t)) for t in group] for group in self.plan.absent]  # type: ignore[misc]

    def may_match(self, focus: Node, data: _Data) -> bool:
        """False when a triple pattern every solution needs matches nothing: the query has no rows then."""
        for pattern in self._needed:
            s, p, o = (_constant(focus) if this else node for this, node in pattern)
            if p is not None and not data.has(s, p, o):
                return False
        return True

    def python_rows(self, focus: Node, data: _Data) -> list[tuple[Node | None, Node | None, Node | None]]:
        """The rows of a query in the compiled subset, answered over the document's index."""
        assert self.plan is not None
        return self.plan.rows({_THIS: focus} if self.binds_this else {}, data)

    def rows(self, focus: Node, data: _SparqlData) -> list[tuple[Node | None, Node | None, Node | None]]:
        substitutions = {ox.Variable("this"): _to_ox(focus)} if self.binds_this else None
        solutions = data.store.query(
            self.text, prefixes=self.prefixes, default_graph=data.graphs, substitutions=substitutions
        )
        out: list[tuple[Node | None, Node | None, Node | None]] = []
        for solution in solutions:  # type: ignore[union-attr]
            row = tuple(_from_ox(_get(solution, v)) for v in ("this", "path", "value"))
            if any(x is not None for x in row) and row not in out:  # pySHACL drops repeated rows
                out.append(row)  # type: ignore[arg-type]
        return out


_THIS = rdflib.Variable("this")
# algebra nodes that give no solution when their first (or every, for Join) operand gives none
_EMPTY_IN_EMPTY_OUT = {"Project", "Filter", "Extend", "Distinct", "Reduced", "Slice", "OrderBy", "LeftJoin", "Minus"}


def _parsed(text: str, prefixes: dict[str, str]) -> Any:
    """rdflib's algebra of a query, or None when rdflib cannot parse it."""
    try:
        return prepareQuery(text, initNs=prefixes).algebra
    except Exception:  # rdflib's parser may refuse what pyoxigraph runs: such a constraint always runs there
        return None


def _required_patterns(query: Any) -> tuple[Triple, ...]:
    """Triple patterns every solution of a SELECT query matches; none when the query is not understood."""
    if query is None or getattr(query, "name", None) != "SelectQuery":
        return ()
    found: list[Triple] = []
    todo = [query.get("p")]
    while todo:
        node = todo.pop()
        name = getattr(node, "name", None)
        if name == "BGP":
            found.extend(tuple(t) for t in node["triples"])
        elif name == "Join":
            todo.extend((node["p1"], node["p2"]))
        elif name in ("LeftJoin", "Minus"):
            todo.append(node["p1"])
        elif name in _EMPTY_IN_EMPTY_OUT:
            todo.append(node["p"])
        # anything else (aggregates, unions, VALUES, sub-queries, GRAPH) is not relied on
    return tuple(found)


Bindings = dict[Node, Node]


class _Plan:
    """A SELECT of a basic graph pattern and FILTER NOT EXISTS of basic graph patterns, answered in Python.

    Terms are matched as rdflib matches them (pySHACL's engine); the differential test holds
    the answers to pySHACL's."""

    def __init__(self, projected: list[Node], patterns: list[Triple], absent: list[list[Triple]]) -> None:
        self.projected, self.patterns, self.absent = projected, patterns, absent
        # the patterns with each term marked variable or not, made on first use from the patterns then held
        self._steps: list[_Step] | None = None
        self._absent_steps: list[list[_Step]] = []
        self._of: list[Triple] | None = None
        self.columns = [
            rdflib.Variable(v) if rdflib.Variable(v) in projected else None for v in ("this", "path", "value")
        ]

    @classmethod
    def of(cls, query: Any) -> _Plan | None:
        if query is None or getattr(query, "name", None) != "SelectQuery" or query.get("datasetClause"):
            return None
        project = query.get("p")
        if getattr(project, "name", None) != "Project":
            return None
        body, absent = project["p"], []
        if getattr(body, "name", None) == "Filter":
            absent = _not_exists(body["expr"])
            if absent is None:
                return None
            body = body["p"]
        patterns = _bgp(body)
        if patterns is None or not all(_plain(t) for t in [*patterns, *itertools.chain(*absent)]):
            return None
        # each pattern in the order it is matched, every predicate known by then ($this is bound or absent)
        found = _order(patterns, {_THIS})
        bound = {_THIS, *(t for p in patterns for t in p if _is_variable(t))}
        groups = [_order(group, set(bound)) for group in absent]
        if found is None or any(g is None for g in groups):
            return None
        return cls(list(project["PV"]), found, groups)  # type: ignore[arg-type]

    def rows(self, start: Bindings, data: _Data) -> list[tuple[Node | None, Node | None, Node | None]]:
        out: dict[tuple[Node | None, Node | None, Node | None], None] = {}
        if self._steps is None or self._of is not self.patterns:  # ``intern`` may swap the patterns
            self._steps, self._absent_steps = _steps(self.patterns), [_steps(g) for g in self.absent]
            self._of = self.patterns
        for solution in _match(self._steps, 0, start, data):
            if any(next(_match(group, 0, solution, data), None) is not None for group in self._absent_steps):
                continue
            row = tuple(None if c is None else solution.get(c) for c in self.columns)
            if any(x is not None for x in row):  # pySHACL drops repeated rows
                out[row] = None  # type: ignore[index]
        return list(out)  # type: ignore[arg-type]


def _plain(pattern: Triple) -> bool:
    """A triple pattern of variables, blank nodes (variables too) and IRIs: no literal to compare."""
    return all(isinstance(t, (rdflib.Variable, BNode, URIRef)) for t in pattern)


def _bgp(node: Any) -> list[Triple] | None:
    """The triple patterns of a join of basic graph patterns, or None for anything else."""
    name = getattr(node, "name", None)
    if name == "BGP":
        return [tuple(t) for t in node["triples"]]  # type: ignore[misc]
    if name == "Join":
        left, right = _bgp(node["p1"]), _bgp(node["p2"])
        return None if left is None or right is None else left + right
    if name == "GroupGraphPatternSub":  # rdflib leaves all but the first filter's pattern untranslated
        parts = node.get("part") or []
        if all(getattr(part, "name", None) == "TriplesBlock" for part in parts):
            flat = [term for part in parts for block in part["triples"] for term in block]
            if len(flat) % 3 == 0:  # rdflib's own reading of a triples block (algebra.triples)
                return [tuple(flat[i : i + 3]) for i in range(0, len(flat), 3)]  # type: ignore[misc]
    return None


def _not_exists(expr: Any) -> list[list[Triple]] | None:
    """The graph patterns of a filter that is NOT EXISTS, or a conjunction of them; None for any other filter."""
    name = getattr(expr, "name", None)
    if name == "Builtin_NOTEXISTS":
        patterns = _bgp(expr["graph"])
        return None if patterns is None else [patterns]
    if name == "ConditionalAndExpression":
        found: list[list[Triple]] = []
        for part in [expr["expr"], *(expr.get("other") or [])]:
            more = _not_exists(part)
            if more is None:
                return None
            found.extend(more)
        return found
    return None


def _is_variable(term: Node) -> bool:
    return isinstance(term, (rdflib.Variable, BNode))


def _order(patterns: list[Triple], bound: set[Node]) -> list[Triple] | None:
    """The patterns, each next one the one with most terms known; None when a predicate would be unknown."""
    todo, ordered = list(patterns), []
    while todo:
        best = max(todo, key=lambda t: sum(not _is_variable(x) or x in bound for x in t))
        if _is_variable(best[1]) and best[1] not in bound:
            return None
        todo.remove(best)
        ordered.append(best)
        bound |= {x for x in best if _is_variable(x)}
    return ordered


# a triple pattern with each term's "is a variable" beside it: (s, s is one, p, p is one, o, o is one)
_Step = tuple[Node, bool, Node, bool, Node, bool]


def _steps(patterns: list[Triple]) -> list[_Step]:
    return [(s, _is_variable(s), p, _is_variable(p), o, _is_variable(o)) for s, p, o in patterns]


def _match(patterns: list[_Step], i: int, bindings: Bindings, data: _Data) -> Iterator[Bindings]:
    if i == len(patterns):
        yield bindings
        return
    vs, s_free, p, p_free, vo, o_free = patterns[i]
    # a variable's binding, or None when it has none; a constant is itself
    s = bindings.get(vs) if s_free else vs
    o = bindings.get(vo) if o_free else vo
    if p_free:
        p = bindings.get(p)  # type: ignore[assignment]
    assert p is not None
    if s is not None:
        candidates: Iterable[tuple[Node, Node]] = (
            ((s, o),) if o is not None and o in data.objects(s, p) else () if o is not None else
            ((s, x) for x in data.objects(s, p))
        )  # fmt: skip
    elif o is not None:
        candidates = ((x, o) for x in data.subjects(p, o))
    else:
        candidates = data.pairs(p)
    for cs, co in candidates:
        more = dict(bindings)
        if s is None:
            more[vs] = cs
        if o is None:
            if vo in more and more[vo] != co:  # the same variable as subject and object
                continue
            more[vo] = co
        yield from _match(patterns, i + 1, more, data)


def _constant(term: Node) -> Node | None:
    """A pattern term as the node a matching triple must hold, or None where any node matches."""
    # a literal's equal may be spelt otherwise (a simple literal and its xsd:string): not relied on
    return term if isinstance(term, (URIRef, BNode)) and not isinstance(term, rdflib.Variable) else None


def _get(solution: Any, variable: str) -> Any:
    try:
        return solution[variable]
    except (KeyError, IndexError, ValueError):
        return None


@dataclass
class _SparqlData:
    store: ox.Store
    graphs: list[Any]


class _LazySparql:
    """A document's triples in pyoxigraph, copied there when a SPARQL constraint first needs them."""

    def __init__(self, make: Callable[[], _SparqlData]) -> None:
        self.make = make
        self.data: _SparqlData | None = None

    def get(self) -> _SparqlData:
        if self.data is None:
            self.data = self.make()
        return self.data


class CompiledShapes:
    """The shapes of a SHACL graph as checks over a document's triples and a fixed ontology."""

    def __init__(self, shapes: rdflib.Graph, ontology: Iterable[Triple]) -> None:
        self._given = shapes
        # one object for each term of the shapes, the ontology and the checks' own constants: a lookup
        # then hits by identity instead of calling rdflib's Python __eq__ (a graph keeps equal terms apart)
        constants = (_TYPE, _SUBCLASS_OF, _RDFS_LITERAL, _RDFS_DATATYPE, *_VALUE_TYPES)
        self._known: dict[Node, Node] = {t: t for t in constants}
        one = self._known.setdefault
        self._graph = shapes = _interned(shapes, self._known)
        ontology = self._ontology_triples = [(one(s, s), one(p, p), one(o, o)) for s, p, o in ontology]
        self._compiled: dict[Node, _Shape] = {}
        self._targeted: list[tuple[_Shape, _Targets]] = []
        self._ontology = _Index(ontology, remember_pairs=True)
        self._supers: dict[Node, frozenset[Node]] = {}
        self._store = self._ontology_store()
        self._names = itertools.count()
        self._lock = threading.Lock()  # the class-tree cache is shared by the threads of one process
        self._nested: list[_Shape] = []  # shapes whose verdict only counts (sh:node, sh:not, sh:or, sh:and)
        for shape in sorted(_targeted_shapes(shapes), key=str):
            self._targeted.append((self._shape(shape), _targets(shapes, shape)))
        self._refuse_what_is_not_compiled()
        for shape in self._nested:
            shape.by_types = _reads_types_only(shape, frozenset())
        # the verdicts of nested shapes that read only the value's types (IsActor, IsPlace and the
        # like): one per set of types, as long as the class tree is the ontology's
        self._verdicts: dict[tuple[int, frozenset[Node]], bool] = {}
        # a focus node the document does not mention, whose shape reads no node the document
        # mentions, gets the results it gets on the ontology alone: those are remembered
        self._alone: dict[tuple[int, Node], tuple[list[Result], frozenset[Node]]] = {}
        self._cacheable = {id(s) for s, _ in self._targeted if not self._has_sparql(s)}
        # most shapes target classes and properties a document does not use: their focus nodes are then
        # the ontology's alone, found once instead of searched for in every document
        self._triggers = [self._trigger(targets) for _, targets in self._targeted]
        empty = _Data([], self._ontology, self._supers)
        self._ontology_focus = [list(self._focus_nodes(targets, empty)) for _, targets in self._targeted]
        # the shapes each class and predicate triggers, so that a document's own few pick their shapes out
        # of the hundred instead of each shape being asked about the document
        self._by_class: dict[Node, list[int]] = {}
        self._by_predicate: dict[Node, list[int]] = {}
        for index, (classes, used) in enumerate(self._triggers):
            for cls in classes:
                self._by_class.setdefault(cls, []).append(index)
            for p in used:
                self._by_predicate.setdefault(p, []).append(index)
        self._with_alone = frozenset(i for i, alone in enumerate(self._ontology_focus) if alone)
        # per shape whose focus nodes are the ontology's and whose results there are remembered: all its
        # results and every node they read, so that a document mentioning none of them costs one test
        self._alone_all: dict[int, tuple[list[Result], frozenset[Node]]] = {}
        for index in self._with_alone:
            shape = self._targeted[index][0]
            if id(shape) in self._cacheable:
                found = [self._on_ontology_alone(shape, focus) for focus in self._ontology_focus[index]]
                nodes = frozenset(self._ontology_focus[index]).union(*(touched for _, touched in found))
                self._alone_all[index] = ([r for results, _ in found for r in results], nodes)
        # the remembered shapes without results, by each node their results read: a document that mentions
        # none of a shape's nodes adds nothing from it, so it is not even looked at
        self._quiet_by_node: dict[Node, list[int]] = {}
        for index, (results, nodes) in self._alone_all.items():
            if not results:
                for node in nodes:
                    self._quiet_by_node.setdefault(node, []).append(index)
        quiet = {i for i, (results, _) in self._alone_all.items() if not results}
        self._loud_alone = frozenset(self._with_alone - quiet)

    def known(self, term: Node) -> Node:
        """The ontology's or the shapes' own object for ``term`` when they hold an equal one, else ``term``."""
        return self._known.get(term, term)

    def is_known(self, term: Node) -> bool:
        """Whether ``term`` is the ontology's or the shapes' own object for itself."""
        return self._known.get(term) is term

    def known_terms(self) -> list[Node]:
        """The ontology's and the shapes' own object for each of their terms."""
        return list(dict.fromkeys(self._known.values()))

    def known_texts(self) -> frozenset[str]:
        """The text of every term the ontology and the shapes hold: a term with another text is none of them."""
        return frozenset(str(t) for t in self._known)

    def _trigger(self, targets: _Targets) -> tuple[frozenset[Node], frozenset[Node]]:
        """The classes (the target classes and their subclasses in the ontology) a document must type a
        node with, and the predicates it must use, to add focus nodes of its own to the ontology's."""
        classes: set[Node] = set()
        todo = list(targets.classes)
        while todo:
            cls = todo.pop()
            if cls not in classes:
                classes.add(cls)
                todo.extend(self._ontology.into.get(cls, _EMPTY).get(_SUBCLASS_OF, _EMPTY))
        return frozenset(classes), frozenset([*targets.subjects_of, *targets.objects_of])

    def __getstate__(self) -> dict[str, Any]:
        # pickled for worker processes on platforms without fork: checks are closures, compiled again there
        return {"shapes": self._given, "ontology": self._ontology_triples}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["shapes"], state["ontology"])  # type: ignore[misc]

    @classmethod
    def compile(cls, shapes: rdflib.Graph, ontology: Iterable[Triple]) -> CompiledShapes:
        """The compiled shapes; raises Unsupported when a shape uses a feature the compiler lacks."""
        return cls(shapes, ontology)

    def results(self, triples: Iterable[Triple], *, interned: bool = False, trace: Trace | None = None) -> list[Result]:
        """Every top-level violation of the shapes by the graph of ``triples`` plus the ontology.
        ``interned``: the caller already swapped each term for ``known``'s (the validator does);
        ``trace``: filled with what the checks read of the values (see ``Trace``)."""
        if interned:
            triples = triples if isinstance(triples, list) else list(triples)
        else:
            known = self._known.get
            # every term the ontology's or the shapes' own object: the checks compare those by identity
            # repeats are not removed here: the index and the pyoxigraph copy each hold a triple once
            triples = [(known(s, s), known(p, p), known(o, o)) for s, p, o in triples]
        with self._lock:
            data = _Data(triples, self._ontology, self._supers, trace=trace)
            sparql = _LazySparql(lambda: self._sparql_data(triples))
            try:
                out: list[Result] = []
                fixed = data.supers is self._supers  # the class tree is the ontology's
                mentioned = data.doc.out.keys() | data.doc.into.keys()
                types = {o for _, o in data.doc.pairs(_TYPE)} if fixed else set()
                predicates = data.doc.by_predicate.keys()
                if fixed:
                    triggered = self._triggered(types, predicates)
                    # a shape the document does not trigger and with no focus node in the ontology has none;
                    # one whose remembered results are none is left out unless the document mentions a node they read
                    indices: Iterable[int] = sorted(triggered | self._loud_alone | self._reading(mentioned))
                else:
                    triggered, indices = set(), range(len(self._targeted))
                    if trace is not None:
                        trace.exact = False
                for index in indices:
                    shape, targets = self._targeted[index]
                    cacheable = fixed and id(shape) in self._cacheable
                    if fixed and index not in triggered:
                        remembered = self._alone_all.get(index)
                        if remembered is not None and mentioned.isdisjoint(remembered[1]):
                            out.extend(remembered[0])  # what the loop below gives when no node is mentioned
                            continue
                        focus_nodes: Iterable[Node] = self._ontology_focus[index]  # the document adds none
                    else:
                        focus_nodes = self._focus_nodes(targets, data)
                    for focus in focus_nodes:
                        if cacheable and focus not in mentioned:
                            results, touched = self._on_ontology_alone(shape, focus)
                            if touched.isdisjoint(mentioned):
                                out.extend(results)
                                continue
                        self._run(shape, focus, data, sparql, out)
                return out
            finally:
                if sparql.data is not None:
                    self._store.remove_graph(sparql.data.graphs[1])
                    if trace is not None:  # pyoxigraph's answers are not traced
                        trace.exact = False

    def _reading(self, mentioned: set[Node]) -> set[int]:
        """The remembered shapes without results that read a node the document mentions."""
        found: set[int] = set()
        for node in self._quiet_by_node.keys() & mentioned:
            found.update(self._quiet_by_node[node])
        return found

    def _triggered(self, types: Iterable[Node], predicates: Iterable[Node]) -> set[int]:
        """The shapes a document that types nodes with ``types`` and uses ``predicates`` may add focus nodes to."""
        found: set[int] = set()
        for cls in types:
            found.update(self._by_class.get(cls, ()))
        for p in predicates:
            found.update(self._by_predicate.get(p, ()))
        return found

    def _on_ontology_alone(self, shape: _Shape, focus: Node) -> tuple[list[Result], frozenset[Node]]:
        """The results of ``shape`` on ``focus`` in an empty document, and the nodes that reading them read."""
        key = (id(shape), focus)
        found = self._alone.get(key)
        if found is None:
            alone = _Data([], self._ontology, self._supers, record=True)
            results: list[Result] = []
            self._run(shape, focus, alone, None, results)
            assert alone.touched is not None
            found = (results, frozenset(alone.touched))
            if len(self._alone) < _MAX_CACHED:
                self._alone[key] = found
        return found

    def _ontology_store(self) -> ox.Store:
        store = ox.Store()
        store.extend(ox.Quad(*(_to_ox(t) for t in triple)) for triple in self._ontology_triples)
        return store

    def _sparql_data(self, triples: list[Triple]) -> _SparqlData:
        number = next(self._names)
        if number and number % RENEW_STORE == 0:
            self._store = self._ontology_store()
        graph = ox.NamedNode(f"urn:kgload:shacl:document:{number}")
        self._store.extend(ox.Quad(_to_ox(s), _to_ox(p), _to_ox(o), graph) for s, p, o in triples)
        return _SparqlData(self._store, [ox.DefaultGraph(), graph])

    @staticmethod
    def _focus_nodes(targets: _Targets, data: _Data) -> Iterable[Node]:
        found: dict[Node, None] = dict.fromkeys(targets.nodes)
        for cls in targets.classes:
            found.update(dict.fromkeys(data.instances(cls)))
        for p in targets.subjects_of:
            found.update(dict.fromkeys(s for s, _ in data.pairs(p)))
        for p in targets.objects_of:
            found.update(dict.fromkeys(o for _, o in data.pairs(p)))
        return found

    def _run(self, shape: _Shape, focus: Node, data: _Data, sparql: _LazySparql | None, out: list[Result]) -> None:
        values = [focus] if shape.path is None else data.values(focus, shape.path)
        if values:
            _check_values(shape, focus, values, data, out)
        elif shape.on_no_values:
            failed = Result(focus, None, shape.last_step, shape.message or "", shape.node)
            out.extend([failed] * shape.on_no_values)
        for constraint in shape.sparql:
            assert sparql is not None
            if not constraint.may_match(focus, data):
                continue  # the document's copy into pyoxigraph is only made for a query that may match
            rows = constraint.python_rows(focus, data) if constraint.plan else constraint.rows(focus, sparql.get())
            if rows and data.trace is not None:  # its messages hold the values
                data.trace.exact = False
            for this, path, value in rows:
                if value is None and shape.path is None:
                    value = focus
                message = min(_format(m, this, path, value) for m in constraint.messages + _listed(shape.message))
                last = _last(path) if path is not None else shape.last_step
                out.append(Result(this or focus, value, last, message, shape.node))
        if shape.properties:
            self._run_properties(shape, focus, data, sparql, out)

    def _run_properties(
        self, shape: _Shape, focus: Node, data: _Data, sparql: _LazySparql | None, out: list[Result]
    ) -> None:
        """``_run`` of each property shape; one whose predicate the focus node lacks costs a lookup, not a run."""
        if data.touched is not None:
            data.touched.add(focus)  # as the property's own lookup would
        mine = data.doc.out.get(focus, _EMPTY)
        theirs = data.ontology.out.get(focus, _EMPTY)
        for prop in shape.properties:
            predicate = prop.lone_predicate
            if predicate is None:
                self._run(prop, focus, data, sparql, out)
                continue
            found, other = mine.get(predicate), theirs.get(predicate)
            if found is None and other is None:
                if prop.on_no_values:
                    failed = Result(focus, None, prop.last_step, prop.message or "", prop.node)
                    out.extend([failed] * prop.on_no_values)
                continue
            # ``_run`` of a shape with only checks, its values read here as ``_Data.objects`` reads them
            values = list(found if other is None else other if found is None else found | other)
            _check_values(prop, focus, values, data, out)

    def _conforms(self, shape: _Shape, value: Node, data: _Data) -> bool:
        """Whether ``value`` conforms to a nested shape (its verdict only: pySHACL keeps its results as details)."""
        key = (id(shape), value)
        verdict = data.memo.get(key)
        if verdict is None and shape.by_types and data.touched is None and data.supers is self._supers:
            verdict = data.memo[key] = self._verdict_by_types(shape, value, data)
        if verdict is None:
            values = [value] if shape.path is None else data.values(value, shape.path)
            if values:
                failed = False
                for test in shape.tests:  # a loop, not any() of a generator: this runs for each value of a class check
                    if _fails(test, value, values, data):
                        failed = True
                        break
            else:
                failed = shape.on_no_values > 0
            verdict = not failed and all(self._conforms(p, value, data) for p in shape.properties)
            data.memo[key] = verdict
        return verdict

    def _verdict_by_types(self, shape: _Shape, value: Node, data: _Data) -> bool:
        """``_conforms`` for a shape that reads only the value's rdf:type, remembered by the set of types."""
        types = frozenset(data.objects(value, _TYPE))
        key = (id(shape), types)
        verdict = self._verdicts.get(key)
        if verdict is None:
            verdict = not any(_fails(test, value, [value], data) for test in shape.tests)
            if len(self._verdicts) < _MAX_CACHED:
                self._verdicts[key] = verdict
        return verdict

    def _refuse_what_is_not_compiled(self) -> None:
        if any(self._has_sparql(s) for s in self._nested):
            raise Unsupported("a SPARQL constraint in a shape reached through sh:node, sh:not, sh:or or sh:and")
        top = [s for s, _ in self._targeted]
        while top:
            shape = top.pop()
            top.extend(shape.properties)
            # without a sh:message pySHACL writes one of its own per component: the compiler does not copy those
            if shape.message is None and (shape.checks or any(not c.messages for c in shape.sparql)):
                raise Unsupported(f"{shape.node} can report a violation but has no sh:message")

    def _has_sparql(self, shape: _Shape) -> bool:
        return bool(shape.sparql) or any(self._has_sparql(p) for p in shape.properties)

    # compiling

    def _shape(self, node: Node) -> _Shape:
        shape = self._compiled.get(node)
        if shape is not None:
            return shape
        g = self._graph
        shape = self._compiled[node] = _Shape(node)  # registered first: shapes may refer to each other
        for p in g.predicates(node):
            if str(p).startswith(str(SH)) and p not in _CHECKED and p not in _INERT:
                raise Unsupported(f"{node} uses {p}")
        if (node, RDF.type, RDFS.Class) in g or any(
            (t, RDFS.subClassOf, RDFS.Class) in g for t in g.objects(node, RDF.type)
        ):
            raise Unsupported(f"{node} is a class: its implicit class target is not compiled")
        messages = sorted(str(m) for m in g.objects(node, SH.message))
        shape.message = messages[0] if messages else None
        path = g.value(node, SH.path)
        if path is not None:
            shape.path, shape.last_step = _path(g, path)
        shape.checks = self._checks(node)
        shape.tests = [
            (getattr(check, "accepts", None), getattr(check, "bounds", None), check) for check in shape.checks
        ]
        shape.on_no_values = sum(next(check(node, [], _NO_DATA), False) is not False for check in shape.checks)
        shape.properties = [self._shape(p) for p in sorted(g.objects(node, SH.property), key=str)]
        shape.sparql = [self._sparql(c) for c in g.objects(node, SH.sparql)]
        if shape.path is not None and len(shape.path) == 1 and not shape.path[0][0]:
            shape.lone_predicate = None if shape.properties or shape.sparql else shape.path[0][1]
        return shape

    def _nested_shape(self, node: Node) -> _Shape:
        shape = self._shape(node)
        self._nested.append(shape)
        return shape

    def _checks(self, node: Node) -> list[Check]:
        g = self._graph
        checks: list[Check] = []
        shape = self._compiled[node]
        for cls in g.objects(node, SH["class"]):
            shape.kinds.append("class")
            checks.append(_failing(lambda v, d, c=cls: d.is_instance(v, c)))
        for datatype in g.objects(node, SH.datatype):
            checks.append(_failing(_traced(_datatype_test(datatype))))
        for kind in g.objects(node, SH.nodeKind):
            if kind not in _NODE_KINDS:
                raise Unsupported(f"sh:nodeKind {kind}")
            checks.append(_failing(lambda v, d, k=_NODE_KINDS[kind]: isinstance(v, k)))
        for count in g.objects(node, SH.minCount):
            checks.append(_count(int(count), float("inf")))
        for count in g.objects(node, SH.maxCount):
            checks.append(_count(0, int(count)))
        for members in g.objects(node, SH["in"]):
            allowed = set(g.items(members))
            checks.append(_failing(lambda v, d, a=allowed: v in a))
        flags = _flags(g, node)
        for pattern in g.objects(node, SH.pattern):
            text = str(pattern.value) if pattern.value is not None and len(pattern.value) > 1 else str(pattern)
            checks.append(_failing(_traced(lambda v, d, r=re.compile(text, flags): _matches(v, r))))
        for parameter, accept in (
            (SH.minInclusive, lambda c: c >= 0),
            (SH.minExclusive, lambda c: c > 0),
            (SH.maxInclusive, lambda c: c <= 0),
            (SH.maxExclusive, lambda c: c < 0),
        ):
            for bound in g.objects(node, parameter):
                if not isinstance(bound, Literal):
                    raise Unsupported(f"{parameter} {bound}")
                checks.append(_failing(_traced(lambda v, d, b=bound, a=accept: _in_range(v, b, a))))
        for other in g.objects(node, SH.node):
            inner = self._nested_shape(other)
            shape.nested.append(inner)
            shape.kinds.append("nested")
            checks.append(_failing(lambda v, d, s=inner: self._conforms(s, v, d)))
        for other in g.objects(node, SH["not"]):
            inner = self._nested_shape(other)
            shape.nested.append(inner)
            shape.kinds.append("nested")
            checks.append(_failing(lambda v, d, s=inner: not self._conforms(s, v, d)))
        for members in g.objects(node, SH["or"]):
            ors = [self._nested_shape(m) for m in g.items(members)]
            shape.nested.extend(ors)
            shape.kinds.append("nested")
            checks.append(_failing(lambda v, d, ss=ors: any(self._conforms(s, v, d) for s in ss)))
        for members in g.objects(node, SH["and"]):
            ands = [self._nested_shape(m) for m in g.items(members)]
            shape.nested.extend(ands)
            shape.kinds.append("nested")
            checks.append(_failing(lambda v, d, ss=ands: all(self._conforms(s, v, d) for s in ss)))
        return checks

    def _sparql(self, node: Node) -> _Sparql:
        g = self._graph
        keys = set(g.predicates(node))
        if not keys <= _SPARQL_KEYS:
            raise Unsupported(f"SPARQL constraint {node} uses {sorted(map(str, keys - _SPARQL_KEYS))}")
        text = str(g.value(node, SH.select) or "")
        if not text or re.search(r"[?$](PATH|shapesGraph|currentShape|failure)\b", text):
            raise Unsupported(f"SPARQL constraint {node}: only SELECT queries over $this and ?value are compiled")
        prefixes: dict[str, str] = {}
        for source in g.objects(node, SH.prefixes):
            for declaration in g.objects(source, SH.declare):
                prefixes[str(g.value(declaration, SH.prefix))] = str(g.value(declaration, SH.namespace))
        constraint = _Sparql(node, text, prefixes, [str(m) for m in g.objects(node, SH.message)])
        constraint.intern(self._known)
        return constraint


def _reads_types_only(shape: _Shape, above: frozenset[int]) -> bool:
    """Whether a shape's verdict on a value reads nothing but the value's rdf:type and the class tree:
    no path, no property shapes, no SPARQL, and only sh:class checks or sh:node, sh:not, sh:or and
    sh:and of such shapes (a shape that nests itself is not relied on)."""
    if id(shape) in above or shape.path is not None or shape.properties or shape.sparql:
        return False
    if len(shape.kinds) != len(shape.checks):  # a check of another kind
        return False
    return all(_reads_types_only(inner, above | {id(shape)}) for inner in shape.nested)


def _interned(graph: rdflib.Graph, known: dict[Node, Node]) -> rdflib.Graph:
    """A copy of ``graph`` whose equal terms are one object, the one in ``known`` (added there if new)."""
    copy = rdflib.Graph()
    for triple in graph:
        copy.add(tuple(known.setdefault(t, t) for t in triple))  # type: ignore[arg-type]
    return copy


def _targeted_shapes(g: rdflib.Graph) -> set[Node]:
    targets = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
    found = {s for t in targets for s in g.subjects(t, None)}
    for kind in (SH.NodeShape, SH.PropertyShape):
        for s in g.subjects(RDF.type, kind):
            if (s, RDF.type, RDFS.Class) in g:
                raise Unsupported(f"{s} is a class: its implicit class target is not compiled")
    return found


def _targets(g: rdflib.Graph, node: Node) -> _Targets:
    def objects(p: URIRef) -> list[Node]:
        return sorted(g.objects(node, p), key=str)

    return _Targets(
        objects(SH.targetNode), objects(SH.targetClass), objects(SH.targetSubjectsOf), objects(SH.targetObjectsOf)
    )


def _path(g: rdflib.Graph, path: Node) -> tuple[tuple[Step, ...], str | None]:
    """A predicate, inverse or sequence path as steps, with the last predicate validate.py reports."""
    if isinstance(path, URIRef):
        return ((False, path),), str(path)
    if isinstance(path, BNode) and g.value(path, RDF.first) is not None:
        items = list(g.items(path))
        steps = tuple(step for item in items for step in _path(g, item)[0])
        return steps, str(items[-1]) if items and isinstance(items[-1], URIRef) else None
    inverse = g.value(path, SH.inversePath)
    if isinstance(inverse, URIRef) and len(set(g.predicate_objects(path))) == 1:
        return ((True, inverse),), None
    raise Unsupported(f"property path {path}: only predicate, inverse and sequence paths are compiled")


def _failing(accepts: Callable[[Node, _Data], bool]) -> Check:
    def check(focus: Node, values: list[Node], data: _Data) -> Iterator[Node | None]:
        return (v for v in values if not accepts(v, data))

    check.accepts = accepts  # type: ignore[attr-defined]
    return check


def _traced(accepts: Callable[[Node, Any], bool]) -> Callable[[Node, _Data], bool]:
    """A test that reads the value itself (not its identity, kind or types), its answers noted in the
    data's ``Trace`` when there is one."""

    def traced(value: Node, data: _Data) -> bool:
        answer = accepts(value, data)
        if data.trace is not None:
            data.trace.tests.append((value, accepts, answer))
        return answer

    return traced


def _check_values(shape: _Shape, focus: Node, values: list[Node], data: _Data, out: list[Result]) -> None:
    """The results of ``shape``'s checks on the values its path reached from ``focus`` (some)."""
    count = len(values)
    for accepts, bounds, check in shape.tests:
        if accepts is not None:
            if count == 1:  # most paths reach one value: no list made when it passes
                if accepts(values[0], data):
                    continue
                failing: Iterable[Node | None] = values
            else:
                failing = [v for v in values if not accepts(v, data)]
        elif bounds is not None:
            if bounds[0] <= count <= bounds[1]:
                continue
            failing = (None,)
        else:
            failing = check(focus, values, data)
        for value in failing:
            out.append(Result(focus, value, shape.last_step, shape.message or "", shape.node))


def _fails(test: _Test, focus: Node, values: list[Node], data: _Data) -> bool:
    """Whether a check fails on ``values``: its test of one value or its bounds when it has them, else its iterator."""
    accepts, bounds, check = test
    if accepts is not None:
        return not all(accepts(v, data) for v in values)
    if bounds is not None:
        return not bounds[0] <= len(values) <= bounds[1]
    return next(check(focus, values, data), False) is not False


def _count(least: int, most: float) -> Check:
    """sh:minCount (``least``) or sh:maxCount (``most``): one failure without a value when the values are outside."""

    def check(focus: Node, values: list[Node], data: _Data) -> Iterator[Node | None]:
        return iter(() if least <= len(values) <= most else (None,))

    check.bounds = (least, most)  # type: ignore[attr-defined]
    return check


def _has_datatype(value: Node, datatype: Node) -> bool:
    """pySHACL's DatatypeConstraintComponent test."""
    if not isinstance(value, Literal):
        return False
    if value.datatype == datatype:
        return getattr(value, "ill_typed", None) is not True and _value_fits(value, datatype)
    if datatype == _RDFS_LITERAL:
        return True
    if datatype == _RDFS_DATATYPE and value.datatype:
        return True
    if value.datatype is None and value.language is None and datatype == _XSD_STRING:
        return _value_fits(value, datatype)
    if datatype == _LANG_STRING and value.language:
        return _value_fits(value, datatype)
    return False


def _datatype_test(datatype: Node) -> Callable[[Node, Any], bool]:
    """``_has_datatype`` for one datatype, its tests of the datatype itself made once, and the value's
    datatype compared as rdflib's ``__eq__`` compares it (same type, same text) without calling it."""
    kind = _VALUE_TYPES.get(datatype)
    any_literal, any_typed = datatype == _RDFS_LITERAL, datatype == _RDFS_DATATYPE
    plain_string, lang_string = datatype == _XSD_STRING, datatype == _LANG_STRING
    own_type = type(datatype)

    def fits(value: Literal) -> bool:
        return True if kind is None else isinstance(value.value, kind)

    def accepts(value: Node, data: Any) -> bool:
        if not isinstance(value, Literal):
            return False
        given = value.datatype
        if given is datatype or (type(given) is own_type and str.__eq__(given, datatype)):
            return getattr(value, "ill_typed", None) is not True and fits(value)
        if any_literal or (any_typed and given):
            return True
        if plain_string and given is None and value.language is None:
            return fits(value)
        if lang_string and value.language:
            return fits(value)
        return False

    # on a literal whose text rdflib keeps (no conversion), the answer reads only its kind and datatype
    accepts.by_kind = True  # type: ignore[attr-defined]
    return accepts


def _value_fits(value: Literal, datatype: Node) -> bool:
    kind = _VALUE_TYPES.get(datatype)
    return True if kind is None else isinstance(value.value, kind)


def _in_range(value: Node, bound: Literal, accept: Callable[[int], bool]) -> bool:
    """pySHACL's sh:min/maxInclusive/Exclusive test (rdflib's literal comparison, numbers compared as numbers)."""
    if not isinstance(value, Literal):
        return False
    if isinstance(bound.value, str) != isinstance(value.value, str):
        return False
    try:
        return accept(compare_literal(value, bound))
    except (TypeError, NotImplementedError):
        return False


def _matches(value: Node, pattern: re.Pattern[str]) -> bool:
    if isinstance(value, BNode):
        return False
    if isinstance(value, Literal) and value.value is not None and value.datatype in (None, _LANG_STRING, _XSD_STRING):
        text = str(value.value)
    else:
        text = str(value)
    return pattern.search(text) is not None


def _flags(g: rdflib.Graph, node: Node) -> int:
    flags = g.value(node, SH.flags)
    text = str(flags.value).lower() if isinstance(flags, Literal) else ""
    return (re.I if "i" in text else 0) | (re.M if "m" in text else 0)


def _listed(message: str | None) -> list[str]:
    return [message] if message is not None else []


def _format(message: str, this: Node | None, path: Node | None, value: Node | None) -> str:
    """pySHACL's substitution of {$this}, {?path} and {?value} in a SPARQL constraint's message."""
    for name, term in (("this", this), ("path", path), ("value", value)):
        if term is not None:
            message = re.sub(r"{[?$]" + name + "}", str(term), message)
    return message


def _last(path: Node) -> str | None:
    return str(path) if isinstance(path, URIRef) else None


def _to_ox(term: Node) -> Any:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"unsupported RDF term {term!r}")


def _from_ox(term: Any) -> Node | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == str(XSD.string):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"unsupported RDF term {term!r}")
