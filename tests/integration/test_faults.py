"""Crashes mid-load: the Neo4j server SIGKILLed, the loader stopped (SIGINT) or SIGKILLed. A re-run converges on the
graph a clean load gives, nothing is duplicated, and the run ledger says what happened.

These tests own a dedicated Neo4j server (its own data folder and port), so killing it never
disturbs the session server the other tests share. The loader runs as a real process
(`python -m kgload.cli`), so exit codes, output and SIGKILL are what cron would see.

A run whose server dies exits within the driver's bounded retry window (kgload's own, well under a
minute), and a loader that dies, by SIGKILL or because its server did, blocks nobody: the next run on
this host finds the lease's holder gone and takes it over at once.
"""

from __future__ import annotations

import json
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import neo4j
import pytest
from typer.testing import CliRunner

from kgload.cli import app
from tests.integration.test_neo4j import counts
from tests.integration.test_scheduled_runs import cypher, dump
from tests.neo4j_fixtures import _unavailable
from tests.neo4j_server import Neo4jTestServer

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]

DOCS = 150
BATCH = 5
LEASE = 30  # the smallest lease the config accepts


# -- the corpus and the config --------------------------------------------------------------------


def document(i: int, rng: random.Random) -> dict[str, Any]:
    people, countries = rng.sample(range(30), 4), rng.sample(range(12), 3)
    day = f"2025-06-{rng.randint(1, 4):02d}"  # few days: many relationships are shared by documents
    return {
        "document": {"id": f"wire-{i:04d}", "title": f"Dispatch {i}", "published": day},
        "entities": [{"id": f"p{p}", "name": f"Person {p:02d}", "type": "Person"} for p in people]
        + [{"id": f"c{c}", "name": f"Country {c:02d}", "type": "Country"} for c in countries],
        "relations": [
            {
                "type": "called",
                "head": f"p{people[0]}",
                "tail": f"p{people[1]}",
                "date": day,
                "evidence": f"dispatch {i}: they spoke",
            },
            {
                "type": "negotiated-with",
                "head": f"p{people[2]}",
                "tail": f"p{people[3]}",
                "date": day,
                "asserted_by": [f"p{people[0]}"],
            },
            {
                "type": "attacked",
                "head": f"c{countries[0]}",
                "tail": f"c{countries[1]}",
                "date": day,
                "confidence": round(rng.random(), 2),
                "location": f"c{countries[2]}",
            },
            {"type": "ally-of", "head": f"c{countries[1]}", "tail": f"c{countries[2]}", "start": "2024"},
        ],
    }


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """150 documents in six files, and two configs: batches of 5 (the runs that get killed) and
    one big batch (the clean reference load)."""
    root = tmp_path_factory.mktemp("faults")
    rng = random.Random(150)
    docs = [document(i, rng) for i in range(DOCS)]
    (root / "inbox").mkdir()
    for n in range(0, DOCS, 25):
        (root / "inbox" / f"part-{n // 25}.jsonl").write_text("".join(json.dumps(d) + "\n" for d in docs[n : n + 25]))
    for name, batch in (("kgload.yaml", BATCH), ("clean.yaml", 1000)):
        (root / name).write_text(
            "kgload_config: 1\n"
            "sources:\n"
            '  - glob: "inbox/*.jsonl"\n'
            "targets:\n"
            "  neo4j: {}\n"
            "options:\n"
            f"  batch_size: {batch}\n"
            "  validate: false\n"
            f"  lock_ttl_seconds: {LEASE}\n"
            "  rejects_dir: rejects\n"
        )
    return root


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Neo4jTestServer]:
    srv = Neo4jTestServer(tmp_path_factory.mktemp("faults-neo4j"))
    try:
        srv.start()
    except Exception as exc:
        _unavailable(f"dedicated server for the fault tests: {type(exc).__name__}: {exc}")
    yield srv
    try:
        srv.stop()
    except Exception:
        srv.kill()


def driver_for(srv: Neo4jTestServer) -> neo4j.Driver:
    return neo4j.GraphDatabase.driver(srv.uri, auth=srv.auth)


@pytest.fixture(scope="module")
def clean(server: Neo4jTestServer, folder: Path) -> dict[str, Any]:
    """The reference: one load of the whole folder into an empty database, nothing interrupted."""
    with driver_for(server) as driver:
        driver.execute_query("MATCH (n) DETACH DELETE n")
        code, out, err = kgload(server, "run", "--config", folder / "clean.yaml", "--json")
        assert code == 0, err
        assert json.loads(out)["documents"]["added"] == DOCS
        reference = {"dump": dump(driver), "counts": counts(driver)}
        driver.execute_query("MATCH (n) DETACH DELETE n")
    return reference


# -- running the loader --------------------------------------------------------------------------


def loader_env(srv: Neo4jTestServer) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "KGLOAD_"))}
    return {**env, "NEO4J_URI": srv.uri}


