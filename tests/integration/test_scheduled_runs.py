"""`kgload run --config` as cron runs it: a folder of JSONL documents, a config file, a target.

Everything goes through the command (typer's CliRunner on kgload.cli.app, in process: the exit
codes are the real ones, typer.Exit carries them). The Neo4j tests use the session server of
tests/neo4j_fixtures.py, reached through NEO4J_URI in the command's environment, as cron would.
"""

from __future__ import annotations

import json
import random
import re
import signal
from pathlib import Path
from typing import Any

import neo4j
import pytest
from typer.testing import CliRunner

from kgload.cli import app
from kgload.sinks.neo4j import Neo4jSettings
from tests.common import ROOT
from tests.integration.test_neo4j import counts

BASE = "https://w3id.org/kgload/"
DOCS = 12  # three files of four documents
runner = CliRunner()


# -- a folder that extraction jobs fill ---------------------------------------------------------


def document(i: int, rng: random.Random) -> dict[str, Any]:
    """A small document: three people, two countries, three relations; entities and some
    relationships are shared with other documents (a pool of 8 people and 5 countries)."""
    people, countries = rng.sample(range(8), 3), rng.sample(range(5), 2)
    day = f"2025-06-{rng.randint(1, 3):02d}"
    return {
        "document": {"id": f"doc-{i:04d}", "title": f"Report {i}", "published": day, "publisher": "Wire"},
        "entities": [{"id": f"p{p}", "name": f"Person {p}", "type": "Person"} for p in people]
        + [{"id": f"c{c}", "name": f"Country {c}", "type": "Country"} for c in countries],
        "relations": [
            {
                "type": "called",
                "head": f"p{people[0]}",
                "tail": f"p{people[1]}",
                "date": day,
                "evidence": f"report {i}: a call",
            },
            {"type": "negotiated-with", "head": f"p{people[2]}", "tail": f"p{people[0]}", "date": day},
            {
                "type": "attacked",
                "head": f"c{countries[0]}",
                "tail": f"c{countries[1]}",
                "date": day,
                "confidence": 0.5,
            },
        ],
    }


def write_inbox(folder: Path, docs: list[dict[str, Any]], per_file: int = 4) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.jsonl"):
        old.unlink()
    for n in range(0, len(docs), per_file):
        chunk = docs[n : n + per_file]
        (folder / f"batch-{n // per_file}.jsonl").write_text("".join(json.dumps(d) + "\n" for d in chunk))


def corpus(n: int = DOCS, seed: int = 11) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [document(i, rng) for i in range(n)]


def write_config(tmp_path: Path, *, neo4j_target: bool = True, embedded: bool = False, extra: str = "") -> Path:
    targets = ""
    if neo4j_target:
        targets += "  neo4j: {}                 # URI from NEO4J_URI\n"
    if embedded:
        targets += "  embedded:\n    path: store\n"
    config = tmp_path / "kgload.yaml"
    config.write_text(
        "kgload_config: 1\n"
        "description: scheduled-run test\n"
        "sources:\n"
        '  - glob: "inbox/**/*.jsonl"\n'
        "    format: kgload\n"
        "targets:\n" + targets + "options:\n"
        "  batch_size: 5\n"
        "  validate: true\n"
        "  rejects_dir: rejects\n"
        "  lock_ttl_seconds: 60\n" + extra
    )
    return config


def env_for(settings: Neo4jSettings) -> dict[str, str | None]:
    return {
        "NEO4J_URI": settings.uri,
        "NEO4J_PASSWORD": settings.password,
        "NEO4J_USERNAME": settings.username,
        "NEO4J_DATABASE": settings.database,
        "NEO4J_PASSWORD_FILE": None,
        "KGLOAD_STORE": None,
    }


def kgload(*args: Any, env: dict[str, str | None] | None = None):
    result = runner.invoke(app, [str(a) for a in args], env=env or {"NEO4J_URI": None})
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def run_json(config: Path, env: dict[str, str | None], *extra: str) -> tuple[int, dict[str, Any]]:
    result = kgload("run", "--config", config, "--json", *extra, env=env)
    return result.exit_code, json.loads(result.stdout)


