"""Process-parallel mapping gives the serial path's output: same N-Quads bytes, same rejects file, same load
report, same store — whatever the number of workers and the batch size."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kgload.document
import kgload.parallel
import kgload.rdf.direct_text
from kgload import api
from kgload.mapping import tenures
from kgload.mapping.tenures import TenureRecorder, replay
from kgload.parallel import ProcessMapper, resolve_workers, usable_cores
from kgload.rdf.offices import tenure_index
from kgload.readers import read
from kgload.records import Extraction
from kgload.report import RejectsFile
from tests import common
from tests.common import ROOT

DOCUMENTS = "<https://w3id.org/kgload/graph/doc/"


def fact(doc_id: str, day: str, leader: str, country: str) -> dict:
    return {
        "document": {"id": doc_id, "title": f"{leader} takes office", "published": day},
        "entities": [
            {"id": "l", "name": leader, "type": "Person"},
            {"id": "c", "name": country, "type": "Country"},
        ],
        "relations": [{"type": "leader-of", "head": "l", "tail": "c", "start": day}],
    }


def role(doc_id: str, day: str, phrase: str) -> dict:
    return {
        "document": {"id": doc_id, "title": f"{phrase} called", "published": day},
        "entities": [{"id": "p", "name": phrase, "type": "Person"}, {"id": "v", "name": "Putin", "type": "Person"}],
        "relations": [{"type": "called", "head": "p", "tail": "v", "date": day, "evidence": f"{phrase} called Putin."}],
    }


# Role mentions go to the run's tenure index (what workers record and the parent replays) only when
# the world gazetteer does not answer them: its curated terms end on its complete_until (2025-06-30), so
# the roles below are of the mapping's own gazetteer (mappings/gazetteer.yaml), dated after that day.
ROLE_DAY = "2026"


def role_corpus(path: Path) -> Path:
    """Role mentions that resolve only through tenures stated earlier in the same run, interleaved with
    bad records: the case where workers see different tenures than the serial path at first."""
    lines: list[str] = []
    for i in range(6):
        lines.append(json.dumps(role(f"fr-early-{i}", f"{ROLE_DAY}-03-0{i + 1}", "the French President")))
    lines.append(json.dumps(fact("macron", "2017-05-14", "Emmanuel Macron", "France")))
    lines.append("{not json")
    for i in range(8):
        lines.append(json.dumps(role(f"fr-{i}", f"{ROLE_DAY}-04-1{i}", "the French President")))
        lines.append(json.dumps(role(f"cn-{i}", f"{ROLE_DAY}-06-1{i}", "the Chinese President")))
    lines.append(json.dumps(fact("xi", "2013-03-14", "Xi Jinping", "China")))
    bad = role("bad-type", f"{ROLE_DAY}-07-01", "the Chinese President")
    bad["entities"][1]["type"] = "Spaceship"
    lines.append(json.dumps(bad))
    for i in range(6):
        lines.append(json.dumps(role(f"cn-late-{i}", f"{ROLE_DAY}-08-1{i}", "the Chinese President")))
        lines.append(json.dumps(role(f"tr-{i}", f"{ROLE_DAY}-09-1{i}", "the Turkish President")))
    lines.append(json.dumps(fact("erdogan", "2014-08-28", "Recep Tayyip Erdoğan", "Turkey")))
    for i in range(4):
        lines.append(json.dumps(role(f"tr-late-{i}", f"{ROLE_DAY}-10-1{i}", "the Turkish President")))
    lines.append(json.dumps({"document": {"id": "no-title"}, "entities": [], "relations": []}))
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return role_corpus(tmp_path_factory.mktemp("roles") / "roles.jsonl")


@pytest.fixture(scope="module")
def bench_corpus(tmp_path_factory) -> Path:
    return common.bench_corpus(tmp_path_factory.mktemp("bench"), "--docs", "120", "--relations-per-doc", "6")


def mapped(inputs: list[Path], mapping, run, tmp_path: Path, workers: int, batch_size: int, **kw) -> tuple[bytes, str]:
    out = io.BytesIO()
    rejects = tmp_path / f"rejects-{workers}-{batch_size}.jsonl"
    rejects.unlink(missing_ok=True)
    api.write_rdf(
        inputs,
        out,
        kw.pop("rdf_format", "nquads"),
        mapping=mapping,
        run=run,
        rejects=RejectsFile(rejects),
        workers=workers,
        batch_size=batch_size,
        validate=kw.pop("validate", False),  # SHACL is slow: one test checks it in parallel
        **kw,
    )
    return out.getvalue(), rejects.read_text() if rejects.exists() else ""


@pytest.fixture
def remaps(monkeypatch) -> list[str]:
    """Documents the parent mapped again because a tenure changed under a worker."""
    seen: list[str] = []
    original = ProcessMapper.map_here

    def spy(self, work):  # a record, or a JSONL line the parent reads again
        seen.append(work.document.id if isinstance(work, Extraction) else json.loads(work.raw)["document"]["id"])
        return original(self, work)

    monkeypatch.setattr(ProcessMapper, "map_here", spy)
    return seen


def called_by(nquads: bytes, doc_id: str) -> set[str]:
    """Who called Putin in a document: the subjects of its kg:called triples."""
    called, graph = "<https://w3id.org/kgload/ontology#called>", f"{DOCUMENTS}{doc_id}>"
    quads = (line.split(" ") for line in nquads.decode().splitlines())
    return {q[0] for q in quads if q[1] == called and q[3] == graph}


def test_seed_example_same_bytes(seed, mapping, run, tmp_path):
    serial = mapped([seed], mapping, run, tmp_path, 1, 200)
    assert mapped([seed], mapping, run, tmp_path, 2, 1) == serial


def test_bench_corpus_same_bytes_and_rejects(bench_corpus, mapping, run, tmp_path):
    serial = mapped([bench_corpus], mapping, run, tmp_path, 1, 200)
    assert serial[1]  # the generator spoils ~1 % of records
    assert mapped([bench_corpus], mapping, run, tmp_path, 2, 40) == serial


@pytest.mark.parametrize("rdf_format", ["turtle", "jsonld"])
def test_other_formats_same_bytes(corpus, mapping, run, tmp_path, rdf_format):
    serial = mapped([corpus], mapping, run, tmp_path, 1, 200, rdf_format=rdf_format)
    assert mapped([corpus], mapping, run, tmp_path, 2, 4, rdf_format=rdf_format) == serial


def test_role_mentions_resolve_as_in_the_serial_run(corpus, mapping, run, tmp_path, remaps):
    serial = mapped([corpus], mapping, run, tmp_path, 1, 200)
    # the roles resolve through the run's own facts, and only after the document stating each
    assert called_by(serial[0], "fr-early-0") == {"<https://w3id.org/kgload/id/name/the-french-president>"}
    assert called_by(serial[0], "fr-0") == {"<https://w3id.org/kgload/id/q3052772>"}  # Emmanuel Macron
    assert called_by(serial[0], "cn-0") == {"<https://w3id.org/kgload/id/name/the-chinese-president>"}
    assert called_by(serial[0], "cn-late-0") == {"<https://w3id.org/kgload/id/q15031>"}  # Xi Jinping
    assert called_by(serial[0], "tr-late-0") == {"<https://w3id.org/kgload/id/q39723>"}  # Recep Tayyip Erdoğan
    assert "invalid JSON" in serial[1] and "Spaceship" in serial[1]
    assert remaps == []  # one process: nothing to map again
    head = tmp_path / "head.jsonl"  # SHACL costs ~0.1-1 s a document: half the corpus shows it in workers
    head.write_text("".join(corpus.read_text().splitlines(keepends=True)[:24]))
    assert mapped([head], mapping, run, tmp_path, 2, 3, validate=True) == mapped(
        [head], mapping, run, tmp_path, 1, 3, validate=True
    )
    assert mapped([corpus], mapping, run, tmp_path, 2, 3) == serial  # how many are mapped again is timing's


def test_a_role_a_worker_mapped_before_its_tenure_was_stated_is_mapped_again(mapping, run, tmp_path):
    # Driven by hand: in a load, whether a worker maps the role before the parent learns the tenure
    # depends on which worker takes which task.
    pair = tmp_path / "pair.jsonl"
    pair.write_text(
        json.dumps(fact("erdogan", "2014-08-28", "Recep Tayyip Erdoğan", "Turkey"))
        + "\n"
        + json.dumps(role("tr-after", f"{ROLE_DAY}-10-01", "the Turkish President"))
        + "\n"
    )
    stated, role_mention = (item for item in read(pair) if isinstance(item, Extraction))
    mapper = ProcessMapper(2, mapping, run, None, tenure_index(mapping))
    try:
        outcome = next(mapper.outcomes(mapper.submit([role_mention])))  # the worker knows no Turkish tenure
        mapper.map_here(stated)  # the parent learns it, as from an earlier document of the run
        doc, _ = mapper.accept(role_mention, outcome)
    finally:
        mapper.close()
    assert mapper.remapped == 1
    called = {q.subject.value for q in doc.quads if q.predicate.value.endswith("#called")}
    assert called == {"https://w3id.org/kgload/id/q39723"}  # Recep Tayyip Erdoğan, as the serial run says


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch_size=st.integers(min_value=1, max_value=30), workers=st.integers(min_value=1, max_value=3))
def test_any_batch_size_and_worker_count_gives_the_serial_output(corpus, mapping, run, tmp_path, batch_size, workers):
    reference = mapped([corpus], mapping, run, tmp_path, 1, 200)
    assert mapped([corpus], mapping, run, tmp_path, workers, batch_size) == reference


def report_of(report) -> tuple[dict, list[str]]:
    data = report.as_json()
    del data["target"], data["rejects_file"]  # paths of each run's own store and rejects file
    return data, list(report.messages)


def store_quads(store: Path, *, raw: bool = True) -> set[str]:
    """The documents' graphs: the ledger's times and the ontology's blank node ids differ between stores.
    ``raw``: with the raw hashes of the lines read (kgload.pipeline.unchanged), which every load keeps."""
    target = api.open_store(store, read_only=True)
    try:
        return {
            str(q)
            for q in target.quads()
            if str(q.graph_name).startswith(DOCUMENTS) and (raw or not str(q.subject).startswith("<urn:kgload:raw:"))
        }
    finally:
        target.close()


def bench_head(bench_corpus: Path, tmp_path: Path) -> Path:
    """The bench corpus's first 40 lines: enough for several batches and a few rejects."""
    head = tmp_path / "bench-head.jsonl"
    head.write_text("".join(bench_corpus.read_text().splitlines(keepends=True)[:40]))
    return head


