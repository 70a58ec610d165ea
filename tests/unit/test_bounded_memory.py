"""What a long load keeps per document stays bounded: the SHACL engine's SPARQL store is built again
every so many documents, the embedded store flushes RocksDB's buffers every so many quads, and
neither changes a verdict or a graph (bench/memory.py measures the peak RSS itself)."""

from __future__ import annotations

import copy
import json

import pytest

from kgload import api, fastshacl
from kgload.model import Run
from kgload.sinks import embedded
from kgload.validate import validator_for
from tests.common import ROOT

MAPPING = ROOT / "mappings" / "kgload.yaml"
SEED = ROOT / "examples" / "afp-2025-06-14-putin-trump-call.json"


def _documents(count: int) -> list[dict]:
    """The seed article under ``count`` ids."""
    base = json.loads(SEED.read_text())
    out = []
    for number in range(count):
        doc = copy.deepcopy(base)
        doc.setdefault("document", {})["id"] = f"bounded-{number}"
        out.append(doc)
    return out


def test_the_sparql_store_is_renewed_and_verdicts_stay(monkeypatch: pytest.MonkeyPatch) -> None:
    validator = validator_for(api._cached_mapping(MAPPING))
    assert validator is not None and validator.compiled is not None
    batch = api.map_batch(_documents(7), mapping=MAPPING, validate=False)
    quads = [doc.quads for doc in batch.documents]
    before = [validator.violations(q) for q in quads]
    monkeypatch.setattr(fastshacl, "RENEW_STORE", 2)
    stores = set()
    after = []
    for q in quads:
        after.append(validator.violations(q))
        stores.add(id(validator.compiled._store))
    assert after == before
    assert len(stores) > 1, "the store the SPARQL constraints read was never built again"
    assert len(validator.compiled._store) == len(validator.compiled._ontology_triples)


def test_the_embedded_store_flushes_and_keeps_every_quad(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    flushes: list[int] = []
    monkeypatch.setattr(embedded, "FLUSH_QUADS", 50)
    real = embedded.EmbeddedStore.write

    def write(self, documents):
        real(self, documents)
        flushes.append(self.unflushed)

    monkeypatch.setattr(embedded.EmbeddedStore, "write", write)
    inputs = tmp_path / "docs.jsonl"
    inputs.write_text("".join(json.dumps(d) + "\n" for d in _documents(6)))
    run = Run.new()
    api.load([inputs], store=tmp_path / "flushed", batch_size=2, workers=1, mapping=MAPPING, run=run)
    monkeypatch.setattr(embedded, "FLUSH_QUADS", 10**9)
    api.load([inputs], store=tmp_path / "plain", batch_size=2, workers=1, mapping=MAPPING, run=run)
    assert 0 in flushes, "no write flushed"
    with (
        api.opened(store=tmp_path / "flushed", read_only=True) as a,
        api.opened(store=tmp_path / "plain", read_only=True) as b,
    ):
        mine, theirs = _loaded(a), _loaded(b)
    assert mine and mine == theirs


def _loaded(store: embedded.EmbeddedStore) -> set:
    """The documents' quads and the learned aliases: not the run ledger nor the ontology (blank nodes)."""
    return {q for q in store.quads() if not str(q.graph_name).endswith(("graph/runs>", "graph/ontology>"))}
