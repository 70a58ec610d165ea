"""The server's CPU for a first load, for one or more kgload builds, in alternating rounds on one warm server.

``bench/events_neo4j_ab.py`` starts a fresh server for every load, whose JIT compiling is then a
large part of a 10k-event load's server CPU. This keeps one server (started beforehand, e.g.
``tests/neo4j-server/neo4j-test-server start --data /tmp/sc-neo4j --port 27790``): before each
load it empties the database (the schema stays) and clears the query caches (unless ``--keep-plans``), so
that every load plans its statements as a first load does, then reads the server JVM's CPU (``/proc/<pid>/stat``)
around ``kgload load``. A build is ``label=path-of-kgload``, optionally followed by extra
arguments after a ``;`` (``big=.venv/bin/kgload;--batch-size 1000``).

    .venv/bin/python bench/server_cpu_ab.py --corpus /tmp/sc-ev10k --neo4j-uri bolt://127.0.0.1:27790 \\
        --server-pid PID --rounds 3 --kgload main=/work/wt/scbase/.venv/bin/kgload --kgload branch=.venv/bin/kgload
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import time
from pathlib import Path

from common import cpu_seconds, process_cpu_s  # bench/common.py
from neo4j import GraphDatabase

WIPE = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS"


# the server JVM's threads by name (/proc/<pid>/task/<tid>/comm): Bolt workers run the statements and their commits
GROUPS = {
    "bolt": ("neo4j.BoltWorke",),
    "gc": ("GC Thread", "G1 "),
    "jit": ("C1 CompilerThre", "C2 CompilerThre"),
    "index_sampling": ("neo4j.IndexSamp",),
    "checkpoint": ("neo4j.CheckPoin",),
}


def _threads_cpu_s(pid: int) -> dict[str, float]:
    """CPU seconds so far of the server's live threads, by group; ``other`` is what the process spent
    besides (threads that ended included)."""
    groups = dict.fromkeys(GROUPS, 0.0)
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            name = (task / "comm").read_text().strip()
            seconds = cpu_seconds(task / "stat")
        except OSError:
            continue  # the thread ended
        group = next((g for g, prefixes in GROUPS.items() if name.startswith(prefixes)), None)
        if group is not None:
            groups[group] += seconds
    groups["other"] = process_cpu_s(pid) - sum(groups.values())
    return groups


def _wipe(uri: str, keep_plans: bool) -> None:
    with GraphDatabase.driver(uri, auth=None) as driver, driver.session() as session:
        session.run(WIPE).consume()
        if not keep_plans:
            session.run("CALL db.clearQueryCaches()").consume()


def _size(uri: str) -> tuple[int, int]:
    with GraphDatabase.driver(uri, auth=None) as driver:
        nodes = driver.execute_query("MATCH (n) RETURN count(n) AS c").records[0]["c"]
        edges = driver.execute_query("MATCH ()-[r]->() RETURN count(r) AS c").records[0]["c"]
    return nodes, edges


def _load(argv: list[str], pid: int) -> dict:
    before, server_before = resource.getrusage(resource.RUSAGE_CHILDREN), process_cpu_s(pid)
    threads_before = _threads_cpu_s(pid)
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after, server_after = resource.getrusage(resource.RUSAGE_CHILDREN), process_cpu_s(pid)
    threads_after = _threads_cpu_s(pid)
    if done.returncode not in (0, 3):  # 3: loaded with rejects
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return {
        "wall_s": round(wall, 1),
        "kgload_cpu_s": round(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, 2),
        "server_cpu_s": round(server_after - server_before, 2),
        **{f"server_{g}_s": round(threads_after[g] - threads_before[g], 2) for g in threads_after},
        "load_average": round(os.getloadavg()[0], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, required=True, help="a bench/generate.py folder")
    parser.add_argument("--neo4j-uri", required=True)
    parser.add_argument("--server-pid", type=int, required=True)
    parser.add_argument("--kgload", action="append", required=True, help="label=path[;extra arguments]")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--validate", action="store_true", help="load validated (default: --no-validate)")
    parser.add_argument("--keep-plans", action="store_true", help="do not clear the query caches between loads")
    parser.add_argument("--out", type=Path, help="append the measurements here as JSON lines")
    args = parser.parse_args()
    builds = []
    for spec in args.kgload:
        label, rest = spec.split("=", 1)
        exe, _, extra = rest.partition(";")
        builds.append((label, exe, extra.split()))
    cpu: dict[str, list[float]] = {label: [] for label, _, _ in builds}
    bolt: dict[str, list[float]] = {label: [] for label, _, _ in builds}
    for number in range(args.rounds):
        for label, exe, extra in builds if number % 2 == 0 else builds[::-1]:
            _wipe(args.neo4j_uri, args.keep_plans)
            argv = [exe, "load", str(args.corpus / "corpus.jsonl"), "--neo4j-uri", args.neo4j_uri, "--json"]
            argv += ["--validate" if args.validate else "--no-validate", *extra]
            row = {"round": number + 1, "build": label, **_load(argv, args.server_pid)}
            row["nodes"], row["relationships"] = _size(args.neo4j_uri)
            cpu[label].append(row["server_cpu_s"])
            bolt[label].append(row["server_bolt_s"])
            print(json.dumps(row), flush=True)
            if args.out:
                with args.out.open("a") as out:
                    out.write(json.dumps(row) + "\n")
    for label, values in cpu.items():
        print(
            f"{label}: server CPU median {statistics.median(values):.2f} s, mean {statistics.mean(values):.2f} s;"
            f" its Bolt workers' median {statistics.median(bolt[label]):.2f} s"
        )


if __name__ == "__main__":
    main()