def cypher(driver: neo4j.Driver, query: str, **params: Any) -> list[dict[str, Any]]:
    return [r.data() for r in driver.execute_query(query, params).records]


def dump(driver: neo4j.Driver) -> set[str]:
    """The graph kgload made, as comparable strings: ledger and lock nodes and run-specific
    values left out (the run id, when a claim was recorded, the lease times)."""
    skip = {"run", "recordedAt", "rawHash"}  # raw hashes: kept by loads with workers only
    nodes = cypher(
        driver, "MATCH (n) WHERE NOT n:LoadRun AND NOT n:KgloadLock RETURN labels(n) AS l, properties(n) AS p"
    )
    rels = cypher(driver, "MATCH (a)-[r]->(b) RETURN a.uri AS a, type(r) AS t, properties(r) AS p, b.uri AS b")
    out = {
        json.dumps(["node", sorted(n["l"]), {k: str(v) for k, v in n["p"].items() if k not in skip}], sort_keys=True)
        for n in nodes
    }
    out |= {
        json.dumps(
            ["rel", r["a"], r["t"], {k: str(v) for k, v in r["p"].items() if k not in skip}, r["b"]], sort_keys=True
        )
        for r in rels
    }
    return out


def doc_iri(doc_id: str) -> str:
    return f"{BASE}doc/{doc_id}"


@pytest.fixture
def db(neo4j_db: Neo4jSettings, neo4j_driver: neo4j.Driver) -> neo4j.Driver:
    return neo4j_driver


# -- Neo4j: repeat, change one document, ledger, retract, lock ----------------------------------


@pytest.mark.neo4j
def test_second_run_adds_nothing_and_skips_every_document(neo4j_db, db, tmp_path):
    write_inbox(tmp_path / "inbox", corpus())
    config = write_config(tmp_path)
    env = env_for(neo4j_db)

    code, first = run_json(config, env)
    assert code == 0, first
    assert first["status"] == "ok" and first["target"].startswith("neo4j ")
    assert first["documents"] == {"read": DOCS, "added": DOCS, "updated": 0, "unchanged": 0, "replaced": 0}
    assert first["relations"] == DOCS * 3 and first["rejected"] == {}
    assert len(first["inputs"]) == 3
    before, graph = counts(db), dump(db)
    [docs] = cypher(db, "MATCH (d:Document) RETURN count(d) AS n")
    assert docs["n"] == DOCS

    code, second = run_json(config, env)
    assert code == 0, second
    assert second["documents"] == {"read": DOCS, "added": 0, "updated": 0, "unchanged": DOCS, "replaced": 0}
    assert second["entities"] == second["relations"] == second["triples"] == 0
    assert counts(db) == before
    assert dump(db) == graph

    # the ledger: both runs, newest first, with their outcome and counts
    listed = kgload("runs", "--json", env=env)
    assert listed.exit_code == 0, listed.output
    runs = json.loads(listed.stdout)
    assert [r["id"] for r in runs] == [second["run"], first["run"]]
    assert {r["status"] for r in runs} == {"ok"}
    assert runs[1]["counts"]["documents_added"] == DOCS and runs[0]["counts"]["documents_unchanged"] == DOCS
    assert all(r["ended"] for r in runs)
    table = kgload("runs", env=env)
    assert first["run"] in table.output and second["run"] in table.output and "ok" in table.output


