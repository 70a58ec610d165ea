"""The compiled SHACL checks (kgload.fastshacl) against pySHACL, the reference engine: the same
violations (focus, value, path, message, as many times each) on

- documents hypothesis builds to violate each shape of ontology/shapes.ttl, one shape at a time
  (found by searching until the reference reports that shape), and random graphs over the
  shapes' own vocabulary;
- every golden case and every shared sample in ../shared/samples, mapped without validation.

The compiled checks run directly (``CompiledShapes.results``), so that a document they cannot
check fails here instead of quietly going to pySHACL.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from functools import cache
from itertools import groupby
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD

from kgload import api
from kgload.errors import UsageError
from kgload.fastshacl import CompiledShapes, Unsupported
from kgload.rdf.convert import to_rdflib_term
from kgload.validate import ShaclValidator, validator_for
from tests.common import ROOT, SAMPLES, SEED
from tests.golden.test_golden import all_cases

MAPPING = ROOT / "mappings" / "kgload.yaml"
KG = "https://w3id.org/kgload/ontology#"
Triple = tuple[Any, Any, Any]


@cache
def validator() -> ShaclValidator:
    found = validator_for(api._cached_mapping(MAPPING))
    assert found is not None and found.compiled is not None
    return found


def compiled_violations(triples: list[Triple]) -> Counter:
    v = validator()
    assert v.compiled is not None
    return Counter(v._violation(r) for r in v.compiled.results(triples))


def reference_violations(triples: list[Triple]) -> Counter:
    return Counter(validator().reference_violations(triples))


def assert_same(triples: list[Triple]) -> Counter:
    expected = reference_violations(triples)
    assert compiled_violations(triples) == expected
    return expected


def as_triples(quads: list[ox.Quad]) -> list[Triple]:
    return [(to_rdflib_term(q.subject), to_rdflib_term(q.predicate), to_rdflib_term(q.object)) for q in quads]


def documents_in(path: Path) -> list[list[Triple]]:
    """A file's documents, mapped without validation, one triple list per named graph."""
    quads, _ = api.map_quads([path], mapping=MAPPING, validate=False, workers=1)
    quads.sort(key=lambda q: str(q.graph_name))
    return [as_triples(list(g)) for _, g in groupby(quads, key=lambda q: str(q.graph_name))]


# --- real documents --------------------------------------------------------------------------


@pytest.mark.parametrize("name,source", [(n, s) for n, s, _ in all_cases()], ids=[n for n, _, _ in all_cases()])
def test_golden_cases_give_the_reference_violations(name, source):
    docs = documents_in(source)
    assert docs
    for doc in docs:
        assert_same(doc)


SAMPLED = 40  # conforming documents compared per sample file in the normal run
SAMPLE_FILES = sorted(p for p in SAMPLES.glob("*") if p.name != "README.md") if SAMPLES.is_dir() else []


@pytest.mark.skipif(not SAMPLE_FILES, reason="../shared/samples is not there")
@pytest.mark.parametrize("path", SAMPLE_FILES, ids=[p.name for p in SAMPLE_FILES])
def test_shared_samples_give_the_reference_violations(path):
    # pySHACL takes a quarter of a second a document: every document the fast engine flags, and an even
    # spread of the others, unless KGLOAD_DIFFERENTIAL_ALL=1 asks for all of them (the long run)
    docs = documents_in(path)
    every = 1 if os.environ.get("KGLOAD_DIFFERENTIAL_ALL") == "1" else max(1, len(docs) // SAMPLED)
    for number, doc in enumerate(docs):
        if number % every == 0 or compiled_violations(doc):
            assert_same(doc)


# --- generated documents ---------------------------------------------------------------------


@cache
def shapes() -> rdflib.Graph:
    return validator().shapes


@cache
def targeted() -> list[URIRef]:
    g = shapes()
    found = {s for t in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf) for s in g.subjects(t)}
    return sorted(found, key=str)


def _reachable(node: Any) -> set[Any]:
    """The shapes graph nodes under ``node`` (its property shapes, nested shapes, paths, lists)."""
    g, seen, todo = shapes(), set(), [node]
    while todo:
        n = todo.pop()
        if n not in seen:
            seen.add(n)
            todo.extend(o for _, o in g.predicate_objects(n) if isinstance(o, (BNode, URIRef)))
    return seen


