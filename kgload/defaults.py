"""kgload's defaults, each defined once: the library, the CLI, run configurations and the sinks
all read them here (bench/HISTORY.md has the measurements behind the batch sizes)."""

from __future__ import annotations

import os
from pathlib import Path

# Documents per load transaction: a larger batch is no faster and holds more documents in memory.
LOAD_BATCH = 250
# Documents whose fingerprints one look-up fetches at most, once whole batches turn out unchanged (a
# re-run): an unchanged document writes nothing, so only the look-ups' count is paid for per batch.
LOOKUP_BATCH = 4000
# Documents per group of mapping tasks when no transaction is to be amortised (kgload map, the
# neo4j-admin export): fewer mapped documents are held at once.
MAP_BATCH = 200
# Seconds a run's lease lasts unrenewed; a heartbeat renews it three times a term, so a dead holder blocks <1 min.
LOCK_TTL = 30
# Rows per UNWIND statement into Neo4j; a batch with more rows is several statements in one transaction.
ROWS_PER_STATEMENT = 10_000
# Quads the embedded store writes or removes between two flushes: RocksDB holds what is written in
# memory until it flushes (about 1 KB a quad), and pyoxigraph never asks it to.
FLUSH_QUADS = 100_000
RUNS_LISTED = 20  # runs that `kgload runs` lists, newest first
# Where `kgload serve` listens: this machine only, unless another address is given.
SERVE_HOST, SERVE_PORT = "127.0.0.1", 7878
NEO4J_USERNAME = "neo4j"  # the login when a password is given without NEO4J_USERNAME


def default_store() -> Path:
    """The embedded store: $KGLOAD_STORE, else .kgload/store (also when it is set empty, as an environment
    file's ``KGLOAD_STORE=`` does: that is no store in the working folder)."""
    return Path(os.environ.get("KGLOAD_STORE") or ".kgload/store")


REJECTS_FOLDER = Path(".kgload") / "rejects"  # relative to the working folder, or to a run configuration


def default_rejects(run: str) -> Path:
    """The rejects file of a run that writes no store: .kgload/rejects/<run>.jsonl."""
    return REJECTS_FOLDER / f"{run}.jsonl"
