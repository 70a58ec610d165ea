"""Server CPU to plan the Neo4j re-link's whole-relationship moves on a cold plan cache: one statement
per relationship type (``relink.move_relationships``, what kgload runs) against the one statement for
every type that was tried and dropped (it found the old relationship by an expand between its ends,
whose cost grew with the ends' degree: see bench/HISTORY.md), alternating. Run on demand against a
test server:

    .venv/bin/python bench/relink_plans.py --server-pid <pid> --types A,B,C --rounds 3
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import neo4j

from kgload.sinks.neo4j import relink


def server_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100  # utime + stime, in clock ticks of 1/100 s


ONE_STATEMENT = """
UNWIND $rows AS row
MATCH (oh:Resource {uri: row.head})
USING INDEX SEEK oh:Resource(uri)
MATCH (ot:Resource {uri: row.tail})
USING INDEX SEEK ot:Resource(uri)
MATCH (oh)-[r {key: row.old}]->(ot)
WHERE type(r) = row.type
MATCH (c:Resource {uri: row.claim})
USING INDEX SEEK c:Resource(uri)
MATCH (c)-[:SUBJECT]->(h), (c)-[:OBJECT]->(t)
CREATE (h)-[n:$(row.type)]->(t)
SET n = properties(r), n.key = row.key
DELETE r
RETURN row.old AS old
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--neo4j-uri", default="bolt://127.0.0.1:7687")
    parser.add_argument("--server-pid", type=int, required=True)
    parser.add_argument("--types", required=True, help="the relationship types the moves hold, comma-separated")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    types = args.types.split(",")
    builds = {"per type": [relink.move_relationships(t, types) for t in types], "one statement": [ONE_STATEMENT]}
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