@cache
def vocabulary(shape: Any = None) -> tuple[list[Any], list[Any], list[Any]]:
    """(predicates, classes, IRIs) the shapes mention, or those under one shape."""
    g = shapes()
    nodes = _reachable(shape) if shape is not None else set(g.all_nodes())
    triples = [t for t in g if t[0] in nodes]
    predicates = {o for s, p, o in triples if p in (SH.path, SH.inversePath, SH.targetSubjectsOf, SH.targetObjectsOf)}
    predicates |= {o for s, p, o in triples if p == RDF.first}  # sequence path steps, sh:in members
    # the properties a SPARQL constraint reads (kg:startDate, kg:endDate...) are vocabulary too
    predicates |= {URIRef(KG + n) for _, p, o in triples if p == SH.select for n in re.findall(r"kg:(\w+)", o)}
    predicates = {p for p in predicates if isinstance(p, URIRef)}
    predicates |= {RDF.type, RDF.subject, RDF.predicate, RDF.object, URIRef(KG + "status")}
    classes = {o for s, p, o in triples if p in (SH["class"], SH.targetClass)}
    iris = {o for s, p, o in triples if p == SH.targetNode}
    iris |= {i for s, p, o in triples if p == SH["in"] for i in g.items(o)}
    return sorted(predicates, key=str), sorted(classes, key=str), sorted(iris, key=str)


def _literals() -> st.SearchStrategy[Literal]:
    datatypes = sorted({o for o in shapes().objects(None, SH.datatype)}, key=str)
    lexical = st.sampled_from(
        ["0", "1", "-1", "0.5", "1.5", "-0.5", "2024", "2024-05", "2024-05-31", "2024-02-30", "2024-05-31T10:00:00",
         "2023", "UA", "UKR", "UA-59", "ukr", "POINT(30.5 50.4)", "POINT(x y)", "sha256:ab", "{}", "abc", "", "036"]
    )  # fmt: skip
    return st.one_of(
        st.builds(lambda t: Literal(t), lexical),
        st.builds(lambda t: Literal(t, lang="en"), lexical),
        st.builds(lambda t, d: Literal(t, datatype=d), lexical, st.sampled_from([*datatypes, XSD.integer, XSD.string])),
    )


@st.composite
def graphs(draw: st.DrawFn, shape: Any = None) -> list[Triple]:
    """A small graph over the vocabulary of ``shape`` (all shapes when None)."""
    predicates, classes, iris = vocabulary(shape)
    all_predicates, all_classes, all_iris = vocabulary(None)
    entities = [URIRef(f"https://example.org/e{i}") for i in range(4)] + [BNode("b0"), CLAIM]
    # the focus nodes _focus makes come up most often, so that their shape's constraints are reached
    node = st.sampled_from([*entities[:1], CLAIM] * 3 + entities + iris + all_iris[:3])
    klass = st.sampled_from(classes or all_classes)
    obj = st.one_of(node, klass, _literals())
    predicate = st.sampled_from(predicates) if draw(st.booleans()) else st.sampled_from(all_predicates)
    triples = _focus(draw, shape) if shape is not None else []
    for _ in range(draw(st.integers(1, 14))):
        p = draw(predicate)
        o = draw(klass) if p == RDF.type else draw(obj)
        triples.append((draw(node), p, o))
    if draw(st.booleans()):
        triples += _claim(draw, entities, all_iris)
    for e in draw(st.lists(st.sampled_from(entities), max_size=3)):
        triples.append((e, RDF.type, draw(st.sampled_from(all_classes))))
    return triples


CLAIM = URIRef("https://example.org/c0")


def _claim(draw: st.DrawFn, entities: list[Any], iris: list[Any]) -> list[Triple]:
    """A reified claim over the shapes' own IRIs (relation properties, statuses), maybe with its direct triple."""
    s, o, p = draw(st.sampled_from(entities)), draw(st.sampled_from(entities)), draw(st.sampled_from(iris))
    status = draw(st.sampled_from([URIRef(KG + x) for x in ("Asserted", "Denied", "Disputed")]))
    out = [
        (CLAIM, RDF.subject, s),
        (CLAIM, RDF.predicate, p),
        (CLAIM, RDF.object, o),
        (CLAIM, URIRef(KG + "status"), status),
    ]
    if draw(st.booleans()):
        out.append((s, p, o))
    return out


def _focus(draw: st.DrawFn, shape: Any) -> list[Triple]:
    """Triples that make some node a focus node of ``shape`` (of its targets, one drawn)."""
    g = shapes()
    claim, node = CLAIM, URIRef("https://example.org/e0")
    other = draw(st.sampled_from([URIRef("https://example.org/e1"), URIRef(KG + "Asserted"), BNode("b1")]))
    ways: list[Triple] = []
    ways += [(claim, RDF.predicate, n) for n in g.objects(shape, SH.targetNode)]
    ways += [(node, RDF.type, c) for c in g.objects(shape, SH.targetClass)]
    ways += [(node, p, draw(st.one_of(st.just(other), _literals()))) for p in g.objects(shape, SH.targetSubjectsOf)]
    ways += [(other, p, node) for p in g.objects(shape, SH.targetObjectsOf)]
    out = [draw(st.sampled_from(sorted(ways)))] if ways else []
    read = [
        URIRef(KG + n) for o in g.objects(shape, SH.sparql) for n in re.findall(r"kg:(\w+)", str(g.value(o, SH.select)))
    ]
    if read:  # a SPARQL constraint compares values of the focus node: give it some
        out += [
            (node, draw(st.sampled_from(sorted(set(read)))), draw(_literals())) for _ in range(draw(st.integers(1, 3)))
        ]
    return out


