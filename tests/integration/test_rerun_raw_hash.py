"""A re-run finds unchanged lines by a hash of the raw line before any worker reads them: the same report
and the same target as a re-run that reads every line, in the embedded store and Neo4j. A changed line, a
changed mapping or options, a read reject, a retraction and an interrupted load all take the usual path."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest

from kgload import api
from kgload.fingerprint import combine
from kgload.mapping.spec import load_mapping
from kgload.parallel import ProcessMapper
from kgload.pipeline import unchanged
from kgload.readers.json_input import Line
from kgload.records import Origin
from kgload.sinks.embedded import EmbeddedStore
from kgload.sinks.neo4j import Neo4jSink
from tests.common import ROOT
from tests.integration.test_neo4j import graph_dump
from tests.integration.test_parallel_mapping import role, store_quads

DOCS = 40
REJECTED = 5  # the document whose line has a relation the reader rejects


def corpus(path: Path, *, changed: int | None = None, twice: bool = False) -> Path:
    docs = [role(f"e-{i}", f"2022-03-{i % 28 + 1:02d}", f"Speaker {i % 7}") for i in range(DOCS)]
    docs[REJECTED]["relations"].append({"type": "called", "head": "nobody", "tail": "v"})
    if changed is not None:
        docs[changed]["document"]["title"] = "a new title"
    if twice:  # a document given again, changed, batches later: the later version is the one kept
        later = json.loads(json.dumps(docs[2]))
        later["document"]["title"] = "given twice"
        docs.append(later)
    path.write_text("".join(json.dumps(doc) + "\n" for doc in docs))
    return path


@pytest.fixture
def scanned(monkeypatch) -> list[int]:
    """The number of lines each scan sent to the workers."""
    counts: list[int] = []
    scan = ProcessMapper.scan

    def counted(self, lines, *, speculate=False):
        counts.append(len(lines))
        return scan(self, lines, speculate=speculate)

    monkeypatch.setattr(ProcessMapper, "scan", counted)
    return counts


def options(mapping, run, **more):
    return {"mapping": mapping, "run": run, "batch_size": 4, "workers": 2, "validate": False} | more


def test_an_unchanged_rerun_sends_no_line_but_the_rejected_to_the_workers(tmp_path, mapping, run, scanned):
    store = tmp_path / "store"
    first = api.load([corpus(tmp_path / "a.jsonl")], store=store, **options(mapping, run))
    assert first.documents_added == DOCS and first.rejected.get("read") == 1
    before = store_quads(store, raw=True)
    scanned.clear()

    again = api.load([corpus(tmp_path / "b.jsonl")], store=store, **options(mapping, run))

    assert sum(scanned) == 1  # the line with a read reject: read, and its reject reported, by every run
    assert again.documents_unchanged == DOCS and again.documents_loaded == 0
    assert again.rejected == first.rejected
    assert store_quads(store, raw=True) == before
    raws = [q for q in before if "<urn:kgload:raw:" in q]
    assert len(raws) == 2 * (DOCS - 1)  # each document read without rejects: its hash and fingerprint


def test_a_rerun_that_maps_nothing_starts_no_worker_and_a_changed_line_still_does(tmp_path, mapping, run):
    """Larger groups: the line with a read reject is read in the loader process, no worker process starts;
    a changed line starts the pool and is mapped, validated and written as a clean load writes it."""
    store, clean = tmp_path / "store", tmp_path / "clean"
    more = options(mapping, run, batch_size=10, validate=True)
    first = api.load([corpus(tmp_path / "a.jsonl")], store=store, **more)
    children: list[int] = []

    def note(_report) -> None:
        children.append(len(multiprocessing.active_children()))

    again = api.load([corpus(tmp_path / "b.jsonl")], store=store, progress=note, **more)
    assert children and not any(children)
    assert again.documents_unchanged == DOCS and again.documents_loaded == 0 and again.rejected == first.rejected

    children.clear()
    changed = api.load([corpus(tmp_path / "c.jsonl", changed=30)], store=store, progress=note, **more)
    assert any(children) and changed.documents_updated == 1 and changed.rejected == first.rejected
    api.load([corpus(tmp_path / "c.jsonl", changed=30)], store=clean, **more)
    assert store_quads(store, raw=True) == store_quads(clean, raw=True)


def test_a_changed_line_is_read_mapped_and_written_as_a_clean_load_writes_it(tmp_path, mapping, run, scanned):
    store, clean = tmp_path / "store", tmp_path / "clean"
    api.load([corpus(tmp_path / "a.jsonl")], store=store, **options(mapping, run))
    scanned.clear()
    report = api.load([corpus(tmp_path / "b.jsonl", changed=30)], store=store, **options(mapping, run))
    assert sum(scanned) == 2 and report.documents_updated == 1 and report.documents_unchanged == DOCS - 1
    api.load([corpus(tmp_path / "b.jsonl", changed=30)], store=clean, **options(mapping, run))
    assert store_quads(store, raw=True) == store_quads(clean, raw=True)
    scanned.clear()
    assert (
        api.load([corpus(tmp_path / "b.jsonl", changed=30)], store=store, **options(mapping, run)).documents_loaded == 0
    )
    assert sum(scanned) == 1  # the changed line's hash was written with it


def test_a_changed_mapping_or_options_read_every_line_again(tmp_path, run, scanned):
    store = tmp_path / "store"
    mapping = load_mapping(ROOT / "mappings" / "kgload.yaml")
    api.load([corpus(tmp_path / "a.jsonl")], store=store, **options(mapping, run))

    scanned.clear()
    validated = api.load([corpus(tmp_path / "a.jsonl")], store=store, **options(mapping, run, validate=True))
    assert sum(scanned) == DOCS and validated.documents_unchanged == DOCS  # the fingerprint still says unchanged

    scanned.clear()
    edited = load_mapping(ROOT / "mappings" / "kgload.yaml")
    edited.hash = combine(edited.hash, "an edited mapping file")
    remapped = api.load([corpus(tmp_path / "a.jsonl")], store=store, **options(edited, run))
    assert sum(scanned) == DOCS and remapped.documents_updated == DOCS


def test_the_raw_hash_folds_in_the_mapping_kgloads_version_and_the_validation(mapping, monkeypatch):
    line = Line(Origin("x.jsonl", 1), b'{"document": {"id": "a"}}\n')

    def key(**given) -> str:
        settings = {"validate": True, "shacl_engine": "compiled"} | given
        return unchanged.RawKeys(mapping, **settings).of(line)

    base = key()
    assert key(validate=False, shacl_engine=None) != base and key(shacl_engine="pyshacl") != base
    assert (
        unchanged.RawKeys(mapping, validate=True, shacl_engine="compiled").of(Line(line.origin, line.raw[:-1])) == base
    )
    monkeypatch.setattr(unchanged, "__version__", "0.0.0-another")
    assert key() != base
    edited = load_mapping(ROOT / "mappings" / "kgload.yaml")
    edited.hash = combine(edited.hash, "edited")
    monkeypatch.undo()
    assert unchanged.RawKeys(edited, validate=True, shacl_engine="compiled").of(line) != base


def test_a_retracted_document_loads_again(tmp_path, mapping, run, scanned):
    store = tmp_path / "store"
    api.load([corpus(tmp_path / "a.jsonl")], store=store, **options(mapping, run))
    assert api.retract(["e-12"], store=store, mapping=mapping) == 1
    scanned.clear()
    report = api.load([corpus(tmp_path / "a.jsonl")], store=store, **options(mapping, run))
    assert report.documents_added == 1 and report.documents_unchanged == DOCS - 1 and sum(scanned) == 2


def test_a_document_given_twice_is_counted_and_kept_as_a_rerun_that_reads_every_line(tmp_path, mapping, run):
    path = corpus(tmp_path / "twice.jsonl", twice=True)
    reports, stores = [], []
    for name, workers in (("parallel", 2), ("serial", 1)):
        store = tmp_path / name
        api.load([path], store=store, **options(mapping, run, workers=workers))
        reports.append(api.load([path], store=store, **options(mapping, run, workers=workers)))
        stores.append(store_quads(store))
    assert [(r.documents_unchanged, r.documents_updated, r.documents_added) for r in reports] == [(DOCS - 1, 1, 0)] * 2
    assert reports[0].notes == reports[1].notes and reports[0].documents_replaced == 1
    assert stores[0] == stores[1]


def stop_at_the_fourth_write(monkeypatch, target: type) -> None:
    """``target.write`` stops the load (as Ctrl-C would) on its fourth call; ``monkeypatch.undo`` restores it."""
    write, calls = target.write, []

    def stopped(self, documents):
        calls.append(len(documents))
        if len(calls) == 4:
            raise KeyboardInterrupt
        return write(self, documents)

    monkeypatch.setattr(target, "write", stopped)


def test_an_interrupted_load_rerun_equals_a_clean_load(tmp_path, mapping, run, monkeypatch, scanned):
    store, clean = tmp_path / "store", tmp_path / "clean"
    write = EmbeddedStore.write
    stop_at_the_fourth_write(monkeypatch, EmbeddedStore)
    with pytest.raises(KeyboardInterrupt):
        api.load([corpus(tmp_path / "a.jsonl")], store=store, **options(mapping, run))
    monkeypatch.setattr(EmbeddedStore, "write", write)
    report = api.load([corpus(tmp_path / "a.jsonl")], store=store, **options(mapping, run))
    assert report.documents_added == DOCS - 12 and report.documents_unchanged == 12
    api.load([corpus(tmp_path / "a.jsonl")], store=clean, **options(mapping, run))
    assert store_quads(store, raw=True) == store_quads(clean, raw=True)
    scanned.clear()
    assert api.load([corpus(tmp_path / "a.jsonl")], store=store, **options(mapping, run)).documents_loaded == 0
    assert sum(scanned) == 1


def raw_hashes(driver) -> int:
    records, _, _ = driver.execute_query("MATCH (d:Document) WHERE d.rawHash IS NOT NULL RETURN count(d) AS n")
    return records[0]["n"]


def clean_load(neo4j_db, driver, path: Path, mapping, run) -> set[str]:
    """The graph one load of ``path`` into the emptied database makes."""
    driver.execute_query("MATCH (n) DETACH DELETE n")
    sink = Neo4jSink.connect(neo4j_db)
    try:
        api.load([path], sink=sink, **options(mapping, run))
    finally:
        sink.close()
    return graph_dump(driver)


def test_neo4j_rerun_skips_by_raw_hash_and_follows_changes_and_retractions(
    neo4j_db, neo4j_driver, tmp_path, mapping, run, scanned
):
    sink = Neo4jSink.connect(neo4j_db)
    try:
        first = api.load([corpus(tmp_path / "a.jsonl")], sink=sink, **options(mapping, run))
        assert first.documents_added == DOCS and raw_hashes(neo4j_driver) == DOCS - 1
        scanned.clear()
        again = api.load([corpus(tmp_path / "a.jsonl")], sink=sink, **options(mapping, run))
        assert sum(scanned) == 1 and again.documents_unchanged == DOCS and again.rejected == first.rejected

        scanned.clear()
        changed = api.load([corpus(tmp_path / "b.jsonl", changed=30)], sink=sink, **options(mapping, run))
        assert sum(scanned) == 2 and changed.documents_updated == 1
        assert api.retract(["e-12"], sink=sink, mapping=mapping) == 1
        assert raw_hashes(neo4j_driver) == DOCS - 2
        scanned.clear()
        back = api.load([corpus(tmp_path / "b.jsonl", changed=30)], sink=sink, **options(mapping, run))
        assert back.documents_added == 1 and back.documents_unchanged == DOCS - 1 and sum(scanned) == 2
        loaded = graph_dump(neo4j_driver)
    finally:
        sink.close()
    assert clean_load(neo4j_db, neo4j_driver, corpus(tmp_path / "b.jsonl", changed=30), mapping, run) == loaded


def test_neo4j_interrupted_load_rerun_equals_a_clean_load(neo4j_db, neo4j_driver, tmp_path, mapping, run, monkeypatch):
    write = Neo4jSink.write
    sink = Neo4jSink.connect(neo4j_db)
    try:
        stop_at_the_fourth_write(monkeypatch, Neo4jSink)
        with pytest.raises(KeyboardInterrupt):
            api.load([corpus(tmp_path / "a.jsonl")], sink=sink, **options(mapping, run))
        monkeypatch.setattr(Neo4jSink, "write", write)
        sink.flush()
        report = api.load([corpus(tmp_path / "a.jsonl")], sink=sink, **options(mapping, run))
        assert report.documents_added == DOCS - 12
        loaded = graph_dump(neo4j_driver)
    finally:
        sink.close()
    assert clean_load(neo4j_db, neo4j_driver, corpus(tmp_path / "a.jsonl"), mapping, run) == loaded


def test_a_forced_load_maps_every_line_and_keeps_the_raw_hashes(tmp_path, mapping, run, scanned):
    store = tmp_path / "store"
    api.load([corpus(tmp_path / "a.jsonl")], store=store, **options(mapping, run))
    scanned.clear()
    forced = api.load([corpus(tmp_path / "a.jsonl")], store=store, **options(mapping, run, force=True))
    assert sum(scanned) == DOCS and forced.documents_updated == DOCS
    scanned.clear()
    assert api.load([corpus(tmp_path / "a.jsonl")], store=store, **options(mapping, run)).documents_loaded == 0
    assert sum(scanned) == 1


def without_raw_hashes(monkeypatch):
    """A load as kgload made them before raw hashes: the target is never given one."""
    monkeypatch.setattr("kgload.pipeline.load.known_for", lambda *args, **kwargs: None)


def test_a_load_without_workers_keeps_the_raw_hashes_a_load_with_workers_keeps(tmp_path, mapping, run, scanned):
    stores = {}
    for workers in (1, 2):
        stores[workers] = tmp_path / f"store-{workers}"
        api.load([corpus(tmp_path / "a.jsonl")], store=stores[workers], **options(mapping, run, workers=workers))
    assert store_quads(stores[1], raw=True) == store_quads(stores[2], raw=True)
    assert store_quads(stores[1], raw=True) - store_quads(stores[1], raw=False)  # there are raw hashes
    scanned.clear()
    assert api.load([corpus(tmp_path / "a.jsonl")], store=stores[1], **options(mapping, run)).documents_loaded == 0
    assert sum(scanned) == 1  # a parallel re-run of a serial load finds every line but the rejected one


def test_documents_found_unchanged_by_fingerprint_get_their_raw_hash(tmp_path, mapping, run, scanned, monkeypatch):
    store = tmp_path / "store"
    with monkeypatch.context() as patched:
        without_raw_hashes(patched)
        api.load([corpus(tmp_path / "a.jsonl")], store=store, **options(mapping, run))
    assert not store_quads(store, raw=True) - store_quads(store, raw=False)
    scanned.clear()
    assert api.load([corpus(tmp_path / "a.jsonl")], store=store, **options(mapping, run)).documents_unchanged == DOCS
    assert sum(scanned) == DOCS
    scanned.clear()
    validated = api.load([corpus(tmp_path / "a.jsonl")], store=store, **options(mapping, run, validate=True))
    assert validated.documents_unchanged == DOCS and sum(scanned) == DOCS  # other options: another raw hash
    scanned.clear()
    for validate in (True, False):
        report = api.load([corpus(tmp_path / "a.jsonl")], store=store, **options(mapping, run, validate=validate))
        assert report.documents_unchanged == DOCS
    assert sum(scanned) == 2


def test_neo4j_documents_found_unchanged_by_fingerprint_get_their_raw_hash(
    neo4j_db, neo4j_driver, tmp_path, mapping, run, scanned, monkeypatch
):
    sink = Neo4jSink.connect(neo4j_db)
    try:
        with monkeypatch.context() as patched:
            without_raw_hashes(patched)
            api.load([corpus(tmp_path / "a.jsonl")], sink=sink, **options(mapping, run))
        assert raw_hashes(neo4j_driver) == 0
        scanned.clear()
        assert api.load([corpus(tmp_path / "a.jsonl")], sink=sink, **options(mapping, run)).documents_unchanged == DOCS
        assert sum(scanned) == DOCS and raw_hashes(neo4j_driver) == DOCS - 1
        scanned.clear()
        assert api.load([corpus(tmp_path / "a.jsonl")], sink=sink, **options(mapping, run)).documents_unchanged == DOCS
        assert sum(scanned) == 1
    finally:
        sink.close()


def test_a_rerun_into_a_bulk_imported_database_skips_by_raw_hash(tmp_path, mapping, run, scanned):
    """The neo4j-admin export stores each line's raw hash as the online load does: the first online re-run
    into the imported database reads only the line with a read reject."""
    from kgload.sinks.neo4j.settings import Neo4jSettings
    from tests.neo4j_server import imported

    exported = api.export_neo4j_admin([corpus(tmp_path / "a.jsonl")], tmp_path / "csv", **options(mapping, run))
    with imported(exported.folder, tmp_path / "imported") as (server, driver):
        assert raw_hashes(driver) == DOCS - 1  # each document read without rejects
        before = graph_dump(driver)
        scanned.clear()
        sink = Neo4jSink.connect(Neo4jSettings(server.uri, *(server.auth or (None, None))))
        try:
            again = api.load([corpus(tmp_path / "a.jsonl")], sink=sink, **options(mapping, run))
        finally:
            sink.close()
        assert sum(scanned) == 1 and again.documents_unchanged == DOCS and again.rejected == exported.report.rejected
        lock = '[["KgloadLock"]'  # the first online run's lease, which an import does not make
        assert {n for n in graph_dump(driver) if not n.startswith(lock)} == before
