"""Helpers shared by the benchmark runner and its worker scripts (standard library only, so
every virtual environment can import it)."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULT_PREFIX = "BENCH-RESULT "


@dataclass
class Result:
    """What one measured system reports (printed by the worker as one JSON line)."""

    system: str
    records: int  # extracted relations offered to the system
    triples: int  # triples (or quads) the system produced / loaded
    seconds: float
    extra: dict[str, Any] = field(default_factory=dict)
    peak_rss_mb: float | None = None  # filled in by the runner from wait4()
    wall_seconds: float | None = None  # whole subprocess, start-up included

    @property
    def triples_per_s(self) -> float:
        return self.triples / self.seconds if self.seconds else 0.0

    @property
    def records_per_s(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["triples_per_s"] = round(self.triples_per_s, 1)
        out["records_per_s"] = round(self.records_per_s, 1)
        return out


def cpu_seconds(stat: Path) -> float:
    """User + system CPU seconds so far of a process or thread, from its /proc ``stat`` file (Linux)."""
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def process_cpu_s(pid: int) -> float:
    return cpu_seconds(Path(f"/proc/{pid}/stat"))


def emit(result: Result) -> None:
    """Worker side: hand the result to the runner on stdout."""
    print(RESULT_PREFIX + json.dumps(result.as_json()), flush=True)


def own_peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _tree_rss_mb(root: int) -> float:
    """Summed PSS (else VmRSS) of ``root`` and its live descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        pid = int(entry.name)
        children.setdefault(int(fields.get("PPid", "0").strip() or 0), []).append(pid)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0])
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += _pss_kb(pid) or rss.get(pid, 0)
        stack.extend(children.get(pid, ()))
    return total / 1024


def _pss_kb(pid: int) -> int:
    """Proportional set size: like RSS, but pages shared after fork() count once across the tree."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def run_measured(
    argv: list[str], log: Path, timeout: float | None = None, env: dict[str, str] | None = None
) -> tuple[Result | None, float, float, int]:
    """Run ``argv`` as a fresh process; return (its Result, peak RSS MB, wall seconds, exit code).

    Peak RSS is the larger of wait4()'s (the biggest single process of the tree) and the peak of
    the tree's summed proportional set size, sampled every 0.2 s (what a multi-process system
    such as morph-kgc really holds at once; pages shared after fork() count once), so each
    system is measured in its own process tree.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with log.open("w") as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, env={**os.environ, **(env or {})})
        deadline = None if timeout is None else started + timeout
        tree_peak, next_sample = 0.0, 0.0
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() >= next_sample:
                tree_peak = max(tree_peak, _tree_rss_mb(proc.pid))
                next_sample = time.perf_counter() + 0.2
            if deadline is not None and time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.05)
        proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    peak = max(usage.ru_maxrss / 1024, tree_peak)
    result = None
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith(RESULT_PREFIX):
            data = json.loads(line[len(RESULT_PREFIX) :])
            data.pop("triples_per_s", None)
            data.pop("records_per_s", None)
            result = Result(**data)
    if result is not None:
        result.peak_rss_mb = round(peak, 1)
        result.extra["peak_rss_single_process_mb"] = round(usage.ru_maxrss / 1024, 1)
        result.wall_seconds = round(wall, 2)
    return result, peak, wall, proc.returncode


def python_of(venv: Path) -> str:
    return str(venv / "bin" / "python")


KGLOAD_PY = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
