import gc
import json

from kgload import api, collector
from kgload.sinks.embedded import EmbeddedStore
from tests.unit.test_bounded_memory import _documents


def test_fewer_collections_raises_the_young_threshold_and_restores_it_after_an_error():
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    try:
        try:
            with collector.fewer_collections():
                assert gc.get_threshold() == (collector.YOUNG_THRESHOLD, 10, 10)
                raise ValueError("a failing load")
        except ValueError:
            pass
        assert gc.get_threshold() == (700, 10, 10)
    finally:
        gc.set_threshold(*before)


def test_fewer_collections_never_lowers_a_threshold_the_user_raised():
    before = gc.get_threshold()
    gc.set_threshold(collector.YOUNG_THRESHOLD * 5, 10, 10)
    try:
        with collector.fewer_collections():
            assert gc.get_threshold()[0] == collector.YOUNG_THRESHOLD * 5
    finally:
        gc.set_threshold(*before)


def test_a_load_writes_with_fewer_collections_and_leaves_the_thresholds_as_it_found_them(seed, tmp_path, monkeypatch):
    seen: list[tuple[int, int, int]] = []
    write = EmbeddedStore.write

    def recording_write(self, documents):
        seen.append(gc.get_threshold())
        return write(self, documents)

    monkeypatch.setattr(EmbeddedStore, "write", recording_write)
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    try:
        report = api.load([seed], store=tmp_path / "store", validate=False)
        assert gc.get_threshold() == (700, 10, 10)
    finally:
        gc.set_threshold(*before)
    assert report.documents_loaded == 1
    assert seen and all(threshold[0] == collector.YOUNG_THRESHOLD for threshold in seen)


def test_a_load_collects_on_its_own_every_so_many_documents_and_gives_the_collector_back(tmp_path, monkeypatch):
    """During a load automatic collection is off and the setup frozen; a full collection runs every
    COLLECT_DOCUMENTS documents; after it (an error too) the collector runs as before, nothing frozen."""
    docs = tmp_path / "docs.jsonl"
    docs.write_text("".join(json.dumps(doc) + "\n" for doc in _documents(6)))
    monkeypatch.setattr(collector, "COLLECT_DOCUMENTS", 2)
    full: list[int] = []
    states: list[tuple[bool, bool]] = []

    def on_collection(phase: str, info: dict) -> None:
        if phase == "start" and info["generation"] == 2:
            full.append(len(states))

    def after_batch(report) -> None:
        states.append((gc.isenabled(), gc.get_freeze_count() > 0))

    assert gc.isenabled() and gc.get_freeze_count() == 0
    gc.callbacks.append(on_collection)
    try:
        api.load([docs], store=tmp_path / "store", validate=False, batch_size=1, workers=1, progress=after_batch)
    finally:
        gc.callbacks.remove(on_collection)
    assert states == [(False, True)] * 6
    assert sorted(set(full) & {1, 3, 5}) == [1, 3, 5], full  # after the 2nd, 4th and 6th document
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_a_worker_forked_from_a_load_collects_again():
    gc.disable()
    try:
        collector.freeze_worker_setup()
        assert gc.isenabled()
    finally:
        gc.unfreeze()
        gc.enable()
