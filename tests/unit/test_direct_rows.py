"""Rows made straight from the records (``kgload.sinks.neo4j.direct``) are the rows the projection
makes of the mapped quads: the same documents, entities and claims, field for field and in the
same order, the same quad count, rejects, merges and learned tenures; and the direct path is
the one taken for ordinary documents."""

from __future__ import annotations

import dataclasses

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kgload.ontology import load_ontology
from kgload.rdf.offices import tenure_index
from kgload.rdf.plan import map_extraction
from kgload.readers import read
from kgload.records import Extraction
from kgload.sinks.neo4j import direct
from kgload.sinks.neo4j.direct import map_to_rows
from kgload.sinks.neo4j.preparing import RowsPreparer
from kgload.sinks.neo4j.projection import project_early
from tests.common import MID_SECOND_RUN
from tests.unit.extractions import (
    CALL_DOCUMENT,
    WRONG_LEADER,
    extraction_of,
    graph_per_call_mapping,
    mapped_outcome,
    richer_numbered,
)


@pytest.fixture(scope="module")
def ontology(mapping):
    return load_ontology(mapping.ontology.path)


def _outcome(mapped) -> tuple:
    rows = mapped.prepared
    return (
        *mapped_outcome(mapped),
        list(mapped.claim_sources),
        None if rows is None else (rows.uri, list(rows.props.items())),
        None if rows is None else [dataclasses.astuple(e) for e in rows.entities],
        None if rows is None else [(dataclasses.astuple(c), list(c.props.items())) for c in rows.claims],
    )


def _both(extraction: Extraction, mapping, ontology, direct_tenures=None, quads_tenures=None):
    fast = map_to_rows(extraction, mapping, MID_SECOND_RUN, ontology, direct_tenures)
    slow = project_early(map_extraction(extraction, mapping, MID_SECOND_RUN, quads_tenures), ontology)
    return fast, slow


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.integers(0, 10**6), min_size=1, max_size=4).flatmap(lambda n: st.tuples(*map(richer_numbered, n))))
def test_direct_rows_are_the_projection_of_the_mapped_quads(mapping, ontology, docs):
    fast_tenures, slow_tenures = tenure_index(mapping), tenure_index(mapping)
    for value in docs:  # in sequence: later documents resolve roles through what earlier ones stated
        fast, slow = _both(extraction_of(value), mapping, ontology, fast_tenures, slow_tenures)
        assert _outcome(fast) == _outcome(slow)
        assert fast.quads == [] and fast.prepared is not None
    assert fast_tenures._by_office == slow_tenures._by_office


def test_the_seed_takes_the_direct_path_and_gives_the_projected_rows(mapping, ontology, seed):
    (extraction,) = [item for item in read(seed) if isinstance(item, Extraction)]
    assert direct._rows(extraction, mapping, MID_SECOND_RUN, ontology, tenure_index(mapping)) is not None
    fast, slow = _both(extraction, mapping, ontology, tenure_index(mapping), tenure_index(mapping))
    assert _outcome(fast) == _outcome(slow)
    assert fast.prepared.claims and fast.prepared.entities
    assert fast.triples == slow.triples > 100


CALL = {"type": "called", "head": "a", "tail": "b", "date": "2025-06-14"}


def _twice(first: dict, second: dict) -> Extraction:
    return extraction_of(
        {
            "document": {"id": "twice", "title": "T"},
            "entities": [
                {"id": "a", "name": "Putin", "type": "Person"},
                {"id": "b", "name": "Trump", "type": "Person"},
                {"id": "k", "name": "Kyiv", "type": "City"},
            ],
            "relations": [CALL | first, CALL | second],
        }
    )


def test_a_claim_repeated_in_a_document_takes_the_quads_path(mapping, ontology):
    """Repeated with nothing new, or with what the first leaves out: one claim, whose quads merge."""
    extraction = _twice({"confidence": 0.9}, {"type": "phoned", "location": "k"})
    assert direct._rows(extraction, mapping, MID_SECOND_RUN, ontology, None) is None
    fast, slow = _both(extraction, mapping, ontology)
    assert _outcome(fast) == _outcome(slow)
    (claim,) = fast.prepared.claims
    assert claim.props["confidence"] == 0.9 and claim.location == "https://w3id.org/kgload/id/q1899"
    assert not fast.rejects


@pytest.mark.parametrize(
    ("first", "second", "what"),
    [
        ({"confidence": 0.9}, {"confidence": 0.5}, "another confidence (0.5; it has 0.9)"),
        ({"attributes": {"note": "a"}}, {"attributes": {"note": "b"}}, "another attributes ({'note': 'b'};"),
        ({"event_code": "042"}, {"event_code": "043"}, "another event code ('043'; it has '042')"),
    ],
)
def test_a_claim_repeated_with_another_value_is_rejected_and_the_first_kept(mapping, ontology, first, second, what):
    """A claim has one confidence, location, event code, set of attributes: a second report in the
    document that gives another is rejected with both values, on every path, and the first stands."""
    extraction = _twice(first, second)
    fast, slow = _both(extraction, mapping, ontology)
    assert _outcome(fast) == _outcome(slow)
    (reject,) = fast.rejects
    assert reject.origin.path == "relations[1]" and reject.stage == "map"
    assert reject.reason.startswith(f"repeats the claim of relations[0] with {what}")
    assert reject.reason.endswith("the first is kept")
    (claim,) = fast.prepared.claims
    assert {k: claim.props.get(k) for k in ("confidence", "eventCode")} == {
        "confidence": first.get("confidence"),
        "eventCode": first.get("event_code"),
    }


