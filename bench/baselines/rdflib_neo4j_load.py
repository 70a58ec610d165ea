"""Baseline: rdflib-neo4j's batched Neo4jStore loading the N-Triples kgload mapped.

Runs with bench/.venv-rdflib-neo4j/bin/python (its own venv, made by setup_venvs.sh, so that
installing it never touches kgload's). The input is kgload's own mapping output for the corpus,
as N-Triples (the union of the per-document graphs), so both systems write the same RDF into the
same, empty server. Settings: batching on, the documented default batch of 5000 entities,
IGNORE vocabulary URIs (local names as labels / types / property keys; the default SHORTEN fails
without a prefix for every namespace), multivalued literals OVERWRITE (the default and the
cheaper one: an entity keeps one alias, where kgload keeps them all).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common import Result, emit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ntriples", type=Path, required=True)
    parser.add_argument("--neo4j-uri", required=True)
    parser.add_argument("--records", type=int, default=0, help="relations the file was mapped from")
    parser.add_argument("--batch-size", type=int, default=5000)
    args = parser.parse_args()

    import neo4j
    from rdflib import Graph
    from rdflib_neo4j import HANDLE_VOCAB_URI_STRATEGY, Neo4jStore, Neo4jStoreConfig

    driver = neo4j.GraphDatabase.driver(args.neo4j_uri, auth=None)
    config = Neo4jStoreConfig(
        handle_vocab_uri_strategy=HANDLE_VOCAB_URI_STRATEGY.IGNORE,
        batching=True,
        batch_size=args.batch_size,
    )
    started = time.perf_counter()
    store = Neo4jStore(config=config, neo4j_driver=driver)
    graph = Graph(store=store)
    with contextlib.redirect_stdout(io.StringIO()):  # the store prints on open/close
        graph.open(None, create=True)
        graph.parse(str(args.ntriples), format="nt")
        triples = store.total_triples
        graph.close(True)
    seconds = time.perf_counter() - started
    nodes = driver.execute_query("MATCH (n) RETURN count(n) AS c").records[0]["c"]
    rels = driver.execute_query("MATCH ()-[r]->() RETURN count(r) AS c").records[0]["c"]
    driver.close()
    emit(
        Result(
            "rdflib-neo4j",
            args.records,
            triples,
            seconds,
            {"nodes": nodes, "relationships": rels, "batch_size": args.batch_size},
        )
    )


if __name__ == "__main__":
    main()
