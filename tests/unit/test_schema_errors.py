"""An invalid document's errors, explained part by part, are the whole-document validator's errors."""

from __future__ import annotations

import copy

from hypothesis import given, settings
from hypothesis import strategies as st

from kgload.readers.kgload_json import _schema_errors, _validator, from_value
from kgload.readers.limits import MAX_DEPTH
from kgload.records import Origin, Reject

VALID = {
    "document": {"id": "d", "title": "T", "published": "2025-06-14"},
    "entities": [
        {"id": "a", "name": "A", "type": "Person", "mentions": [{"text": "A", "sentence": 0}]},
        {"id": "b", "name": "B", "type": "Country", "attributes": {"x": [1, "y"]}},
    ],
    "relations": [
        {"type": "called", "head": "a", "tail": "b", "date": "2025-06-14", "confidence": 0.5},
        {"type": "leader-of", "head": "a", "tail": "b", "start": "2020"},
    ],
}
BREAKS = [
    ("document", None, "title"),
    ("document", "published", "14/06/2025"),
    ("document", "extra", 1),
    ("entities", "name", ""),
    ("entities", "type", 5),
    ("entities", "mentions", [{"sentence": -1}]),
    ("entities", "attributes", {"deep": {"er": 1}}),
    ("entities", "unknown", True),
    ("relations", "confidence", 1.5),
    ("relations", "start", "2020-13"),
    ("relations", "date", "2025"),
    ("relations", "status", "maybe"),
    ("relations", None, "head"),
    ("top", "extra", []),
    ("top", "entities", {}),
]


def _break(value, where, key, new, index):
    if where == "top":
        value[key] = new
    elif where == "document":
        if key is None:
            value["document"].pop(new, None)
        else:
            value["document"][key] = new
    elif isinstance(value[where], list) and value[where]:
        item = value[where][index % len(value[where])]
        if key is None:
            item.pop(new, None)
        else:
            item[key] = new


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(BREAKS), st.integers(0, 3)), min_size=1, max_size=4))
def test_part_by_part_errors_equal_the_whole_documents(breaks):
    value = copy.deepcopy(VALID)
    for (where, key, new), index in breaks:
        _break(value, where, key, new, index)
    whole = [(list(e.absolute_path), e.message) for e in _validator().iter_errors(value)]
    parts = [(path, e.message) for path, e in _schema_errors(value)]
    assert sorted(map(repr, parts)) == sorted(map(repr, whole))
    for index in range(2):  # the first error of each part, which becomes its reject's reason
        for key in ("entities", "relations"):
            first = [m for p, m in whole if p[:2] == [key, index]][:1]
            assert [m for p, m in parts if p[:2] == [key, index]][:1] == first


def test_a_lone_surrogate_is_a_reject_not_a_crash():
    value = copy.deepcopy(VALID)
    value["document"]["title"] = "\ud800"
    (reject,) = from_value(value, Origin("s.json", 1))
    assert isinstance(reject, Reject) and "lone UTF-16 surrogate" in reject.reason
    deep: object = "\udfff"
    for _ in range(MAX_DEPTH + 1):
        deep = [deep]
    value["extra"] = deep
    (reject,) = from_value(value, Origin("s.json", 1))
    assert reject.reason == "record is nested too deeply"
