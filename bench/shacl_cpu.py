"""CPU of SHACL validation per document in one process, for one kgload checkout: the time a mapping
worker spends on the shapes, without worker processes or a sink.

    .venv/bin/python bench/generate.py --shape events --docs 10000 --out /tmp/ev10k
    .venv/bin/python bench/shacl_cpu.py --corpus /tmp/ev10k --docs 3000 [--kgload ../before] [--profile]

It reads the first ``--docs`` documents, maps each once (untimed), then times, in CPU seconds of
this process, best of ``--repeat``: ``violations`` (``ShaclValidator.violations`` on each document's
quads), ``validated`` (``map_document`` to Neo4j rows with the shapes checked, as a worker does)
and ``unvalidated`` (the same without the shapes). A fresh validator per repeat, set up untimed, so
that what it remembers across documents is built within the timed run. ``--kgload`` measures another checkout
(its root goes first on sys.path); ``--profile`` prints cProfile's top functions of ``validated``.
"""

from __future__ import annotations

import argparse
import copy
import cProfile
import io
import json
import pstats
import sys
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
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(args.kgload.resolve()))
    import kgload
    from kgload.document import map_document
    from kgload.mapping.spec import load_mapping
    from kgload.model import Run
    from kgload.ontology import load_ontology
    from kgload.rdf.offices import tenure_index
    from kgload.rdf.plan import map_extraction
    from kgload.readers import kgload_json
    from kgload.records import Extraction
    from kgload.sinks.neo4j.preparing import RowsPreparer
    from kgload.validate import ShaclValidator

    mapping = load_mapping(args.kgload / "mappings" / "kgload.yaml")
    assert mapping.shapes is not None
    run = Run.new()
    preparer = RowsPreparer(load_ontology(mapping.ontology.path))
    items: list[Extraction] = []
    for item in kgload_json.read(args.corpus / "corpus.jsonl"):
        if isinstance(item, Extraction):
            items.append(item)
            if len(items) == args.docs:
                break
    mapped = [map_extraction(i, mapping, run, tenure_index(mapping)) for i in items]
    quads = [m.quads for m in mapped if m.iri]

    def validator() -> Any:
        return ShaclValidator(mapping.shapes, mapping.ontology.path)

    def violations(v: Any) -> int:
        return sum(len(v.violations(q)) for q in quads)

    def documents(v: Any) -> int:
        tenures = tenure_index(mapping)
        return sum(len(map_document(copy.copy(i), mapping, run, v, tenures, preparer).rejects) for i in items)

    work = {"violations": violations, "validated": documents, "unvalidated": lambda _: documents(None)}
    best: dict[str, float] = {}
    counts: dict[str, int] = {}
    for _ in range(args.repeat):
        for name, run_it in work.items():
            fresh = validator()  # set up untimed: a worker does it once
            start = time.process_time()
            counts[name] = run_it(fresh)
            best[name] = min(best.get(name, float("inf")), time.process_time() - start)
    report = {
        "kgload": str(Path(kgload.__file__).parent),
        "documents": len(items),
        "cpu_s": {k: round(v, 3) for k, v in best.items()},
        "ms_per_doc": {k: round(1000 * v / len(items), 3) for k, v in best.items()},
        "counts": counts,
        "validated_over_unvalidated": round(best["validated"] / best["unvalidated"], 2),
    }
    print(json.dumps(report, indent=2))
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(documents, validator())
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("tottime").print_stats(35)
        print(out.getvalue())


if __name__ == "__main__":
    main()