@pytest.mark.neo4j
def test_editing_one_documents_relations_changes_exactly_its_facts(neo4j_db, db, tmp_path):
    docs = corpus()
    write_inbox(tmp_path / "inbox", docs)
    config = write_config(tmp_path)
    env = env_for(neo4j_db)
    code, _ = run_json(config, env)
    assert code == 0
    before = dump(db)
    claims_before = {r["uri"]: r["d"] for r in cypher(db, "MATCH (c:Claim) RETURN c.uri AS uri, c.document AS d")}

    k = 5
    edited = docs[k]
    edited["relations"][0]["date"] = "2025-07-15"  # the call moves to another day
    del edited["relations"][1]  # the negotiation is withdrawn
    write_inbox(tmp_path / "inbox", docs)
    code, report = run_json(config, env)
    assert code == 0, report
    assert report["documents"] == {"read": DOCS, "added": 0, "updated": 1, "unchanged": DOCS - 1, "replaced": 0}
    assert report["relations"] == 2

    after = dump(db)
    claims_after = {r["uri"]: r["d"] for r in cypher(db, "MATCH (c:Claim) RETURN c.uri AS uri, c.document AS d")}
    target = doc_iri(edited["document"]["id"])
    # every other document's claims are exactly as they were
    assert {c: d for c, d in claims_before.items() if d != target} == {
        c: d for c, d in claims_after.items() if d != target
    }
    own_claims = {c for c, d in (claims_before | claims_after).items() if d == target}

    def belongs_to_edited(item: str) -> bool:
        entry = json.loads(item)
        if entry[0] == "node":
            props = entry[2]
            return props.get("uri") == target or props.get("document") == target
        _, a, _, props, _ = entry
        return a == target or a in own_claims or f"'{target}'" in props.get("documents", "")

    changed = before ^ after
    assert changed, "the edit changed nothing"
    assert all(belongs_to_edited(item) for item in changed), sorted(i for i in changed if not belongs_to_edited(i))
    [call] = cypher(db, "MATCH ()-[r:CALLED]->() WHERE r.date = date('2025-07-15') RETURN r.sources AS s")
    assert call["s"] == [edited["document"]["id"]]
    assert not cypher(db, "MATCH (c:Claim {document: $d, predicate: 'NEGOTIATED_WITH'}) RETURN c", d=target)

    # and the result is the graph a clean load of the edited folder gives
    db.execute_query("MATCH (n) DETACH DELETE n")
    code, _ = run_json(config, env)
    assert code == 0
    assert dump(db) == after


@pytest.mark.neo4j
def test_retract_equals_a_clean_load_without_that_document(neo4j_db, db, tmp_path):
    docs = corpus()
    write_inbox(tmp_path / "inbox", docs)
    config = write_config(tmp_path)
    env = env_for(neo4j_db)
    assert run_json(config, env)[0] == 0
    gone = docs[3]["document"]["id"]

    result = kgload("retract", gone, env=env)
    assert result.exit_code == 0, result.output
    assert "retracted 1 of 1 document" in result.output
    retracted = dump(db)
    assert not cypher(db, "MATCH (n) WHERE n.uri = $u OR n.document = $u RETURN n", u=doc_iri(gone))

    again = kgload("retract", gone, "doc-that-never-was", env=env)
    assert again.exit_code == 3 and "retracted 0 of 2" in again.output  # nothing left to retract

    db.execute_query("MATCH (n) DETACH DELETE n")
    write_inbox(tmp_path / "inbox", [d for d in docs if d["document"]["id"] != gone])
    code, report = run_json(config, env)
    assert code == 0 and report["documents"]["added"] == DOCS - 1
    assert dump(db) == retracted


@pytest.mark.neo4j
def test_a_held_lock_refuses_the_run_with_75_and_an_expired_lease_does_not(neo4j_db, db, tmp_path):
    write_inbox(tmp_path / "inbox", corpus(4))
    config = write_config(tmp_path)
    env = env_for(neo4j_db)
    owner = "cron-host:4242:20250101T000000Z-other"
    db.execute_query(
        "MERGE (l:KgloadLock {name: 'kgload'}) "
        "SET l.owner = $owner, l.acquired = datetime(), l.expires = datetime() + duration({minutes: 10})",
        owner=owner,
    )

    busy = kgload("run", "--config", config, env=env)
    assert busy.exit_code == 75, busy.output
    assert owner in busy.output and "try again later" in busy.output
    assert busy.output.startswith("kgload: error: ") and len(busy.output.strip().splitlines()) == 1
    loading = kgload("load", tmp_path / "inbox", "--rejects", tmp_path / "r.jsonl", env=env)  # a plain load too
    assert loading.exit_code == 75 and owner in loading.output, loading.output
    assert not cypher(db, "MATCH (n) WHERE n:Document OR n:LoadRun RETURN n")  # nothing written, no ledger entry
    [lock] = cypher(db, "MATCH (l:KgloadLock) RETURN l.owner AS owner")
    assert lock["owner"] == owner  # and the other run's lease is untouched

    # the holder died long ago: its lease ran out, so the next run takes over
    db.execute_query("MATCH (l:KgloadLock) SET l.expires = datetime() - duration({seconds: 1})")
    code, report = run_json(config, env)
    assert code == 0, report
    assert report["documents"]["added"] == 4
    [lock] = cypher(db, "MATCH (l:KgloadLock) RETURN l.owner AS owner, l.expires AS expires")
    assert lock == {"owner": None, "expires": None}  # released at the end of the run
    assert len(cypher(db, "MATCH (l:KgloadLock) RETURN l")) == 1


