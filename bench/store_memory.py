"""RSS of a process that only opens an embedded store (pyoxigraph/RocksDB) read-only and looks up
documents in it as a load's re-run check does: what the store's native memory costs by its size, with
no kgload code in between.

    .venv/bin/python bench/store_memory.py [--probe N] <store> [<store> …]    (one fresh process per store)
"""

import json
import subprocess
import sys
from pathlib import Path


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return 0.0


def probe(path: str, limit: int) -> dict:
    import pyoxigraph as ox

    start = rss_mb()
    store = ox.Store.read_only(path)
    opened = rss_mb()
    graphs = [g for g, _ in zip(store.named_graphs(), range(limit), strict=False)]
    for graph in graphs:  # a seek per document, as the re-run's raw look-ups do
        store.contains_named_graph(graph)
        next(iter(store.quads_for_pattern(None, None, None, graph)), None)
    size = sum(f.stat().st_size for f in Path(path).iterdir()) / 2**20
    return {
        "store": path,
        "store_mb": round(size, 1),
        "graphs_probed": len(graphs),
        "rss_imports_mb": round(start, 1),
        "rss_opened_mb": round(opened, 1),
        "rss_after_lookups_mb": round(rss_mb(), 1),
    }


if __name__ == "__main__":
    args = sys.argv[1:]
    limit = 20_000
    if args[0] == "--probe":
        limit, args = int(args[1]), args[2:]
    if len(args) > 1:
        for store in args:
            subprocess.run([sys.executable, __file__, "--probe", str(limit), store], check=True)
    else:
        print(json.dumps(probe(args[0], limit)))
