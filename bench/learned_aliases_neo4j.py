"""What names learned from the data cost a Neo4j load: a first load and its re-run into the emptied
server, with the time spent writing the alias rows and re-linking (docs/gazetteer.md).

    .venv/bin/python bench/learned_aliases_neo4j.py --corpus bench/out/corpus-20000 --neo4j-uri bolt://127.0.0.1:7687
    ... --relink-alone   # a first load without its re-link, then the re-link alone, timed per statement

The sink's own calls are wrapped with timers; the rest of the load is kgload's, one worker, batches
of 250, SHACL off, as bench/systems.py's kgload-neo4j.
"""

from __future__ import annotations

import argparse
import collections
import time
from pathlib import Path

import neo4j
from systems import MAPPING, neo4j_reset

from kgload import api
from kgload.mapping.spec import load_mapping
from kgload.sinks.neo4j import Neo4jSink, writer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--neo4j-uri", required=True)
    parser.add_argument("--relink-alone", action="store_true")
    args = parser.parse_args()
    if args.relink_alone:
        relink_alone(args)
        return
    spent = {"remember": 0.0, "relink": 0.0, "moves": 0}
    remember, relink = writer._remember, Neo4jSink.relink

    def timed_remember(*a, **k):
        started = time.perf_counter()
        remember(*a, **k)
        spent["remember"] += time.perf_counter() - started

    def timed_relink(self):
        started = time.perf_counter()
        out = relink(self)
        spent["relink"] += time.perf_counter() - started
        spent["moves"] += len(out.moves)
        return out

    writer._remember = timed_remember
    Neo4jSink.relink = timed_relink
    neo4j_reset(args.neo4j_uri)
    mapping = load_mapping(MAPPING)
    for label in ("first load", "re-run"):
        spent.update(remember=0.0, relink=0.0, moves=0)
        driver = neo4j.GraphDatabase.driver(args.neo4j_uri, auth=None)
        started = time.perf_counter()
        api.load(
            [args.corpus / "corpus.jsonl"],
            sink=Neo4jSink(driver, None),
            mapping=mapping,
            validate=False,
            batch_size=250,
            workers=1,
        )
        total = time.perf_counter() - started
        [rows] = driver.execute_query("MATCH (a:KgloadAlias) RETURN count(a) AS n").records
        [entities] = driver.execute_query("MATCH (e:Entity) RETURN count(e) AS n").records
        driver.close()
        print(
            f"{label}: {total:.1f} s; alias rows written {spent['remember']:.2f} s, re-link {spent['relink']:.2f} s "
            f"({spent['moves']} moves); {rows['n']} alias rows, {entities['n']} entity nodes",
            flush=True,
        )


class _Records(list):
    """A statement's records, read at once so that its time is its own."""

    def consume(self) -> None:
        return None

    def single(self, strict: bool = False):
        return self[0]


def relink_alone(args: argparse.Namespace) -> None:
    from kgload.sinks.learned import Relinked

    relink = Neo4jSink.relink
    Neo4jSink.relink = lambda self: Relinked((), frozenset())  # type: ignore[method-assign]
    neo4j_reset(args.neo4j_uri)
    driver = neo4j.GraphDatabase.driver(args.neo4j_uri, auth=None)
    sink = Neo4jSink(driver, None)
    api.load([args.corpus / "corpus.jsonl"], sink=sink, mapping=load_mapping(MAPPING), validate=False,
             batch_size=250, workers=1)  # fmt: skip
    spent: collections.Counter[str] = collections.Counter()
    run = writer._run

    def timed(tx, query, **params):
        started = time.perf_counter()
        records = _Records(run(tx, query, **params))
        spent[" ".join(query.split()[3:12])] += time.perf_counter() - started
        return records

    writer._run = timed
    Neo4jSink.relink = relink  # type: ignore[method-assign]
    started = time.perf_counter()
    moves = len(sink.relink().moves)
    print(f"re-link alone: {time.perf_counter() - started:.2f} s, {moves} moves; by statement:")
    for statement, seconds in spent.most_common(8):
        print(f"  {seconds:6.2f} s  {statement}")
    sink.close()
    driver.close()


if __name__ == "__main__":
    main()
