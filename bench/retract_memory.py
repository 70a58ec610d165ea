"""Peak RSS and CPU of retracting many documents from an embedded store, for several kgload checkouts.

    .venv/bin/python bench/retract_memory.py --store /tmp/artstore --docs 10000 --rounds 2 \
        [--kgload ../before] [--kgload .]

For each round and each checkout (alternating), it copies ``--store`` to a scratch folder and, in a
fresh process with that checkout first on sys.path, retracts the first ``--docs`` documents of a
``bench/generate.py`` corpus (ids ``bench-0000000`` on) with ``kgload.api.retract_documents``; it
prints the documents removed, the process's CPU and wall seconds and its peak RSS (ru_maxrss). The
scratch copy is removed after each round. On demand, like the other benchmarks; not timed in tests.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

_CHILD = """
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
from kgload import api
ids = [f"bench-{i:07d}" for i in range(int(sys.argv[3]))]
cpu, wall = time.process_time(), time.time()
done = api.retract_documents(ids, store=sys.argv[2])
print(json.dumps({
    "removed": done.removed,
    "missing": len(done.missing),
    "cpu_s": round(time.process_time() - cpu, 1),
    "wall_s": round(time.time() - wall, 1),
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True, help="a loaded embedded store (left unchanged)")
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--kgload", action="append", type=Path, help="checkouts to measure (default: this one)")
    args = parser.parse_args()
    checkouts = [c.resolve() for c in args.kgload or [Path(__file__).resolve().parents[1]]]
    for number in range(args.rounds):
        for checkout in checkouts if number % 2 == 0 else reversed(checkouts):
            with tempfile.TemporaryDirectory() as scratch:
                copy = Path(scratch) / "store"
                shutil.copytree(args.store, copy)
                done = subprocess.run(
                    [sys.executable, "-c", _CHILD, str(checkout), str(copy), str(args.docs)],
                    capture_output=True,
                    text=True,
                    check=True,
                    cwd=scratch,  # not the checkout: its kgload must come from sys.argv[1]
                )
            print(json.dumps({"round": number + 1, "kgload": str(checkout), **json.loads(done.stdout)}))


if __name__ == "__main__":
    main()
