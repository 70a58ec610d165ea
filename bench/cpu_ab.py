"""CPU time of ``kgload load`` validated and not, for one or more kgload installs, in interleaved rounds.

On a shared machine wall time says little: this reports the user+sys time of the load's whole
process tree (``kgload load`` and its workers), so that two builds of kgload (two virtual
environments, e.g. main's and a branch's) can be compared on the same corpus in one sitting.

    .venv/bin/python bench/generate.py --shape events --relations 10000 --out /tmp/ev10k
    .venv/bin/python bench/cpu_ab.py --corpus /tmp/ev10k --rounds 3 \\
        --kgload before=/work/main/.venv/bin/kgload --kgload after=.venv/bin/kgload
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path


def measured(argv: list[str]) -> tuple[float, dict]:
    """``argv`` run to its end; its process tree's user+sys seconds and its JSON report."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(argv, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # counts the workers the child waited for
    if done.returncode not in (0, 3):  # 3: loaded with rejects
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    seconds = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, required=True, help="a bench/generate.py folder")
    parser.add_argument("--kgload", action="append", required=True, help="label=path of a kgload executable")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, help="write the measurements here as JSON")
    args = parser.parse_args()
    builds = [tuple(k.split("=", 1)) for k in args.kgload]
    times: dict[str, list[float]] = {}
    reports: dict[str, dict] = {}
    work = Path(tempfile.mkdtemp(prefix="kgload-cpu-ab-"))
    for number in range(args.rounds):
        for label, exe in builds:
            for validate in (False, True):
                name = f"{label}-{'validated' if validate else 'unvalidated'}"
                store = work / f"store-{name}-{number}"
                argv = [exe, "load", str(args.corpus / "corpus.jsonl"), "--store", str(store), "--json"]
                argv += ["--validate" if validate else "--no-validate", "--rejects", str(work / f"{name}.jsonl")]
                seconds, report = measured(argv)
                shutil.rmtree(store, ignore_errors=True)
                times.setdefault(name, []).append(seconds)
                reports[name] = {k: report.get(k) for k in ("documents", "rejected", "relations")}
                print(f"round {number + 1} {name}: {seconds:.1f} s CPU", flush=True)
    summary = {}
    for label, _ in builds:
        off, on = times[f"{label}-unvalidated"], times[f"{label}-validated"]
        ratios = [a / b for a, b in zip(off, on, strict=True)]
        summary[label] = {
            "unvalidated_cpu_s": off,
            "validated_cpu_s": on,
            "speed_ratio_per_round": [round(r, 3) for r in ratios],
            "speed_ratio_of_medians": round(statistics.median(off) / statistics.median(on), 3),
            "reports": {k: v for k, v in reports.items() if k.startswith(label + "-")},
        }
        print(f"{label}: validated / unvalidated speed {summary[label]['speed_ratio_of_medians']}×", flush=True)
    if args.out:
        args.out.write_text(json.dumps({"corpus": str(args.corpus), "builds": dict(builds), **summary}, indent=1))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
