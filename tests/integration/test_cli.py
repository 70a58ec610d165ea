"""The kgload command, as a user runs it: help, exit codes, outputs, no tracebacks."""

import io
import json
import os
import re
from pathlib import Path

import neo4j
import pyoxigraph as ox
import pytest
import rdflib
from typer.testing import CliRunner

import kgload
from kgload.cli import app
from tests.common import ROOT

runner = CliRunner()
QUERIES = ROOT / "examples" / "queries"


def invoke(*args: str):
    result = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output
    return result


def test_every_command_explains_itself():
    top = invoke("--help")
    assert top.exit_code == 0
    commands = [c.name for c in app.registered_commands]
    assert {"map", "load", "query", "check-mapping", "schema"} <= set(commands)
    for name in commands:
        result = invoke(name, "--help")
        assert result.exit_code == 0, name
        assert len(result.output.strip().splitlines()) > 3, name


def test_the_readme_lists_every_command_and_the_exit_codes_the_cli_uses():
    from kgload import errors

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Commands", 1)[1].split("\n\n", 2)[1]
    listed = set(re.findall(r"^\| `kgload ([a-z-]+)", table, re.M))
    commands = {c.name for c in app.registered_commands} | {g.name for g in app.registered_groups}
    assert commands - {None} == listed, "README's command table is out of step with the CLI"
    codes = readme.split("### Exit codes", 1)[1].split("\n\n", 2)[1]
    documented = {int(code) for code in re.findall(r"^\| (\d+) \|", codes, re.M)}
    raised = {c.exit_code for c in vars(errors).values() if isinstance(c, type) and hasattr(c, "exit_code")}
    assert raised | {0, 3, 130} <= documented


