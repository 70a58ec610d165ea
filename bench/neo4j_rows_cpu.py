"""The loader process's per-document work on the Neo4j writer's rows, timed alone for several builds.

    .venv/bin/python bench/neo4j_rows_cpu.py capture --corpus /tmp/ev10k --neo4j-uri bolt://… --out /tmp/rows.pkl
    .venv/bin/python bench/neo4j_rows_cpu.py time --rows /tmp/rows.pkl --rounds 3 \\
        --build before=/work/wt/main-before --build after=

``capture`` runs a validated ``kgload load`` of the corpus into the (emptied) server and keeps the
documents each ``Neo4jSink.write`` got, their rows unpickled as the loader unpickles them, and the
workers' pickled rows. ``time`` runs, for each build in alternating rounds (a fresh process each, the
collector off), what ``Neo4jSink.write`` does before its transaction (``rows_of``, the raw hash,
``unique_documents``, the alias rows, ``batch_rows``), ``batch_rows`` alone, the driver's packing of
the rows' parameters (``pack``: the Bolt 5 dehydration hooks and the packstream packer the writer
thread runs, on the documents', entities', mentions', claims' and facts' rows) and ``pickle.loads`` of
the rows: CPU per document, the best of three in the process. A build is ``label=PYTHONPATH``
(empty: this checkout).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from common import BENCH, KGLOAD_PY

CAPTURE = """
import pickle, sys
import kgload.parallel as parallel
from kgload.sinks.neo4j import writer
payloads, batches = [], []
class _Recording:
    def __getattr__(self, name):
        return getattr(pickle, name)
    @staticmethod
    def loads(data):
        payloads.append(data)
        return pickle.loads(data)
parallel.pickle = _Recording()
_write = writer.Neo4jSink.write
def _kept(self, documents):
    batches.append(list(documents))
    return _write(self, documents)
writer.Neo4jSink.write = _kept
out = sys.argv.pop()
sys.argv[0] = "kgload"
from kgload.cli import main
try:
    main()
except SystemExit:
    pass
with open(out, "wb") as f:
    pickle.dump({"payloads": payloads, "batches": batches}, f)
"""

TIME = """
import gc, io, json, pickle, sys, time
from neo4j._codec.hydration.bolt.v2 import HydrationHandler
from neo4j._codec.packstream.v1 import Packer
from kgload.sinks.neo4j import relink, rows
from kgload.sinks.neo4j.projection import rows_of
from kgload.sinks.neo4j.writer import _with_raw_hash
data = pickle.load(open(sys.argv[1], "rb"))
payloads, batches = data["payloads"], data["batches"]
n = sum(map(len, batches))
def write_rows():
    for docs in batches:
        projected = [(doc, rows_of(doc, None)) for doc in docs]
        unique = rows.unique_documents(_with_raw_hash(r, doc.raw_hash) for doc, r in projected)
        {doc.iri: relink.alias_rows(doc, relink.entities_of(r)) for doc, r in projected}
        rows.batch_rows(unique)
prepared = [rows.unique_documents(_with_raw_hash(rows_of(d, None), d.raw_hash) for d in docs) for docs in batches]
def batch_rows():
    for unique in prepared:
        rows.batch_rows(unique)
built = [rows.batch_rows(unique) for unique in prepared]
hooks = HydrationHandler().new_hydration_scope().dehydration_hooks
def pack():
    for r in built:
        packer = Packer(io.BytesIO())
        for params in (r.documents, r.entities, r.mentions, r.claims, r.facts):
            packer.pack(params, hooks)
def loads():
    for p in payloads:
        pickle.loads(p)
gc.disable()
out = {}
for name, fn in (("write_rows", write_rows), ("batch_rows", batch_rows), ("pack", pack), ("pickle_loads", loads)):
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    out[name] = best / n * 1e6
print(json.dumps(out))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    capture = sub.add_parser("capture")
    capture.add_argument("--corpus", type=Path, required=True)
    capture.add_argument("--neo4j-uri", required=True)
    capture.add_argument("--out", type=Path, required=True)
    timing = sub.add_parser("time")
    timing.add_argument("--rows", type=Path, required=True)
    timing.add_argument("--build", action="append", required=True, help="label=PYTHONPATH (empty: this checkout)")
    timing.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.command == "capture":
        reset = [KGLOAD_PY, str(BENCH / "systems.py"), "neo4j-reset", "--neo4j-uri", args.neo4j_uri]
        subprocess.run(reset, check=True, capture_output=True)
        argv = [sys.executable, "-c", CAPTURE, "load", str(args.corpus / "corpus.jsonl"), "--validate"]
        argv += ["--neo4j-uri", args.neo4j_uri, str(args.out)]
        subprocess.run(argv, check=True, capture_output=True)
        return
    builds = [tuple(b.split("=", 1)) for b in args.build]
    runs: dict[str, list[dict[str, float]]] = {label: [] for label, _ in builds}
    for number in range(args.rounds):
        for label, path in builds if number % 2 == 0 else builds[::-1]:
            env = {**os.environ, "PYTHONPATH": path or str(BENCH.parent), "PYTHONHASHSEED": "0"}
            # run outside any checkout: ``-c`` puts the working folder first on the path, ahead of PYTHONPATH
            argv = [sys.executable, "-c", TIME, str(args.rows.resolve())]
            done = subprocess.run(argv, env=env, capture_output=True, text=True, cwd=tempfile.gettempdir())
            if done.returncode:
                raise SystemExit(done.stderr[-2000:])
            result = json.loads(done.stdout)
            runs[label].append(result)
            print(f"round {number + 1} {label}: " + ", ".join(f"{k} {v:.1f} µs" for k, v in result.items()), flush=True)
    for label, results in runs.items():
        medians = {k: statistics.median(r[k] for r in results) for k in results[0]}
        print(f"{label}: median " + ", ".join(f"{k} {v:.1f} µs/document" for k, v in medians.items()))


if __name__ == "__main__":
    main()
