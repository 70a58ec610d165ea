"""kgload JSON/JSONL reader: valid documents become records, every broken part a reject."""

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kgload.readers import read
from kgload.records import Extraction, Reject


def doc(**overrides):
    base = {
        "document": {"id": "d1", "title": "T", "published": "2025-06-14"},
        "entities": [
            {"id": "a", "name": "Vladimir Putin", "type": "Person"},
            {"id": "b", "name": "Donald Trump", "type": "Person"},
        ],
        "relations": [{"type": "called", "head": "a", "tail": "b", "date": "2025-06-14", "evidence": "Putin called."}],
    }
    base.update(overrides)
    return base


def write_jsonl(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def split(items):
    items = list(items)
    return [i for i in items if isinstance(i, Extraction)], [i for i in items if isinstance(i, Reject)]


def test_reads_the_seed_example(seed):
    good, bad = split(read(seed))
    assert bad == []
    assert len(good) == 1
    extraction = good[0]
    assert extraction.document.id == "afp-2025-06-14-putin-trump-call"
    assert {r.type for r in extraction.relations} >= {"leader-of", "called", "exchanged-prisoners-with", "advancing-on"}
    assert extraction.fingerprint.startswith("sha256:")


def test_invalid_json_line_is_rejected_and_the_rest_is_read(tmp_path):
    path = write_jsonl(tmp_path, [json.dumps(doc()), "{not json", json.dumps(doc(document={"id": "d2", "title": "U"}))])
    good, bad = split(read(path))
    assert [g.document.id for g in good] == ["d1", "d2"]
    assert len(bad) == 1
    assert bad[0].origin.file == str(path) and bad[0].origin.record == 2
    assert "invalid JSON" in bad[0].reason


def test_a_broken_relation_is_rejected_alone(tmp_path):
    relations = [
        {"type": "called", "head": "a", "tail": "b"},
        {"type": "called", "head": "a", "tail": "b", "confidence": 1.5},
        {"type": "called", "head": "a", "tail": "nobody"},
        {"type": "leader-of", "head": "a", "tail": "b", "date": "2025", "start": "2020"},
    ]
    path = write_jsonl(tmp_path, [json.dumps(doc(relations=relations))])
    good, bad = split(read(path))
    assert len(good[0].relations) == 1
    reasons = {r.origin.path: r.reason for r in bad}
    assert "1.5 is greater than the maximum of 1" in reasons["relations[1]"]
    assert reasons["relations[2]"] == "tail names unknown entity 'nobody'"
    assert "either date" in reasons["relations[3]"]
    assert all(r.data is not None for r in bad)  # the rejected record itself is kept


def test_a_document_without_id_is_rejected_whole(tmp_path):
    path = write_jsonl(tmp_path, [json.dumps(doc(document={"title": "no id"}))])
    good, bad = split(read(path))
    assert good == []
    assert "'id' is a required property" in bad[0].reason


def test_json_array_positions_are_reported(tmp_path):
    path = tmp_path / "many.json"
    path.write_text(json.dumps([doc(), {"document": 3}]), encoding="utf-8")
    good, bad = split(read(path))
    assert len(good) == 1 and bad[0].origin.record == 2


def test_deep_nesting_is_rejected_not_crashing(tmp_path):
    deep = "[" * 5000 + "]" * 5000
    path = write_jsonl(tmp_path, [deep, json.dumps(doc())])
    good, bad = split(read(path))
    assert len(good) == 1
    assert "nested too deeply" in bad[0].reason


@settings(max_examples=60, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=10), c, max_size=4),
        max_leaves=20,
    )
)
def test_any_json_value_is_read_or_rejected(tmp_path_factory, value):
    path = tmp_path_factory.mktemp("fuzz") / "x.jsonl"
    path.write_text(json.dumps(value) + "\n", encoding="utf-8")
    items = list(read(path))
    assert all(isinstance(i, Extraction | Reject) for i in items)
    assert len([i for i in items if i.origin.path == ""]) == 1  # one outcome per input record


@pytest.mark.parametrize("name", ["missing.json"])
def test_missing_file_is_a_usage_error(tmp_path, name):
    from kgload.errors import UsageError

    with pytest.raises(UsageError, match="no such file"):
        list(read(tmp_path / name))
