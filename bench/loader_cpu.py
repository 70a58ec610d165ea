"""CPU of ``kgload load`` split by process: the loader (parent) and its mapping workers, for two or more
builds of kgload in alternating rounds, into the embedded store or a Neo4j server (its JVM's CPU too).

    .venv/bin/python bench/generate.py --shape events --docs 10000 --out /tmp/ev10k
    .venv/bin/python bench/loader_cpu.py --corpus /tmp/ev10k --rounds 2 --no-validate \\
        --build before=/work/wt/main-before --build after= [--neo4j-uri bolt://… --neo4j-data DIR]

A build is ``label=PYTHONPATH`` (empty: this checkout). Each run is a fresh ``kgload load`` into an
emptied target; the loader's own CPU is its ``getrusage(RUSAGE_SELF)`` at exit, the workers' its
``RUSAGE_CHILDREN`` (the pool's processes, which it waits for); the server's is the JVM's
``/proc/<pid>/stat`` (``--neo4j-data``: the test server's data folder, which names the pid).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from common import BENCH, KGLOAD_PY, process_cpu_s

# Run in the child: the CLI, then its own and its waited-for children's CPU written to $KGLOAD_CPU_OUT.
CHILD = """
import atexit, json, os, resource, sys
def _out():
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(os.environ["KGLOAD_CPU_OUT"], "w") as f:
        json.dump({"loader": s.ru_utime + s.ru_stime, "workers": c.ru_utime + c.ru_stime}, f)
atexit.register(_out)
sys.argv[0] = "kgload"
from kgload.cli import main
main()
"""


def jvm_seconds(data: Path | None) -> float:
    if data is None:
        return 0.0
    pid = (data / "kgload-neo4j.pid").read_text().split()[0]
    return process_cpu_s(int(pid))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, required=True, help="a bench/generate.py folder")
    parser.add_argument("--build", action="append", required=True, help="label=PYTHONPATH (empty: this checkout)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--no-validate", action="store_true")
    parser.add_argument("--neo4j-uri")
    parser.add_argument("--neo4j-data", type=Path, help="the test server's data folder (for the JVM's CPU)")
    parser.add_argument("--out", type=Path, help="write the measurements here as JSON")
    args = parser.parse_args()
    builds = [tuple(b.split("=", 1)) for b in args.build]
    work = Path(tempfile.mkdtemp(prefix="kgload-loader-cpu-"))
    runs: list[dict] = []
    for number in range(args.rounds):
        order = builds if number % 2 == 0 else builds[::-1]  # alternate who goes first
        for label, path in order:
            store = work / f"store-{label}-{number}"
            argv = [sys.executable, "-c", CHILD, "load", str(args.corpus / "corpus.jsonl"), "--json"]
            argv += ["--rejects", str(work / f"{label}.rejects.jsonl")]
            argv += ["--no-validate"] if args.no_validate else ["--validate"]
            if args.neo4j_uri:
                reset = [KGLOAD_PY, str(BENCH / "systems.py"), "neo4j-reset", "--neo4j-uri", args.neo4j_uri]
                subprocess.run(reset, check=True, capture_output=True)
                argv += ["--neo4j-uri", args.neo4j_uri]
            else:
                argv += ["--store", str(store)]
            out = work / "cpu.json"
            env = {**os.environ, "KGLOAD_CPU_OUT": str(out), "PYTHONPATH": path or str(BENCH.parent)}
            server = jvm_seconds(args.neo4j_data)
            done = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=work)
            server = jvm_seconds(args.neo4j_data) - server
            if done.returncode not in (0, 3):  # 3: loaded with rejects
                raise SystemExit(f"{label} failed ({done.returncode}):\n{done.stderr[-2000:]}")
            report = json.loads(done.stdout)
            cpu = json.loads(out.read_text())
            shutil.rmtree(store, ignore_errors=True)
            run = {"round": number + 1, "build": label, **cpu, "server": server, "seconds": report.get("seconds")}
            run |= {k: report.get(k) for k in ("documents", "rejected", "relations", "triples", "entities")}
            runs.append(run)
            print(
                f"round {number + 1} {label}: loader {cpu['loader']:.2f} s, workers {cpu['workers']:.2f} s, "
                f"server {server:.2f} s CPU; {run['seconds']} s wall; {run['documents']} documents, "
                f"{run['relations']} relations, {run['triples']} triples",
                flush=True,
            )
    for label, _ in builds:
        mine = [r for r in runs if r["build"] == label]
        medians = {k: statistics.median(r[k] for r in mine) for k in ("loader", "workers", "server")}
        print(
            f"{label}: median loader {medians['loader']:.2f} s, workers {medians['workers']:.2f} s, "
            f"server {medians['server']:.2f} s"
        )
    if args.out:
        args.out.write_text(json.dumps({"argv": sys.argv, "runs": runs}, indent=2))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