# -- the embedded store, and config errors (no server needed) ------------------------------------


def test_embedded_target_second_run_adds_nothing(tmp_path):
    write_inbox(tmp_path / "inbox", corpus(8))
    config = write_config(tmp_path, neo4j_target=False, embedded=True)
    env = {"NEO4J_URI": None, "KGLOAD_STORE": None}
    code, first = run_json(config, env)
    assert code == 0 and first["documents"]["added"] == 8 and first["target"].startswith("embedded store ")
    quads = store_quads(tmp_path / "store")
    code, second = run_json(config, env)
    assert code == 0 and second["documents"] == {"read": 8, "added": 0, "updated": 0, "unchanged": 8, "replaced": 0}
    assert store_quads(tmp_path / "store") == quads
    listed = kgload("runs", "--store", tmp_path / "store", "--json", env=env)
    assert [(r["id"], r["status"]) for r in json.loads(listed.stdout)] == [(second["run"], "ok"), (first["run"], "ok")]


def test_embedded_store_in_use_refuses_a_second_run_with_75(tmp_path):
    from kgload import api

    write_inbox(tmp_path / "inbox", corpus(2))
    config = write_config(tmp_path, neo4j_target=False, embedded=True)
    holder = api.open_store(tmp_path / "store")  # another run, holding the store's lock
    try:
        busy = kgload("run", "--config", config)
    finally:
        holder.close()
    assert busy.exit_code == 75, busy.output
    assert "is in use by another kgload process; try again later" in busy.output
    code, report = run_json(config, {"NEO4J_URI": None, "KGLOAD_STORE": None})
    assert code == 0 and report["documents"]["added"] == 2  # released with its holder: never stale


def store_quads(path: Path) -> set[str]:
    """Every quad of the store but the run ledger's."""
    from kgload import api

    store = api.open_store(path, read_only=True)
    try:
        return {str(q) for q in store.quads() if "graph/runs" not in str(q.graph_name)}
    finally:
        store.close()


def test_new_files_in_the_folder_are_picked_up_by_the_next_run(tmp_path):
    docs = corpus(6)
    write_inbox(tmp_path / "inbox", docs[:4])
    config = write_config(tmp_path, neo4j_target=False, embedded=True)
    env = {"NEO4J_URI": None, "KGLOAD_STORE": None}
    assert run_json(config, env)[1]["documents"]["added"] == 4
    (tmp_path / "inbox" / "late").mkdir()
    (tmp_path / "inbox" / "late" / "more.jsonl").write_text(
        "".join(json.dumps(d) + "\n" for d in docs[4:]) + "not json\n"
    )
    code, report = run_json(config, env)
    assert code == 3  # loaded, with a reject
    assert report["documents"] == {"read": 6, "added": 2, "updated": 0, "unchanged": 4, "replaced": 0}
    [rejects] = list((tmp_path / "rejects").glob("*.jsonl"))
    assert json.loads(rejects.read_text())["record"] == 3


