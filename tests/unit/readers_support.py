"""What every reader test shares: the event mapping, a fixed run, and the mapped graph of an
input without its fingerprint (which hashes the input's bytes, so it differs by design)."""

from __future__ import annotations

from pathlib import Path

from kgload.api import map_quads
from kgload.records import Extraction, Reject
from tests.common import FIXED_RUN, ROOT

EVENTS = ROOT / "mappings" / "events.yaml"


def graph(path: Path, fmt: str | None = None) -> set:
    quads, rejects = map_quads([path], mapping=EVENTS, fmt=fmt, run=FIXED_RUN)
    assert rejects == []
    return {q for q in quads if not q.predicate.value.endswith("ontology#fingerprint")}


def split(items):
    items = list(items)
    return [i for i in items if isinstance(i, Extraction)], [i for i in items if isinstance(i, Reject)]
