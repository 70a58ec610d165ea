"""The Neo4j re-link in one transaction against bounded ones: the largest transaction memory the
server reports while it runs, and the CPU of both sides (docs/benchmarks.md, "What is left", item 8).

    .venv/bin/python bench/relink_transactions.py --corpus bench/out/corpus-events-10000 \
        --neo4j-uri bolt://127.0.0.1:7797 --server-pid <pid> --sizes 1000000000,5000,500 --rounds 2

Each round and size: the emptied server, a first load of the corpus without its re-link (one worker,
batches of 250, SHACL off), then the re-link alone with ``relink_moves`` = size; the sizes alternate
their order by round. A thread polls ``SHOW TRANSACTIONS`` every 20 ms for the largest
``estimatedUsedHeapMemory`` of a transaction other than its own.
"""

from __future__ import annotations

import argparse
import json
import resource
import threading
import time
from pathlib import Path

import neo4j
from common import process_cpu_s  # bench/common.py
from systems import MAPPING, neo4j_reset

from kgload import api
from kgload.mapping.spec import load_mapping
from kgload.sinks.learned import Relinked
from kgload.sinks.neo4j import Neo4jSink, writer

POLL = """
SHOW TRANSACTIONS YIELD transactionId, currentQuery, estimatedUsedHeapMemory
WHERE NOT currentQuery STARTS WITH 'SHOW TRANSACTIONS'
RETURN max(estimatedUsedHeapMemory) AS peak
"""


def driver(uri: str) -> neo4j.Driver:
    return neo4j.GraphDatabase.driver(uri, auth=None, notifications_min_severity=neo4j.NotificationMinimumSeverity.OFF)


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Peak(threading.Thread):
    def __init__(self, uri: str) -> None:
        super().__init__(daemon=True)
        self.uri, self.peak, self.done = uri, 0, threading.Event()

    def run(self) -> None:
        with driver(self.uri) as polling:
            while not self.done.is_set():
                peak = polling.execute_query(POLL).records[0]["peak"]
                self.peak = max(self.peak, peak or 0)
                time.sleep(0.02)


def one(args: argparse.Namespace, size: int) -> dict[str, float]:
    relink = Neo4jSink.relink
    Neo4jSink.relink = lambda self: Relinked((), frozenset())  # type: ignore[method-assign]
    neo4j_reset(args.neo4j_uri)
    loading = driver(args.neo4j_uri)
    sink = Neo4jSink(loading, None, relink_moves=size)
    api.load([args.corpus / "corpus.jsonl"], sink=sink, mapping=load_mapping(MAPPING), validate=False,
             batch_size=250, workers=1)  # fmt: skip
    Neo4jSink.relink = relink  # type: ignore[method-assign]
    transactions = []
    apply = writer._relink

    def counted(tx, moves, *rest):  # type: ignore[no-untyped-def]
        transactions.append(len(moves))
        apply(tx, moves, *rest)

    writer._relink = counted
    poller = Peak(args.neo4j_uri)
    poller.start()
    cpu, server, started = own_cpu(), process_cpu_s(args.server_pid), time.perf_counter()
    moves = len(sink.relink().moves)
    wall, cpu, server = time.perf_counter() - started, own_cpu() - cpu, process_cpu_s(args.server_pid) - server
    poller.done.set()
    poller.join()
    writer._relink = apply
    sink.close()
    loading.close()
    return {"size": size, "moves": moves, "transactions": len(transactions), "wall_s": round(wall, 2),
            "kgload_cpu_s": round(cpu, 2), "server_cpu_s": round(server, 2),
            "peak_tx_mib": round(poller.peak / 2**20, 1)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--neo4j-uri", required=True)
    parser.add_argument("--server-pid", type=int, required=True)
    parser.add_argument("--sizes", default="1000000000,5000,500")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    for index in range(args.rounds):
        for size in sizes if index % 2 == 0 else list(reversed(sizes)):
            print(json.dumps({"round": index, **one(args, size)}), flush=True)


if __name__ == "__main__":
    main()