def test_an_empty_kgload_store_variable_means_the_default_store(tmp_path, seed, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KGLOAD_STORE", "")  # as `KGLOAD_STORE=` in a systemd or Docker environment file
    monkeypatch.delenv("NEO4J_URI", raising=False)
    result = invoke("load", seed)
    assert result.exit_code == 0, result.output
    assert (tmp_path / ".kgload" / "store").is_dir()
    assert not (tmp_path / "CURRENT").exists()  # the store's files were written into the working folder


def test_load_exit_codes_are_the_documented_ones(tmp_path, seed, monkeypatch):
    """README's and docs/scheduling.md's table, as cron sees it from ``kgload load``."""
    from tests.neo4j_server import free_port

    monkeypatch.delenv("NEO4J_URI", raising=False)
    store = tmp_path / "s"
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n")
    broken = tmp_path / "broken.yaml"
    broken.write_text("kgload_mapping: 1\nentities: [\n")

    def load(*args: object) -> tuple[int, str]:
        result = invoke("load", *args, "--rejects", tmp_path / "r.jsonl")
        assert "Traceback" not in result.output and "internal error" not in result.output, result.output
        return result.exit_code, result.output

    assert load(seed, "--store", store)[0] == 0
    assert load(seed, bad, "--store", store)[0] == 3
    assert load(tmp_path / "missing.json", "--store", store)[0] == 2
    assert load(seed, "--mapping", broken, "--store", store)[0] == 2
    code, said = load(seed, "--neo4j-uri", f"bolt://127.0.0.1:{free_port()}")
    assert code == 4 and "connection refused" in said
    holder = kgload.api.open_store(store)  # another process's run, holding the store
    try:
        code, said = load(seed, "--store", store)
    finally:
        holder.close()
    assert code == 75 and "try again later" in said


def test_retract_from_a_store_that_does_not_exist_creates_none(tmp_path, monkeypatch):
    monkeypatch.delenv("NEO4J_URI", raising=False)
    result = invoke("retract", "some-document", "--store", tmp_path / "typo")
    assert result.exit_code == 4 and "does not exist yet" in result.output, result.output  # as query and runs
    assert not (tmp_path / "typo").exists()  # it made an empty store there and exited 3, "not found"


def test_version():
    from neo4j._codec.packstream import RUST_AVAILABLE  # the driver's own verdict

    first, driver = invoke("--version").output.splitlines()
    assert first == f"kgload {kgload.__version__}"
    assert driver.startswith(f"neo4j driver {neo4j.__version__} ")
    assert ("with neo4j-rust-ext" in driver) == RUST_AVAILABLE


@pytest.mark.parametrize(
    ("fmt", "oxformat"),
    [
        ("turtle", ox.RdfFormat.TURTLE),
        ("ntriples", ox.RdfFormat.N_TRIPLES),
        ("nquads", ox.RdfFormat.N_QUADS),
        ("jsonld", ox.RdfFormat.JSON_LD),
    ],
)
def test_map_writes_rdf_that_pyoxigraph_and_rdflib_parse(tmp_path, seed, fmt, oxformat):
    out = tmp_path / f"seed.{fmt}"
    result = invoke("map", seed, "--to", fmt, "-o", out)
    assert result.exit_code == 0, result.output
    parsed = list(ox.parse(path=str(out), format=oxformat))
    assert len(parsed) > 400
    dataset = rdflib.Dataset()
    dataset.parse(out, format={"turtle": "turtle", "ntriples": "nt", "nquads": "nquads", "jsonld": "json-ld"}[fmt])
    assert len(list(dataset.quads())) == len(parsed)


def test_map_turtle_to_stdout(seed):
    result = invoke("map", seed)
    assert result.exit_code == 0
    assert "kg:called" in result.stdout


def test_load_then_query(tmp_path, seed):
    store = tmp_path / "store"
    loaded = invoke("load", seed, "--store", store)
    assert loaded.exit_code == 0, loaded.output
    assert "1 loaded" in loaded.output and "names into" in loaded.output
    assert "entities by resolution: " in loaded.output
    again = invoke("load", seed, "--store", store)
    assert "0 loaded (0 new, 0 changed), 1 unchanged" in again.output
    answer = invoke("query", f"@{QUERIES / 'who-called-whom.rq'}", "--store", store, "--output", "json")
    assert answer.exit_code == 0
    results = json.loads(answer.stdout)  # W3C SPARQL 1.1 Query Results JSON
    assert results["head"]["vars"] == ["caller", "callee", "date", "evidence", "document"]
    row = results["results"]["bindings"][0]
    assert row["caller"] == {"type": "literal", "value": "Vladimir Putin"}
    assert row["date"]["value"] == "2025-06-14" and row["date"]["datatype"].endswith("#date")
    table = invoke("query", f"@{QUERIES / 'who-called-whom.rq'}", "--store", store)
    assert table.stdout.splitlines()[0].split(" | ")[0].strip() == "caller" and "(2 rows)" in table.stdout


def test_query_runs_every_form_in_the_w3c_formats(tmp_path, seed):
    """Issue 30: SELECT only and a list of plain strings before; now every query form, results a
    SPARQL tool (rdflib's parsers) reads, RDF for graphs, errors at the user's line."""
    from rdflib.query import Result

    store = tmp_path / "store"
    assert invoke("load", seed, "--store", store).exit_code == 0
    select = "SELECT ?a ?b WHERE { ?a kg:called ?b }"
    for fmt in ("json", "xml", "csv", "tsv"):
        out = invoke("query", select, "--store", store, "-o", fmt)
        assert out.exit_code == 0, out.output
        rows = list(Result.parse(io.BytesIO(out.stdout_bytes), format=fmt))
        assert rows and str(rows[0][0]).startswith("https://w3id.org/kgload/id/"), fmt
    ask = invoke("query", "ASK { ?a kg:called ?b }", "--store", store)
    assert ask.exit_code == 0 and ask.stdout.strip() == "true"
    ask_json = invoke("query", "ASK { ?a kg:called ?b }", "--store", store, "-o", "json")
    assert json.loads(ask_json.stdout) == {"head": {}, "boolean": True}
    construct = invoke("query", "CONSTRUCT { ?a kg:called ?b } WHERE { ?a kg:called ?b }", "--store", store)
    graph = rdflib.Graph().parse(data=construct.stdout, format="turtle")
    assert construct.exit_code == 0 and len(graph) >= 1
    nt = invoke("query", "DESCRIBE ?a WHERE { ?a rdfs:label 'Vladimir Putin' }", "--store", store, "-o", "ntriples")
    assert nt.exit_code == 0 and len(rdflib.Graph().parse(data=nt.stdout, format="nt")) > 3
    wrong = invoke("query", "ASK { ?a kg:called ?b }", "--store", store, "-o", "csv")
    assert wrong.exit_code == 2 and "choose one of json, xml" in wrong.output
    bad = invoke("query", "SELECT ?a WHERE { ?a kg:called }", "--store", store)
    assert bad.exit_code == 2 and "error at 1:" in bad.output and "Traceback" not in bad.output


def test_load_batch_size_sets_the_transactions_and_not_the_graph(tmp_path, seed, monkeypatch):
    article = json.loads(Path(seed).read_text())
    docs = tmp_path / "docs.jsonl"
    with docs.open("w") as out:
        for i in range(5):
            out.write(json.dumps({**article, "document": {**article["document"], "id": f"afp-{i}"}}) + "\n")
    asked: list[int | None] = []
    load = kgload.api.load

    def spy(*args, **kwargs):
        asked.append(kwargs["options"].batch_size)
        return load(*args, **kwargs)

    monkeypatch.setattr(kgload.api, "load", spy)
    small = invoke("load", docs, "--store", tmp_path / "small", "--batch-size", "2", "--no-validate")
    default = invoke("load", docs, "--store", tmp_path / "default", "--no-validate")
    assert small.exit_code == default.exit_code == 0, small.output
    assert asked == [2, None]  # None: the library's own default
    answers = [
        json.loads(
            invoke("query", f"@{QUERIES / 'who-called-whom.rq'}", "--store", tmp_path / s, "--output", "json").output
        )
        for s in ("small", "default")
    ]
    assert answers[0] == answers[1] and answers[0]
    zero = invoke("load", docs, "--store", tmp_path / "zero", "--batch-size", "0")
    assert zero.exit_code == 2 and not (tmp_path / "zero").exists()


def test_load_reports_rejects_with_exit_code_3(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"document": {"id": "x", "title": "t"}, "entities": [], "relations": []}\nnot json\n')
    result = invoke("load", bad, "--store", tmp_path / "s", "--rejects", tmp_path / "r.jsonl")
    assert result.exit_code == 3
    assert f"{bad}:2: invalid JSON" in result.output
    assert json.loads((tmp_path / "r.jsonl").read_text())["record"] == 2


def _unreadable(path: Path) -> Path:
    """A file that exists but cannot be read: mode 000, or for root (which reads anyway) a link to
    /proc/self/mem, whose first page fails with EIO."""
    if os.geteuid() != 0:
        path.write_text("{}")
        path.chmod(0)
    elif Path("/proc/self/mem").exists():
        path.symlink_to("/proc/self/mem")
    else:
        pytest.skip("no way to make an unreadable file here")
    return path


@pytest.mark.parametrize("name", ["locked.json", "locked.jsonl"])
@pytest.mark.parametrize("workers", ["1", "2"])
def test_an_unreadable_input_is_a_reject_not_a_failed_run(tmp_path, seed, name, workers):
    locked = _unreadable(tmp_path / name)
    result = invoke(
        "load", locked, seed, "--store", tmp_path / "s", "--rejects", tmp_path / "r.jsonl", "--workers", workers
    )
    assert result.exit_code == 3, result.output  # was 5, "re-run it once the target is back"
    assert f"{locked}:1: cannot read the file" in result.output and "Traceback" not in result.output
    assert json.loads((tmp_path / "r.jsonl").read_text())["reason"].startswith("cannot read the file")
    assert "1 loaded" in result.output  # the readable input next to it still loads
    mapped = invoke("map", locked, "-o", tmp_path / "out.ttl", "--rejects", tmp_path / "m.jsonl")
    assert mapped.exit_code == 3, mapped.output  # was 1, "internal error"


def test_a_dangling_link_in_an_input_folder_is_a_reject_not_passed_over(tmp_path, seed):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / seed.name).write_bytes(seed.read_bytes())
    (inbox / "moved.jsonl").symlink_to(tmp_path / "gone" / "moved.jsonl")
    result = invoke("load", inbox, "--store", tmp_path / "s", "--rejects", tmp_path / "r.jsonl")
    assert result.exit_code == 3, result.output  # was 0: the missing input went unmentioned
    assert f"{inbox / 'moved.jsonl'}:1: cannot read the file: a symbolic link to" in result.output
    assert "1 loaded" in result.output