def violated_shapes(triples: list[Triple]) -> set[Any]:
    """The shapes (top-level) the reference reports a violation of."""
    v = validator()
    conforms, report = v.engine.validate(triples)
    return {report.value(r, SH.sourceShape) for r in report.objects(None, SH.result)} if not conforms else set()


def _shape_id(shape: Any) -> str:
    return str(shape).rsplit("#", 1)[-1]


@pytest.mark.parametrize("shape", targeted(), ids=[_shape_id(s) for s in targeted()])
def test_a_document_violating_each_shape_gives_the_reference_violations(shape):
    def violates(triples: list[Triple]) -> bool:
        found = violated_shapes(triples)
        return shape in found or any(s in _reachable_from_top(shape) for s in found)

    example = find(
        graphs(shape),
        violates,
        # the first document found, not the smallest: shrinking would run pySHACL hundreds of times more
        settings=settings(
            max_examples=300,
            deadline=None,
            database=None,
            phases=[Phase.generate],
            derandomize=True,  # the same search every run: a shape's example is found or not, never by luck
            suppress_health_check=list(HealthCheck),
        ),
    )
    assert assert_same(example)


@cache
def _reachable_from_top(shape: Any) -> frozenset[Any]:
    # a property shape's results name the property shape as their source, not the node shape with the target
    return frozenset(shapes().objects(shape, SH.property))


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(triples=graphs())
def test_random_graphs_give_the_reference_violations(triples):
    assert_same(triples)


def test_the_seed_conforms_in_both():
    assert assert_same(documents_in(SEED)[0]) == Counter()


def test_numbers_compare_as_numbers():
    claim = URIRef("https://example.org/c")
    for lexical, datatype, fails in (
        ("1.0", XSD.decimal, False),
        ("1.00000000000000000001", XSD.decimal, True),
        ("0.10", XSD.decimal, False),
        ("-0.0", XSD.decimal, False),
        ("1", XSD.integer, True),  # a decimal is required
    ):
        triples = [
            (claim, RDF.type, URIRef(KG + "Claim")),
            (claim, URIRef(KG + "confidence"), Literal(lexical, datatype=datatype)),
        ]
        found = [v for v in assert_same(triples) if v.path == KG + "confidence"]
        assert bool(found) is fails, lexical


def test_a_claim_predicate_shape_skipped_by_documents_that_do_not_mention_it_runs_for_one_that_does():
    # kgsh:InteractedWithClaimShape's focus node is the ontology's kg:interactedWith: with no results
    # there, the compiled engine looks at it only for a document that mentions a node it read
    claim, place, actor = (URIRef(f"https://example.org/{n}") for n in ("c", "p", "a"))
    base = [
        (claim, RDF.type, URIRef(KG + "Claim")),
        (claim, RDF.subject, place),
        (claim, RDF.object, actor),
        (place, RDF.type, URIRef(KG + "City")),
        (actor, RDF.type, URIRef(KG + "Country")),
    ]
    assert not [v for v in assert_same(base) if "interacted-with" in v.message]
    found = assert_same([*base, (claim, RDF.predicate, URIRef(KG + "interactedWith"))])
    assert [v for v in found if "interacted-with" in v.message]


def test_unknown_components_are_refused():
    g = rdflib.Graph()
    shape = URIRef("https://example.org/S")
    g.add((shape, SH.targetClass, URIRef(KG + "Person")))
    g.add((shape, SH.closed, Literal(True)))
    g.add((shape, SH.message, Literal("closed")))
    with pytest.raises(Unsupported):
        CompiledShapes.compile(g, [])


def test_shapes_without_messages_are_refused():
    g = rdflib.Graph()
    shape = URIRef("https://example.org/S")
    g.add((shape, SH.targetClass, URIRef(KG + "Person")))
    g.add((shape, SH.nodeKind, SH.IRI))
    with pytest.raises(Unsupported):
        CompiledShapes.compile(g, [])


def test_the_validator_falls_back_to_pyshacl_on_shapes_it_cannot_compile(tmp_path):
    shapes_file = tmp_path / "shapes.ttl"
    shapes_file.write_text(
        (ROOT / "ontology" / "shapes.ttl").read_text(encoding="utf-8") + "\nkgsh:DocumentShape sh:closed false .\n",
        encoding="utf-8",
    )
    v = ShaclValidator(shapes_file, ROOT / "ontology" / "kgload.ttl")
    assert v.compiled is None
    quads = api.map_quads([SEED], mapping=MAPPING, validate=False, workers=1)[0]
    assert v.violations(quads) == []


