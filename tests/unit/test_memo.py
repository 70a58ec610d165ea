"""The mapper's memo tables change nothing: a warm mapping (memo filled by every document before)
maps each document exactly as a mapping that memoises nothing does; role mentions still resolve
by each document's own date; the extraction schema keeps valid documents shallow, which is what
lets the reader skip its depth walk for them."""

from __future__ import annotations

import copy
import dataclasses
import json
import pickle
from importlib import resources

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kgload.mapping.memo import Memo
from kgload.rdf.offices import tenure_index
from kgload.rdf.plan import map_extraction
from kgload.readers.kgload_json import from_value
from kgload.readers.limits import MAX_DEPTH
from kgload.records import Origin
from tests.common import FIXED_RUN
from tests.unit.extractions import docs_numbered, extraction_of


def _uncached(mapping):
    """The same mapping with memo tables that keep nothing (limit 0: emptied before each use)."""
    cold = dataclasses.replace(mapping, gazetteer=copy.copy(mapping.gazetteer))
    cold.memo = Memo(0)
    cold.gazetteer._memo = Memo(0)
    return cold


def _outcome(mapped):
    return (
        [str(q) for q in mapped.quads],
        [(r.origin, r.reason) for r in mapped.rejects],
        mapped.merges,
        mapped.unresolved,
        list(mapped.claim_sources),
        mapped.entities,
        mapped.claims,
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.integers(0, 10**6), min_size=1, max_size=4).flatmap(lambda ids: st.tuples(*map(docs_numbered, ids))))
def test_memoised_mapping_equals_the_uncached_one(mapping, docs):
    cold = _uncached(mapping)
    warm_tenures, cold_tenures = tenure_index(mapping), tenure_index(cold)
    for value in docs:  # in sequence: later documents resolve roles through tenures earlier ones stated
        extraction = extraction_of(value)
        warm = map_extraction(extraction, mapping, FIXED_RUN, warm_tenures)
        assert _outcome(warm) == _outcome(map_extraction(extraction, cold, FIXED_RUN, cold_tenures))
    assert len(mapping.memo) > 0


def test_a_role_resolves_by_each_documents_date_with_a_warm_memo(mapping):
    tenures = tenure_index(mapping)

    def holder(day: str) -> str:
        value = {
            "document": {"id": f"role-{day}", "title": "T", "published": day},
            "entities": [{"id": "p", "name": "the US President", "type": "Person"}],
            "relations": [],
        }
        mapped = map_extraction(extraction_of(value), mapping, FIXED_RUN, tenures)
        return next(m.canonical for m in mapped.merges if "the US President" in m.names)

    assert holder("2022-03-15") == "Joe Biden"
    assert holder("2025-06-14") == "Donald Trump"
    assert holder("2022-03-16") == "Joe Biden"


def test_a_memo_is_bounded_and_travels_empty(mapping):
    memo = Memo(limit=3)
    for i in range(10):
        memo.get("t", i, lambda i=i: i * 2)
    assert len(memo) <= 3 and memo.get("t", 9, lambda: -1) == 18
    assert len(pickle.loads(pickle.dumps(memo))) == 0
    copied = pickle.loads(pickle.dumps(mapping))
    assert len(copied.memo) == 0 and copied.base == mapping.base
    assert len(dataclasses.replace(mapping).memo) == 0


def _instance_depth(schema: dict, defs: dict, seen: frozenset[str] = frozenset()) -> int:
    """How deep a document valid against ``schema`` can nest (containers only); fails on recursion."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        assert name not in seen, f"the extraction schema is recursive through {name}"
        return _instance_depth(defs[name], defs, seen | {name})
    inner = [s for key in ("anyOf", "oneOf", "allOf") for s in schema.get(key, [])]
    depth = max((_instance_depth(s, defs, seen) for s in inner), default=0)
    children = list(schema.get("properties", {}).values())
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            children.append(schema[key])
    types = schema.get("type", [])
    container = bool(children) or "object" in types or "array" in types
    if container:
        depth = max(depth, 1 + max((_instance_depth(c, defs, seen) for c in children), default=0))
        if "object" in types:  # an open object would allow any depth
            assert schema.get("additionalProperties", True) is not True
    return depth


def test_valid_documents_nest_far_less_than_the_depth_limit():
    schema = json.loads(resources.files("kgload.schemas").joinpath("extraction.schema.json").read_text("utf-8"))
    assert schema.get("additionalProperties") is False
    assert _instance_depth(schema, schema["$defs"]) < MAX_DEPTH


def test_a_deep_document_is_still_rejected_as_too_deep():
    deep: object = "x"
    for _ in range(MAX_DEPTH + 5):
        deep = [deep]
    value = {"document": {"id": "d", "title": "T"}, "entities": [], "relations": [], "extra": deep}
    (reject,) = from_value(value, Origin("deep.json", 1))
    assert reject.reason == "record is nested too deeply"


def test_an_entry_is_made_once_from_its_arguments_and_a_full_table_starts_over():
    memo = Memo(limit=2)
    calls: list[tuple[int, int]] = []

    def add(a: int, b: int) -> int:
        calls.append((a, b))
        return a + b

    assert memo.get("sums", "k1", add, 1, 2) == 3
    assert memo.get("sums", "k1", add, 9, 9) == 3  # memoised: not computed again
    assert calls == [(1, 2)]
    memo.get("sums", "k2", add, 2, 2)
    memo.get("sums", "k3", add, 3, 3)  # the table held its limit: emptied, then k3 added
    assert len(memo) == 1 and memo.get("sums", "k1", add, 5, 5) == 10
