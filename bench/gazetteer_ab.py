"""The world gazetteer's cost on the mapping benchmark (issue 27.7): ``kgload-map`` (write_rdf to
N-Quads, SHACL off, as in bench/run.py) with the bundled world gazetteer against an empty one
(same format, no entries: every name the mapping's own gazetteer does not know stays unresolved),
each in a fresh process, alternating within each round; prints the seconds and the CPU seconds of the
process (user + system, start-up included: less sensitive than wall time to a busy machine) per round,
their ratios, and the medians. The empty world changes what resolves, so it is a cost floor, not the same output.

    .venv/bin/python bench/gazetteer_ab.py --relations 100000 --rounds 5 [--workers 1]
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import BENCH, KGLOAD_PY, run_measured
from run import ensure_corpus

sys.path.insert(0, str(BENCH.parent))


def empty_world(into: Path) -> Path:
    """The bundled gazetteer's format with no entries, names, codes or offices."""
    import orjson

    from kgload.mapping.world_format import COLUMNS
    from kgload.resources import default_world_gazetteer

    data = orjson.loads(gzip.decompress(default_world_gazetteer().read_bytes()))
    data.update(
        entries={c: [] for c in COLUMNS},
        names={},
        cameo={},
        shared_names={},
        iso={},
        offices=[],
        agents={"phrases": {}, "labels": {}, "classes": {}},
    )
    path = into / "empty-world.json.gz"
    path.write_bytes(gzip.compress(orjson.dumps(data)))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--relations", type=int, default=100_000)
    parser.add_argument("--relations-per-doc", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=BENCH / "out")
    args = parser.parse_args()
    corpus = ensure_corpus(args.out, args.relations, args.relations_per_doc, args.seed)
    work = Path(tempfile.mkdtemp(prefix="kgload-gazetteer-ab-"))
    variants = {"world": [], "empty": ["--world", str(empty_world(work))]}
    seconds: dict[str, list[float]] = {name: [] for name in variants}
    cpu: dict[str, list[float]] = {name: [] for name in variants}
    cpu_ratios = []
    triples: dict[str, int] = {}
    ratios = []
    for number in range(args.rounds):
        order = list(variants) if number % 2 == 0 else list(reversed(variants))
        for name in order:
            argv = ["/usr/bin/time", "-f", "CPU %U %S", KGLOAD_PY, str(BENCH / "systems.py"), "kgload-map"]
            argv += ["--corpus", str(corpus)]
            argv += ["--workers", str(args.workers), "--out", str(work / "out.nq"), *variants[name]]
            result, _, _, code = run_measured(argv, work / f"{name}-{number}.log")
            if result is None or code != 0:
                raise SystemExit(f"[gazetteer-ab] {name} failed; see {work / f'{name}-{number}.log'}")
            seconds[name].append(result.seconds)
            used = [line.split() for line in (work / f"{name}-{number}.log").read_text().splitlines()]
            cpu[name].append(next(float(f[1]) + float(f[2]) for f in used if f[:1] == ["CPU"]))
            triples[name] = result.triples
        ratios.append(seconds["world"][-1] / seconds["empty"][-1])
        cpu_ratios.append(cpu["world"][-1] / cpu["empty"][-1])
        print(
            f"round {number + 1}: world {seconds['world'][-1]:.1f} s ({cpu['world'][-1]:.1f} CPU s), "
            f"empty {seconds['empty'][-1]:.1f} s ({cpu['empty'][-1]:.1f} CPU s), world ÷ empty "
            f"{ratios[-1]:.3f} (CPU {cpu_ratios[-1]:.3f})",
            flush=True,
        )
    summary = {
        "argv": sys.argv,
        "corpus": str(corpus),
        "seconds": seconds,
        "triples": triples,
        "ratios": [round(r, 3) for r in ratios],
        "median_ratio": round(statistics.median(ratios), 3),
        "cpu_seconds": cpu,
        "cpu_ratios": [round(r, 3) for r in cpu_ratios],
        "median_cpu_ratio": round(statistics.median(cpu_ratios), 3),
    }
    print(json.dumps(summary))
    out = args.out / "gazetteer" / f"gazetteer-ab-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