CONFIG_HEAD = 'kgload_config: 1\nsources:\n  - glob: "inbox/*.jsonl"\n'


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            CONFIG_HEAD + "targets:\n  embedded: {path: store}\noptions:\n  batch_size: 5\n  batch_sise: 5\n",
            ["kgload.yaml:8: options.batch_sise: unknown key 'batch_sise'; allowed: batch_size"],
            id="unknown-key-with-line",
        ),
        pytest.param(
            CONFIG_HEAD + "targets:\n  embedded: {path: store}\nschedule: '*/5'\n",
            ["kgload.yaml:6: schedule: unknown key 'schedule'"],
            id="unknown-top-level-key",
        ),
        pytest.param(
            CONFIG_HEAD + "targets:\n  neo4j:\n    uri: bolt://db:7687\n    password: hunter2-in-config\n",
            ["kgload.yaml:7: targets.neo4j.password: secrets do not belong in the config file", "NEO4J_PASSWORD"],
            id="password-refused",
        ),
        pytest.param(
            CONFIG_HEAD + "targets:\n  neo4j:\n    auth: neo4j/hunter2-in-config\n",
            ["kgload.yaml:6: targets.neo4j.auth: secrets do not belong"],
            id="auth-refused",
        ),
        pytest.param(
            "kgload_config: 1\ntargets:\n  embedded: {path: store}\n",
            ["'sources' is a required property"],
            id="no-sources-key",
        ),
        pytest.param(
            "kgload_config: 1\nsources:\n  - path: inbox\n  - path: inbxo/a.jsonl\n"
            "targets:\n  embedded: {path: store}\n",
            ["source path(s) do not exist:", "inbxo/a.jsonl"],
            id="source-path-does-not-exist",
        ),
        pytest.param(CONFIG_HEAD + "targets: {}\n", ["targets", "should be non-empty"], id="no-target"),
        pytest.param(
            CONFIG_HEAD + "targets:\n  embedded: {path: store}\noptions: {lock_ttl_seconds: 5}\n",
            ["kgload.yaml:6: options.lock_ttl_seconds:", "less than the minimum of 30"],
            id="lease-too-short",
        ),
        pytest.param(
            CONFIG_HEAD + "targets:\n  embedded: {path: store}\noptions:\n  workers: 1\n  shacl_engine: pyshakl\n",
            ["kgload.yaml:8: options.shacl_engine: 'pyshakl' is not one of ['compiled', 'pyshacl']"],
            id="unknown-shacl-engine",
        ),
        pytest.param(CONFIG_HEAD + "targets: [unclosed\n", ["not valid YAML"], id="broken-yaml"),
        pytest.param("- just\n- a list\n", ["is not of type 'object'"], id="not-a-mapping"),
    ],
)
def test_config_errors_exit_2_with_a_located_message(tmp_path, body, expected):
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "a.jsonl").write_text(json.dumps(corpus(1)[0]) + "\n")
    config = tmp_path / "kgload.yaml"
    config.write_text(body)
    result = kgload("run", "--config", config, env={"NEO4J_URI": "bolt://127.0.0.1:9", "KGLOAD_STORE": None})
    assert result.exit_code == 2, result.output
    for text in expected:
        assert text in result.output, result.output
    assert "hunter2-in-config" not in result.output
    assert not (tmp_path / "store").exists()  # nothing loaded


def test_the_configured_shacl_engine_validates_the_run_whatever_the_environment_says(tmp_path, monkeypatch):
    calls = _counting_engines(monkeypatch)
    docs = corpus(4)
    head, tail = (e["id"] for e in docs[1]["entities"][3:5])
    docs[1]["relations"].append({"type": "leader-of", "head": head, "tail": tail})  # a country leads none: rejected
    reports, rejects = {}, {}
    for engine in ("pyshacl", "compiled"):
        folder = tmp_path / engine
        write_inbox(folder / "inbox", docs)
        extra = f"  workers: 1\n  shacl_engine: {engine}\n"
        config = write_config(folder, neo4j_target=False, embedded=True, extra=extra)
        other = "compiled" if engine == "pyshacl" else "pyshacl"
        code, report = run_json(config, {"NEO4J_URI": None, "KGLOAD_STORE": None, "KGLOAD_SHACL_ENGINE": other})
        assert code == 3 and report["documents"]["added"] == 4, report  # 3: loaded with rejects
        assert calls[engine] == 4 and calls[other] == 0, calls  # one validation per document, by this engine
        calls.update(compiled=0, pyshacl=0)
        rejects[engine] = [json.loads(line)["reason"] for line in Path(report["rejects_file"]).read_text().splitlines()]
        varying = ("run", "target", "rejects_file", "seconds", "inputs")
        reports[engine] = {k: v for k, v in report.items() if k not in varying}
    assert reports["pyshacl"] == reports["compiled"]
    assert rejects["pyshacl"] == rejects["compiled"] and len(rejects["compiled"]) == 1, rejects


