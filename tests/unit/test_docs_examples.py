"""The examples in docs/format.md and docs/mapping.md are run here, so the docs cannot rot.

Convention: an HTML comment ``<!-- test: KIND [NAME] -->`` on the line before a fenced block
marks the block (the comment does not show when the Markdown is rendered):

- ``document``: a complete extraction document (or a JSON array of them); it must read
  without rejects.
- ``mapping NAME``: a complete mapping; written to ``mappings/NAME.yaml`` next to a copy of
  ``ontology/``, it must load.
- ``broken-mapping NAME``: a mapping that must fail; ``errors NAME`` is the console block
  with the expected ``kgload: mapping error:`` lines (compared from ``NAME.yaml:`` on).
- ``file PATH``: a further file (a gazetteer), written at PATH before any mapping loads.
- ``input NAME``: the input of mapping NAME (``inputs/NAME.json``); it must read without
  rejects.
- ``output NAME``: Turtle or TriG relative to ``https://example.org/`` with kgload's
  prefixes; every triple in it must be in what mapping NAME makes of input NAME (a triple in
  a ``GRAPH`` block must be in that graph).
- ``rejects NAME``: JSON lines that must equal that run's rejects (a run whose id is
  ``RUN``'s); an example without one must have none.
- ``bad-input`` (format.md): JSON lines with broken records; ``bad-input-rejects`` is the console
  block of ``kgload map`` on them, whose exit code and rejects file must be as shown.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from kgload.api import map_quads
from kgload.cli import app
from kgload.errors import MappingError
from kgload.mapping import load_mapping
from kgload.model import Run
from kgload.readers.kgload_json import from_value
from kgload.records import Extraction, Origin, Reject
from kgload.report import reject_line
from kgload.vocabulary.namespaces import PREFIXES
from tests.common import ROOT

DOCS = ROOT / "docs"
BASE = "https://example.org/"
RUN = Run("20250614T120000Z-docs", datetime(2025, 6, 14, 12, 0, tzinfo=UTC))
MARKED = re.compile(r"<!-- test: (?P<kind>[\w-]+)(?: (?P<name>\S+))? -->\n```(?P<lang>\w*)\n(?P<body>.*?)\n```", re.S)
FENCE = re.compile(r"```(?P<lang>\w*)\n(?P<body>.*?)\n```", re.S)


def blocks(doc: str) -> dict[str, dict[str, str]]:
    """{kind: {name: body}} of the marked blocks of one document."""
    found: dict[str, dict[str, str]] = {}
    for match in MARKED.finditer((DOCS / doc).read_text("utf-8")):
        if match["kind"] == "skip":  # a mark of tests/integration/test_docs_snippets.py
            continue
        names = found.setdefault(match["kind"], {})
        name = match["name"] or str(len(names))
        assert name not in names, f"{doc}: two blocks marked {match['kind']} {name}"
        names[name] = match["body"]
    return found


FORMAT = blocks("format.md")
MAPPING = blocks("mapping.md")


def _ids(kind: str) -> list[str]:
    return sorted(MAPPING.get(kind, {}))


def _default(quad: ox.Quad) -> bool:
    return isinstance(quad.graph_name, ox.DefaultGraph)


def read_all(value: object, name: str) -> list[Extraction | Reject]:
    items = value if isinstance(value, list) else [value]
    return [r for i, item in enumerate(items, 1) for r in from_value(item, Origin(name, i))]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder laid out like the docs say: ontology/, mappings/, inputs/."""
    folder = tmp_path_factory.mktemp("docs")
    shutil.copytree(ROOT / "ontology", folder / "ontology")
    (folder / "mappings").mkdir()
    (folder / "inputs").mkdir()
    for path, body in MAPPING.get("file", {}).items():
        (folder / path).write_text(body + "\n", encoding="utf-8")
    for kind in ("mapping", "broken-mapping"):
        for name, body in MAPPING.get(kind, {}).items():
            (folder / "mappings" / f"{name}.yaml").write_text(body + "\n", encoding="utf-8")
    for name, body in MAPPING.get("input", {}).items():
        (folder / "inputs" / f"{name}.json").write_text(body + "\n", encoding="utf-8")
    return folder


def test_the_docs_have_marked_examples():
    assert FORMAT.get("document"), "docs/format.md has no block marked <!-- test: document -->"
    assert len(MAPPING.get("mapping", {})) >= 10
    assert MAPPING.get("broken-mapping") and MAPPING.get("output")
    assert set(MAPPING.get("errors", {})) == set(MAPPING.get("broken-mapping", {}))
    assert set(MAPPING.get("input", {})) <= set(MAPPING.get("mapping", {}))
    assert set(MAPPING.get("output", {})) | set(MAPPING.get("rejects", {})) <= set(MAPPING.get("input", {}))


