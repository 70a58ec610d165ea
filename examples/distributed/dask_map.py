"""Map a large JSONL corpus to N-Quads with Dask: one N-Quads file and one rejects file per partition.

    pip install "dask[bag]"
    python examples/distributed/dask_map.py corpus/*.jsonl --out out/ [--scheduler processes] [--validate]

Each partition is a block of JSONL lines; ``kgload.map_batch`` maps it (the mapping is compiled once per
worker process and cached) and the partition's RDF and rejects are written next to each other. Every
partition uses the same run, created here on the driver, so all claims name one run. The output is
the same set of quads ``kgload map`` writes for the same input (see docs/scaling.md for what differs:
role mentions resolve within a partition, and rejects are located by partition and line in it).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import dask
import dask.bag as db

import kgload
from kgload.model import Run


def map_partition(lines: list[str], index: int, out: Path, mapping: str | None, run: Run, validate: bool) -> int:
    """Map one partition; write ``part-<index>.nq`` (and ``part-<index>.rejects.jsonl``); return its rejects."""
    batch = kgload.map_batch(lines, mapping=mapping, run=run, validate=validate, source=f"partition {index}")
    (out / f"part-{index:05d}.nq").write_bytes(batch.serialise("nquads"))
    if batch.rejects:
        (out / f"part-{index:05d}.rejects.jsonl").write_text(batch.rejects_jsonl(), encoding="utf-8")
    return len(batch.rejects)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("inputs", nargs="+", help="JSONL files (kgload extraction format), globs allowed")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--mapping", help="mapping YAML (default: the bundled one)")
    parser.add_argument("--blocksize", default="16MiB", help="bytes of JSONL per partition")
    parser.add_argument("--scheduler", default="processes", help="dask scheduler: processes, threads, synchronous")
    parser.add_argument("--validate", action="store_true", help="check each document against the SHACL shapes")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    run = Run.new()
    lines = db.read_text(args.inputs, blocksize=args.blocksize)
    tasks = [
        dask.delayed(map_partition)(part, i, args.out, args.mapping, run, args.validate)
        for i, part in enumerate(lines.to_delayed())
    ]
    rejected = sum(dask.compute(*tasks, scheduler=args.scheduler))
    print(f"run {run.id}: {len(tasks)} partition(s) -> {args.out}, {rejected} record(s) rejected")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