@pytest.mark.parametrize("where", ["under-a-file", "a-folder"])
def test_an_unwritable_rejects_file_is_a_usage_error(tmp_path, where):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n")
    rejects = tmp_path / "bad.jsonl" / "r.jsonl" if where == "under-a-file" else tmp_path
    for command in (("load", bad, "--store", tmp_path / "s"), ("map", bad, "-o", tmp_path / "out.ttl")):
        result = invoke(*command, "--rejects", rejects)
        assert result.exit_code == 2, result.output  # load exited 5, blaming its target; map exited 1
        assert f"cannot write the rejects file {rejects}" in result.output and "Traceback" not in result.output


def test_a_rejects_file_that_fails_part_way_is_a_failed_run_to_re_run(tmp_path):
    from kgload.errors import RunFailed
    from kgload.records import Origin, Reject
    from kgload.report import RejectsFile

    folder = tmp_path / "rejects"
    folder.mkdir()
    rejects = RejectsFile(folder / "r.jsonl")  # passes the check made before anything loads
    folder.rmdir()
    folder.write_text("a file where the folder was")
    with pytest.raises(RunFailed, match="cannot write the rejects file") as failed:
        rejects.write(Reject(Origin("in.jsonl", 7), "not JSON"), run="r1")
    assert failed.value.exit_code == 5  # batches before it are kept: not "nothing was loaded" (2)