def test_every_complete_mapping_in_the_docs_is_marked():
    text = (DOCS / "mapping.md").read_text("utf-8")
    marked = {body for kind in ("mapping", "broken-mapping") for body in MAPPING.get(kind, {}).values()}
    for match in FENCE.finditer(text):
        if match["lang"] == "yaml" and "kgload_mapping:" in match["body"]:
            assert match["body"] in marked, f"unmarked mapping in docs/mapping.md:\n{match['body'][:200]}"


@pytest.mark.parametrize("name", sorted(FORMAT.get("document", {})))
def test_format_documents_read_without_rejects(name):
    records = read_all(json.loads(FORMAT["document"][name]), "format.md")
    assert [r for r in records if isinstance(r, Reject)] == []
    assert records


@pytest.mark.parametrize("name", _ids("mapping"))
def test_documented_mapping_loads(workspace, name):
    mapping = load_mapping(workspace / "mappings" / f"{name}.yaml")
    assert mapping.relation_rules


@pytest.mark.parametrize("name", _ids("broken-mapping"))
def test_documented_broken_mapping_gives_the_documented_errors(workspace, name):
    with pytest.raises(MappingError) as info:
        load_mapping(workspace / "mappings" / f"{name}.yaml")
    marker = f"{name}.yaml:"
    expected = [
        line.split(marker, 1)[1]
        for line in MAPPING["errors"][name].splitlines()
        if line.startswith("kgload: mapping error: ")
    ]
    assert expected, f"no 'kgload: mapping error:' lines documented for {name}"
    assert [str(p).split(marker, 1)[1] for p in info.value.problems] == expected


@pytest.mark.parametrize("name", _ids("input"))
def test_documented_input_reads_without_rejects(name):
    records = read_all(json.loads(MAPPING["input"][name]), f"inputs/{name}.json")
    assert [r for r in records if isinstance(r, Reject)] == []


@pytest.mark.parametrize("name", _ids("input"))
def test_documented_example_output_and_rejects(workspace, monkeypatch, name):
    monkeypatch.chdir(workspace)  # the rejects name the input as the docs' command gives it
    quads, rejects = map_quads([Path(f"inputs/{name}.json")], mapping=Path(f"mappings/{name}.yaml"), run=RUN)
    expected_rejects = [json.loads(line) for line in MAPPING.get("rejects", {}).get(name, "").splitlines() if line]
    assert [json.loads(reject_line(r, RUN.id)) for r in rejects] == expected_rejects

    if name not in MAPPING.get("output", {}):
        return
    prologue = f"@base <{BASE}> .\n" + "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in PREFIXES.items())
    shown = list(ox.parse((prologue + MAPPING["output"][name]).encode(), format=ox.RdfFormat.TRIG))
    assert shown, f"the output block of {name} holds no triples"
    made = set(quads)
    made_triples = {q.triple for q in quads}
    # a triple outside any GRAPH block may be in any graph; one inside must be in that graph
    missing = [q for q in shown if (q.triple not in made_triples) or (q not in made and not _default(q))]
    assert missing == [], f"docs/mapping.md shows triples kgload does not make for {name}"


def test_format_rejects_example_is_what_kgload_map_writes(tmp_path, monkeypatch):
    console = FORMAT["bad-input-rejects"]["0"].splitlines()
    command = console[0].removeprefix("$ ").split()  # kgload map reports.jsonl --rejects rejects.jsonl > out.ttl
    assert command[:2] == ["kgload", "map"] and command[-2] == ">"
    monkeypatch.chdir(tmp_path)
    Path(command[2]).write_text(FORMAT["bad-input"]["0"] + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, [*command[1:-2], "-o", command[-1]])
    assert str(result.exit_code) == console[console.index("$ echo $?") + 1], result.output
    shown = [json.loads(line) for line in console if line.startswith("{")]
    written = [json.loads(line) for line in Path("rejects.jsonl").read_text("utf-8").splitlines()]
    assert len({r.pop("run") for r in shown}) == 1  # the docs' run id is made up; each line has one
    assert len({r.pop("run") for r in written}) == 1
    assert written == shown
    assert Path(command[-1]).stat().st_size > 0  # the good documents were still mapped
