"""First load and unchanged re-run of a corpus into Neo4j, for one or more kgload installs, in rounds.

Each first load goes into a fresh test server (tests/neo4j-server, a new data folder, no
password); the re-run is the same command again on the same server. Reported per run: wall
seconds, the user+sys CPU of ``kgload load``'s process tree and of the server's JVM, the report's
counts and, after the re-run, the graph's size (it must be the same for every build). The order
of the builds alternates from round to round, since on a shared machine the first run of a round
is not the slower one by chance.

    .venv/bin/python bench/generate.py --shape events --docs 30000 --out /tmp/ev30k
    .venv/bin/python bench/events_neo4j_ab.py --corpus /tmp/ev30k --rounds 2 \\
        --kgload before=/work/wt/before/.venv/bin/kgload --kgload after=.venv/bin/kgload \\
        --out bench/out/results-events-neo4j-ab-30k.json

``--java-opts label=FLAGS`` starts that build's servers with those JVM flags too (after
``KGLOAD_NEO4J_JAVA_OPTS``): two labels of one install then compare server settings, a collector say.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from common import process_cpu_s  # bench/common.py
from neo4j import GraphDatabase

ROOT = Path(__file__).resolve().parent.parent
SERVER = ROOT / "tests" / "neo4j-server" / "neo4j-test-server"


def _start(data: Path, port: int, java_opts: str | None = None) -> tuple[str, int]:
    env = {**os.environ, "KGLOAD_NEO4J_PAGECACHE": os.environ.get("KGLOAD_NEO4J_PAGECACHE", "1g")}
    if java_opts is not None:  # after the flags every server gets (a 1M run's heap, say)
        env["KGLOAD_NEO4J_JAVA_OPTS"] = f"{os.environ.get('KGLOAD_NEO4J_JAVA_OPTS', '')} {java_opts}".strip()
    start = [str(SERVER), "start", "--data", str(data), "--port", str(port)]
    subprocess.run(start, check=True, env=env, capture_output=True)
    uri = (data / "kgload-neo4j.uri").read_text().strip()
    return uri, int((data / "kgload-neo4j.pid").read_text())


def _run(argv: list[str], server_pid: int) -> dict:
    before, server_before = resource.getrusage(resource.RUSAGE_CHILDREN), process_cpu_s(server_pid)
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # includes the workers the child waited for
    if done.returncode not in (0, 3):  # 3: loaded with rejects
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    report = json.loads(done.stdout)
    return {
        "exit": done.returncode,
        "wall_s": round(wall, 1),
        "kgload_cpu_s": round(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, 1),
        "server_cpu_s": round(process_cpu_s(server_pid) - server_before, 1),
        "load_average": round(os.getloadavg()[0], 1),
        "documents": report.get("documents"),
        "rejected": report.get("rejected"),
        "relations": report.get("relations"),
    }


def _size(uri: str) -> dict[str, int]:
    with GraphDatabase.driver(uri, auth=None) as driver:
        nodes = driver.execute_query("MATCH (n) RETURN count(n) AS c").records[0]["c"]
        edges = driver.execute_query("MATCH ()-[r]->() RETURN count(r) AS c").records[0]["c"]
    return {"nodes": nodes, "relationships": edges}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, required=True, help="a bench/generate.py folder")
    parser.add_argument("--kgload", action="append", required=True, help="label=path of a kgload executable")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--port", type=int, default=27787)
    parser.add_argument("--reruns", type=int, default=1, help="unchanged re-runs after each first load")
    parser.add_argument("--no-validate", action="store_true", help="load with --no-validate (default: validated)")
    parser.add_argument(
        "--java-opts", action="append", default=[], help="label=JVM flags of that build's server (its collector, say)"
    )
    parser.add_argument("--out", type=Path, help="write the measurements here as JSON")
    args = parser.parse_args()
    builds = [tuple(k.split("=", 1)) for k in args.kgload]
    java_opts = dict(o.split("=", 1) for o in args.java_opts)
    rows: list[dict] = []
    work = Path(tempfile.mkdtemp(prefix="kgload-events-ab-"))
    try:
        for number in range(args.rounds):
            order = builds if number % 2 == 0 else builds[::-1]
            for label, exe in order:
                data = work / f"neo4j-{label}-{number}"
                uri, pid = _start(data, args.port, java_opts.get(label))
                argv = [exe, "load", str(args.corpus / "corpus.jsonl"), "--neo4j-uri", uri, "--json"]
                argv.append("--no-validate" if args.no_validate else "--validate")
                argv += ["--rejects", str(work / f"rejects-{label}.jsonl")]
                try:
                    for run in ("first load", *["re-run"] * args.reruns):
                        row = {"round": number + 1, "build": label, "run": run, **_run(argv, pid)}
                        rows.append(row)
                        print(json.dumps(row), flush=True)
                    rows.append({"round": number + 1, "build": label, **_size(uri)})
                    print(json.dumps(rows[-1]), flush=True)
                finally:
                    subprocess.run([str(SERVER), "stop", "--data", str(data)], capture_output=True)
                    shutil.rmtree(data, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if args.out:
            summary = {"corpus": str(args.corpus), "builds": dict(builds), "java_opts": java_opts, "rows": rows}
            args.out.write_text(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
