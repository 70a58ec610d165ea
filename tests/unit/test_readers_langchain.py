"""LangChain GraphDocument JSON: example equivalence, document, dumpd objects, rejects, detection."""

import json
from pathlib import Path

from kgload.readers import detect, read
from tests.unit.readers_support import ROOT, graph, split

EXAMPLE = ROOT / "examples" / "inputs" / "langchain"


def write(tmp_path: Path, value, name: str = "gd.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(value), encoding="utf-8")
    return path


PUTIN = {"id": "Vladimir Putin", "type": "Person", "properties": {}}
TRUMP = {"id": "Donald Trump", "type": "Person", "properties": {}}


def test_example_maps_to_the_same_graph_as_its_kgload_equivalent():
    assert graph(EXAMPLE / "graph-document.json") == graph(EXAMPLE / "equivalent.kgload.json", "kgload")


def test_document_comes_from_the_source_metadata():
    good, bad = split(read(EXAMPLE / "graph-document.json", "langchain"))
    assert bad == []
    document = good[0].document
    assert (document.id, document.publisher, document.published) == (
        "afp-2025-06-14-putin-trump-call",
        "AFP",
        "2025-06-14",
    )


def test_without_a_source_the_file_names_the_document(tmp_path):
    good, _ = split(read(write(tmp_path, {"nodes": [PUTIN], "relationships": []}), "langchain"))
    assert good[0].document.id == "gd" and good[0].entities[0].name == "Vladimir Putin"


def test_relationship_nodes_missing_from_the_node_list_are_added(tmp_path):
    value = {
        "nodes": [PUTIN],
        "relationships": [{"source": PUTIN, "target": TRUMP, "type": "CALLED", "properties": {}}],
        "source": {"page_content": "…", "metadata": {"source": "https://example.org/a", "title": "A"}},
    }
    good, bad = split(read(write(tmp_path, value), "langchain"))
    assert bad == []
    assert [e.name for e in good[0].entities] == ["Vladimir Putin", "Donald Trump"]
    assert good[0].document.url == "https://example.org/a"


def test_dumpd_constructor_objects_are_unwrapped(tmp_path):
    def lc(name, **kwargs):
        return {"lc": 1, "type": "constructor", "id": ["langchain", name], "kwargs": kwargs}

    value = lc(
        "GraphDocument",
        nodes=[lc("Node", **PUTIN), lc("Node", **TRUMP)],
        relationships=[lc("Relationship", source=lc("Node", **PUTIN), target=lc("Node", **TRUMP), type="CALLED")],
        source=lc("Document", page_content="…", metadata={"id": "d1", "title": "T"}),
    )
    good, bad = split(read(write(tmp_path, value), "langchain"))
    assert bad == [] and good[0].document.id == "d1" and good[0].relations[0].type == "CALLED"


def test_broken_parts_are_rejected_alone(tmp_path):
    value = {
        "nodes": [PUTIN, {"id": "x"}],
        "relationships": [
            {"source": PUTIN, "target": TRUMP, "type": "CALLED"},
            {"source": PUTIN, "type": "CALLED"},
            {"source": PUTIN, "target": TRUMP, "type": "CALLED", "properties": {"confidence": 2}},
        ],
    }
    good, bad = split(read(write(tmp_path, value), "langchain"))
    assert len(good[0].relations) == 1
    where = {b.origin.path: b.reason for b in bad}
    assert where["nodes[1]"] == "node 'x' has no type"
    assert where["relationships[1]"] == "relationship has no target node"
    assert (
        "confidence" in where["relationships[2]"] and "2 is greater than the maximum of 1" in where["relationships[2]"]
    )


def test_a_bad_publication_date_rejects_the_document(tmp_path):
    value = {"nodes": [], "relationships": [], "source": {"page_content": "", "metadata": {"published": "June"}}}
    good, bad = split(read(write(tmp_path, value), "langchain"))
    assert good == [] and bad[0].origin.path == "source" and "not a date" in bad[0].reason


def test_detected(tmp_path):
    assert detect(EXAMPLE / "graph-document.json") == "langchain"
    assert (
        detect(write(tmp_path, [{"nodes": [PUTIN], "relationships": [], "source": {"page_content": ""}}]))
        == "langchain"
    )
