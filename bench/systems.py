"""Worker: run ONE measured system once, in this (fresh) process, and print its Result.

Run by bench/run.py with kgload's virtual environment; each call is its own process so that
peak RSS is per system. Usable by hand too:

    .venv/bin/python bench/systems.py kgload-map --corpus bench/out/corpus-100k --out /tmp/k.nq
    .venv/bin/python bench/systems.py kgload-neo4j --corpus bench/out/corpus-100k --neo4j-uri bolt://127.0.0.1:7687

Systems (mapping): kgload-map (kgload.api.write_rdf to N-Quads, the bulk path, validate off),
kgload-map-mem (kgload.api.map_quads: all quads in a list), kgload-map-validate (write_rdf with
SHACL on, on the first --limit-docs documents), rdflib-add (bench/baselines/rdflib_add.py).
Systems (Neo4j): kgload-neo4j (kgload.api.load into Neo4jSink, validate off; run it again without
resetting for the re-run figure); n10s-neo4j (neosemantics importing kgload's RDF as N-Triples,
inside the server); kgload-bulk (the first-load bulk path: kgload.api.export_neo4j_admin,
then Neo4j's own ``neo4j-admin database import full`` into a new store, timed together and apart).
Systems (the command line): kgload-cli (``kgload load`` as a user runs it, start-up included,
into --store or --neo4j-uri, --validate or not, --shacl-engine; run it again on the same target
for the re-run figure).
Helpers: export-nt, neo4j-reset, neo4j-stats.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, Result, emit

MAPPING = ROOT / "mappings" / "kgload.yaml"
N10S_COMMIT = 25_000  # triples per transaction: the setting ../shared/bench/README.md measured with


def _records(corpus: Path) -> int:
    return int(json.loads((corpus / "manifest.json").read_text())["counts"]["relations"])


def _head(corpus: Path, docs: int, into: Path) -> tuple[Path, int]:
    """The first ``docs`` lines of the corpus as their own file; (path, relations in it)."""
    relations = 0
    with (corpus / "corpus.jsonl").open("rb") as src, into.open("wb") as dst:
        for line in itertools.islice(src, docs):
            dst.write(line)
            try:
                relations += len(json.loads(line)["relations"])
            except (ValueError, KeyError):
                relations += 0
    return into, relations


def kgload_map(args: argparse.Namespace) -> Result:
    from kgload import api
    from kgload.mapping.spec import load_mapping

    mapping = load_mapping(MAPPING)
    source = args.corpus / "corpus.jsonl"
    records = _records(args.corpus)
    validate = args.system == "kgload-map-validate"
    if validate:
        source, records = _head(args.corpus, args.limit_docs, Path(tempfile.mkdtemp()) / "head.jsonl")
    out_path = args.out or Path(tempfile.mkdtemp()) / "kgload.nq"
    started = time.perf_counter()
    with out_path.open("wb") as out:
        rejects = api.write_rdf([source], out, "nquads", mapping=mapping, validate=validate, workers=args.workers or 1)
    seconds = time.perf_counter() - started
    with out_path.open("rb") as f:
        quads = sum(1 for _ in f)
    return Result(
        args.system,
        records,
        quads,
        seconds,
        {"rejects": rejects, "output": str(out_path), "validate": validate, "workers": args.workers or 1},
    )


def kgload_map_mem(args: argparse.Namespace) -> Result:
    from kgload import api
    from kgload.mapping.spec import load_mapping

    mapping = load_mapping(MAPPING)
    started = time.perf_counter()
    quads, rejects = api.map_quads(
        [args.corpus / "corpus.jsonl"], mapping=mapping, validate=False, workers=args.workers or 1
    )
    seconds = time.perf_counter() - started
    return Result(args.system, _records(args.corpus), len(quads), seconds, {"rejects": len(rejects)})


def rdflib_add(args: argparse.Namespace) -> Result:
    sys.path.insert(0, str(Path(__file__).parent / "baselines"))
    from rdflib_add import map_corpus

    source = args.corpus / "corpus.jsonl"
    records = _records(args.corpus)
    if args.limit_docs:
        source, records = _head(args.corpus, args.limit_docs, Path(tempfile.mkdtemp()) / "head.jsonl")
    started = time.perf_counter()
    graph, rejects = map_corpus(source)
    seconds = time.perf_counter() - started
    return Result(
        args.system, records, len(graph), seconds, {"rejects": rejects, "limit_docs": args.limit_docs or None}
    )


def _driver(uri: str):  # neo4j is imported lazily
    import neo4j

    return neo4j.GraphDatabase.driver(uri, auth=None)


def neo4j_stats(uri: str) -> dict[str, int]:
    with _driver(uri) as driver:
        nodes = driver.execute_query("MATCH (n) RETURN count(n) AS c").records[0]["c"]
        rels = driver.execute_query("MATCH ()-[r]->() RETURN count(r) AS c").records[0]["c"]
    return {"nodes": int(nodes), "relationships": int(rels)}


def neo4j_reset(uri: str) -> None:
    """Empty the database: every node and relationship, every constraint and index."""
    with _driver(uri) as driver:
        with driver.session() as session:  # CALL { } IN TRANSACTIONS needs an auto-commit transaction
            # relationships first: one DETACH DELETE of a node like Russia (hundreds of thousands of
            # relationships) would exceed the transaction memory pool by itself
            session.run("MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 20000 ROWS").consume()
            session.run("MATCH (n) CALL (n) { DELETE n } IN TRANSACTIONS OF 20000 ROWS").consume()
        for record in driver.execute_query("SHOW CONSTRAINTS YIELD name").records:
            driver.execute_query(f"DROP CONSTRAINT `{record['name']}` IF EXISTS")
        for record in driver.execute_query("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP'").records:
            driver.execute_query(f"DROP INDEX `{record['name']}` IF EXISTS")


def kgload_neo4j(args: argparse.Namespace) -> Result:
    from kgload import api
    from kgload.defaults import LOAD_BATCH
    from kgload.mapping.spec import load_mapping
    from kgload.parallel import resolve_workers
    from kgload.sinks.neo4j import Neo4jSink

    mapping = load_mapping(MAPPING)
    driver = _driver(args.neo4j_uri)
    sink = Neo4jSink(driver, None)
    started = time.perf_counter()
    report = api.load(
        [args.corpus / "corpus.jsonl"],
        sink=sink,
        mapping=mapping,
        validate=False,
        batch_size=args.batch_size,
        workers=args.workers,
    )
    seconds = time.perf_counter() - started
    driver.close()
    extra = {
        "documents_read": report.documents_read,
        "documents_loaded": report.documents_loaded,
        "documents_unchanged": report.documents_unchanged,
        "relations_loaded": report.relations,
        "rejected": report.rejected_total,
        "batch_size": args.batch_size or LOAD_BATCH,
        "workers": resolve_workers(args.workers),
        **neo4j_stats(args.neo4j_uri),
    }
    return Result(args.system, _records(args.corpus), args.triples, seconds, extra)


def n10s_neo4j(args: argparse.Namespace) -> Result:
    """neosemantics loading the N-Triples inside the server, as its manual sets it up: the uri
    constraint, a graph config (vocabulary IRIs kept as they are: no prefix bookkeeping), one
    ``n10s.rdf.import.fetch`` of the file. The server must run with the n10s jar (run.py starts
    it so when ../shared/bench has it)."""
    started = time.perf_counter()
    with _driver(args.neo4j_uri) as driver:
        driver.execute_query("CREATE CONSTRAINT n10s_unique_uri IF NOT EXISTS FOR (r:Resource) REQUIRE r.uri IS UNIQUE")
        driver.execute_query("CALL n10s.graphconfig.init({handleVocabUris: 'IGNORE'})")
        records = driver.execute_query(
            "CALL n10s.rdf.import.fetch($url, 'N-Triples', {commitSize: $commit})",
            url=args.ntriples.resolve().as_uri(),
            commit=N10S_COMMIT,
        ).records
    seconds = time.perf_counter() - started
    summary = records[0].data() if records else {}
    if summary.get("terminationStatus") != "OK":
        raise SystemExit(f"n10s import failed: {summary}")
    extra = {
        "triples_loaded": summary.get("triplesLoaded"),
        "triples_parsed": summary.get("triplesParsed"),
        "commit_size": N10S_COMMIT,
        **neo4j_stats(args.neo4j_uri),
    }
    triples = args.triples or int(summary.get("triplesLoaded") or 0)
    return Result(args.system, args.records or 0, triples, seconds, extra)


def kgload_bulk(args: argparse.Namespace) -> Result:
    """Export the corpus as neo4j-admin CSV files and import them into a new database (no server
    runs during an import; the store it writes is what a server then opens)."""
    import re
    import shutil

    from kgload import api
    from kgload.mapping.spec import load_mapping
    from kgload.parallel import resolve_workers

    sys.path.insert(0, str(ROOT))
    from tests.neo4j_server import build_importer, import_full

    build_importer()  # untimed: Maven, once
    work = Path(tempfile.mkdtemp(prefix="kgload-bulk-", dir=args.out))
    started = time.perf_counter()
    exported = api.export_neo4j_admin(
        [args.corpus / "corpus.jsonl"],
        work / "csv",
        mapping=load_mapping(MAPPING),
        validate=False,
        batch_size=args.batch_size,
        workers=args.workers,
    )
    export_seconds = time.perf_counter() - started
    log = import_full(work / "csv", work / "store")
    seconds = time.perf_counter() - started
    imported = {k: int(v) for v, k in re.findall(r"(\d+) (nodes|relationships)\b", log.split("IMPORT DONE")[-1])}
    extra = {
        "export_seconds": round(export_seconds, 2),
        "import_seconds": round(seconds - export_seconds, 2),
        "documents_loaded": exported.report.documents_loaded,
        "relations_loaded": exported.report.relations,
        "csv_nodes": exported.nodes,
        "csv_relationships": exported.relationships,
        **imported,
        "workers": resolve_workers(args.workers),
    }
    shutil.rmtree(work, ignore_errors=True)
    return Result(args.system, _records(args.corpus), args.triples, seconds, extra)


def export_nt(args: argparse.Namespace) -> Result:
    """N-Quads (kgload's mapping output) -> the union graph as N-Triples, each triple once, for
    rdflib-neo4j (untimed preparation). A document's entity triples recur in every document
    naming the entity; rdflib-neo4j's streaming store does not deduplicate, so it gets the set."""
    import pyoxigraph as ox

    started = time.perf_counter()
    count = 0
    raw = args.out.with_suffix(".unsorted.nt")
    with raw.open("wb") as out:
        batch: list[ox.Triple] = []
        for quad in ox.parse(path=str(args.nquads), format=ox.RdfFormat.N_QUADS):
            batch.append(quad.triple)
            if len(batch) >= 100_000:
                out.write(ox.serialize(batch, format=ox.RdfFormat.N_TRIPLES))
                count += len(batch)
                batch.clear()
        out.write(ox.serialize(batch, format=ox.RdfFormat.N_TRIPLES))
        count += len(batch)
    # One serializer wrote every line, so equal triples are equal lines: an external sort dedups
    # them in bounded memory.
    subprocess.run(
        ["sort", "-u", "-S", "1G", "-T", str(args.out.parent), "-o", str(args.out), str(raw)],
        check=True,
        env={**os.environ, "LC_ALL": "C"},
    )
    raw.unlink()
    with args.out.open("rb") as f:
        unique = sum(1 for _ in f)
    return Result("export-nt", 0, unique, time.perf_counter() - started, {"output": str(args.out), "quads_in": count})


def kgload_cli(args: argparse.Namespace) -> Result:
    """``kgload load`` in its own process, timed from outside: what a cron job pays."""
    source = args.corpus / "corpus.jsonl"
    records = _records(args.corpus)
    if args.limit_docs:
        source, records = _head(args.corpus, args.limit_docs, Path(tempfile.mkdtemp()) / "head.jsonl")
    target = ["--neo4j-uri", args.neo4j_uri] if args.neo4j_uri else ["--store", str(args.store)]
    argv = [str(Path(sys.executable).with_name("kgload")), "load", str(source), *target, "--json"]
    argv += ["--validate" if args.validate else "--no-validate", "--rejects", str(Path(tempfile.mkdtemp()) / "r.jsonl")]
    argv += ["--workers", str(args.workers)] if args.workers else []
    argv += ["--batch-size", str(args.batch_size)] if args.batch_size else []
    env = {**os.environ, "KGLOAD_SHACL_ENGINE": args.shacl_engine}
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 3):  # 3: loaded with rejects
        print(done.stdout, done.stderr, sep="\n")
        raise SystemExit(f"kgload load failed with exit code {done.returncode}")
    report = json.loads(done.stdout)
    extra = {
        "documents": report["documents"],
        "rejected": report["rejected"],
        "relations": report["relations"],
        "validate": args.validate,
        "shacl_engine": args.shacl_engine if args.validate else None,
        "argv": argv,
    }
    return Result(args.system, records, int(report.get("triples") or 0), seconds, extra)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "system",
        choices=[
            "kgload-map",
            "kgload-map-mem",
            "kgload-map-validate",
            "rdflib-add",
            "kgload-neo4j",
            "kgload-bulk",
            "n10s-neo4j",
            "export-nt",
            "neo4j-reset",
            "neo4j-stats",
            "kgload-cli",
        ],
    )
    parser.add_argument("--store", type=Path, help="kgload-cli: embedded store folder (without --neo4j-uri)")
    parser.add_argument("--validate", action="store_true", help="kgload-cli: SHACL on")
    parser.add_argument("--shacl-engine", default="compiled", help="kgload-cli: compiled or pyshacl")
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--nquads", type=Path)
    parser.add_argument("--ntriples", type=Path, help="N-Triples for n10s-neo4j")
    parser.add_argument("--records", type=int, default=0, help="relations the N-Triples hold (for n10s-neo4j)")
    parser.add_argument("--neo4j-uri")
    parser.add_argument("--triples", type=int, default=0, help="triples the corpus maps to (for kgload-neo4j)")
    parser.add_argument(
        "--batch-size", type=int, default=None, help="documents per Neo4j transaction (default: kgload's own)"
    )
    parser.add_argument("--limit-docs", type=int, default=0)
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="mapping processes (1: in process). Default: 1 for the kgload-map systems, kgload's own for the others",
    )
    parser.add_argument("--label", help="name to report instead of the system (e.g. kgload-neo4j-rerun)")
    parser.add_argument(
        "--world", type=Path, help="a world gazetteer file instead of the bundled one (gazetteer_ab.py)"
    )
    args = parser.parse_args()
    if args.world:  # before any mapping: the world gazetteer is read on first use, and forked workers inherit it
        import kgload.resources

        kgload.resources.default_world_gazetteer = lambda: args.world
    if args.system == "neo4j-reset":
        neo4j_reset(args.neo4j_uri)
        return
    if args.system == "neo4j-stats":
        print(json.dumps(neo4j_stats(args.neo4j_uri)))
        return
    run = {
        "kgload-map": kgload_map,
        "kgload-map-validate": kgload_map,
        "kgload-map-mem": kgload_map_mem,
        "rdflib-add": rdflib_add,
        "kgload-neo4j": kgload_neo4j,
        "kgload-bulk": kgload_bulk,
        "n10s-neo4j": n10s_neo4j,
        "export-nt": export_nt,
        "kgload-cli": kgload_cli,
    }[args.system]
    result = run(args)
    if args.label:
        result.system = args.label
    emit(result)


if __name__ == "__main__":
    main()
