"""Neo4j loaders interleaved in one run: kgload variants (before/after a change) and rdflib-neo4j.

    .venv/bin/python bench/neo4j_ab.py --corpus bench/out/corpus-10000-10-s8 --neo4j-uri bolt://127.0.0.1:7687 \\
        --variant before:200:/tmp/kgload-before --variant after:1000: --rounds 2

A variant is ``name:batch_size[/workers]:PYTHONPATH`` (workers: kgload's default, every core, when
left out; PYTHONPATH may be empty: this checkout; add a
folder with a ``sitecustomize.py`` doing ``sys.modules["neo4j._rust"] = None`` to measure the
driver without neo4j-rust-ext). Each round runs every system once, each into the emptied server
(and kgload a second time, unchanged input, for the re-run; with ``--n10s``, neosemantics on the same
N-Triples too, into a server started with its jar: KGLOAD_NEO4J_EXTRA_PLUGINS); the machine is shared, so the
systems alternate and the figures to quote are the ratios within a round, with their spread.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

from common import BENCH, KGLOAD_PY, python_of, run_measured

RDFLIB_NEO4J_VENV = BENCH / ".venv-rdflib-neo4j"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--neo4j-uri", required=True)
    parser.add_argument("--variant", action="append", required=True, help="name:batch_size[/workers]:PYTHONPATH")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--no-rdflib-neo4j", action="store_true")
    parser.add_argument("--n10s", action="store_true", help="also neosemantics (the server must have its jar)")
    parser.add_argument("--work", type=Path, default=BENCH / "out" / "ab")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    systems = [KGLOAD_PY, str(BENCH / "systems.py")]
    records = json.loads((args.corpus / "manifest.json").read_text())["counts"]["relations"]

    nt = args.work / f"{args.corpus.name}.nt"
    if (args.n10s or not args.no_rdflib_neo4j) and not nt.exists():  # untimed preparation, as in run.py
        nq = args.work / f"{args.corpus.name}.nq"
        run_measured([*systems, "kgload-map", "--corpus", str(args.corpus), "--out", str(nq)], args.work / "map.log")
        run_measured([*systems, "export-nt", "--nquads", str(nq), "--out", str(nt)], args.work / "nt.log")

    def reset() -> None:
        run_measured([*systems, "neo4j-reset", "--neo4j-uri", args.neo4j_uri], args.work / "reset.log")

    seconds: dict[str, list[float]] = {}
    for round_ in range(args.rounds):
        if not args.no_rdflib_neo4j:
            reset()
            loader = [python_of(RDFLIB_NEO4J_VENV), str(BENCH / "baselines" / "rdflib_neo4j_load.py")]
            result, *_ = run_measured(
                [*loader, "--ntriples", str(nt), "--neo4j-uri", args.neo4j_uri, "--records", str(records)],
                args.work / "rdflib-neo4j.log",
            )
            seconds.setdefault("rdflib-neo4j", []).append(result.seconds if result else float("nan"))
        if args.n10s:
            reset()
            argv = [*systems, "n10s-neo4j", "--ntriples", str(nt), "--neo4j-uri", args.neo4j_uri]
            result, *_ = run_measured([*argv, "--records", str(records)], args.work / "n10s-neo4j.log")
            seconds.setdefault("n10s-neo4j", []).append(result.seconds if result else float("nan"))
        for spec in args.variant:
            name, batch, path = spec.split(":", 2)
            batch, _, workers = batch.partition("/")
            env = {"PYTHONPATH": path} if path else None
            reset()
            for label in (name, f"{name}-rerun"):
                argv = [*systems, "kgload-neo4j", "--corpus", str(args.corpus), "--neo4j-uri", args.neo4j_uri]
                argv += ["--batch-size", batch] + (["--workers", workers] if workers else [])
                result, *_ = run_measured(argv, args.work / f"{label}.log", env=env)
                seconds.setdefault(label, []).append(result.seconds if result else float("nan"))
        print(f"round {round_ + 1}: " + ", ".join(f"{k} {v[-1]:.1f} s" for k, v in seconds.items()), flush=True)

    print(f"\n{'system':<24} {'seconds per round':<30} ratios per round")
    peers = [p for p in ("rdflib-neo4j", "n10s-neo4j") if p in seconds]
    for name, times in seconds.items():
        notes = []
        if name.endswith("-rerun"):
            first = seconds[name.removesuffix("-rerun")]
            ratios = [r / f for r, f in zip(times, first, strict=True)]
            notes.append("re-run / first load: " + ", ".join(f"{x:.1%}" for x in ratios))
        elif name not in peers:
            for peer in peers:
                ratios = [p / t for p, t in zip(seconds[peer], times, strict=True)]
                notes.append(
                    f"speed / {peer}: "
                    + ", ".join(f"{x:.2f}x" for x in ratios)
                    + f" (median {statistics.median(ratios):.2f}x)"
                )
        note = "; ".join(notes)
        print(f"{name:<24} {', '.join(f'{t:.1f}' for t in times):<30} {note}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