def test_the_engine_is_chosen_by_name(monkeypatch):
    monkeypatch.setenv("KGLOAD_SHACL_ENGINE", "pyshacl")
    assert ShaclValidator(ROOT / "ontology" / "shapes.ttl", ROOT / "ontology" / "kgload.ttl").compiled is None
    with pytest.raises(UsageError, match="'rudof'; expected one of compiled, pyshacl"):
        ShaclValidator(ROOT / "ontology" / "shapes.ttl", ROOT / "ontology" / "kgload.ttl", engine="rudof")


# --- SPARQL constraints: answered in Python, or skipped, or run in pyoxigraph ----------------

_EX = "https://example.org/"
_STATUSES = [URIRef(KG + s) for s in ("Asserted", "Denied", "Disputed")]


@st.composite
def claim_graphs(draw: Any) -> list[Triple]:
    """Reified claims over a few nodes and predicates, some with their direct (or reversed) triple."""
    nodes = [URIRef(_EX + n) for n in "abc"] + [Literal("a"), Literal("a", datatype=XSD.string)]
    predicates = [URIRef(_EX + p) for p in ("p", "q")]
    triples: list[Triple] = []
    for number in range(draw(st.integers(0, 4))):
        claim = URIRef(f"{_EX}claim{number}") if draw(st.booleans()) else BNode()
        s, o = draw(st.sampled_from(nodes[:3])), draw(st.sampled_from(nodes))
        p = draw(st.sampled_from(predicates))
        triples += [(claim, URIRef(KG + "status"), draw(st.sampled_from(_STATUSES)))]
        triples += [(claim, RDF.subject, s), (claim, RDF.predicate, p), (claim, RDF.object, o)]
        written = draw(st.sampled_from(["none", "direct", "reversed"]))
        if written == "direct" or (
            written == "reversed" and isinstance(o, URIRef)
        ):  # a document has no literal subject
            triples.append((s, p, o) if written == "direct" else (o, p, s))
    for _ in range(draw(st.integers(0, 4))):
        s, o = draw(st.sampled_from(nodes[:3])), draw(st.sampled_from(nodes))
        triples.append((s, draw(st.sampled_from(predicates)), o))
    if draw(st.booleans()):  # a period, so that the constraint pyoxigraph answers runs too
        dates = st.sampled_from([Literal("2024", datatype=XSD.gYear), Literal("2024-03-01", datatype=XSD.date)])
        triples += [(URIRef(_EX + "claim0"), URIRef(KG + n), draw(dates)) for n in ("startDate", "endDate")]
    return triples


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(triples=claim_graphs())
def test_claim_graphs_give_the_reference_violations(triples):
    assert_same(triples)


def test_the_claim_triple_constraints_are_answered_in_python_and_the_period_in_pyoxigraph():
    compiled = validator().compiled
    assert compiled is not None
    plans = {str(s.node).rsplit("#", 1)[1]: [c.plan is not None for c in s.sparql] for s, _ in compiled._targeted}
    assert plans["AssertedClaimTripleShape"] == [True]
    assert plans["UnassertedClaimTripleShape"] == [True]
    assert plans["ClaimPeriodShape"] == [False]  # BIND, REPLACE, IF: not in the subset


def test_a_document_copies_into_pyoxigraph_only_when_a_query_there_may_match(monkeypatch):
    compiled = validator().compiled
    assert compiled is not None
    copies: list[int] = []
    real = CompiledShapes._sparql_data

    def counted(self, triples):
        copies.append(len(triples))
        return real(self, triples)

    monkeypatch.setattr(CompiledShapes, "_sparql_data", counted)
    claim = URIRef(_EX + "claim")
    unasserted = [
        (claim, URIRef(KG + "status"), URIRef(KG + "Asserted")),
        (claim, RDF.subject, URIRef(_EX + "a")),
        (claim, RDF.predicate, URIRef(_EX + "p")),
        (claim, RDF.object, URIRef(_EX + "b")),
    ]
    assert [v.message for v in assert_same(unasserted)] == [
        "An asserted claim must come with its direct triple (rdf:subject rdf:predicate rdf:object)"
    ]
    assert copies == []
    period = [
        (claim, URIRef(KG + "startDate"), Literal("2024-05-01", datatype=XSD.date)),
        (claim, URIRef(KG + "endDate"), Literal("2024-04", datatype=XSD.gYearMonth)),
    ]
    assert "kg:startDate must not be after kg:endDate" in {v.message for v in assert_same(period)}
    assert copies