def store_load(inputs: list[Path], mapping, run, tmp_path: Path, workers: int):
    """Load ``inputs`` into a new store with ``workers``: the report, the rejects file and the store."""
    store, rejects = tmp_path / f"store-{workers}", tmp_path / f"load-rejects-{workers}.jsonl"
    report = api.load(inputs, store=store, mapping=mapping, run=run, rejects=rejects, batch_size=7, workers=workers)
    return report, rejects, store


def test_load_into_the_embedded_store_same_report_rejects_and_contents(corpus, bench_corpus, mapping, run, tmp_path):
    inputs = [corpus, bench_head(bench_corpus, tmp_path)]
    results = []
    for workers in (1, 2):
        report, rejects, store = store_load(inputs, mapping, run, tmp_path, workers)
        again = api.load(inputs, store=store, mapping=mapping, run=run, batch_size=7, workers=workers, validate=False)
        assert again.documents_loaded == 0  # repeatable: the second load changes nothing
        results.append((report_of(report), rejects.read_text(), store_quads(store)))
    assert results[0] == results[1]


def test_a_document_twice_within_the_window_counts_as_serial(mapping, run, tmp_path):
    docs = [role(f"d-{i}", "2020-01-01", "the French President") for i in range(6)]
    changed = dict(docs[1], document=dict(docs[1]["document"], title="edited"))
    path = tmp_path / "dupes.jsonl"
    path.write_text("\n".join(json.dumps(d) for d in [*docs, docs[0], changed, docs[2]]) + "\n")
    reports = [
        report_of(
            api.load(
                [path], store=tmp_path / f"s{w}", mapping=mapping, run=run, batch_size=2, workers=w, validate=False
            )
        )
        for w in (1, 2)
    ]
    assert reports[0] == reports[1]


