"""The CPU of an embedded store's end-of-load re-link on a loaded store, done again (it reads the alias
table and moves nothing) and skipped on the mark of the one that finished (docs/benchmarks.md,
"Unchanged re-runs: the re-link skipped").

    .venv/bin/kgload load /tmp/ev30k/corpus.jsonl --store /tmp/store30k --rejects /tmp/store30k.rej
    .venv/bin/python bench/relink_skip_cpu.py /tmp/store30k --rounds 3
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from kgload.sinks.embedded import EmbeddedStore


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("store", type=Path, help="an embedded store a load finished in")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with EmbeddedStore(args.store) as store:
        for _ in range(args.rounds):
            for again in (True, False):
                start = time.process_time()
                done = store.relink(again=again)
                spent = time.process_time() - start
                print(f"{'done again' if again else 'skipped'}: {spent:.3f} s CPU, {len(done.moves)} moves")


if __name__ == "__main__":
    main()
