"""What every reader test shares: the event mapping, a fixed run, and the mapped graph of an
input without its fingerprint (which hashes the input's bytes, so it differs by design)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from kgload.api import map_quads
from kgload.model import Run
from kgload.records import Extraction, Reject

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "mappings" / "events.yaml"
RUN = Run("golden", datetime(2025, 6, 14, tzinfo=UTC))


def graph(path: Path, fmt: str | None = None) -> set:
    quads, rejects = map_quads([path], mapping=EVENTS, fmt=fmt, run=RUN)
    assert rejects == []
    return {q for q in quads if not q.predicate.value.endswith("ontology#fingerprint")}


def split(items):
    items = list(items)
    return [i for i in items if isinstance(i, Extraction)], [i for i in items if isinstance(i, Reject)]
