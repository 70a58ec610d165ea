"""The export's Cypher literal encoder, round-tripped through a real Neo4j (the encoder's own unit
tests are in tests/unit/test_export_formats.py)."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kgload.export.cypher_script import literal
from tests.unit.test_export_formats import SCALARS, TEXT


@pytest.mark.neo4j
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=SCALARS | st.lists(TEXT, max_size=4) | st.dictionaries(TEXT, TEXT, max_size=3))
def test_literal_round_trips_through_neo4j(neo4j_driver, value):
    records, _, _ = neo4j_driver.execute_query(f"RETURN {literal(value)} AS v")
    got = records[0]["v"]
    if isinstance(value, dt.date):
        got = got.to_native()
    if isinstance(value, float) and not math.isfinite(value):
        assert math.isnan(got) if math.isnan(value) else got == value
    else:
        assert got == value


@pytest.mark.neo4j
def test_hostile_strings_round_trip_through_neo4j(neo4j_driver):
    for text in [
        "'; MATCH (n) DETACH DELETE n //",
        "\\'",
        "\\u0027",
        "`",
        "a\x00b",
        "\u2028\u2029\x85",
        "😀 \U000e0001 \U0010fffd",
        "\\",
        "/* */",
        "\ufeff",
        "\r\n\t\b\f",
    ]:
        records, _, _ = neo4j_driver.execute_query(f"RETURN {literal(text)} AS v")
        assert records[0]["v"] == text, repr(text)
