"""What a long load keeps per document stays bounded: the SHACL engine's SPARQL store is built again
every so many documents, the embedded store flushes RocksDB's buffers every so many quads, and
neither changes a verdict or a graph (bench/memory.py measures the peak RSS itself)."""

from __future__ import annotations

import copy
import json
import tracemalloc

import pytest

from kgload import api, fastshacl
from kgload.model import Run
from kgload.pipeline.written import Written, WrittenLog
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


class _CountingFlushes:
    """A pyoxigraph store (whose type cannot be subclassed) that counts the flushes asked of it."""

    def __init__(self, store: object) -> None:
        self._store, self.flushes = store, 0

    def flush(self) -> None:
        self.flushes += 1
        self._store.flush()

    def __getattr__(self, name: str) -> object:
        return getattr(self._store, name)


def test_the_embedded_stores_relink_flushes_and_moves_every_entity(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    """The end-of-load re-link rewrites documents' quads outside a batch's write: it flushes as it goes
    (a 1M-event store's re-link held 840 MB of unflushed writes without), and the graph is the same."""
    from tests.integration.test_learned_aliases import BARE, FILLER, TEACHER

    real = embedded.EmbeddedStore.relink
    flushes: list[int] = []

    def counted(self, **options):
        store = self.store
        counting = self.store = _CountingFlushes(store)
        try:
            return real(self, **options)
        finally:
            self.store = store
            flushes.append(counting.flushes)

    monkeypatch.setattr(embedded.EmbeddedStore, "relink", counted)
    stores = []
    runs = [Run.new(), Run.new()]  # the same two runs in both stores (claims name their run)
    for threshold in (3, 10**9):
        monkeypatch.setattr(embedded, "FLUSH_QUADS", threshold)
        folder = tmp_path / f"flush-{threshold}"
        for run, batch in zip(runs, ([BARE, *FILLER], [TEACHER]), strict=True):  # the teacher's alias moves
            inputs = folder.with_suffix(".jsonl")  # the bare document's entity
            inputs.write_text("".join(json.dumps(d) + "\n" for d in batch))
            api.load([inputs], store=folder, workers=1, mapping=MAPPING, run=run)
        with api.opened(store=folder, read_only=True) as store:
            stores.append(_loaded(store))
    assert flushes[1] > 0 and flushes[3] == 0, flushes  # the second load's re-link moved, and flushed
    assert stores[0] == stores[1]


def test_a_retract_of_many_documents_flushes_and_removes_what_one_that_never_flushes_does(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    """A retract removes documents' graphs outside a batch's write: it counts the quads it removes and
    flushes on the same threshold (retracting 10,000 articles held 1.6 GB of unflushed removals without),
    and leaves the graph a retract that never flushes leaves."""
    inputs = tmp_path / "docs.jsonl"
    inputs.write_text("".join(json.dumps(d) + "\n" for d in _documents(5)))
    run = Run.new()
    stores, flushes = [], []
    for threshold in (50, 10**9):
        folder = tmp_path / f"retract-{threshold}"
        api.load([inputs], store=folder, workers=1, mapping=MAPPING, run=run)
        monkeypatch.setattr(embedded, "FLUSH_QUADS", threshold)
        with api.opened(store=folder) as target:
            counting = target.store = _CountingFlushes(target.store)
            documents = sorted(d for d in target.document_ids() if "/doc/bounded-" in d)
            assert target.retract(documents[:4]) == 4
            assert len(documents) == 5 and set(target.fingerprints(documents)) == {documents[4]}
            flushes.append(counting.flushes)
            stores.append(_loaded(target))
    assert flushes[0] >= 4 and flushes[1] == 0, flushes  # each seed copy is over 50 quads
    assert stores[0] and stores[0] == stores[1]


def _loaded(store: embedded.EmbeddedStore) -> set:
    """The documents' quads and the learned aliases: not the run ledger nor the ontology (blank nodes)."""
    return {q for q in store.quads() if not str(q.graph_name).endswith(("graph/runs>", "graph/ontology>"))}


def test_the_documents_written_in_a_run_are_kept_on_disk() -> None:
    """The run's map of documents written (to count a document given again in a later batch once) is
    a temporary SQLite table: the Python heap does not hold a row per document."""
    log = WrittenLog()
    log.record([("doc-a", Written("a.jsonl:1", 2, 30))])
    log.record([("doc-a", Written("a.jsonl:9", 3, 40)), ("doc-b", Written("b.jsonl:1", 1, 10))])
    assert log.earlier(["doc-a", "doc-b", "doc-c"]) == {
        "doc-a": Written("a.jsonl:9", 3, 40),
        "doc-b": Written("b.jsonl:1", 1, 10),
    }
    tracemalloc.start()
    try:
        for start in range(0, 50_000, 1000):
            batch = [
                (f"https://example.org/doc/{n}", Written(f"feed.jsonl:{n}", 3, 40)) for n in range(start, start + 1000)
            ]
            log.record(batch)
            del batch
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert held < 1_000_000, f"{held} bytes held on the Python heap for 50,000 documents written"
    assert log.earlier(["https://example.org/doc/49999"])["https://example.org/doc/49999"].where == "feed.jsonl:49999"
    log.close()
