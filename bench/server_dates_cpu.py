"""The server's CPU for a date a Neo4j write sets: packed by the driver as a Date, or sent as ISO text
and built by Cypher's ``date()`` in the FOREACH that builds the writer's datetimes.

    .venv/bin/python bench/server_dates_cpu.py --neo4j-uri bolt://127.0.0.1:27953 \\
        --server-pid "$(cat /tmp/lc2-neo4j/kgload-neo4j.pid)" --rows 20000 --rounds 7

Each round writes ``--rows`` nodes of a claim row's temporal shape (a uri, a date, an aware datetime
as text) both ways, in alternating order, in a transaction rolled back; the JVM's CPU
(``/proc/<pid>/stat``) around each statement. The first round (planning, warm-up) is left out.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics

from common import process_cpu_s  # bench/common.py
from neo4j import GraphDatabase

AS_VALUES = """
UNWIND $rows AS row
CREATE (c:KgloadDateBench)
SET c = row.props
FOREACH (k IN row.datetimes | SET c[k] = datetime(row.props[k]))
"""

AS_TEXT = """
UNWIND $rows AS row
CREATE (c:KgloadDateBench)
SET c = row.props
FOREACH (k IN row.datetimes + row.dates |
  SET c[k] = CASE WHEN k IN row.dates THEN date(row.props[k]) ELSE datetime(row.props[k]) END)
"""


def jvm_seconds(pid: int) -> float:
    return process_cpu_s(pid)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--neo4j-uri", required=True)
    parser.add_argument("--server-pid", type=int, required=True)
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    first = dt.date(2023, 1, 1)
    now = dt.datetime.now(dt.UTC).isoformat()
    days = [first + dt.timedelta(days=i % 900) for i in range(args.rows)]
    values = [
        {"props": {"uri": f"u{i}", "date": d, "recordedAt": now}, "datetimes": ["recordedAt"]}
        for i, d in enumerate(days)
    ]
    texts = [
        {
            "props": {"uri": f"u{i}", "date": d.isoformat(), "recordedAt": now},
            "datetimes": ["recordedAt"],
            "dates": ["date"],
        }
        for i, d in enumerate(days)
    ]
    ways = (("driver Date", AS_VALUES, values), ("text + date()", AS_TEXT, texts))
    cpu: dict[str, list[float]] = {label: [] for label, _, _ in ways}
    with GraphDatabase.driver(args.neo4j_uri, auth=None) as driver, driver.session() as session:
        for number in range(args.rounds):
            for label, query, rows in ways if number % 2 == 0 else ways[::-1]:
                tx = session.begin_transaction()
                before = jvm_seconds(args.server_pid)
                tx.run(query, rows=rows).consume()
                spent = jvm_seconds(args.server_pid) - before
                tx.rollback()
                if number:
                    cpu[label].append(spent)
    for label, spent in cpu.items():
        median = statistics.median(spent)
        rounds = ", ".join(f"{s:.2f}" for s in spent)
        print(f"{label}: {rounds} s; median {median:.2f} s, {median / args.rows * 1e6:.1f} µs a row")


if __name__ == "__main__":
    main()
