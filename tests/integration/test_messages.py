"""Messages and outputs as a newcomer meets them (issue 30): the README's Python snippet on a folder
runs, a failed or empty ``kgload map`` leaves no output file, counts read as English."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import kgload
from kgload.cli import app
from kgload.tables import plural
from tests.common import ROOT

runner = CliRunner()


def invoke(*args: object):
    result = runner.invoke(app, [str(a) for a in args], env={"NEO4J_URI": None})
    assert "Traceback" not in result.output, result.output
    return result


def test_map_files_on_the_examples_folder_reads_only_inputs(monkeypatch):
    monkeypatch.chdir(ROOT)
    dataset, rejects = kgload.map_files(["examples/"])  # the folder holds queries, configs, a zip too
    assert len(dataset) > 500 and not rejects


def test_map_of_a_folder_writes_its_file(tmp_path):
    out = tmp_path / "all.ttl"
    result = invoke("map", ROOT / "examples", "-o", out)
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 1000


@pytest.mark.parametrize("body", ['{"document": {"id": "x"}}\n', "not json at all\n"])
def test_a_map_that_maps_nothing_leaves_no_file(tmp_path, body):
    broken = tmp_path / "broken.json"
    broken.write_text(body, "utf-8")
    out = tmp_path / "broken.ttl"
    result = invoke("map", broken, "-o", out, "--rejects", tmp_path / "r.jsonl")
    assert result.exit_code == 3, result.output
    assert not out.exists() and not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
    assert "1 record rejected" in result.output and "was not written" in result.output


def test_a_failed_map_keeps_the_previous_file(tmp_path):
    out = tmp_path / "kept.ttl"
    out.write_text("previous", "utf-8")
    result = invoke("map", tmp_path / "missing.json", "-o", out)
    assert result.exit_code == 2 and out.read_text("utf-8") == "previous"


def test_map_output_is_created_with_the_umask(tmp_path, seed):
    old = os.umask(0o027)
    try:
        assert invoke("map", seed, "-o", tmp_path / "seed.nt").exit_code == 0
    finally:
        os.umask(old)
    assert (tmp_path / "seed.nt").stat().st_mode & 0o777 == 0o640


def test_counts_read_as_english(tmp_path, seed):
    assert plural(1, "document") == "1 document" and plural(2, "document") == "2 documents"
    assert plural(1, "entity", "entities") == "1 entity" and plural(0, "entity", "entities") == "0 entities"
    one = tmp_path / "one.json"
    article = json.loads(Path(seed).read_text("utf-8"))
    article["relations"] = article["relations"][:1]
    one.write_text(json.dumps(article), "utf-8")
    loaded = invoke("load", one, "--store", tmp_path / "store")
    assert loaded.exit_code == 0, loaded.output
    assert "1 relation," in loaded.output and "1 relations" not in loaded.output


def test_the_summary_is_last_short_and_timed_and_one_object_under_json_logs(tmp_path, seed):
    store = tmp_path / "store"
    result = invoke("load", seed, "--store", store)
    lines = result.stdout.splitlines()
    assert result.exit_code == 0 and len(lines) == 5, lines  # headline, documents, loaded, merged, resolution
    assert re.match(r"kgload run \S+ → embedded store .+: ok in \d+\.\d s$", lines[0]), lines[0]
    merged = re.search(
        r"merged: (\d+) names into (\d+) entities; not in the gazetteer: (\d+) names \(listed in (.+)\)$", lines[3]
    )
    assert merged, lines[3]
    listed = json.loads(Path(merged[4]).read_text("utf-8"))
    assert len(listed["merged"]) == int(merged[2]) and len(listed["unresolved"]) == int(merged[3])
    assert any(m["entity"] == "Vladimir Putin" for m in listed["merged"])
    logged = runner.invoke(app, ["--log-format", "json", "load", str(seed), "--store", str(store), "--force"])
    [summary] = [json.loads(line) for line in logged.stdout.splitlines()]
    assert {"time", "level", "logger", "message"} <= set(summary)  # the keys of the log lines
    assert summary["level"] == "info" and summary["documents"]["read"] == 1 and summary["seconds"] > 0


def test_the_progress_total_is_counted_without_parsing(tmp_path, seed):
    from kgload.cli.loading import count_documents

    lines = tmp_path / "docs.jsonl"
    lines.write_text("{}\n{}\n{}", "utf-8")  # no newline after the last
    array = tmp_path / "array.json"
    array.write_text("[{}, {}]", "utf-8")
    assert count_documents([seed, lines]) == 4
    assert count_documents([tmp_path / "docs.jsonl", array]) is None  # an array: no total, a counter
    assert count_documents([ROOT / "examples" / "inputs" / "csv"]) is None


def test_the_quick_start_shows_what_its_commands_print(tmp_path, monkeypatch):
    """README's quick start: its shown output is what the two kgload commands print, line for line
    (the run id and the seconds aside)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = re.search(r"## Quick start.*?```bash\n(.*?)\n```", readme, re.S).group(1)
    shown = re.search(r"## Quick start.*?```text\n(.*?)\n```", readme, re.S).group(1).splitlines()
    load, query = (part.strip() for part in command.split("&&")[2:4])
    assert load.startswith(".venv/bin/kgload load ") and query.startswith(".venv/bin/kgload query ")
    monkeypatch.chdir(tmp_path)
    printed = []
    for line in (load, query):
        args = [a.replace("examples/", f"{ROOT}/examples/") for a in line.split()[1:]]
        result = invoke(*args)
        assert result.exit_code == 0, result.output
        printed.extend(result.output.rstrip("\n").splitlines())

    def steady(line: str) -> str:
        line = re.sub(r"\d{8}T\d{6}Z-[0-9a-f]+", "RUN", line)
        return re.sub(r"ok in [\d.]+ s", "ok in S s", line)

    assert [steady(x) for x in printed] == [steady(x) for x in shown]
