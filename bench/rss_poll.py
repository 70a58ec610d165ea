"""The resident memory of every running ``kgload load`` and its workers, polled until stopped.

Run beside a long load (say the 1M-event run of ``bench/events_neo4j_ab.py``): every ``--every``
seconds it appends one JSON line with each such process's pid, parent pid, VmRSS, VmHWM (the
process's peak so far) and RssAnon (VmRSS without mapped files) in MB and its CPU so far (user and
system seconds), read from /proc (Linux); ``--pid`` adds another process (the Neo4j server's JVM). A
poll misses what a process reaches between two polls and after the last one; VmHWM keeps the peak
up to the poll that reads it.

    .venv/bin/python bench/rss_poll.py --out /tmp/rss.jsonl --every 30 &
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from common import cpu_seconds  # bench/common.py


def _loads(argv: list[str]) -> bool:
    """``kgload [global options] load …`` (also ``python -m kgload``): the load may follow options."""
    starts = [i for i, arg in enumerate(argv) if arg == "kgload" or arg.endswith("/kgload")]
    return bool(starts) and "load" in argv[starts[0] + 1 :]


def kgload_processes(others: tuple[int, ...] = ()) -> list[dict[str, int | float | str]]:
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            argv = (proc / "cmdline").read_bytes().decode(errors="replace").split("\0")
            command = " ".join(argv)
            status = dict(line.split(":", 1) for line in (proc / "status").read_text().splitlines() if ":" in line)
        except OSError:  # ended between the listing and the read
            continue
        # the loader, and its workers (multiprocessing children whose command line names kgload's Python)
        if (
            int(proc.name) not in others
            and not _loads(argv)
            and not ("multiprocessing" in command and "kgload" in command)
        ):
            continue
        try:
            cpu = cpu_seconds(proc / "stat")
        except OSError:
            continue
        found.append(
            {
                "pid": int(proc.name),
                "ppid": int(status["PPid"]),
                "rss_mb": int(status["VmRSS"].split()[0]) // 1024,
                "hwm_mb": int(status["VmHWM"].split()[0]) // 1024,
                # anonymous memory (the heaps) apart from mapped files, which the kernel can drop
                "anon_mb": int(status.get("RssAnon", "0 kB").split()[0]) // 1024,
                "cpu_s": round(cpu, 1),
                "cmd": command[:120],
            }
        )
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True, help="JSON lines are appended here")
    parser.add_argument("--every", type=float, default=30.0, help="seconds between two polls")
    parser.add_argument("--pid", type=int, action="append", default=[], help="another process to poll")
    args = parser.parse_args()
    with args.out.open("a") as out:
        while True:
            out.write(json.dumps({"t": time.strftime("%H:%M:%S"), "procs": kgload_processes(tuple(args.pid))}) + "\n")
            out.flush()
            time.sleep(args.every)


if __name__ == "__main__":
    main()