def kgload(srv: Neo4jTestServer, *args: Any, timeout: float = 300) -> tuple[int, str, str]:
    command = [sys.executable, "-m", "kgload.cli"]
    done = subprocess.run(
        [*command, *map(str, args)], capture_output=True, text=True, env=loader_env(srv), timeout=timeout, check=False
    )
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    return done.returncode, done.stdout, done.stderr


def start_loader(srv: Neo4jTestServer, folder: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "kgload.cli"]
    args = ["--log-format", "json", "--log-level", "info", "run", "--config", str(folder / "kgload.yaml")]
    return subprocess.Popen(
        [*command, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=loader_env(srv),
        cwd=folder,
        # SIGINT as systemd or a terminal leaves it: a shell without job control starts background
        # commands with SIGINT ignored, and a test run launched that way handed the loader an
        # ignored SIGINT (it finished its run, exit 0, in two such runs)
        preexec_fn=_default_sigint,
    )


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def wait_until_loaded(proc: subprocess.Popen[str], documents: int, seen: list[str], timeout: float = 240) -> None:
    """Follow the loader's JSON log until this run has committed ``documents`` new documents."""
    watchdog = threading.Timer(timeout, proc.kill)
    watchdog.start()
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            seen.append(line)
            entry = json.loads(line)  # --log-format json: every line is one JSON object
            if entry["message"] == "batch committed" and entry["loaded"] >= documents:
                return
        pytest.fail(f"the loader ended before loading {documents} documents:\n{''.join(seen)}")
    finally:
        watchdog.cancel()


def within_the_next_batches(rng: random.Random, log: list[str], batches: float = 2.0) -> float:
    """A random delay of up to ``batches`` batch times, timed from this run's own log.

    A fixed delay was once most of a run: a load that got faster finished before the kill came.
    """
    times = [
        datetime.fromisoformat(entry["time"]) for entry in map(json.loads, log) if entry["message"] == "batch committed"
    ]
    gaps = [(b - a).total_seconds() for a, b in pairwise(times)]
    batch = statistics.median(gaps) if gaps else 0.05
    return rng.uniform(0, batches * batch)


def kill_mid_run(proc: subprocess.Popen[str], sig: signal.Signals) -> None:
    if proc.poll() is not None:
        pytest.fail(f"the loader ended (exit {proc.returncode}) before {sig.name} could stop it mid-run")
    proc.send_signal(sig)


def run_id(log: list[str]) -> str:
    return next(entry["run"] for entry in map(json.loads, log) if "run" in entry)


def lease_left(srv: Neo4jTestServer) -> float:
    """Seconds until the lease on the target lapses (0 when nobody holds it)."""
    with driver_for(srv) as driver:
        rows = cypher(driver, "MATCH (l:KgloadLock) WHERE l.expires IS NOT NULL RETURN l.expires AS expires")
    return max(0.0, (rows[0]["expires"].to_native() - datetime.now(UTC)).total_seconds()) if rows else 0.0


def assert_no_duplicates(driver: neo4j.Driver) -> None:
    assert not cypher(
        driver,
        """MATCH ()-[r]->() WHERE r.key IS NOT NULL
                                 WITH type(r) AS type, r.key AS key, count(*) AS n WHERE n > 1 RETURN type, key, n""",
    )
    assert not cypher(driver, "MATCH (n:Resource) WITH n.uri AS uri, count(*) AS n WHERE n > 1 RETURN uri")
    assert not cypher(
        driver,
        """MATCH (a)-[r]->(b) WITH a, type(r) AS type, b, count(r) AS n
                                 WHERE n > 1 AND type IN ['MENTIONS', 'DERIVED_FROM', 'SUBJECT', 'OBJECT',
                                                          'ASSERTED_BY', 'LOCATION'] RETURN a.uri, type, b.uri""",
    )
    [docs] = cypher(driver, "MATCH (d:Document) RETURN count(d) AS n, count(DISTINCT d.id) AS ids")
    assert docs == {"n": DOCS, "ids": DOCS}


def ledger(srv: Neo4jTestServer) -> list[dict[str, Any]]:
    result = CliRunner().invoke(
        app, ["runs", "--json", "--limit", "50"], env={"NEO4J_URI": srv.uri, "NEO4J_PASSWORD": None}
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# -- (a) the server dies -------------------------------------------------------------------------


def test_server_killed_at_random_points_then_a_rerun_equals_a_clean_load(server, folder, clean):
    rng = random.Random(20250614)
    with driver_for(server) as driver:
        driver.execute_query("MATCH (n) DETACH DELETE n")
    interrupted: list[str] = []
    loaded_before = 0
    for point in range(3):
        # no wait: the crashed run could not release its lease, but its process is gone
        proc = start_loader(server, folder)
        seen: list[str] = []
        target = rng.randint(5, 35)  # new documents this run commits before the crash
        wait_until_loaded(proc, target, seen)
        time.sleep(within_the_next_batches(rng, seen))  # then anywhere in the next transaction(s)
        assert proc.poll() is None, "the loader ended before the server could be killed mid-run"
        pid = server.pid()
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        killed = time.monotonic()
        out, err = proc.communicate(timeout=120)
        assert time.monotonic() - killed < 45, "a run whose server died must exit well within a minute"
        assert "Traceback" not in err and "internal error" not in err, err
        # --log-format json: every line, the driver's retries and the final error included, is JSON
        log = [json.loads(line) for line in [*seen, *err.split("\n")] if line.strip()]
        assert proc.returncode in (4, 5), f"crash {point}: exit {proc.returncode}\n{err}"
        assert log[-1]["level"] == "error" and log[-1]["exit_code"] == proc.returncode
        if proc.returncode == 5:
            assert "the run failed part-way" in log[-1]["message"] and "re-run it once" in log[-1]["message"]
        assert out == ""
        interrupted.append(run_id(seen))
        server.start()  # same data folder: Neo4j recovers from its transaction log
        with driver_for(server) as driver:
            [now] = cypher(driver, "MATCH (d:Document) RETURN count(d) AS n")
            assert now["n"] >= loaded_before + target  # committed batches survived the crash
            loaded_before = now["n"]

    code, out, err = kgload(server, "run", "--config", folder / "kgload.yaml", "--json")
    assert code == 0, err
    report = json.loads(out)
    docs = report["documents"]
    assert docs["updated"] == 0  # every committed batch was whole: its fingerprints match
    assert docs["unchanged"] == loaded_before and docs["added"] + docs["unchanged"] == DOCS

    with driver_for(server) as driver:
        assert dump(driver) == clean["dump"]
        assert counts(driver) == clean["counts"]
        assert_no_duplicates(driver)

    runs = {r["id"]: r for r in ledger(server)}
    assert runs[report["run"]]["status"] == "ok"
    for interrupted_run in interrupted:
        assert runs[interrupted_run]["status"] == "failed", runs[interrupted_run]
        assert runs[interrupted_run]["note"].startswith("interrupted; found still running by run ")


# -- (b) the loader is stopped, then dies -------------------------------------------------------


def test_loader_interrupted_then_killed_mid_run_a_rerun_at_once_takes_over_and_equals_a_clean_load(
    server, folder, clean
):
    rng = random.Random(7)
    with driver_for(server) as driver:
        driver.execute_query("MATCH (n) DETACH DELETE n")

    # SIGINT (Ctrl-C, systemd's KillSignal=SIGINT): the run stops cleanly, says so, frees the target
    proc = start_loader(server, folder)
    seen: list[str] = []
    wait_until_loaded(proc, rng.randint(10, 40), seen)
    time.sleep(within_the_next_batches(rng, seen))
    kill_mid_run(proc, signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    last = json.loads(err.strip().split("\n")[-1])
    assert last["level"] == "error" and last["exit_code"] == 130 and "interrupted" in last["message"]
    stopped_run = run_id(seen)
    with driver_for(server) as driver:
        [lock] = cypher(driver, "MATCH (l:KgloadLock) RETURN l.owner AS owner")
        assert lock["owner"] is None  # released at once: the next run need not wait
        [run] = cypher(driver, "MATCH (r:LoadRun {id: $id}) RETURN r.status AS status, r.note AS note", id=stopped_run)
        assert run["status"] == "failed" and run["note"].startswith("KeyboardInterrupt")

    # SIGKILL: no finally, no lock release, no ledger update
    proc = start_loader(server, folder)
    seen = []
    wait_until_loaded(proc, rng.randint(10, 60), seen)
    time.sleep(within_the_next_batches(rng, seen))
    kill_mid_run(proc, signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    dead_run = run_id(seen)

    with driver_for(server) as driver:
        [lock] = cypher(driver, "MATCH (l:KgloadLock) RETURN l.owner AS owner, l.expires AS expires")
        assert lock["owner"].endswith(f":{proc.pid}:{dead_run}")
        [run] = cypher(driver, "MATCH (r:LoadRun {id: $id}) RETURN r.status AS status", id=dead_run)
        assert run["status"] == "running"

    # its lease has not lapsed, but its holder is a process of this host that is gone: taken over at once
    assert 0 < lease_left(server) <= LEASE
    code, out, err = kgload(server, "run", "--config", folder / "kgload.yaml", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["documents"]["updated"] == 0
    assert report["documents"]["added"] + report["documents"]["unchanged"] == DOCS

    with driver_for(server) as driver:
        assert dump(driver) == clean["dump"]
        assert counts(driver) == clean["counts"]
        assert_no_duplicates(driver)
        [lock] = cypher(driver, "MATCH (l:KgloadLock) RETURN l.owner AS owner")
        assert lock["owner"] is None

    runs = {r["id"]: r for r in ledger(server)}
    assert set(runs) == {stopped_run, dead_run, report["run"]}
    assert runs[stopped_run]["status"] == "failed"
    assert runs[dead_run]["status"] == "failed"
    assert runs[dead_run]["note"] == f"interrupted; found still running by run {report['run']}"
    assert runs[report["run"]]["status"] == "ok"