def _counting_engines(monkeypatch) -> dict[str, int]:
    """How many documents each SHACL engine validates from now on (the compiled engine's checks, or its
    verdict recalled by the document's outline)."""
    from kgload.fastshacl import CompiledShapes
    from kgload.outlines import Outlines
    from kgload.shacl import ShaclEngine

    calls = {"compiled": 0, "pyshacl": 0}

    def counted(engine, method, *, when=lambda found: True):
        def call(self, *args, **kwargs):
            found = method(self, *args, **kwargs)
            calls[engine] += bool(when(found))
            return found

        return call

    monkeypatch.setattr(CompiledShapes, "results", counted("compiled", CompiledShapes.results))
    monkeypatch.setattr(Outlines, "recall", counted("compiled", Outlines.recall, when=lambda found: found is not None))
    monkeypatch.setattr(ShaclEngine, "validate", counted("pyshacl", ShaclEngine.validate))
    return calls


@pytest.mark.parametrize("command", ["map", "load", "run"])
@pytest.mark.parametrize("engine", ["pyshacl", "compiled"])
def test_the_shacl_engine_option_wins_over_the_configuration_and_the_environment(
    tmp_path, monkeypatch, command, engine
):
    calls = _counting_engines(monkeypatch)
    other = "compiled" if engine == "pyshacl" else "pyshacl"
    write_inbox(tmp_path / "inbox", corpus(3))
    config = write_config(tmp_path, neo4j_target=False, embedded=True, extra=f"  workers: 1\n  shacl_engine: {other}\n")
    args = {
        "map": ["map", tmp_path / "inbox", "-o", tmp_path / "out.nq", "-j", "1"],
        "load": ["load", tmp_path / "inbox", "--store", tmp_path / "store", "-j", "1"],
        "run": ["run", "--config", config],
    }[command]
    result = kgload(*args, "--shacl-engine", engine, env={"NEO4J_URI": None, "KGLOAD_SHACL_ENGINE": other})
    assert result.exit_code == 0, result.output
    assert calls[engine] == 3 and calls[other] == 0, calls  # one validation per document, by the engine named


@pytest.mark.parametrize("command", ["map", "load", "run"])
def test_an_unknown_shacl_engine_is_a_usage_error(tmp_path, command):
    write_inbox(tmp_path / "inbox", corpus(1))
    config = write_config(tmp_path, neo4j_target=False, embedded=True)
    args = {
        "map": ["map", tmp_path / "inbox", "-o", tmp_path / "out.nq"],
        "load": ["load", tmp_path / "inbox", "--store", tmp_path / "store"],
        "run": ["run", "--config", config],
    }[command]
    result = kgload(*args, "--shacl-engine", "rudof")
    said = " ".join(re.sub("[│╭╮╰╯─]", " ", result.output).split())  # the words, out of typer's box
    assert result.exit_code == 2 and "'rudof' is not one of 'compiled', 'pyshacl'" in said, result.output
    result = kgload(*args, env={"NEO4J_URI": None, "KGLOAD_SHACL_ENGINE": "rudof"})
    assert result.exit_code == 2, result.output
    assert "unknown SHACL engine 'rudof' (from KGLOAD_SHACL_ENGINE); expected one of compiled, pyshacl" in result.output
    assert not (tmp_path / "out.nq").exists() and not (tmp_path / "store").exists()


