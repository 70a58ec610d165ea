"""CPU of a mapping worker per document, stage by stage, in one process, for one kgload checkout: what a
worker of ``kgload load --to neo4j-admin`` (or into Neo4j) spends on a one-event document, and what it
sends back to the parent.

    .venv/bin/python bench/worker_cpu.py --corpus /tmp/ev30k --docs 3000 [--kgload ../before] [--validate]
        [--sink neo4j-admin|neo4j] [--profile]

It reads the first ``--docs`` lines of the corpus and times, in CPU seconds of this process, best of
``--repeat``: ``read`` (each line parsed, checked and built into its records, ``read_line``),
``map`` (``map_document`` with the sink's preparer, as a worker calls it, shapes checked with
``--validate``), ``task`` (the worker's whole ``_map_task`` over tasks of ``CHUNK`` lines, spool file
included), ``pickle`` (the tasks' ``Done`` pickled, what the pool's pipe carries) and ``parent`` (the
parent's side: the ``Done`` unpickled, the spool file read, each document's rows unpickled).
It also gives the bytes a document sends (pipe and spool). ``--kgload`` measures another checkout
(its root goes first on sys.path); ``--profile`` prints cProfile's top functions of ``task``.
"""

from __future__ import annotations

import argparse
import copy
import cProfile
import io
import json
import os
import pickle
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, required=True, help="a bench/generate.py folder")
    parser.add_argument("--docs", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--kgload", type=Path, default=ROOT, help="the checkout whose kgload to measure")
    parser.add_argument("--validate", action="store_true")
    parser.add_argument("--sink", choices=["neo4j-admin", "neo4j"], default="neo4j-admin")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(args.kgload.resolve()))
    import kgload
    from kgload import parallel
    from kgload.document import map_document, read_line
    from kgload.mapping.spec import load_mapping
    from kgload.model import Run
    from kgload.ontology import load_ontology
    from kgload.rdf.offices import tenure_index
    from kgload.readers import kgload_json
    from kgload.readers.json_input import Line
    from kgload.sinks.neo4j.preparing import RowsPreparer
    from kgload.validate import ShaclValidator

    mapping = load_mapping(args.kgload / "mappings" / "kgload.yaml")
    run = Run.new()
    ontology = load_ontology(mapping.ontology.path)
    if args.sink == "neo4j-admin":
        from kgload.sinks.bulk.sink import spool_rows

        preparer = RowsPreparer(ontology, spool_rows)
    else:
        preparer = RowsPreparer(ontology)
    kgload_json.compile_schemas()
    lines = [line for line in kgload_json.read_lines(args.corpus / "corpus.jsonl") if isinstance(line, Line)]
    lines = lines[: args.docs]

    def validator() -> Any:
        return ShaclValidator(mapping.shapes, mapping.ontology.path) if args.validate else None

    def read(_: Any) -> int:
        return sum(read_line(line, []) is not None for line in lines)

    extractions = [e for e in (read_line(line, []) for line in lines) if e is not None]

    def mapped(v: Any) -> int:
        tenures = tenure_index(mapping)
        return sum(len(map_document(copy.copy(e), mapping, run, v, tenures, preparer).rejects) for e in extractions)

    spool = tempfile.mkdtemp(prefix="kgload-worker-cpu-")
    dones: list[Any] = []
    pickled: list[bytes] = []

    def tasks(v: Any) -> int:
        setup = parallel.Setup(
            mapping, run, v, tenure_index(mapping), parallel.NQUADS, os.getpid(), preparer, spool, None
        )
        parallel._worker = parallel._Worker(setup)
        dones.clear()
        for start in range(0, len(lines), parallel.CHUNK):
            dones.append(parallel._map_task(parallel.Task(list(lines[start : start + parallel.CHUNK]), 0, ())))
        return len(dones)

    def pickle_dones(_: Any) -> int:
        pickled[:] = [pickle.dumps(d, protocol=pickle.HIGHEST_PROTOCOL) for d in dones]
        return sum(map(len, pickled))

    def parent(_: Any) -> int:
        count = 0
        for data in pickled:
            done = pickle.loads(data)
            done.spooled = done.spooled and _copy_back(done.spooled)
            parallel._unspool(done)
            for outcome in parallel._outcomes_in(done.outcomes):
                if outcome.prepared:
                    pickle.loads(outcome.payload)
                    count += 1
        return count

    spool_copies: dict[str, bytes] = {}

    def _copy_back(path: str) -> str:
        # the parent removes each file it reads: give it a copy of the worker's, kept from the first read
        data = spool_copies.setdefault(path, Path(path).read_bytes())
        copy_path = path + ".parent"
        Path(copy_path).write_bytes(data)
        return copy_path

    work = {"read": read, "map": mapped, "task": tasks, "pickle": pickle_dones, "parent": parent}
    best: dict[str, float] = {}
    counts: dict[str, int] = {}
    try:
        for _ in range(args.repeat):
            for name, run_it in work.items():
                fresh = validator()  # set up untimed: a worker does it once
                start = time.process_time()
                counts[name] = run_it(fresh)
                best[name] = min(best.get(name, float("inf")), time.process_time() - start)
        if args.profile:
            profiler = cProfile.Profile(time.process_time)
            profiler.runcall(tasks, validator())
    finally:
        shutil.rmtree(spool, ignore_errors=True)  # the tasks' spool files, a few MB a run
    spooled = sum(len(v) for v in spool_copies.values())
    report = {
        "kgload": str(Path(kgload.__file__).parent),
        "documents": len(lines),
        "validate": args.validate,
        "sink": args.sink,
        "ms_per_doc": {k: round(1000 * v / len(lines), 4) for k, v in best.items()},
        "bytes_per_doc": {
            "pipe": round(sum(map(len, pickled)) / len(lines)),
            "spool": round(spooled / len(lines)),
        },
        "counts": counts,
    }
    print(json.dumps(report))
    if args.profile:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).strip_dirs()
        stats.sort_stats("tottime").print_stats(30)
        stats.sort_stats("cumulative").print_stats(45)
        print(out.getvalue())


if __name__ == "__main__":
    main()
