"""An unchanged re-run decides on ever larger batches, so it looks fingerprints up in few queries; a change
inside such a batch is still found and written, batch_size documents per write, as a clean load writes it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kgload import api
from kgload.sinks.embedded import EmbeddedStore
from tests.integration.test_parallel_mapping import role, store_quads

DOCS = 60


def corpus(path: Path, changed: int | None = None) -> Path:
    docs = [role(f"e-{i}", f"2022-03-{i % 28 + 1:02d}", f"Speaker {i % 7}") for i in range(DOCS)]
    if changed is not None:
        docs[changed]["document"]["title"] = "a new title"
    path.write_text("".join(json.dumps(doc) + "\n" for doc in docs))
    return path


@pytest.mark.parametrize("workers", [1, 2])
def test_a_rerun_looks_up_in_growing_batches_and_still_writes_a_changed_document(
    tmp_path, mapping, run, monkeypatch, workers
):
    store = tmp_path / "store"
    options = {"mapping": mapping, "run": run, "batch_size": 4, "workers": workers, "validate": False}
    api.load([corpus(tmp_path / "first.jsonl")], store=store, **options)

    lookups: list[int] = []
    writes: list[int] = []
    fingerprints, write = EmbeddedStore.fingerprints, EmbeddedStore.write

    def counted_lookup(self, documents):
        lookups.append(len(documents))
        return fingerprints(self, documents)

    def counted_write(self, documents):
        writes.append(len(documents))
        return write(self, documents)

    monkeypatch.setattr(EmbeddedStore, "fingerprints", counted_lookup)
    monkeypatch.setattr(EmbeddedStore, "write", counted_write)
    unchanged = api.load([corpus(tmp_path / "same.jsonl")], store=store, **options)
    assert unchanged.documents_unchanged == DOCS and unchanged.documents_loaded == 0
    # 60 documents in 4 look-ups, not 15; with workers, none: every line is found by its raw hash
    assert lookups == ([4, 8, 16, 32] if workers == 1 else []) and writes == []

    lookups.clear()
    again = api.load([corpus(tmp_path / "changed.jsonl", changed=DOCS - 2)], store=store, **options)
    assert again.documents_updated == 1 and again.documents_unchanged == DOCS - 1
    # found in the last, largest batch; with workers, the one line not found by its raw hash
    assert writes == [1] and lookups[-1] == (32 if workers == 1 else 1)

    clean = tmp_path / "clean"
    monkeypatch.undo()
    api.load([corpus(tmp_path / "changed.jsonl", changed=DOCS - 2)], store=clean, **options)
    assert store_quads(store) == store_quads(clean)


def test_a_batch_decided_large_writes_batch_size_documents_at_a_time(tmp_path, mapping, run, monkeypatch):
    store = tmp_path / "store"
    options = {"mapping": mapping, "run": run, "batch_size": 4, "workers": 1, "validate": False}
    api.load([corpus(tmp_path / "first.jsonl")], store=store, **options)
    changed = tmp_path / "changed.jsonl"
    docs = [json.loads(line) for line in corpus(tmp_path / "base.jsonl").read_text().splitlines()]
    for doc in docs[40:]:  # the last 20 documents, all in the batch decided on 32
        doc["document"]["title"] = "retitled"
    changed.write_text("".join(json.dumps(doc) + "\n" for doc in docs))
    writes: list[int] = []
    write = EmbeddedStore.write

    def counted_write(self, documents):
        writes.append(len(documents))
        return write(self, documents)

    monkeypatch.setattr(EmbeddedStore, "write", counted_write)
    report = api.load([changed], store=store, **options)
    assert report.documents_updated == 20 and max(writes) == 4 and sum(writes) == 20