def test_the_shacl_engine_option_is_the_validators_list_of_engines():
    from kgload.runs.config import _validator
    from kgload.validate import ENGINES

    assert _validator().schema["properties"]["options"]["properties"]["shacl_engine"]["enum"] == list(ENGINES)


def test_an_empty_inbox_is_nothing_to_do_not_an_error(tmp_path):
    (tmp_path / "inbox").mkdir()
    config = tmp_path / "kgload.yaml"
    config.write_text('kgload_config: 1\nsources:\n  - glob: "inbox/**/*.jsonl"\ntargets:\n  embedded: {path: store}\n')
    result = kgload("run", "--config", config, env={"KGLOAD_STORE": None})
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "store").exists()  # no store opened, no ledger entry for an empty round


def test_yaml_is_only_safe_loaded(tmp_path):
    marker = tmp_path / "pwned"
    config = tmp_path / "kgload.yaml"
    config.write_text(CONFIG_HEAD + f"targets:\n  embedded: !!python/object/apply:os.system ['touch {marker}']\n")
    result = kgload("run", "--config", config)
    assert result.exit_code == 2 and "not valid YAML" in result.output
    assert not marker.exists()
    missing = kgload("run", "--config", tmp_path / "nope.yaml")
    assert missing.exit_code == 2 and "cannot read" in missing.output


# -- the shipped configs, the docs' example, the compose service ------------------------------------


@pytest.mark.parametrize("config", ["examples/kgload.yaml", "examples/docker/kgload.yaml"])
def test_shipped_configs_are_valid(config):
    from kgload.runs.config import load_config

    cfg = load_config(ROOT / config)
    assert cfg.sources and (cfg.store is not None or cfg.neo4j is not None)
    if "docker" in config:
        assert [s.glob for s in cfg.sources] == ["/data/inbox/**/*.jsonl", "/data/inbox/**/*.json"]
        assert cfg.neo4j == {} and cfg.rejects_dir == Path("/data/state/rejects")


def test_the_docs_config_example_is_the_shipped_one_and_every_exit_code_is_documented(tmp_path):
    from kgload import errors
    from kgload.runs.config import load_config

    text = (ROOT / "docs" / "scheduling.md").read_text("utf-8")
    example = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    shipped = (ROOT / "examples" / "kgload.yaml").read_text("utf-8")
    assert example.splitlines()[1:] == shipped.splitlines()[3:]  # the same, but for the header comment
    (tmp_path / "kgload.yaml").write_text(example)
    load_config(tmp_path / "kgload.yaml")
    table = text.split("## Exit codes", 1)[1].split("##", 1)[0]
    codes = {v for k, v in vars(errors).items() if k.startswith("EXIT_")}
    assert codes == {0, 1, 2, 3, 4, 5, 75, 130}
    assert all(f"\n| {code} |" in table for code in codes)
    keys = json.loads((ROOT / "kgload" / "schemas" / "config.schema.json").read_text())["properties"]
    for key in keys:
        assert f"`{key}`" in text
    for key in keys["options"]["properties"]:
        assert f"`options.{key}`" in text


