"""Baseline: morph-kgc 2.10 over the flat CSV with bench/baselines/morph/mapping.yml (YARRRML).

Runs with bench/.venv-morph/bin/python (morph-kgc pins rdflib < 7.3 and pyoxigraph < 0.4, so it
has a virtual environment of its own; bench/baselines/setup_venvs.sh makes it). It writes the
config.ini and the mapping with the CSV's path, runs ``python -m morph_kgc config.ini`` (the
engine's own CLI, default settings: 2 x cores worker processes, N-Quads to a file), and prints a
Result. ``seconds`` is the CLI's wall time less the time a bare ``import morph_kgc`` takes, so
interpreter and pandas start-up are not held against it (kgload's figure excludes them too).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common import Result, emit

HERE = Path(__file__).resolve().parent / "morph"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True, help="directory for config, mapping and output")
    parser.add_argument("--processes", type=int, default=0, help="number_of_processes (0: morph-kgc's default)")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    csv = (args.corpus / "flat.csv").resolve()
    mapping = args.work / "mapping.yml"
    mapping.write_text((HERE / "mapping.yml").read_text().replace("__CSV__", str(csv)))
    output = args.work / "morph.nq"
    config = ["[CONFIGURATION]", f"output_file = {output}", "output_format = N-QUADS", "logging_level = INFO"]
    if args.processes:
        config.append(f"number_of_processes = {args.processes}")
    config += ["", "[DataSource1]", f"mappings = {mapping}", ""]
    (args.work / "config.ini").write_text("\n".join(config))

    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import morph_kgc"], check=True)
    import_seconds = time.perf_counter() - started

    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "morph_kgc", str(args.work / "config.ini")], capture_output=True, text=True, check=False
    )
    total = time.perf_counter() - started
    (args.work / "morph.log").write_text(proc.stdout + proc.stderr)
    if proc.returncode != 0:
        print(proc.stdout[-3000:], proc.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"morph-kgc failed with exit code {proc.returncode}")
    reported = re.search(r"Materialization finished in ([0-9.]+) seconds", proc.stdout + proc.stderr)
    with output.open("rb") as f:
        quads = sum(1 for _ in f)
    rows = json.loads((args.corpus / "manifest.json").read_text())["counts"]["flat_rows"]
    emit(
        Result(
            "morph-kgc",
            rows,
            quads,
            total - import_seconds,
            {
                "cli_seconds": round(total, 2),
                "import_seconds": round(import_seconds, 2),
                "materialization_seconds_reported": float(reported.group(1)) if reported else None,
                "output": str(output),
                "input": "flat.csv (valid relations only)",
            },
        )
    )


if __name__ == "__main__":
    main()