def test_payloads_come_back_through_files_that_are_removed(bench_corpus, mapping, run, tmp_path, monkeypatch):
    import tempfile

    spools = tmp_path / "tmp"
    spools.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spools))
    serial = mapped([bench_corpus], mapping, run, tmp_path, 1, 200)
    files: list[str] = []
    original = kgload.parallel._unspool

    def spy(done):
        files.append(done.spooled)
        original(done)

    monkeypatch.setattr(kgload.parallel, "_unspool", spy)  # in the parent only: workers never call it
    assert mapped([bench_corpus], mapping, run, tmp_path, 2, 40) == serial
    assert files and all(f and f.startswith(str(spools)) for f in files)
    assert list(spools.iterdir()) == []  # each file removed when read, the folder when the pool closed


def test_a_killed_runs_folder_is_removed_by_the_next_run_and_no_live_one(tmp_path, monkeypatch):
    import os
    import tempfile
    import time

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    gone = int(dead.stdout)  # a process that has ended (its pid is very unlikely to be reused this fast)
    hour_ago = time.time() - 7200
    folders = {
        "killed": tmp_path / f"kgload-map-{gone}-abc",  # process gone, unchanged for two hours
        "recent": tmp_path / f"kgload-map-{gone}-def",  # process gone, but changed just now
        "running": tmp_path / f"kgload-map-{os.getpid()}-ghi",  # a live process, however old
    }
    for name, folder in folders.items():
        folder.mkdir()
        (folder / "1-1").write_bytes(b"x")
        if name != "recent":
            os.utime(folder, (hour_ago, hour_ago))
    made = kgload.parallel.spool_folder()
    assert Path(made).parent == tmp_path and Path(made).name.startswith(f"kgload-map-{os.getpid()}-")
    assert {n for n, f in folders.items() if f.exists()} == {"recent", "running"}


