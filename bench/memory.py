"""Peak memory of ``kgload load`` at two input sizes: memory must not grow with the input.

Generates two event feeds (bench/generate.py --shape events), loads each with SHACL on (the default)
into a new embedded store, and into Neo4j when ``--neo4j-uri`` is given (emptied first), each in a
fresh process tree; prints the peak RSS of the tree (summed PSS, workers included) and of the largest
single process, and the ratio large ÷ small. On demand, like the other benchmarks; not timed.

    .venv/bin/python bench/memory.py --small 3000 --large 9000 [--neo4j-uri bolt://…]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from common import BENCH, KGLOAD_PY, run_measured
from run import ensure_corpus


def measure(corpus: Path, target: list[str], work: Path, label: str, validate: bool) -> dict:
    argv = [KGLOAD_PY, str(BENCH / "systems.py"), "kgload-cli", "--corpus", str(corpus), *target]
    argv += ["--validate"] if validate else []
    result, peak, wall, code = run_measured([*argv, "--label", label], work / f"{label}.log")
    if result is None or code != 0:
        raise SystemExit(f"[memory] {label} failed (exit {code}); see {work / (label + '.log')}")
    return {
        "label": label,
        "documents": result.extra["documents"]["read"],
        "seconds": round(wall, 1),
        "peak_tree_mb": round(peak, 1),
        "peak_single_process_mb": result.extra["peak_rss_single_process_mb"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", type=int, default=3000, help="documents of the smaller feed")
    parser.add_argument("--large", type=int, default=9000, help="documents of the larger feed")
    parser.add_argument("--neo4j-uri", default=None)
    parser.add_argument("--no-validate", action="store_true", help="SHACL off")
    parser.add_argument("--neo4j-only", action="store_true", help="with --neo4j-uri: not the embedded store")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=BENCH / "out")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kgload-memory-"))
    rows = []
    targets = [("store", None)] + ([("neo4j", args.neo4j_uri)] if args.neo4j_uri else [])
    targets = targets[1:] if args.neo4j_only and args.neo4j_uri else targets
    for target, uri in targets:
        for size in (args.small, args.large):
            corpus = ensure_corpus(args.out, size, 1, args.seed, "events")
            label = f"memory-{target}-{size}"
            if uri:
                reset = [KGLOAD_PY, str(BENCH / "systems.py"), "neo4j-reset", "--neo4j-uri", uri]
                if run_measured(reset, work / f"reset-{label}.log")[3] != 0:
                    raise SystemExit(f"[memory] emptying Neo4j failed; see {work}")
                where = ["--neo4j-uri", uri]
            else:
                where = ["--store", str(work / f"store-{label}")]
            row = measure(corpus, where, work, label, not args.no_validate)
            shutil.rmtree(work / f"store-{label}", ignore_errors=True)
            rows.append(row)
            print(json.dumps(row), flush=True)
        small, large = rows[-2], rows[-1]
        print(
            f"[memory] {target}: peak RSS {small['peak_tree_mb']} MB at {small['documents']} documents, "
            f"{large['peak_tree_mb']} MB at {large['documents']}: large ÷ small "
            f"{large['peak_tree_mb'] / small['peak_tree_mb']:.2f} (largest process "
            f"{large['peak_single_process_mb'] / small['peak_single_process_mb']:.2f})",
            flush=True,
        )
    out = args.out / "memory" / f"memory-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"argv": sys.argv, "rows": rows}, indent=2))
    print(f"[memory] wrote {out}")


if __name__ == "__main__":
    main()
