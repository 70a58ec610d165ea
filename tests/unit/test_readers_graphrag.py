"""neo4j-graphrag extractor JSON: example equivalence, rejects, detection."""

import json
from pathlib import Path

from kgload.readers import detect, read
from tests.unit.readers_support import ROOT, graph, split

EXAMPLE = ROOT / "examples" / "inputs" / "graphrag"


def write(tmp_path: Path, value, name: str = "graph.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(value), encoding="utf-8")
    return path


def test_example_maps_to_the_same_graph_as_its_kgload_equivalent():
    example = EXAMPLE / "afp-2025-06-14-putin-trump-call.json"
    assert graph(example) == graph(EXAMPLE / "equivalent.kgload.json", "kgload")


def test_document_id_comes_from_the_file_stem_and_types_are_kept(tmp_path):
    good, bad = split(read(EXAMPLE / "afp-2025-06-14-putin-trump-call.json", "graphrag"))
    assert bad == [] and len(good) == 1
    assert good[0].document.id == good[0].document.title == "afp-2025-06-14-putin-trump-call"
    assert {r.type for r in good[0].relations} == {"LEADER_OF", "CALLED", "EXCHANGED_PRISONERS_WITH", "ADVANCING_ON"}
    assert {e.name for e in good[0].entities} >= {"Vladimir Putin", "Sumy Oblast"}


def test_a_graph_may_name_its_document(tmp_path):
    value = {"document": {"id": "d1", "title": "T"}, "nodes": [], "relationships": []}
    good, _ = split(read(write(tmp_path, value), "graphrag"))
    assert good[0].document.id == "d1" and good[0].document.title == "T"


def test_broken_parts_are_rejected_alone(tmp_path):
    value = {
        "nodes": [
            {"id": "0", "label": "Person", "properties": {"name": "Putin"}},
            {"id": "1"},
            {"id": "2", "label": "Person", "properties": {"name": "Trump"}},
        ],
        "relationships": [
            {"type": "CALLED", "start_node_id": "0", "end_node_id": "2"},  # no properties: optional
            {"type": "CALLED", "start_node_id": "0", "end_node_id": "9"},
            {"type": "CALLED", "start_node_id": "0", "end_node_id": "2", "properties": {"date": "14 June"}},
            {"start_node_id": "0", "end_node_id": "2"},
        ],
    }
    path = write(tmp_path, value)
    good, bad = split(read(path, "graphrag"))
    assert len(good) == 1 and len(good[0].relations) == 1 and len(good[0].entities) == 2
    where = {b.origin.path: b.reason for b in bad}
    assert where["nodes[1]"] == "node has no label"
    assert "unknown entity '9'" in where["relationships[1]"]
    assert "is not a date" in where["relationships[2]"]
    assert where["relationships[3]"] == "relationship has no type"
    assert all(b.origin.file == str(path) and b.origin.record == 1 and b.data is not None for b in bad)
    assert good[0].relation_origins[0].path == "relationships[0]"


def test_not_a_graph_is_rejected_whole(tmp_path):
    _, bad = split(read(write(tmp_path, {"nodes": []}), "graphrag"))
    assert len(bad) == 1 and bad[0].reason == "missing 'relationships'"
    path = tmp_path / "broken.json"
    path.write_text("{nodes", encoding="utf-8")
    _, bad = split(read(path, "graphrag"))
    assert "invalid JSON" in bad[0].reason


def test_jsonl_gives_one_numbered_document_per_line(tmp_path):
    path = tmp_path / "graphs.jsonl"
    line = json.dumps({"nodes": [], "relationships": []})
    path.write_text(f"{line}\n{line}\n", encoding="utf-8")
    good, _ = split(read(path, "graphrag"))
    assert [g.document.id for g in good] == ["graphs-1", "graphs-2"]


def test_fingerprint_changes_with_the_record(tmp_path):
    value = {"nodes": [{"id": "0", "label": "Person"}], "relationships": []}
    first, _ = split(read(write(tmp_path, value), "graphrag"))
    value["nodes"][0]["properties"] = {"name": "Putin"}
    second, _ = split(read(write(tmp_path, value), "graphrag"))
    assert first[0].fingerprint != second[0].fingerprint


def test_detected(tmp_path):
    assert detect(EXAMPLE / "afp-2025-06-14-putin-trump-call.json") == "graphrag"
    assert detect(write(tmp_path, {"nodes": [{"id": "0", "label": "X"}], "relationships": []})) == "graphrag"
