"""Leases that recover (issue 26): a dead holder blocks nobody, a failed run lets go, retract waits its turn.

The loader runs as a real process where a SIGKILL is the point; the rest call the library against the
session's real Neo4j server.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading

import pytest

from kgload import api
from kgload.errors import TargetBusy
from kgload.model import Run
from kgload.runs.lease import holder_is_dead, owner_of
from kgload.sinks.neo4j import Neo4jSink, writer
from tests.integration.test_neo4j import stories
from tests.integration.test_scheduled_runs import corpus, cypher, store_quads, write_inbox

OTHER_HOST = "cron-host:4242:20250101T000000Z-other"


def comparable(quads: set[str]) -> list[str]:
    """The quads with what differs from run to run masked: the run's IRI and time, blank node labels."""
    masks = ((r"/run/[0-9TZ-]+[0-9a-f]+", "/run/R"), (r'"[0-9T:-]+Z"\^\^<[^>]*dateTime>', "T"), (r"_:[0-9a-z]+", "_:b"))
    out = []
    for quad in quads:
        for pattern, mask in masks:
            quad = re.sub(pattern, mask, quad)
        out.append(quad)
    return sorted(out)


def test_a_holder_is_dead_only_when_it_is_a_gone_process_of_this_host():
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    host = owner_of(Run.new()).split(":")[0]
    assert holder_is_dead(f"{host}:{gone.stdout.strip()}:20250101T000000Z-gone")
    assert not holder_is_dead(f"{host}:{os.getpid()}:20250101T000000Z-me")  # this very process
    assert not holder_is_dead(f"{host}:{os.getppid()}:20250101T000000Z-parent")  # alive
    assert not holder_is_dead(OTHER_HOST)  # another host: its lease must lapse
    assert not holder_is_dead("garbage")


def test_embedded_loader_killed_mid_run_a_rerun_at_once_equals_a_clean_load(tmp_path):
    write_inbox(tmp_path / "inbox", corpus(60), per_file=10)
    clean = tmp_path / "clean"
    assert api.load([tmp_path / "inbox"], store=clean, workers=1).status == "ok"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "KGLOAD_"))}
    command = [sys.executable, "-m", "kgload.cli", "--log-format", "json", "--log-level", "info", "load"]
    store = tmp_path / "store"
    args = [str(tmp_path / "inbox"), "--store", str(store), "--batch-size", "3", "--workers", "1"]
    proc = subprocess.Popen([*command, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    watchdog = threading.Timer(120, proc.kill)
    watchdog.start()
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            entry = json.loads(line)
            if entry["message"] == "batch committed" and entry["loaded"] >= 15:
                break
        assert proc.poll() is None, "the loader ended before it could be killed mid-run"
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
    finally:
        watchdog.cancel()
    assert proc.returncode == -signal.SIGKILL

    report = api.load([tmp_path / "inbox"], store=store, workers=1)  # at once: the OS dropped the store's lock
    assert report.status == "ok" and report.documents_updated == 0
    assert report.documents_added + report.documents_unchanged == 60 and report.documents_unchanged >= 15
    assert comparable(store_quads(store)) == comparable(store_quads(clean))
    statuses = sorted(r.status for r in api.runs(store=store))
    assert statuses == ["failed", "ok"]  # the killed run, marked failed by the next one


@pytest.mark.neo4j
def test_an_internal_error_releases_the_lease(neo4j_db, neo4j_driver, tmp_path, monkeypatch):
    path = stories(tmp_path, 12)

    def broken(*_args: object) -> None:
        raise ZeroDivisionError("a bug in the writer")

    monkeypatch.setattr(writer, "_write_batch", broken)
    sink = Neo4jSink.connect(neo4j_db)
    try:
        with pytest.raises(ZeroDivisionError):
            api.load([path], sink=sink, batch_size=4, workers=1)
    finally:
        sink.close()
    [lock] = cypher(neo4j_driver, "MATCH (l:KgloadLock) RETURN l.owner AS owner")
    assert lock["owner"] is None  # the next run need not wait
    [run] = cypher(neo4j_driver, "MATCH (r:LoadRun) RETURN r.status AS status, r.note AS note")
    assert run["status"] == "failed" and run["note"].startswith("ZeroDivisionError")


@pytest.mark.neo4j
def test_retract_takes_the_lease_like_a_load(neo4j_db, neo4j_driver, tmp_path):
    path = stories(tmp_path, 4)
    sink = Neo4jSink.connect(neo4j_db)
    try:
        api.load([path], sink=sink, workers=1)
        [doc] = cypher(neo4j_driver, "MATCH (d:Document) RETURN d.uri AS uri ORDER BY d.uri LIMIT 1")
        neo4j_driver.execute_query(
            "MATCH (l:KgloadLock {name: 'kgload'}) "
            "SET l.owner = $owner, l.expires = datetime() + duration({minutes: 10})",
            owner=OTHER_HOST,
        )
        with pytest.raises(TargetBusy, match="try again later"):
            api.retract([doc["uri"]], sink=sink)
        assert len(cypher(neo4j_driver, "MATCH (d:Document) RETURN d")) == 4  # nothing retracted
        neo4j_driver.execute_query("MATCH (l:KgloadLock) REMOVE l.owner, l.expires")
        assert api.retract([doc["uri"]], sink=sink) == 1
    finally:
        sink.close()
    [lock] = cypher(neo4j_driver, "MATCH (l:KgloadLock) RETURN l.owner AS owner")
    assert lock["owner"] is None
