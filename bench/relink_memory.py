"""Peak RSS of the re-link of learned aliases over N synthetic alias rows, in one process.

Two shapes of table: ``groups`` (one name a row, groups of about three rows, nothing moves: as many
entities as rows / 3) and ``feed`` (an event feed's: a fixed set of actors repeated across documents,
each row a document's mention; a third of the rows say the actor's bare short name, which moves to
the group its long name taught). Two re-links: ``store`` (the embedded store's, on an in-memory store
built first) and ``neo4j`` (the client side of the Neo4j re-link without a server: the lean rows as
``LEAN_ROWS`` pages give them, grouped, the moves completed with their details and cut into
transactions as ``Neo4jSink.relink`` does, each transaction's rows dropped once "applied").

    .venv/bin/python bench/relink_memory.py 200000 [--shape feed] [--sink neo4j]
    cd /tmp && PYTHONPATH=<another checkout> <this checkout>/.venv/bin/python <this checkout>/bench/relink_memory.py …
"""

import argparse
import inspect
import json
import resource
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kgload.sinks import learned
from kgload.sinks.neo4j import relink

ACTORS = 120  # distinct actors of the ``feed`` shape (the synthetic event feed names about as many)
ID = "https://kg.example.org/id/"


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return 0.0


def rows(n: int, shape: str) -> Iterator[tuple[str, str, list[str]]]:
    """(document, IRI, names) of each row."""
    for i in range(n):
        doc = f"{ID}document/doc-{i // 2:09}"
        if shape == "groups":
            k = i % (n // 3 + 1)
            yield doc, f"{ID}name/actor-{k}", [f"Actor {k}"]
            continue
        k = (i // 3) % ACTORS
        if i % 3 == 2:  # the bare short name: joins the group that taught it
            yield doc, f"{ID}name/actor-{k}", [f"Actor {k}"]
        else:
            yield doc, f"{ID}name/actor-{k}-group", [f"Actor {k} Group", f"Actor {k}"]


def store_of(n: int, shape: str) -> ox.Store:
    store = ox.Store()
    quads: list[ox.Quad] = []
    for doc, iri, names in rows(n, shape):
        node = learned._row_node(doc, iri)
        quads += [
            ox.Quad(node, learned._IN, ox.NamedNode(doc), learned.ALIASES),
            ox.Quad(node, learned._ROW, ox.Literal(json.dumps([iri, *names])), learned.ALIASES),
            ox.Quad(node, learned._LINKED, learned._linked(iri, names[0]), learned.ALIASES),
        ]
        if len(quads) >= 30_000:
            store.extend(quads)
            quads = []
    store.extend(quads)
    return store


def store_relink(store: ox.Store) -> learned.Relinked:
    """The embedded store's re-link on an in-memory store, which has nothing to flush: this checkout's
    takes a count of the quads it changes, an older one's (through PYTHONPATH) only the store."""
    if len(inspect.signature(learned.relink).parameters) > 2:
        return learned.relink(store, lambda quads: None)
    return learned.relink(store)


def lean_rows(n: int, shape: str) -> Iterator[dict[str, Any]]:
    for doc, iri, names in rows(n, shape):
        yield {
            "id": relink.alias_id(doc, iri),
            "document": doc,
            "iri": iri,
            "names": names,
            "linked": iri,
            "linkedName": names[0],
        }


def details(move: dict[str, Any]) -> dict[str, Any]:
    return {"mentionNames": move["names"][:1], "labels": ["Organization"]}


def neo4j_relink(n: int, shape: str) -> int:
    """What ``Neo4jSink.relink`` holds on the client, for the code found (before or after the spool)."""
    size = relink.MOVES_PER_TRANSACTION
    if not hasattr(relink, "Spool"):  # the code before: every move held, completed and cut up front
        moves, _ = relink.moves(lean_rows(n, shape))
        by_id = {m["id"]: details(m) for m in moves}
        moves = [relink.with_details(m, by_id[m["id"]]) for m in moves]
        chunks = list(relink.transactions(moves, size))
        relink.kept_for_later(chunks)
        pairs = tuple((m["old"], m["new"]) for m in moves)
        return len(pairs)
    ambiguous: set[str] = set()
    with relink.Spool(relink.moving(lean_rows(n, shape), ambiguous)) as spool:
        last = relink.last_transactions(relink.transactions(spool, size))
        count = 0
        for index, lean in enumerate(relink.transactions(spool, size)):
            chunk = [relink.with_details(m, details(m)) for m in lean]
            relink.kept(chunk, index, last)
            count += len(chunk)
        return count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("rows", type=int)
    parser.add_argument("--shape", choices=["groups", "feed"], default="groups")
    parser.add_argument("--sink", choices=["store", "neo4j"], default="store")
    args = parser.parse_args()
    store = store_of(args.rows, args.shape) if args.sink == "store" else None
    before = rss_mb()
    base_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    cpu = time.process_time()
    moved = len(store_relink(store).moves) if store is not None else neo4j_relink(args.rows, args.shape)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "code": learned.__file__,
        "rows": args.rows,
        "shape": args.shape,
        "sink": args.sink,
        "moved": moved,
        "relink_seconds": round(seconds, 2),
        "relink_cpu_seconds": round(cpu, 2),
        "rss_before_mb": round(before, 1),
        "peak_mb": round(peak, 1),
        "relink_growth_mb": round(peak - max(before, base_peak), 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
