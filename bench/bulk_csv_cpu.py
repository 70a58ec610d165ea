"""CPU of the neo4j-admin export's CSV half (``Neo4jAdminSink.finish``: the spool read back and every node
and relationship written as CSV rows), in one process, for one kgload checkout.

    .venv/bin/python bench/bulk_csv_cpu.py spool --corpus /tmp/ev30k --docs 10000 --out /tmp/spool.sqlite
    .venv/bin/python bench/bulk_csv_cpu.py time --spool /tmp/spool.sqlite [--kgload ../before] [--repeat 3]

``spool`` runs an unvalidated export of the first ``--docs`` documents with this checkout and keeps its
spool (the SQLite file the CSV files are written from); ``time`` copies it into a fresh folder per
repeat and times ``finish`` with one process (both halves in this process), CPU seconds, best of
``--repeat``, with the checkout ``--kgload`` first on sys.path. The CSV files of the last repeat are
left in ``--keep`` when given, to compare builds with ``diff -r``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    spool = sub.add_parser("spool")
    spool.add_argument("--corpus", type=Path, required=True)
    spool.add_argument("--docs", type=int, default=10000)
    spool.add_argument("--out", type=Path, required=True)
    timing = sub.add_parser("time")
    timing.add_argument("--spool", type=Path, required=True)
    timing.add_argument("--kgload", type=Path, default=ROOT)
    timing.add_argument("--repeat", type=int, default=3)
    timing.add_argument("--keep", type=Path)
    args = parser.parse_args()
    if args.command == "spool":
        make_spool(args.corpus, args.docs, args.out)
    else:
        time_finish(args.spool, args.kgload, args.repeat, args.keep)


def make_spool(corpus: Path, docs: int, out: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from kgload import api
    from kgload.sinks.bulk import sink as bulk

    with tempfile.TemporaryDirectory() as folder:
        lines = Path(folder, "corpus.jsonl")
        with (corpus / "corpus.jsonl").open("rb") as src, lines.open("wb") as dst:
            dst.writelines(itertools.islice(src, docs))

        def finish(self: bulk.Neo4jAdminSink, groups: bulk.CsvGroups, *, processes: int = 1) -> bulk.RowWriter:
            shutil.copyfile(self.folder / bulk.SPOOL, out)
            return original(self, groups, processes=processes)

        original = bulk.Neo4jAdminSink.finish
        bulk.Neo4jAdminSink.finish = finish  # type: ignore[method-assign]
        api.export_neo4j_admin([lines], Path(folder, "csv"), validate=False, rejects=Path(folder, "rejects.jsonl"))
    print(f"spool of {docs} documents in {out}")


def time_finish(spool: Path, checkout: Path, repeat: int, keep: Path | None) -> None:
    sys.path.insert(0, str(checkout.resolve()))
    import kgload
    from kgload.mapping.spec import load_mapping
    from kgload.ontology import load_ontology
    from kgload.sinks.bulk import sink as bulk

    mapping = load_mapping(checkout / "mappings" / "kgload.yaml")
    ontology = load_ontology(mapping.ontology.path)
    best = float("inf")
    counts = (0, 0)
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as folder:
            sink = bulk.Neo4jAdminSink(Path(folder))  # a new spool, replaced by a copy of the kept one
            sink.db.close()
            shutil.copyfile(spool, Path(folder, bulk.SPOOL))
            sink.db = sqlite3.connect(Path(folder, bulk.SPOOL), isolation_level=None)
            sink.ontology = ontology
            groups = bulk.CsvGroups(Path(folder))
            start = time.process_time()
            rows = sink.finish(groups, processes=1)
            groups.close()
            best = min(best, time.process_time() - start)
            counts = (rows.nodes, rows.relationships)
            sink.close()
            if keep is not None:
                shutil.rmtree(keep, ignore_errors=True)
                shutil.copytree(folder, keep, ignore=shutil.ignore_patterns(bulk.SPOOL))
    report = {"kgload": str(Path(kgload.__file__).parent), "finish_cpu_s": round(best, 3), "nodes_rels": counts}
    print(json.dumps(report))


if __name__ == "__main__":
    main()