def test_user_errors_are_one_line_not_tracebacks(tmp_path):
    missing = invoke("load", tmp_path / "nope.json", "--store", tmp_path / "s")
    assert missing.exit_code == 2 and "no such file" in missing.output
    bad_query = invoke("query", "SELEKT", "--store", tmp_path / "s")
    assert bad_query.exit_code in (2, 4)
    unknown_format = invoke("map", tmp_path / "nope.txt")
    assert unknown_format.exit_code == 2


def test_check_mapping(root):
    ok = invoke("check-mapping", root / "mappings" / "kgload.yaml")
    assert ok.exit_code == 0 and "ok" in ok.output


def test_schema_command_prints_the_json_schema():
    schema = json.loads(invoke("schema").output)
    assert schema["title"] == "kgload extraction document"


def test_check_mapping_reports_three_located_errors(tmp_path, root):
    broken = tmp_path / "broken.yaml"
    broken.write_text(f"""kgload_mapping: 1
ontology: {root / "ontology" / "kgload.ttl"}
base: https://example.org/
entities:
  iri: "{{base}}id/{{nmae|slug}}"
  types:
    Person: kg:Persn
relations:
  types:
    called: kg:caled
""")
    result = invoke("check-mapping", broken)
    assert result.exit_code == 2
    errors = [line for line in result.output.splitlines() if line.startswith("kgload: mapping error:")]
    assert len(errors) == 3
    assert all(f"{broken}:" in line for line in errors)
    assert any(":5:" in e and "{nmae}" in e for e in errors)
    assert any(":7:" in e and "kg:Persn" in e for e in errors)
    assert any(":10:" in e and "kg:caled" in e for e in errors)
