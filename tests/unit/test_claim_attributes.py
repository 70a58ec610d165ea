"""A claim's extra attributes as typed Neo4j properties (``kgload.sinks.neo4j.attributes``)."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from kgload.fingerprint import canonical_json
from kgload.sinks.neo4j.attributes import NEO4J_NAME, flatten_attributes, unflatten
from kgload.sinks.neo4j.projection import add_field


def test_values_keep_their_json_type() -> None:
    text = canonical_json({"occasion": "birthday", "rounds": 2, "share": 0.5, "public": True, "none": None})
    assert flatten_attributes(text) == {
        "attr_occasion": "birthday",
        "attr_public": True,
        "attr_rounds": 2,
        "attr_share": 0.5,
    }
    assert type(flatten_attributes(text)["attr_rounds"]) is int


def test_nested_values_and_lists() -> None:
    text = canonical_json(
        {
            "venue": {"city": "Jeddah", "talks": {"round": 3}},
            "tags": ["a", "b"],
            "mixed_numbers": [1, 2.5],
            "mixed": [1, "x"],
            "objects": [{"a": 1}],
            "empty": [],
            "nothing": {},
        }
    )
    assert flatten_attributes(text) == {
        "attr_mixed": '[1,"x"]',
        "attr_mixed_numbers": [1.0, 2.5],
        "attr_objects": '[{"a":1}]',
        "attr_tags": ["a", "b"],
        "attr_venue__city": "Jeddah",
        "attr_venue__talks__round": 3,
    }


def test_keys_are_sanitised_and_collisions_told_apart() -> None:
    text = canonical_json({"reported on": "X", "reported_on": "Y", "a": {"b": 1}, "a__b": 2, "": 0, "é": 1})
    flat = flatten_attributes(text)
    assert flat == {
        "attr__": 0,
        "attr_a__b": 1,
        "attr_a__b_2": 2,
        "attr_reported_on": "X",
        "attr_reported_on_2": "Y",
        "attr___2": 1,
    }
    assert flatten_attributes(text) == flat  # the same text, the same names


def test_text_that_is_not_an_object() -> None:
    assert flatten_attributes("[1, 2]") == {"attr_value": [1, 2]}
    assert flatten_attributes("not json") == {"attr_value": "not json"}


_SCALARS = st.one_of(
    st.booleans(), st.integers(-(2**63), 2**63 - 1), st.floats(allow_nan=False, allow_infinity=False), st.text()
)
_JSON = st.recursive(
    _SCALARS | st.none(), lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3)
)


@given(st.dictionaries(st.text(), _JSON, max_size=6))
def test_every_property_is_one_neo4j_can_hold(data: dict) -> None:
    flat = flatten_attributes(canonical_json(data))
    for key, item in flat.items():
        assert NEO4J_NAME.fullmatch(key), key  # usable in Cypher without backticks
        if isinstance(item, list):
            assert item and len({type(x) for x in item}) == 1
        else:
            assert isinstance(item, (str, int, float, bool))
    assert flatten_attributes(canonical_json(data)) == flat
    assert len(flat) == _leaves(data)  # no two values under one name


def _leaves(data: dict) -> int:
    """The properties ``data`` should give: its non-empty, non-null values, nested ones counted one by one."""
    return sum(
        _leaves(item) if isinstance(item, dict) else int(item is not None and item != []) for item in data.values()
    )


def test_unflatten_gives_clean_attributes_back() -> None:
    data = {"occasion": "birthday", "venue": {"city": "Jeddah"}, "tags": ["a"], "rounds": 2}
    assert unflatten({"uri": "x", **flatten_attributes(json.dumps(data))}) == data


def test_a_second_note_makes_a_list() -> None:
    fields: dict = {}
    add_field(fields, "note", "one")
    add_field(fields, "note", "two")
    add_field(fields, "evidence", "a")
    add_field(fields, "evidence", "b")
    assert fields == {"note": ["one", "two"], "evidence": "b"}
