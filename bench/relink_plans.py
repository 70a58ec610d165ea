"""Server CPU to plan the Neo4j re-link's whole-relationship moves on a cold plan cache: a checkout
before the change (one statement per relationship type, ``relink.move_relationships``) against this
one (``relink.MOVE_RELATIONSHIPS``), alternating. Run on demand against a test server:

    .venv/bin/python bench/relink_plans.py --before <checkout> --server-pid <pid> --types A,B,C --rounds 3
"""

from __future__ import annotations

import argparse
import importlib.util
import time
from pathlib import Path

import neo4j

from kgload.sinks.neo4j import relink


def server_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100  # utime + stime, in clock ticks of 1/100 s


def per_type_statements(checkout: Path, types: list[str]) -> list[str]:
    spec = importlib.util.spec_from_file_location("relink_before", checkout / "kgload/sinks/neo4j/relink.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return [module.move_relationships(t, types) for t in types]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--neo4j-uri", default="bolt://127.0.0.1:7687")
    parser.add_argument("--server-pid", type=int, required=True)
    parser.add_argument("--before", type=Path, required=True, help="a checkout with relink.move_relationships")
    parser.add_argument("--types", required=True, help="the relationship types the moves hold, comma-separated")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    types = args.types.split(",")
    builds = {"before": per_type_statements(args.before, types), "after": [relink.MOVE_RELATIONSHIPS]}
    with neo4j.GraphDatabase.driver(args.neo4j_uri, auth=None) as driver:
        for _ in range(args.rounds):
            for build, queries in builds.items():
                with driver.session() as session:
                    session.run("CALL db.clearQueryCaches()").consume()
                    cpu, wall = server_cpu(args.server_pid), time.perf_counter()
                    for query in queries:  # planned and run with no rows: the cost of planning alone
                        session.run("CYPHER replan=skip " + query, rows=[]).consume()
                wall = time.perf_counter() - wall
                time.sleep(0.5)  # let the server's threads settle before reading its CPU
                used = server_cpu(args.server_pid) - cpu
                print(f"{build}: {len(queries)} statements, server CPU {used:.2f} s, wall {wall:.2f} s", flush=True)


if __name__ == "__main__":
    main()
