"""Peak RSS of what a load keeps per distinct entity and per office period, over N synthetic documents,
in one process: the run report's maps (fed through the load's own ``_note_resolution``: one new entity,
merge, free name and unresolved name a document) and the tenure index (one learned holding a document,
looked up every 100 documents), then the report's JSON written as the CLI writes it.

    .venv/bin/python bench/report_memory.py 200000
    PYTHONPATH=<another checkout> .venv/bin/python bench/report_memory.py 200000   (run from outside the repo)
"""

import json
import resource
import sys
import time

from kgload.mapping.tenures import Holding, TenureIndex
from kgload.model import MappedDocument, Merge
from kgload.pipeline.load import _note_resolution
from kgload.report import LoadReport

n = int(sys.argv[1])
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
started = time.process_time()
report = LoadReport(run_id="bench", target="none")
index = TenureIndex()
for i in range(n):
    iri = f"https://kg.example.org/id/actor-{i}"
    doc = MappedDocument(None, f"https://kg.example.org/id/document/doc-{i}", "g", "f")  # type: ignore[arg-type]
    doc.identities = {iri: "unresolved", "https://kg.example.org/id/q30": "gazetteer"}
    doc.merges = [Merge(f"{iri}-m", f"Actor {i} merged", (f"Actor {i} merged", f"A. {i}"), "document")]
    doc.unresolved = [f"Actor {i}"]
    doc.free_names = [(iri, f"Actor {i}"), (iri, f"actor {i}")]
    _note_resolution(report, doc)
    day = f"{1900 + i % 120:04d}-{1 + i % 12:02d}-{1 + i % 28:02d}"
    index.add("leader-of", f"https://kg.example.org/id/country-{i % 50}", Holding(iri, f"Actor {i}", day, None))
    if i % 100 == 0:  # in memory, a lookup reads every holding of the office: not on every document
        index.holder("leader-of", f"https://kg.example.org/id/country-{i % 50}", day)
summary = report.as_json(lazy=True) if "lazy" in LoadReport.as_json.__code__.co_varnames else report.as_json()
if hasattr(sys.modules["kgload.report"], "write_json"):
    from kgload.report import write_json

    write_json(summary, lambda text: len(text), indent=2)
else:
    len(json.dumps(summary, indent=2, ensure_ascii=False))
seconds = time.process_time() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(
    json.dumps(
        {
            "documents": n,
            "entities": len(report.identities),
            "merges": len(report.merges),
            "unresolved": len(report.unresolved),
            "holdings": len(index),
            "cpu_seconds": round(seconds, 2),
            "peak_rss_mb": round(peak, 1),
            "before_mb": round(base, 1),
        }
    )
)
