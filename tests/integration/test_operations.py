"""Operating kgload (issue 30): ``kgload runs`` and ``kgload retract`` with the run configuration
cron uses, and a retract that names what it did not find."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgload.cli import app

runner = CliRunner()


def invoke(*args: object):
    result = runner.invoke(app, [str(a) for a in args], env={"NEO4J_URI": None})
    assert "Traceback" not in result.output, result.output
    return result


def configured(tmp_path: Path, seed: Path) -> Path:
    (tmp_path / "inbox").mkdir()
    shutil.copy(seed, tmp_path / "inbox" / seed.name)
    config = tmp_path / "kgload.yaml"
    config.write_text(
        "kgload_config: 1\nsources:\n  - glob: inbox/*.json\ntargets:\n  embedded:\n    path: store\n", "utf-8"
    )
    return config


def test_runs_and_retract_take_the_run_configuration(tmp_path, seed):
    config = configured(tmp_path, seed)
    assert invoke("run", "--config", config).exit_code == 0
    listed = invoke("runs", "--config", config, "--json")
    assert listed.exit_code == 0, listed.output
    [run] = json.loads(listed.stdout)
    assert run["status"] == "ok" and run["counts"]["documents_added"] == 1
    table = invoke("runs", "-c", config)
    assert table.exit_code == 0 and run["id"] in table.stdout and "(1 row)" in table.stdout
    document = json.loads(seed.read_text("utf-8"))["document"]["id"]
    gone = invoke("retract", document, "--config", config)
    assert gone.exit_code == 0, gone.output
    assert f"retracted 1 of 1 document from embedded store {tmp_path / 'store'}" in gone.stdout
    empty = invoke("query", "ASK { ?a kg:called ?b }", "--store", tmp_path / "store")
    assert empty.stdout.strip() == "false"


def test_retract_names_the_ids_it_did_not_find_with_the_closest_known(tmp_path, seed):
    store = tmp_path / "store"
    assert invoke("load", seed, "--store", store).exit_code == 0
    known = json.loads(seed.read_text("utf-8"))["document"]["id"]
    typo = known.replace("putin", "putn")
    result = invoke("retract", typo, "nothing-like-it", "--store", store)
    assert result.exit_code == 3
    assert "retracted 0 of 2 documents" in result.stdout
    assert f"not found: {typo} (closest: {known})" in result.output
    assert "not found: nothing-like-it\n" in result.output
    # nothing was removed
    assert invoke("query", "ASK { ?a kg:called ?b }", "--store", store).stdout.strip() == "true"


@pytest.mark.neo4j
def test_two_targets_are_one_run_whose_rejects_are_reported_once(neo4j_db, neo4j_driver, tmp_path, seed):
    """Issue 30: with two targets each reject was printed and filed twice."""
    from tests.integration.test_scheduled_runs import env_for

    config = configured(tmp_path, seed)
    config.write_text(
        config.read_text("utf-8")
        .replace("targets:\n", "targets:\n  neo4j: {}\n")
        .replace("sources:\n", "sources:\n  - glob: inbox/*.jsonl\n")
        + "options:\n  rejects_dir: rejects\n",
        "utf-8",
    )
    (tmp_path / "inbox" / "bad.jsonl").write_text('{"document": {"id": "x"}}\nnot json\n', "utf-8")
    result = runner.invoke(app, ["run", "--config", str(config)], env=env_for(neo4j_db))
    assert result.exit_code == 3, result.output
    rejected = [line for line in result.stderr.splitlines() if line.startswith("rejected: ")]
    assert rejected and len(rejected) == len(set(rejected)), rejected
    assert sum("invalid JSON" in line for line in rejected) == 1
    [kept] = list((tmp_path / "rejects").glob("*.jsonl"))
    lines = kept.read_text("utf-8").splitlines()
    assert len(lines) == len(set(lines)) == len(rejected)
    assert not [p for p in (tmp_path / "rejects").iterdir() if p.name.startswith(".")]
    ids = {line.split()[2] for line in result.stdout.splitlines() if line.startswith("kgload run ")}
    assert len(ids) == 1 and kept.stem in ids  # one run: the same id in both ledgers and the file's name
    listed = runner.invoke(app, ["runs", "--config", str(config), "--json"], env=env_for(neo4j_db))
    ledgers = json.loads(listed.stdout)
    assert len(ledgers) == 2 and all(runs[0]["id"] == kept.stem for runs in ledgers.values())
