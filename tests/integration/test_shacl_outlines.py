"""Verdicts recalled by a document's outline (kgload.outlines) equal what the checks, and pySHACL, give.

A validator remembers the compiled checks' violations of a document by its outline and gives them to
a later document with the same outline whose value tests answer the same. Held here to pySHACL on
generated documents and their copies with other terms in the same places (so that the copies recall),
and to the validator without outlines on every golden case and shared sample.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, XSD

from kgload import api
from kgload.fastshacl import _to_ox
from kgload.validate import ShaclValidator
from tests.golden.test_golden import all_cases
from tests.integration.test_fastshacl_differential import (
    KG,
    MAPPING,
    SAMPLE_FILES,
    _literals,
    as_triples,
    documents_in,
    graphs,
    reference_violations,
    validator,
)

Triple = tuple[Any, Any, Any]
_EX = "https://example.org/"


def quads_of(triples: list[Triple]) -> list[ox.Quad]:
    """The triples as pyoxigraph quads; a pyoxigraph term among them is taken as it is."""

    def term(t: Any) -> Any:
        return t if isinstance(t, (ox.NamedNode, ox.BlankNode, ox.Literal)) else _to_ox(t)

    return [ox.Quad(term(s), term(p), term(o)) for s, p, o in triples]


def fresh() -> ShaclValidator:
    """A validator that remembers no outline yet."""
    mapping = api._cached_mapping(MAPPING)
    assert mapping.shapes is not None
    return ShaclValidator(mapping.shapes, mapping.ontology.path)


def assert_reference(v: ShaclValidator, triples: list[Triple]) -> Counter:
    quads = quads_of(triples)
    expected = reference_violations(as_triples(quads))
    assert Counter(v.violations(quads)) == expected
    return expected


@st.composite
def revalued(draw: st.DrawFn, triples: list[Triple]) -> list[Triple]:
    """``triples`` with the terms the shapes and the ontology do not hold replaced, each everywhere by one
    term drawn (two may get the same): mostly of its kind, so that the copy often has the same outline."""
    compiled = validator().compiled
    assert compiled is not None
    swapped: dict[Any, Any] = {}

    def new(term: Any) -> Any:
        if compiled.is_known(compiled.known(term)):
            return term
        if term not in swapped:
            if isinstance(term, URIRef):
                swapped[term] = URIRef(f"{_EX}r{draw(st.integers(0, 5))}")
            elif isinstance(term, BNode):
                swapped[term] = BNode(f"r{draw(st.integers(0, 5))}")
            else:
                same_kind = st.sampled_from(["0", "1", "01", "-1", "1.5", "2024-05-31", "UA", "", "abc"]).map(
                    lambda text: Literal(text, lang=term.language, datatype=term.datatype)
                )
                swapped[term] = draw(st.one_of(same_kind, _literals()))
        return swapped[term]

    return [(new(s), new(p), new(o)) for s, p, o in triples]


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_documents_with_one_outline_give_the_reference_violations(data):
    v = validator()  # one validator for every example: what it remembers carries over, as in a load
    first = data.draw(graphs())
    assert_reference(v, first)
    for _ in range(2):
        assert_reference(v, data.draw(revalued(first)))


def _claim_document(number: int, confidence: Literal) -> list[Triple]:
    claim, doc = URIRef(f"{_EX}claim{number}"), URIRef(f"{_EX}doc{number}")
    a, b = URIRef(f"{_EX}a{number}"), URIRef(f"{_EX}b{number}")
    return [
        (doc, RDF.type, URIRef(KG + "Document")),
        (claim, RDF.type, URIRef(KG + "Claim")),
        (claim, RDF.subject, a),
        (claim, RDF.predicate, URIRef(KG + "interactedWith")),
        (claim, RDF.object, b),
        (claim, URIRef(KG + "status"), URIRef(KG + "Asserted")),
        (claim, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"), doc),
        (claim, URIRef(KG + "confidence"), confidence),
        (a, RDF.type, URIRef(KG + "Country")),
        (b, RDF.type, URIRef(KG + "Country")),
        (a, URIRef(KG + "interactedWith"), b),
    ]


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(values=st.lists(st.tuples(_literals(), _literals()), min_size=3, max_size=3))
def test_claims_with_any_confidence_and_date_give_the_reference_violations(values):
    # one outline for most of them: the value tests (sh:datatype, sh:or of datatypes, the ranges) decide
    v = validator()
    for number, (confidence, day) in enumerate(values):
        claim = URIRef(f"{_EX}claim{number}")
        assert_reference(v, [*_claim_document(number, confidence), (claim, URIRef(KG + "date"), day)])


def test_a_document_recalls_an_earlier_ones_violations_about_its_own_terms():
    v = fresh()
    assert v._outlines is not None
    first = _claim_document(1, Literal("0.5", datatype=XSD.decimal))
    assert_reference(v, first)
    second = _claim_document(2, Literal("0.75", datatype=XSD.decimal))
    outline = v._outlines.of(quads_of(second))
    assert outline.key == v._outlines.of(quads_of(first)).key
    assert v._outlines.recall(outline) is not None
    found = assert_reference(v, second)
    # the recalled violations name the second document's nodes, not the first's
    assert all("claim1" not in x.focus and "a1" not in x.focus for x in found)


def test_a_value_test_that_answers_otherwise_runs_the_checks_again():
    v = fresh()
    assert v._outlines is not None
    assert_reference(v, _claim_document(1, Literal("0.5", datatype=XSD.decimal)))
    ill_typed = _claim_document(2, Literal("half", datatype=XSD.decimal))
    assert v._outlines.recall(v._outlines.of(quads_of(ill_typed))) is None
    found = assert_reference(v, ill_typed)
    assert any(x.path == KG + "confidence" for x in found)
    # remembered beside the first: a third document with an ill-typed confidence recalls it
    third = _claim_document(3, Literal("most", datatype=XSD.decimal))
    assert v._outlines.recall(v._outlines.of(quads_of(third))) is not None
    assert_reference(v, third)


def test_typed_literals_share_a_slot_when_rdflib_writes_them_alike():
    # rdflib writes "07"^^xsd:integer as "7": one value to the checks (kg:confidence has sh:maxCount 1)
    v = fresh()
    assert v._outlines is not None

    def claims(number: int, *values: str) -> list[Triple]:
        # pyoxigraph keeps the text as written (rdflib's Literal would write "7" already)
        integer = ox.NamedNode(str(XSD.integer))
        return [t for value in values for t in _claim_document(number, ox.Literal(value, datatype=integer))]

    two, one = claims(1, "7", "8"), claims(2, "07", "7")
    assert v._outlines.of(quads_of(two)).key != v._outlines.of(quads_of(one)).key
    counted = [assert_reference(v, two), assert_reference(v, one)]
    assert counted[0] != counted[1]


def _every_document() -> list[list[Triple]]:
    docs = [doc for _, source, _ in all_cases() for doc in documents_in(source)]
    for path in SAMPLE_FILES:
        docs += documents_in(path)
    return docs


def test_every_golden_case_and_shared_sample_gives_what_the_checks_give_without_outlines():
    if not SAMPLE_FILES:
        pytest.skip("../shared/samples is not there")
    with_outlines, without = fresh(), fresh()
    without._outlines = None
    assert with_outlines._outlines is not None
    recalled = 0
    for doc in _every_document():
        quads = quads_of(doc)
        recalled += with_outlines._outlines.recall(with_outlines._outlines.of(quads)) is not None
        assert with_outlines.violations(quads) == without.violations(quads)
    assert recalled > 100  # the event samples repeat their outlines


def _confidences_document(number: int, confidences: int) -> list[Triple]:
    """A claim with as many confidence values as asked: one outline for each count."""
    values = [Literal(f"0.{n + 1}", datatype=XSD.decimal) for n in range(confidences)]
    return [t for value in values for t in _claim_document(number, value)]


def test_a_full_memory_keeps_the_outlines_documents_recalled(monkeypatch):
    from kgload import outlines

    monkeypatch.setattr(outlines, "_MAX_OUTLINES", 4)
    v = fresh()
    assert v._outlines is not None

    for count in range(1, 5):
        assert_reference(v, _confidences_document(count, count))
    assert_reference(v, _confidences_document(10, 2))  # recalls the outline of two confidences
    assert len(v._outlines._remembered) == 4
    assert_reference(v, _confidences_document(11, 5))  # a fifth: the three never recalled go
    assert len(v._outlines._remembered) == 2
    second = v._outlines.of(quads_of(_confidences_document(12, 2)))
    assert v._outlines.recall(second) is not None
    assert v._outlines.recall(v._outlines.of(quads_of(_confidences_document(13, 3)))) is None
    assert_reference(v, _confidences_document(12, 2))


def test_a_full_memory_of_recalled_outlines_keeps_the_half_most_recalled(monkeypatch):
    """A feed recalls most of its outlines: the frequent ones stay when the memory fills."""
    from kgload import outlines

    monkeypatch.setattr(outlines, "_MAX_OUTLINES", 4)
    v = fresh()
    assert v._outlines is not None

    for count in range(1, 5):
        assert_reference(v, _confidences_document(count, count))
    for number, count in enumerate([1, 2, 3, 4, 3, 3, 2], start=20):  # every outline recalled, 3 and 2 most
        assert_reference(v, _confidences_document(number, count))
    assert_reference(v, _confidences_document(30, 5))  # a fifth outline: the two most recalled stay, and the new one
    assert len(v._outlines._remembered) == 3
    for count, kept in [(3, True), (2, True), (5, True), (1, False), (4, False)]:
        outline = v._outlines.of(quads_of(_confidences_document(40 + count, count)))
        assert (v._outlines.recall(outline) is not None) is kept


def test_threads_sharing_a_validator_get_what_one_thread_gets():
    from concurrent.futures import ThreadPoolExecutor

    if not SAMPLE_FILES:
        pytest.skip("../shared/samples is not there")
    docs = [quads_of(doc) for doc in _every_document()]
    alone = fresh()
    expected = [alone.violations(quads) for quads in docs]
    shared = fresh()
    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(shared.violations, docs)) == expected


def test_outlines_rest_after_a_window_in_which_few_documents_recalled(monkeypatch):
    from kgload import outlines

    monkeypatch.setattr(outlines, "WINDOW", 4)
    monkeypatch.setattr(outlines, "ENOUGH", 2)
    monkeypatch.setattr(outlines, "REST", 3)
    v = fresh()
    assert v._outlines is not None
    outlined: list[int] = []
    real = v._outlines.of

    def counted(quads):
        outlined.append(len(quads))
        return real(quads)

    monkeypatch.setattr(v._outlines, "of", counted)
    # four documents of four outlines (1 to 4 confidence values): none recalls, so the next three rest
    docs = [_confidences_document(count, count) for count in range(1, 8)]
    for doc in docs:
        assert_reference(v, doc)
    assert len(outlined) == 4  # the fifth to seventh rest
    assert v._outlines._remembered == {}
    assert_reference(v, docs[0])  # the rest is over: outlined again
    assert len(outlined) == 5
