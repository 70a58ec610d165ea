"""N-Quads written straight from the records (``kgload.rdf.direct_text``) are what the quads path
writes: the same bytes for every document, the same quad count, rejects, merges, claims and
learned tenures; and ``kgload map`` takes that path for the line formats without SHACL."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kgload.rdf import direct_text
from kgload.rdf.direct_text import TextPreparer, map_to_text
from kgload.rdf.offices import tenure_index
from kgload.rdf.plan import map_extraction
from kgload.rdf.serialize import serialise
from kgload.readers import read
from kgload.records import Extraction
from tests.common import MID_SECOND_RUN
from tests.unit.extractions import CALL_DOCUMENT, extraction_of, graph_per_call_mapping, mapped_outcome, richer

# text that needs escaping in N-Quads: quotes, backslashes, control characters, line breaks,
# characters beyond the BMP; none of it may change what the two paths write
awkward = st.text(st.characters(codec="utf-8"), min_size=1, max_size=12)


@st.composite
def texts(draw, doc_id: str) -> dict:
    """``richer`` with free text where a document carries it: its title, evidence, an attribute."""
    value = draw(richer(doc_id))
    if draw(st.booleans()):
        value["document"]["title"] = "T" + draw(awkward)  # a title must hold a non-space character
    for relation in value["relations"]:
        if draw(st.integers(0, 2)) == 0:
            relation["evidence"] = draw(awkward)
        if draw(st.integers(0, 4)) == 0:
            relation["attributes"] = {"note": draw(awkward)}
    return value


def _outcome(mapped) -> tuple:
    return (*mapped_outcome(mapped), list(mapped.claim_sources.items()))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.integers(0, 10**6), min_size=1, max_size=4).flatmap(lambda n: st.tuples(*(texts(f"d{i}") for i in n)))
)
def test_direct_text_is_what_the_quads_path_writes(mapping, docs):
    quads_tenures = tenure_index(mapping)
    # one index per format: each pass maps the document once, as a run does, so a role phrase never
    # resolves through a tenure that the same document stated in the other format's pass
    text_tenures = {rdf_format: tenure_index(mapping) for rdf_format in ("nquads", "ntriples")}
    for value in docs:  # in sequence: later documents resolve roles through what earlier ones stated
        extraction = extraction_of(value)
        slow = map_extraction(extraction, mapping, MID_SECOND_RUN, quads_tenures)
        for rdf_format, tenures in text_tenures.items():
            fast = map_to_text(extraction, mapping, MID_SECOND_RUN, tenures, graphs=rdf_format == "nquads")
            assert fast.quads == []
            assert fast.prepared == serialise(slow.quads, rdf_format)
            assert _outcome(fast) == _outcome(slow)
    for tenures in text_tenures.values():
        assert tenures._by_office == quads_tenures._by_office


def test_the_seed_written_straight_parses_to_the_mapped_quads(mapping, seed):
    (extraction,) = [item for item in read(seed) if isinstance(item, Extraction)]
    fast = map_to_text(extraction, mapping, MID_SECOND_RUN, tenure_index(mapping))
    slow = map_extraction(extraction, mapping, MID_SECOND_RUN, tenure_index(mapping))
    assert fast.prepared == serialise(slow.quads, "nquads")
    assert fast.triples == len(slow.quads) > 100
    import pyoxigraph as ox

    assert list(ox.parse(fast.prepared, format=ox.RdfFormat.N_QUADS)) == slow.quads


def test_a_mapping_with_a_graph_per_relation_takes_the_quads_path(tmp_path):
    mapping = graph_per_call_mapping(tmp_path)
    assert not direct_text._covers(mapping)
    extraction = extraction_of(CALL_DOCUMENT)
    fast = TextPreparer("nquads").map(extraction, mapping, MID_SECOND_RUN, None)
    slow = map_extraction(extraction, mapping, MID_SECOND_RUN)
    assert fast.prepared == serialise(slow.quads, "nquads")
    assert b"<https://w3id.org/kgload/graph/calls/g>" in fast.prepared
