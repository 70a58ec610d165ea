"""The planning cost of each of kgload's Cypher texts on a cold plan cache: the server's Bolt workers'
CPU over an ``EXPLAIN`` right after ``db.clearQueryCaches()``, median of three, largest first.

A first load on a server whose plan cache is cold (a restart, a schema change) plans every text
once, and the per-type texts (``append_relationships`` and the others) once for each relationship
type they meet; on a 10k-event load that was a third of the server's CPU (docs/benchmarks.md, "The
server's CPU by thread, and merged transactions").

    .venv/bin/python bench/plan_costs.py --neo4j-uri bolt://127.0.0.1:27790 --server-pid PID
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import neo4j
from common import cpu_seconds  # bench/common.py

from kgload.ontology import load_ontology
from kgload.sinks.neo4j import cypher, relink

ROOT = Path(__file__).resolve().parent.parent
PER_TYPE = ("append_relationships", "upsert_relationships", "delete_relationships")


def bolt_cpu_s(pid: int) -> float:
    """CPU seconds so far of the server's live Bolt worker threads."""
    total = 0.0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            if (task / "comm").read_text().startswith("neo4j.BoltWorke"):
                total += cpu_seconds(task / "stat")
        except OSError:
            continue  # the thread ended
    return total


def texts(rel_type: str) -> dict[str, str]:
    """Every statement text with parameters of the writer and the re-link; per-type ones for ``rel_type``."""
    allowed = [r.neo4j_type for r in load_ontology(ROOT / "ontology" / "kgload.ttl").relations.values()]
    found = {
        f"{module.__name__.rsplit('.', 1)[-1]}.{name}": value
        for module in (cypher, relink)
        for name, value in vars(module).items()
        if name.isupper() and isinstance(value, str) and "$" in value and ("MATCH" in value or "UNWIND" in value)
    }
    found |= {f"cypher.{name}({rel_type})": getattr(cypher, name)(rel_type, allowed) for name in PER_TYPE}
    found[f"relink.move_relationships({rel_type})"] = relink.move_relationships(rel_type, allowed)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--neo4j-uri", required=True)
    parser.add_argument("--server-pid", type=int, required=True)
    parser.add_argument("--type", default="INTERACTED_WITH", help="the relationship type of the per-type texts")
    args = parser.parse_args()
    rows = []
    with neo4j.GraphDatabase.driver(args.neo4j_uri, auth=None, notifications_min_severity="OFF") as driver:
        for name, text in texts(args.type).items():
            cpu, wall = [], []
            for _ in range(3):
                driver.execute_query("CALL db.clearQueryCaches()")
                before, started = bolt_cpu_s(args.server_pid), time.perf_counter()
                driver.execute_query("CYPHER replan=skip EXPLAIN " + text)
                wall.append(time.perf_counter() - started)
                cpu.append(bolt_cpu_s(args.server_pid) - before)
            rows.append((statistics.median(cpu), statistics.median(wall), name))
    for cpu_s, wall_s, name in sorted(rows, reverse=True):
        print(f"{cpu_s * 1000:6.0f} ms CPU {wall_s * 1000:6.0f} ms wall  {name}")
    print(f"{sum(r[0] for r in rows):.2f} s of CPU for {len(rows)} texts")


if __name__ == "__main__":
    main()
