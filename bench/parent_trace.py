"""What grows in the loader process (the parent) of ``kgload load``: ``tracemalloc`` snapshots of it
(not of its forked workers, which stop tracing) every ``--every`` seconds, with its RSS, dumped to
``--out``; then the growth between two snapshots, by source line.

    .venv/bin/python bench/parent_trace.py --out /tmp/trace -- load /tmp/ev30k/corpus.jsonl --store /tmp/s --json
    .venv/bin/python bench/parent_trace.py --compare /tmp/trace [--first 1] [--last -1]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
import tracemalloc
from pathlib import Path


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return 0.0


def sample(out: Path, every: float, stop: threading.Event) -> None:
    index = 0
    started = time.perf_counter()
    while not stop.wait(every):
        snapshot = tracemalloc.take_snapshot()
        snapshot.dump(str(out / f"snap-{index:03}.pickle"))
        traced, _ = tracemalloc.get_traced_memory()
        line = {"index": index, "seconds": round(time.perf_counter() - started, 1), "rss_mb": round(rss_mb(), 1)}
        line["traced_mb"] = round(traced / 2**20, 1)
        with (out / "samples.jsonl").open("a") as f:
            f.write(json.dumps(line) + "\n")
        index += 1


def run(out: Path, every: float, argv: list[str]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    os.register_at_fork(after_in_child=tracemalloc.stop)  # the workers are not traced
    tracemalloc.start(4)
    stop = threading.Event()
    thread = threading.Thread(target=sample, args=(out, every, stop), daemon=True)
    thread.start()
    from kgload.cli import main

    sys.argv = ["kgload", *argv]
    try:
        main()
    except SystemExit as exit_:
        print(f"[trace] exit {exit_.code}", file=sys.stderr)
    finally:
        stop.set()
        thread.join()
        peak_traced = tracemalloc.get_traced_memory()[1] / 2**20
        final = {"final_rss_mb": round(rss_mb(), 1), "peak_traced_mb": round(peak_traced, 1)}
        (out / "final.json").write_text(json.dumps(final))


def compare(out: Path, first: int, last: int, top: int) -> None:
    files = sorted(out.glob("snap-*.pickle"))
    samples = [json.loads(line) for line in (out / "samples.jsonl").read_text().splitlines()]
    a, b = tracemalloc.Snapshot.load(str(files[first])), tracemalloc.Snapshot.load(str(files[last]))
    print(json.dumps({"from": samples[first], "to": samples[last if last >= 0 else len(files) + last]}))
    for stat in b.compare_to(a, "traceback")[:top]:
        frames = " <- ".join(f"{Path(f.filename).name}:{f.lineno}" for f in stat.traceback)
        print(f"{stat.size_diff / 2**20:+8.2f} MB {stat.count_diff:+9d} blocks  {frames}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--every", type=float, default=20.0)
    parser.add_argument("--compare", type=Path)
    parser.add_argument("--first", type=int, default=1)
    parser.add_argument("--last", type=int, default=-1)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("argv", nargs="*")
    args = parser.parse_args()
    if args.compare:
        compare(args.compare, args.first, args.last, args.top)
    else:
        run(args.out, args.every, args.argv)


if __name__ == "__main__":
    main()
