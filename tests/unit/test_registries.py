"""The export and reader registries: every entry resolves, names and extensions derive from them,
and detection by the readers' own sniffs keeps its precedence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kgload.errors import UsageError
from kgload.export import FORMATS, format_for, formats
from kgload.readers import READERS, detect


@pytest.mark.parametrize("name", FORMATS)
def test_every_export_format_resolves_to_its_writer(name: str) -> None:
    exporter = formats.get(name.upper())
    assert exporter is not None and exporter.name == name
    assert callable(exporter.write())


def test_aliases_and_extensions_come_from_the_registry() -> None:
    assert format_for("N-Triples", None) == "ntriples"
    assert format_for("cql", None) == "cypher"
    assert format_for(None, Path("out.htm")) == "html"
    assert format_for(None, Path("out.json")) == "jsonld"
    with pytest.raises(UsageError, match="cannot tell the export format"):
        format_for(None, Path("putin.csv"))


def test_a_registered_format_is_named_and_detected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(formats, "_REGISTRY", dict(formats._REGISTRY))
    formats.register(formats.Exporter("dot", "kgload.export.graphml:export", (".dot",)))
    assert format_for("DOT", None) == "dot"
    assert format_for(None, Path("g.dot")) == "dot"
    assert "dot" not in FORMATS  # the table of the built-in formats is unchanged


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ({"document": {"id": "d"}, "entities": [], "nodes": [], "relationships": []}, "kgload"),
        ({"nodes": [{"id": "a", "label": "P"}], "relationships": [{"start_node_id": "a"}]}, "graphrag"),
        ({"nodes": [{"id": "a"}], "relationships": [{"source": {}, "target": {}}]}, "langchain"),
        ({"nodes": [], "relationships": []}, "graphrag"),
        ({"id": "1", "event": "consult", "date": "2024-01-01"}, "plover"),
        ({"something": "else"}, "kgload"),
    ],
)
def test_json_shapes_by_their_sniffs(tmp_path: Path, record: dict[str, object], expected: str) -> None:
    path = tmp_path / "in.json"
    path.write_text(json.dumps(record))
    assert detect(path) == expected
    assert READERS[expected].sniff(path, path.read_bytes()) or expected == "kgload"


def test_readers_in_detection_order_and_by_extension(tmp_path: Path) -> None:
    assert list(READERS) == ["rdf", "kgload", "csv", "graphrag", "langchain", "plover"]
    (tmp_path / "a.ttl").write_text("")
    (tmp_path / "a.tab").write_text("x\ty\n")
    assert detect(tmp_path / "a.ttl") == "rdf"
    with pytest.raises(UsageError, match="tab-separated"):
        detect(tmp_path / "a.tab")
