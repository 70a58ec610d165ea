"""Parallel mapping end to end: a Neo4j load with two workers equals one with one worker (real server), the
command's --workers option, and the Dask example over partitions of JSONL."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from kgload import api
from kgload.cli import app
from kgload.sinks.neo4j import Neo4jSink
from tests.common import ROOT
from tests.integration.test_neo4j import graph_dump
from tests.integration.test_parallel_mapping import report_of, role, role_corpus

runner = CliRunner()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return role_corpus(tmp_path_factory.mktemp("roles") / "roles.jsonl")


def test_neo4j_load_with_two_workers_equals_one(neo4j_db, neo4j_driver, corpus, mapping, run, tmp_path):
    outcomes = []
    for workers in (1, 2):
        neo4j_driver.execute_query("MATCH (n) DETACH DELETE n", database_=neo4j_db.database)
        rejects = tmp_path / f"rejects-{workers}.jsonl"
        sink = Neo4jSink.connect(neo4j_db)
        try:
            report = api.load(
                [corpus],
                sink=sink,
                mapping=mapping,
                run=run,
                rejects=rejects,
                batch_size=4,
                workers=workers,
                validate=False,
            )
        finally:
            sink.close()
        outcomes.append((report_of(report), rejects.read_text(), graph_dump(neo4j_driver)))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][0][0]["documents"]["added"] > 30


def test_map_command_workers_option(corpus, tmp_path):
    outputs, runs = [], []
    for workers in ("1", "2"):
        out, rejects = tmp_path / f"w{workers}.nq", tmp_path / f"w{workers}.rejects.jsonl"
        result = runner.invoke(
            app, ["map", str(corpus), "-o", str(out), "--rejects", str(rejects), "--workers", workers, "--no-validate"]
        )
        assert result.exit_code == 3, result.output  # the corpus holds bad records
        # each command is its own run: its IRI and time aside, the bytes are the same, in the same order
        lines = [line for line in out.read_bytes().splitlines() if b"/run/" not in line and b"recordedAt" not in line]
        kept = [json.loads(line) for line in rejects.read_text().splitlines()]
        runs.append({reject.pop("run") for reject in kept})
        outputs.append((lines, kept))
    assert outputs[0][0] and outputs[0][1] and outputs[0] == outputs[1]
    assert len(runs[0]) == len(runs[1]) == 1 and runs[0] != runs[1]  # each line names its command's run


@pytest.mark.skipif(importlib.util.find_spec("dask") is None, reason="dask is an optional extra")
def test_dask_example_maps_the_partitions_to_the_quads_kgload_map_writes(tmp_path):
    # role mentions resolve within a partition (docs/scaling.md): this corpus needs only reference tenures
    docs = [json.dumps(role(f"us-{i}", f"2022-03-{i % 28 + 1:02d}", "the US President")) for i in range(40)]
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join([*docs[:20], "{not json", *docs[20:]]) + "\n")
    spec = importlib.util.spec_from_file_location("dask_map", ROOT / "examples" / "distributed" / "dask_map.py")
    assert spec is not None and spec.loader is not None
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    out = tmp_path / "parts"
    # small blocks make several partitions; the synchronous scheduler keeps the test in one process
    assert example.main([str(corpus), "--out", str(out), "--blocksize", "4KiB", "--scheduler", "synchronous"]) == 0
    parts = sorted(out.glob("part-*.nq"))
    assert len(parts) > 1
    serial = tmp_path / "serial.nq"
    with serial.open("wb") as whole:
        api.write_rdf([corpus], whole, "nquads", workers=1, validate=False)

    def quads(paths: list[Path]) -> set[str]:
        # each invocation is its own run: compare everything but the run's IRI and time
        return {
            str(q)
            for p in paths
            for q in ox.parse(path=str(p), format=ox.RdfFormat.N_QUADS)
            if "/run/" not in str(q.object) and "recordedAt" not in str(q.predicate)
        }

    assert quads(parts) == quads([serial])
    assert b"id/q6279" in serial.read_bytes()  # Joe Biden, by his Wikidata id
    assert sum(len(p.read_text().splitlines()) for p in out.glob("*.rejects.jsonl")) == 1


def children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc").exists(), reason="reads the process tree from /proc")
def test_sigterm_stops_the_workers_and_records_the_run_as_failed(tmp_path):
    corpus = tmp_path / "many.jsonl"
    docs = [json.dumps(role(f"d-{i}", f"2022-03-{i % 28 + 1:02d}", "the US President")) for i in range(2000)]
    corpus.write_text("\n".join(docs) + "\n")
    store = tmp_path / "store"
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    command = "from kgload.cli import main; main()"
    proc = subprocess.Popen(
        [sys.executable, "-c", command, "load", str(corpus), "--store", str(store), "--workers", "2", "--no-validate"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    workers: set[int] = set()
    while len(workers) < 2 and proc.poll() is None:  # wait for the pool, not for a time
        workers = children(proc.pid)
    assert proc.poll() is None, proc.communicate()
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 130, err
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]  # joined, not orphaned
    [record] = api.runs(store=store)
    assert record.status == "failed" and record.note.startswith("Terminated")


# SIGTERM delivered to the loader itself the moment the pool has forked its second worker, before the pool
# has noted it: the worker must still be shut down (unnoted, it kept the interpreter waiting at exit forever)
SIGNAL_AT_FORK = """
import multiprocessing.context, os, signal
from kgload.cli import main

start, forked = multiprocessing.context.ForkProcess.start, []

def start_then_signal(process):
    start(process)
    forked.append(process)
    if len(forked) == 2:
        os.kill(os.getpid(), signal.SIGTERM)

multiprocessing.context.ForkProcess.start = start_then_signal
main()
"""


@pytest.mark.skipif(not Path("/proc").exists(), reason="reads the process tree from /proc")
def test_sigterm_while_the_pool_forks_its_workers_still_stops_them(tmp_path):
    corpus = tmp_path / "many.jsonl"
    docs = [json.dumps(role(f"d-{i}", f"2022-03-{i % 28 + 1:02d}", "the US President")) for i in range(2000)]
    corpus.write_text("\n".join(docs) + "\n")
    store = tmp_path / "store"
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            SIGNAL_AT_FORK,
            "load",
            str(corpus),
            "--store",
            str(store),
            "--workers",
            "2",
            "--no-validate",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _, err = proc.communicate(timeout=60)
    finally:
        leftovers = children(proc.pid)
        proc.kill()
        for pid in leftovers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    assert proc.returncode == 130, err
    assert not leftovers
    [record] = api.runs(store=store)
    assert record.status == "failed" and record.note.startswith("Terminated")