def test_the_compose_loader_service_parses_and_its_schedule_loop_works(tmp_path):
    import subprocess

    import yaml

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text("utf-8"))
    loader = compose["services"]["loader"]
    assert loader["build"] == "."
    assert loader["depends_on"] == {"neo4j": {"condition": "service_healthy"}}
    assert loader["environment"]["NEO4J_URI"] == "bolt://neo4j:7687"
    assert loader["env_file"] == ".env"
    assert any(v.endswith(":/config:ro") for v in loader["volumes"])
    assert "kgload-state" in compose["volumes"]
    assert (ROOT / "Dockerfile").read_text().count('ENTRYPOINT ["kgload"]') == 1
    [script] = loader["command"]
    assert "kgload --log-format json run --config /config/kgload.yaml" in script

    # No Docker here: run the loop itself under /bin/sh, with compose's "$$" unescaped, a fake
    # kgload that reports what it got and exits 75, and `sleep` replaced by the end of the test.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "kgload").write_text(
        '#!/bin/sh\necho "args=$* user=$NEO4J_USERNAME pass=$NEO4J_PASSWORD auth=$NEO4J_AUTH"\nexit 75\n'
    )
    (bin_dir / "sleep").write_text("#!/bin/sh\nexit 99\n")
    for fake in bin_dir.iterdir():
        fake.chmod(0o755)
    shell = script.replace("$$", "$").replace("sleep 300", "sleep 300 || exit 0")
    shell = shell.replace("/data/state/", f"{tmp_path}/")
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "NEO4J_AUTH": "neo4j/pa55-from-env-file"}
    done = subprocess.run(["/bin/sh", "-c", shell], capture_output=True, text=True, env=env, timeout=30, check=False)
    assert done.returncode == 0, done.stderr
    first, second = done.stdout.strip().splitlines()
    assert first == "args=--log-format json run --config /config/kgload.yaml user=neo4j pass=pa55-from-env-file auth="
    logged = json.loads(second)
    assert logged["exit_code"] == 75 and logged["message"] == "kgload run exited"
    assert (tmp_path / "last-run").read_text().strip() == second  # what the image's HEALTHCHECK reads
    no_auth = subprocess.run(
        ["/bin/sh", "-c", shell],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
        env={**env, "NEO4J_AUTH": "none"},
    )
    assert no_auth.stdout.startswith("args=--log-format json run --config /config/kgload.yaml user= pass= auth=\n")


@pytest.fixture
def python_sigint():
    """Python's own SIGINT handler for the test: a run started in the background by a shell without
    job control (``cmd &`` in a script) begins with SIGINT ignored, and Python then keeps it so."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


class _RaisesSigintWhenFinalised:
    def __del__(self) -> None:
        # the handler runs in here, and a finaliser's exception is only printed ("Exception ignored
        # in ... __del__"): how a CI run lost one, in the driver's Workspace.__del__
        signal.raise_signal(signal.SIGINT)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # the finaliser's, on purpose
def test_a_sigint_whose_keyboardinterrupt_is_lost_in_a_finaliser_still_stops_the_run_at_its_next_batch(
    tmp_path, python_sigint
):
    from kgload import api

    path = tmp_path / "stories.jsonl"
    path.write_text(
        "".join(
            json.dumps({"document": {"id": f"d{i:02d}", "title": f"t{i}"}, "entities": [], "relations": []}) + "\n"
            for i in range(12)
        )
    )
    batches: list[int] = []

    def lose_a_sigint(report) -> None:
        batches.append(report.documents_loaded)
        if len(batches) == 1:
            _RaisesSigintWhenFinalised()  # dropped at once: its __del__ swallows the KeyboardInterrupt

    store = tmp_path / "store"
    with pytest.raises(KeyboardInterrupt):
        api.load([path], store=store, batch_size=3, workers=1, progress=lose_a_sigint)
    assert batches == [3]  # the next batch stopped it: none after the signal was reported
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    [run] = api.runs(store=store)
    assert run.status == "failed"


def test_a_sigint_that_surfaces_as_another_error_still_ends_the_run_as_interrupted(tmp_path, python_sigint):
    """Ctrl-C inside the driver's I/O left a half-written buffer, and what reached the run was a
    BufferError (exit 1, "internal error"): the run is reported and recorded as interrupted."""
    from kgload import api

    path = tmp_path / "stories.jsonl"
    path.write_text(
        "".join(
            json.dumps({"document": {"id": f"d{i:02d}", "title": f"t{i}"}, "entities": [], "relations": []}) + "\n"
            for i in range(6)
        )
    )

    def interrupted_mid_write(report) -> None:
        try:
            signal.raise_signal(signal.SIGINT)
        except KeyboardInterrupt:
            raise BufferError("Existing exports of data: object cannot be re-sized") from None

    store = tmp_path / "store"
    with pytest.raises(KeyboardInterrupt) as raised:
        api.load([path], store=store, batch_size=3, workers=1, progress=interrupted_mid_write)
    assert isinstance(raised.value.__cause__, BufferError)
    [run] = api.runs(store=store)
    assert run.status == "failed" and run.note.startswith("KeyboardInterrupt")
