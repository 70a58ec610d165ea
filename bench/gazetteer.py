"""The world gazetteer's cost: a cold load in a fresh process, a lookup, and a forked worker's.

    .venv/bin/python bench/gazetteer.py [--rounds 7]

Prints one JSON object: medians over the rounds of the cold load (wall and CPU seconds, peak RSS
added by the load), of a lookup of the sample names the first time (memo empty) and again
(memoised), and the time a forked worker takes to get the gazetteer its parent loaded.
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing
import statistics
import subprocess
import sys
import time

from common import ROOT  # bench/common.py (this folder is on sys.path when run as a script)

SAMPLES = ROOT.parent / "shared" / "samples"

COLD = """
import json, resource, time
t0, c0 = time.perf_counter(), time.process_time()
from kgload.mapping.world import WorldGazetteer
t1 = time.perf_counter()
rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
world = WorldGazetteer.bundled()
t2, c2 = time.perf_counter(), time.process_time()
rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
rss_mb = (rss1 - rss0) / 1024
print(json.dumps({"import": t1 - t0, "load": t2 - t1, "cpu": c2 - c0, "rss_mb": rss_mb, "entries": len(world)}))
"""


def sample_names() -> list[tuple[str, str]]:
    """(name, type) pairs as the shared samples give them: GDELT and ICEWS actors, ACLED actors."""
    names: list[tuple[str, str]] = []
    gdelt = SAMPLES / "gdelt2_events_20191024143000.export.CSV"
    for row in (line.rstrip("\n").split("\t") for line in gdelt.open(encoding="utf-8")):
        names += [(row[i], "Actor") for i in (6, 16) if row[i]]
    with (SAMPLES / "icews_events_sample.tab").open(encoding="utf-8") as stream:
        for row in csv.DictReader(stream, delimiter="\t"):
            names += [(row["Source Name"], "Actor"), (row["Target Name"], "Actor"), (row["Source Country"], "Country")]
    with (SAMPLES / "acled_benin_2022_head.csv").open(encoding="utf-8") as stream:
        for row in csv.DictReader(stream):
            actors = [a.strip() for k in ("actor1", "actor2") for a in row[k].split(";")]
            names += [(a, "Actor") for a in actors if a != "NA"]
    return names


def lookups(names: list[tuple[str, str]]) -> dict[str, float]:
    from kgload.mapping.world import WorldGazetteer

    world = WorldGazetteer.bundled()
    distinct = list(dict.fromkeys(names))
    t0 = time.perf_counter()
    for name, type_ in distinct:
        world.resolve(name, type_)
    t1 = time.perf_counter()
    for name, type_ in names:
        world.resolve(name, type_)
    t2 = time.perf_counter()
    resolved = sum(1 for n, t in distinct if world.resolve(n, t))
    return {
        "distinct_names": len(distinct),
        "resolved": resolved,
        "first_lookup_us": (t1 - t0) / len(distinct) * 1e6,
        "memoised_lookup_us": (t2 - t1) / len(names) * 1e6,
    }


def _child(queue) -> None:
    t0 = time.perf_counter()
    from kgload.mapping.world import WorldGazetteer

    WorldGazetteer.bundled()
    queue.put(time.perf_counter() - t0)


def forked() -> float:
    from kgload.mapping.world import WorldGazetteer

    WorldGazetteer.bundled()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=_child, args=(queue,))
    process.start()
    seconds = queue.get()
    process.join()
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    cold = []
    for _ in range(args.rounds):
        done = subprocess.run([sys.executable, "-c", COLD], capture_output=True, text=True, check=True, cwd=ROOT)
        cold.append(json.loads(done.stdout))
    names = sample_names()
    looked = lookups(names)
    result = {
        "rounds": args.rounds,
        "entries": cold[0]["entries"],
        "cold_import_s": statistics.median(c["import"] for c in cold),
        "cold_load_s": statistics.median(c["load"] for c in cold),
        "cold_load_cpu_s": statistics.median(c["cpu"] for c in cold),
        "cold_load_rss_mb": statistics.median(c["rss_mb"] for c in cold),
        **looked,
        "forked_worker_s": forked(),
        "file_bytes": (ROOT / "gazetteer" / "world.json.gz").stat().st_size,
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
