"""kgload export --format neo4j-admin without a server: typed cells, CSV groups, the aggregation
the online sink does in Cypher, and the files around the CSVs, written by one process here (by
two in tests/integration/test_worker_processes.py). The import itself is tested against Neo4j's
own importer in tests/integration/test_bulk_import.py."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from kgload import api
from kgload.cli import app
from kgload.errors import UsageError
from kgload.model import MappedDocument
from kgload.sinks.bulk.cells import ARRAY_DELIMITER, CsvGroups, ExportError, cell, neo4j_type
from kgload.sinks.bulk.script import post_import, statements
from kgload.sinks.bulk.sink import Neo4jAdminSink, pack_props, spool_rows, unpack_props
from kgload.sinks.neo4j.projection import ClaimRow, DocumentRows, EntityRow


def test_types_are_what_the_driver_stores():
    assert neo4j_type(True) == "boolean"
    assert neo4j_type(3) == "long"
    assert neo4j_type(0.9) == "double"
    assert neo4j_type("x") == "string"
    assert neo4j_type(dt.date(2025, 6, 14)) == "date"
    assert neo4j_type(dt.datetime(2025, 6, 14, 12, tzinfo=dt.UTC)) == "datetime"
    assert neo4j_type(dt.datetime(2025, 6, 14, 12)) == "localdatetime"
    assert neo4j_type(["a", "b"]) == "string[]"
    with pytest.raises(ExportError):
        neo4j_type(["a", 1])
    with pytest.raises(ExportError):
        neo4j_type({"a": 1})


def test_cells_quote_text_and_keep_numbers_bare():
    assert cell('say "hi";\nnow') == '"say ""hi"";\nnow"'
    assert cell(0.1) == "0.1"
    assert cell(float("inf")) == "Infinity"
    assert cell(-5) == "-5"
    assert cell(False) == "false"
    assert cell(dt.datetime(2025, 6, 14, 12, tzinfo=dt.UTC)) == '"2025-06-14T12:00:00+00:00"'
    assert cell(["a;b", "c"]) == f'"a;b{ARRAY_DELIMITER}c"'
    assert cell([1, 2.5, True]) == f'"1{ARRAY_DELIMITER}2.5{ARRAY_DELIMITER}true"'
    assert cell([dt.date(2025, 6, 14)]) == '"2025-06-14"'
    assert cell([]) == '""'


def test_arrays_neo4j_admin_would_misread_are_refused():
    with pytest.raises(ExportError):
        cell([f"a{ARRAY_DELIMITER}b"])
    with pytest.raises(ExportError):
        cell([""])
    with pytest.raises(ExportError, match="'b\\\\x1fc'"):
        cell(["a", f"b{ARRAY_DELIMITER}c", ""])  # the first element it cannot hold is named


def test_post_import_has_the_sink_schema_and_restores_empty_lists():
    text = post_import(["CALLED"], {("node", "Entity", "aliases"), ("rel", "CALLED", "evidence")})
    found = statements(text)
    assert "CREATE CONSTRAINT kgload_resource_uri IF NOT EXISTS FOR (n:Resource) REQUIRE n.uri IS UNIQUE" in found
    assert any("FOR ()-[r:CALLED]-() ON (r.key)" in s for s in found)
    restore = (
        "MATCH (x:`Entity`) WHERE x.`aliases` IS NULL CALL (x) { SET x.`aliases` = [] } IN TRANSACTIONS OF 10000 ROWS"
    )
    assert restore in found
    assert all(not s.endswith(";") and not s.startswith("//") for s in found)


def _doc(doc_id: str, evidence: str, aliases: list[str], confidence: float) -> dict:
    return {
        "document": {"id": doc_id, "title": doc_id, "published": "2025-06-14"},
        "entities": [
            {"id": "a", "name": "Vladimir Putin", "type": "Person", "aliases": aliases},
            {"id": "b", "name": "Donald Trump", "type": "Person"},
        ],
        "relations": [
            {"type": "called", "head": "a", "tail": "b", "date": "2025-06-14", "evidence": evidence,
             "confidence": confidence},
            {"type": "called", "head": "a", "tail": "b", "date": "2025-06-15", "status": "denied", "denied_by": ["b"]},
        ],
    }  # fmt: skip


def _rows(folder: Path, prefix: str) -> list[dict[str, str]]:
    rows = []
    for header in sorted(folder.glob(f"{prefix}-*.header.csv")):
        names = next(csv.reader(header.open(encoding="utf-8")))
        data = header.with_name(header.name.replace(".header", ""))
        rows += [dict(zip(names, r, strict=True)) for r in csv.reader(data.open(encoding="utf-8", newline=""))]
    return rows


@pytest.fixture
def exported(tmp_path: Path):
    docs = [
        _doc("two", 'second; "quoted"', ["Putin"], 0.7),
        _doc("one", "first\nline", [], 0.9),
        _doc("two", "second, corrected", ["V. Putin"], 0.6),  # batches later: replaces the first "two"
    ]
    path = tmp_path / "docs.jsonl"
    path.write_text("\n".join(json.dumps(d) for d in docs))
    return api.export_neo4j_admin([path], tmp_path / "out", batch_size=1, rejects=tmp_path / "r.jsonl", workers=1)


def test_one_relationship_per_fact_from_every_supporting_document(exported):
    [called] = [r for r in _rows(exported.folder, "rel-facts") if r[":TYPE"] == "CALLED"]
    assert called["sources:string[]"].split(ARRAY_DELIMITER) == ["one", "two"]  # ORDER BY d.id
    assert called["evidence:string[]"].split(ARRAY_DELIMITER) == ["first\nline", "second, corrected"]
    assert called["confidence:double"] == "0.9"
    assert called["claims:long"] == "2"
    assert called["date:date"] == "2025-06-14"


def test_entities_carry_the_union_of_their_names_and_documents_their_fingerprints(exported):
    entities = {r["uri:ID(Resource)"]: r for r in _rows(exported.folder, "node-entities")}
    putin = next(r for r in entities.values() if r["name:string"] == "Vladimir Putin")
    assert putin["aliases:string[]"] == "V. Putin"  # "Putin" went with the replaced version
    assert set(putin[":LABEL"].split(ARRAY_DELIMITER)) >= {"Resource", "Entity", "Person"}
    trump = next(r for r in entities.values() if r["name:string"] == "Donald Trump")
    assert "aliases:string[]" not in trump  # no aliases: restored as [] by post-import.cypher
    documents = _rows(exported.folder, "node-documents")
    assert sorted(d["id:string"] for d in documents) == ["one", "two"]
    assert all(len(d["fingerprint:string"]) > 16 for d in documents)


def test_denied_claims_are_claim_nodes_only(exported):
    claims = _rows(exported.folder, "node-claims")
    assert sorted(c["status:string"] for c in claims) == ["asserted", "asserted", "denied", "denied"]
    links = [r[":TYPE"] for r in _rows(exported.folder, "rel-claims")]
    assert links.count("DENIED_BY") == 2 and links.count("DERIVED_FROM") == 4
    assert sorted(r["date:date"] for r in _rows(exported.folder, "rel-facts")) == ["2025-06-14"]


def test_import_script_names_every_file(exported):
    script = (exported.folder / "import.sh").read_text()
    csvs = {p.name for p in exported.folder.glob("*.csv")}
    named = {name for line in script.splitlines() if "--nodes=" in line or "--relationships=" in line
             for name in line.split("=", 1)[1].rstrip(" \\").split(",")}  # fmt: skip
    assert named == csvs
    assert "--array-delimiter=U+001F" in script and "--multiline-fields=true" in script  # "first\nline"
    assert not (exported.folder / ".kgload-spool.sqlite").exists()


def test_the_output_folder_must_be_new_or_empty(tmp_path: Path, seed: Path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("mine")
    with pytest.raises(UsageError):
        api.export_neo4j_admin([seed], tmp_path / "out")
    assert (tmp_path / "out" / "keep.txt").read_text() == "mine"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_cli(tmp_path: Path, seed: Path):
    runner = CliRunner()
    result = runner.invoke(app, ["load", str(seed), "--to", "neo4j-admin"])
    assert result.exit_code == 2 and "--to" in result.output  # DIR is missing
    result = runner.invoke(app, ["load", str(seed), "--to", "gephi", str(tmp_path / "x")])
    assert result.exit_code == 2 and "neo4j-admin" in result.output
    result = runner.invoke(app, ["export", "--format", "turtle", str(seed)])
    assert result.exit_code == 2 and "neo4j-admin" in result.output
    out = tmp_path / "bulk"
    args = ["load", str(seed), "--to", "neo4j-admin", str(out), "-j", "1", "--rejects", str(tmp_path / "r.jsonl")]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert (out / "import.sh").exists() and (out / "post-import.cypher").exists()


def test_cli_json_report(tmp_path: Path, seed: Path):
    """``--json`` prints the run report with the files made, as ``load --json`` does for a database."""
    out = tmp_path / "bulk"
    args = ["load", str(seed), "--to", "neo4j-admin", str(out), "-j", "1", "--json"]
    result = CliRunner().invoke(app, [*args, "--rejects", str(tmp_path / "r.jsonl")])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["documents"]["added"] == 1 and report["folder"] == str(out)
    assert report["target"] == f"neo4j-admin export {out}"  # the folder, not the working one beside it
    assert report["nodes"] > 0 and report["relationships"] > 0
    assert all((out / name).exists() for name in report["files"]) and "import.sh" in report["files"]


def test_the_old_export_form_still_works_and_says_what_replaces_it(tmp_path: Path, seed: Path):
    runner = CliRunner()
    result = runner.invoke(app, ["export", "--format", "neo4j-admin", str(seed)])
    assert result.exit_code == 2 and "neo4j-admin" in result.output
    out = tmp_path / "bulk"
    args = ["export", "--format", "neo4j-admin", "-j", "1", "-o", str(out), "--rejects", str(tmp_path / "r.jsonl")]
    result = runner.invoke(app, [*args, str(seed)])
    assert result.exit_code == 0, result.output
    assert "is now `kgload load INPUT… --to neo4j-admin DIR`" in result.output
    assert (out / "import.sh").exists() and (out / "post-import.cypher").exists()


def _spooled(doc: str, entities: list[str], claims: list[tuple[str, str, str]]) -> MappedDocument:
    """A document as a mapping worker hands it to the sink: its spool rows, quads dropped."""
    rows = DocumentRows(
        doc,
        {"id": doc.rsplit("/", 1)[-1]},
        [EntityRow(e, ("Country",), e.rsplit("/", 1)[-1], [e.rsplit("/", 1)[-1]]) for e in entities],
        [ClaimRow(uri, uri + "-key", "ALLY_OF", head, tail, "asserted", {}) for uri, head, tail in claims],
    )
    mapped = MappedDocument(None, doc, doc, "sha256:0")  # type: ignore[arg-type]
    mapped.drop_quads(spool_rows(rows))
    return mapped


def test_a_claim_may_point_at_what_an_earlier_document_names_but_not_at_nothing(tmp_path: Path):
    sink = Neo4jAdminSink(tmp_path)
    sink.ensure_ontology(Path("ontology/kgload.ttl"), "https://kgload.example/")
    x = "https://kgload.example/"
    sink.write([_spooled(x + "doc/1", [x + "id/a", x + "id/b"], [(x + "claim/1", x + "id/a", x + "id/b")])])
    sink.write([_spooled(x + "doc/2", [x + "id/c"], [(x + "claim/2", x + "id/c", x + "id/a")])])  # a: doc 1's
    with pytest.raises(ExportError, match=f"claim {x}claim/3 points at {x}id/z, which no document names"):
        sink.write([_spooled(x + "doc/3", [x + "id/c"], [(x + "claim/3", x + "id/c", x + "id/z")])])
    assert [u for (u,) in sink.db.execute("SELECT uri FROM documents ORDER BY rowid")] == [x + "doc/1", x + "doc/2"]
    sink.close()


def test_a_claim_uri_two_documents_use_stops_the_export(tmp_path: Path):
    sink = Neo4jAdminSink(tmp_path)
    sink.ensure_ontology(Path("ontology/kgload.ttl"), "https://kgload.example/")
    x = "https://kgload.example/"
    sink.write([_spooled(x + "doc/1", [x + "id/a", x + "id/b"], [(x + "claim/1", x + "id/a", x + "id/b")])])
    sink.write([_spooled(x + "doc/2", [x + "id/a", x + "id/b"], [(x + "claim/1", x + "id/b", x + "id/a")])])
    groups = CsvGroups(tmp_path)
    with pytest.raises(ExportError, match=f"doc/2: claim {x}claim/1 is also a claim of {x}doc/1"):
        sink.finish(groups)
    groups.close()
    sink.close()


_ELEMENTS = st.one_of(
    st.text(alphabet=st.sampled_from(["a", "é", '"', ";", "\n", ARRAY_DELIMITER, "😀"]), max_size=4),
    st.integers(),
    st.floats(),
    st.booleans(),
)


@given(st.lists(_ELEMENTS, min_size=1, max_size=6))
def test_an_array_cell_is_its_elements_joined_or_refused_if_one_cannot_be_read_back(values: list):
    texts = [v if isinstance(v, str) else cell(v) for v in values]  # a scalar's own cell, bare
    bad = [t for t in texts if t == "" or ARRAY_DELIMITER in t]
    if bad:
        with pytest.raises(ExportError, match="list element"):
            cell(values)
    else:
        assert cell(values) == '"' + ARRAY_DELIMITER.join(texts).replace('"', '""') + '"'


_ZONES = st.one_of(
    st.none(),
    st.just(dt.UTC),
    st.builds(dt.timezone, st.timedeltas(min_value=dt.timedelta(hours=-23), max_value=dt.timedelta(hours=23))),
    st.builds(dt.timezone, st.just(dt.timedelta(hours=1)), st.just("CET")),
)
_PROPERTY_VALUES = st.one_of(
    st.dates(),
    st.datetimes(timezones=_ZONES),
    st.text(max_size=5),
    st.integers(),
    st.floats(allow_nan=False),
    st.none(),
    st.lists(st.dates(), max_size=3),
)


@given(st.dictionaries(st.text(max_size=4), _PROPERTY_VALUES, max_size=8))
def test_a_spooled_property_map_reads_back_with_its_types_zones_and_key_order(props: dict):
    back = unpack_props(pack_props(props))
    assert list(back) == list(props)
    for key, value in props.items():
        assert type(back[key]) is type(value)
        assert back[key] == value
        if isinstance(value, dt.datetime):
            assert (back[key].utcoffset(), back[key].tzname()) == (value.utcoffset(), value.tzname())
