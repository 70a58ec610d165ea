"""Paths and the fixed run every test module shares (conftest.py makes fixtures of them)."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from kgload.model import Run

ROOT = Path(__file__).resolve().parents[1]  # the repository
SEED = ROOT / "examples" / "afp-2025-06-14-putin-trump-call.json"
SHARED = ROOT.parent / "shared"  # ../shared: real sample files, never copied into the repository
SAMPLES = SHARED / "samples"


def bench_corpus(out: Path, *options: str) -> Path:
    """A corpus from bench/generate.py (deterministic for given options) in ``out``: its JSONL file."""
    command = [sys.executable, "generate.py", *options, "--out", str(out)]
    subprocess.run(command, cwd=ROOT / "bench", check=True, capture_output=True)
    return out / "corpus.jsonl"


def seed_cypher_examples() -> list[Path]:
    """The queries of examples/cypher/ that answer on the seed: the places one needs coordinates,
    which the seed has none of (tests/integration/test_neo4j_places.py runs it on event data)."""
    return [
        p for p in sorted((ROOT / "examples" / "cypher").glob("*.cypher")) if p.name != "events-near-a-place.cypher"
    ]


# A fixed run, so mapped RDF is byte for byte reproducible in tests.
FIXED_RUN = Run("20250614T120000Z-test", datetime(2025, 6, 14, 12, 0, tzinfo=UTC))
# A run that started between two seconds: claims record its start to the second, on every path.
MID_SECOND_RUN = Run("20250614T083015Z-test", datetime(2025, 6, 14, 8, 30, 15, 250, tzinfo=UTC))
