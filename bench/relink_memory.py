"""Peak RSS of the embedded store's re-link over N synthetic learned-alias rows (one name each, groups
of about three, nothing moves), in one process: the store is built in memory first, then re-linked.

    .venv/bin/python bench/relink_memory.py 200000
    PYTHONPATH=<another checkout> .venv/bin/python bench/relink_memory.py 200000   (run from outside the repo)
"""

import json
import resource
import sys
import time
from pathlib import Path

import pyoxigraph as ox

from kgload.sinks import learned


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return 0.0


n = int(sys.argv[1])
store = ox.Store()
for start in range(0, n, 10000):
    quads = []
    for i in range(start, min(n, start + 10000)):
        doc = f"https://kg.example.org/id/document/doc-{i // 2}"
        iri = f"https://kg.example.org/id/name/actor-{i % (n // 3 + 1)}"
        node = learned._row_node(doc, iri)
        names = [f"Actor {i % (n // 3 + 1)}"]
        quads += [
            ox.Quad(node, learned._IN, ox.NamedNode(doc), learned.ALIASES),
            ox.Quad(node, learned._ROW, ox.Literal(json.dumps([iri, *names])), learned.ALIASES),
            ox.Quad(node, learned._LINKED, learned._linked(iri, names[0]), learned.ALIASES),
        ]
    store.extend(quads)
del quads
before = rss_mb()
base_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
started = time.perf_counter()
r = learned.relink(store)
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(
    json.dumps(
        {
            "code": learned.__file__,
            "rows": n,
            "relink_seconds": round(seconds, 2),
            "rss_before_mb": round(before, 1),
            "peak_mb": round(peak, 1),
            "relink_growth_mb": round(peak - max(before, base_peak), 1),
        }
    )
)