def test_a_mapping_with_a_graph_per_relation_takes_the_quads_path(tmp_path, ontology):
    mapping = graph_per_call_mapping(tmp_path)
    assert not direct._covers(mapping)
    fast, slow = _both(extraction_of(CALL_DOCUMENT), mapping, ontology)
    assert _outcome(fast) == _outcome(slow)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.integers(0, 10**6), min_size=1, max_size=4).flatmap(lambda n: st.tuples(*map(richer_numbered, n))))
def test_a_checked_document_holds_its_plans_rows_beside_the_quads(mapping, ontology, docs):
    """``map_checked`` maps as ``map_extraction`` does and holds the plan's rows beside its statements,
    the quads not yet made; the preparer uses the rows while the statements are the ones rendered with them."""
    preparer = RowsPreparer(ontology)
    tenures, slow_tenures = tenure_index(mapping), tenure_index(mapping)
    for value in docs:
        extraction = extraction_of(value)
        checked = preparer.map_checked(extraction, mapping, MID_SECOND_RUN, tenures)
        plain = map_extraction(extraction, mapping, MID_SECOND_RUN, slow_tenures)
        assert mapped_outcome(checked) == mapped_outcome(plain)
        if not checked.iri:
            continue
        # none held where the plan's rows would not be the projection's (a claim given twice, say)
        if checked.held is None:
            assert checked.statements is None and checked.quads == plain.quads
        else:
            assert checked.held[1] is checked.statements and checked.quads == []
            assert [ox.Quad(*s) for s in checked.statements] == plain.quads
        count = len(plain.quads)
        assert _outcome(preparer(checked)) == _outcome(project_early(plain, ontology))
        assert checked.held is None and checked.quads == [] and checked.statements is None
        assert checked.quad_count == count
    assert tenures._by_office == slow_tenures._by_office


def test_rows_held_for_quads_the_shapes_changed_are_not_used(mapping, ontology):
    preparer = RowsPreparer(ontology)
    checked = preparer.map_checked(extraction_of(CALL_DOCUMENT), mapping, MID_SECOND_RUN, None)
    assert checked.held is not None
    plain = map_extraction(extraction_of(CALL_DOCUMENT), mapping, MID_SECOND_RUN, None)
    claims = {q.subject for q in checked.make_quads() if q.predicate.value.endswith("#predicate")}
    assert claims
    # as the shapes drop a claim: a new list of the quads left
    checked.quads = [q for q in checked.quads if q.subject not in claims]
    plain.quads = [q for q in plain.quads if q.subject not in claims]
    rows = preparer(checked).prepared
    assert rows.claims == [] and _outcome(checked) == _outcome(project_early(plain, ontology))


def test_a_document_the_shapes_check_gets_the_rows_the_projection_gives(mapping, ontology, seed):
    from kgload.document import map_document
    from kgload.validate import ShaclValidator

    validator = ShaclValidator(mapping.shapes, mapping.ontology.path)
    (extraction,) = [item for item in read(seed) if isinstance(item, Extraction)]
    fast = map_document(extraction, mapping, MID_SECOND_RUN, validator, tenure_index(mapping), RowsPreparer(ontology))
    slow = validator.check(map_extraction(extraction, mapping, MID_SECOND_RUN, tenure_index(mapping)))
    assert _outcome(fast) == _outcome(project_early(slow, ontology))
    assert fast.held is None and fast.prepared.claims


@pytest.mark.parametrize("document", [CALL_DOCUMENT, WRONG_LEADER], ids=["conforms", "violates"])
def test_quads_are_made_of_a_checked_documents_statements_only_when_the_shapes_drop_a_record(
    mapping, ontology, monkeypatch, document
):
    """The validated rows path gives what the quads path gives, rejects included, and makes quads only
    for a document whose records the shapes drop."""
    from kgload.document import map_document
    from kgload.model import MappedDocument
    from kgload.validate import ShaclValidator

    made = []
    real = MappedDocument.make_quads

    def counted(doc):
        made.append(doc.statements is not None)
        return real(doc)

    monkeypatch.setattr(MappedDocument, "make_quads", counted)
    validator = ShaclValidator(mapping.shapes, mapping.ontology.path)
    fast = map_document(extraction_of(document), mapping, MID_SECOND_RUN, validator, None, RowsPreparer(ontology))
    made_fast, made[:] = list(made), []
    slow = validator.check(map_extraction(extraction_of(document), mapping, MID_SECOND_RUN, None))
    rejects = [(r.origin, r.reason, r.stage) for r in slow.rejects]
    assert [(r.origin, r.reason, r.stage) for r in fast.rejects] == rejects
    assert _outcome(fast) == _outcome(project_early(slow, ontology))
    if document is WRONG_LEADER:
        assert [r[2] for r in rejects] == ["validate"] and made_fast.count(True) == 1
    else:
        assert rejects == [] and made_fast == []
    assert fast.statements is None and fast.quads == []