tempfile_mkdtemp = kgload.parallel.tempfile.mkdtemp


def test_payloads_come_back_through_the_pipe_if_no_file_is_written(bench_corpus, mapping, run, tmp_path, monkeypatch):
    serial = mapped([bench_corpus], mapping, run, tmp_path, 1, 200)
    monkeypatch.setattr(kgload.parallel.tempfile, "mkdtemp", lambda prefix: str(tmp_path / "gone"))  # no such folder
    files: list[str | None] = []
    original = kgload.parallel._unspool
    monkeypatch.setattr(kgload.parallel, "_unspool", lambda done: (files.append(done.spooled), original(done)))
    assert mapped([bench_corpus], mapping, run, tmp_path, 2, 40) == serial
    assert files and set(files) == {None}
    monkeypatch.setattr(kgload.parallel.tempfile, "tempdir", str(tmp_path / "no-such-folder"))
    monkeypatch.setattr(kgload.parallel.tempfile, "mkdtemp", tempfile_mkdtemp)  # now fails: no folder at all
    files.clear()
    assert mapped([bench_corpus], mapping, run, tmp_path, 2, 40) == serial
    assert files and set(files) == {None}


def test_a_worker_error_surfaces_as_in_the_serial_path(corpus, mapping, run, tmp_path, monkeypatch):
    def broken(extraction, *args, **kwargs):
        raise RuntimeError(f"mapping bug on {extraction.document.id}")

    # inherited by the forked workers; N-Quads are written straight from the records when no shapes are checked
    monkeypatch.setattr(kgload.document, "map_extraction", broken)
    monkeypatch.setattr(kgload.rdf.direct_text, "map_to_text", broken)
    for workers in (1, 2):
        with pytest.raises(RuntimeError, match="mapping bug on fr-early-0"):
            mapped([corpus], mapping, run, tmp_path, workers, 3)


def test_replay_rejects_a_lookup_whose_answer_changed(mapping):
    worker_view, run_view = tenure_index(mapping), tenure_index(mapping)
    recorder = TenureRecorder(worker_view)
    office, france = "https://w3id.org/kgload/ontology#leaderOf", "https://w3id.org/kgload/id/name/fr"
    assert recorder.holder(office, france, "2020-01-01") is None
    assert replay(recorder.events, run_view)
    from kgload.mapping.tenures import Holding

    run_view.add(office, france, Holding("https://example.org/macron", "Emmanuel Macron", "2017-05-14", None))
    assert not replay(recorder.events, run_view)


