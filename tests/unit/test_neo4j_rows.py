"""Parameter rows of the Neo4j writer: datetimes travel as ISO text and name their keys."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from kgload.sinks.neo4j import rows
from kgload.sinks.neo4j.rows import on_the_wire

aware = st.datetimes(timezones=st.timezones())
values = st.one_of(st.none(), st.integers(), st.text(max_size=5), st.dates(), st.datetimes(), aware)


@given(st.dictionaries(st.text(min_size=1, max_size=6), values, max_size=6))
def test_aware_datetimes_become_iso_text_that_parses_back_to_the_same_instant(props):
    wire, keys = on_the_wire(props)
    assert set(wire) == set(props)
    assert keys == [k for k, v in props.items() if isinstance(v, dt.datetime) and v.tzinfo is not None]
    for key, value in props.items():
        if key in keys:
            back = dt.datetime.fromisoformat(wire[key])
            # the same instant and offset (a named zone travels as its offset at that instant;
            # == across zones is never true inside a repeated hour, so compare timestamps)
            assert back.timestamp() == value.timestamp() and back.utcoffset() == value.utcoffset()
        else:
            assert wire[key] is value  # naive datetimes, dates and the rest go as they are


def test_a_row_without_datetimes_is_passed_through_unchanged():
    props = {"uri": "x", "date": dt.date(2025, 6, 14), "local": dt.datetime(2025, 6, 14, 12)}
    wire, keys = on_the_wire(props)
    assert wire is props and keys == []


claim_values = st.one_of(st.none(), st.text(max_size=5), st.floats(0, 1), aware)
claim_props = st.fixed_dictionaries(
    {},
    optional={
        k: claim_values
        for k in ("predicateUri", "date", "start", "end", "evidence", "predicateText", "confidence", "recordedAt")
    },
)


@given(st.text(max_size=5), st.one_of(st.none(), st.text(max_size=5)), st.text(max_size=5), claim_props)
def test_a_key_one_claim_supports_gets_what_the_aggregation_gives_it(key, doc_id, doc_uri, claim):
    # the one-claim shortcut must never drift from the rules every key's properties follow
    assert rows._single_fact(key, doc_id, doc_uri, claim) == rows._aggregated(key, [(doc_id, doc_uri, claim)])
