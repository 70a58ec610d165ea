import gc

from kgload import api, collector
from kgload.sinks.embedded import EmbeddedStore


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