def test_the_log_for_the_workers_holds_each_learned_period_once(mapping, run, tmp_path):
    """What the workers are sent: each period the run learned, once, in the order it was learned; not
    a period the run knew before (the gazetteer's: the workers start with it), nor one stated twice."""
    from kgload.readers import kgload_json

    docs = [
        fact("macron", "2017-05-14", "Emmanuel Macron", "France"),
        fact("macron-again", "2017-05-14", "Emmanuel Macron", "France"),
        fact("xi", "2013-03-14", "Xi Jinping", "China"),
    ]
    known = tenure_index(mapping)
    before = len(known)
    path = tmp_path / "facts.jsonl"
    path.write_text("".join(json.dumps(d) + "\n" for d in docs))
    mapper = ProcessMapper(2, mapping, run, None, known)
    try:
        for line in kgload_json.read_lines(path):
            mapper.map_here(line)
        sent = mapper._task([], scan=False).log  # the log the next task carries
    finally:
        mapper.close()
    assert [(h.holder_name, h.start) for _, _, h in sent] == [
        ("Emmanuel Macron", "2017-05-14"),
        ("Xi Jinping", "2013-03-14"),
    ]
    assert len(known) == before + 2  # learned into the run's own index as well


def test_map_batch_maps_jsonl_lines_like_the_reader(corpus, mapping, run, tmp_path):
    lines = corpus.read_bytes().splitlines(keepends=True)  # as Dask's read_text gives them
    batch = api.map_batch(lines, mapping=ROOT / "mappings" / "kgload.yaml", run=run, source=str(corpus))
    serial = mapped([corpus], mapping, run, tmp_path, 1, 200)
    assert batch.serialise("nquads") == serial[0]
    assert batch.rejects_jsonl() == serial[1]


def test_default_workers_is_every_usable_core():
    assert resolve_workers(None) >= 1 and resolve_workers(3) == 3
    assert resolve_workers(None) == usable_cores()
    assert resolve_workers(0) == 1


@pytest.mark.parametrize("workers", [1, 3])
def test_the_tenure_index_on_disk_gives_the_serial_output(
    corpus, bench_corpus, mapping, run, tmp_path, monkeypatch, workers
):
    """Past ``SPILL_AT`` holdings the index moves to SQLite (in the parent before the pool starts, and in
    each worker); the log of learned holdings sent to the workers keeps only what some worker lacks."""
    reference = mapped([corpus, bench_corpus], mapping, run, tmp_path, 1, 200)
    monkeypatch.setattr(tenures, "SPILL_AT", 2)
    dropped = []
    task = ProcessMapper._task

    def spy(self, documents, **kw):
        made = task(self, documents, **kw)
        dropped.append(self._log_base)
        return made

    monkeypatch.setattr(ProcessMapper, "_task", spy)
    assert mapped([corpus, bench_corpus], mapping, run, tmp_path, workers, 7) == reference
    assert workers == 1 or max(dropped) > 0, "the log of learned holdings was never cut"


def test_spawned_workers_validate_as_the_serial_load(corpus, bench_corpus, mapping, run, tmp_path, monkeypatch):
    """Where fork is missing (macOS, Windows) the workers get the setup pickled: the shapes compiled and
    the validator's terms, remembered by the parent's own first batch, must validate as in one process."""
    inputs = [corpus, bench_head(bench_corpus, tmp_path)]
    methods: list[str] = []
    context = kgload.parallel.multiprocessing.get_context

    def recorded(method: str | None = None):
        methods.append(method)
        return context(method)

    results = []
    for workers in (1, 2):
        with monkeypatch.context() as patch:
            patch.setattr(kgload.parallel.multiprocessing, "get_all_start_methods", lambda: ["spawn"])
            patch.setattr(kgload.parallel.multiprocessing, "get_context", recorded)
            report, rejects, store = store_load(inputs, mapping, run, tmp_path, workers)
        results.append((report_of(report), rejects.read_text(), store_quads(store)))
    assert methods == ["spawn"]  # the two-worker load started its pool with spawn
    assert results[0] == results[1]
    assert results[0][0][0]["documents"]["added"] > 30
