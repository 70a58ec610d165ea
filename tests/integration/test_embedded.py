"""The embedded default store: load the seed, answer the README's questions, reload safely."""

import json
from pathlib import Path

import pytest

from kgload import api
from tests.common import ROOT

QUERIES = ROOT / "examples" / "queries"


def snapshot(store_path: Path) -> set[str]:
    """Every quad but the run ledger's (each run adds its record, by design)."""
    store = api.open_store(store_path, read_only=True)
    try:
        return {str(q) for q in store.quads() if not q.graph_name.value.endswith("/graph/runs")}
    finally:
        store.close()


@pytest.fixture
def loaded(seed, store_path):
    report = api.load([seed], store=store_path)
    assert report.status == "ok", report.messages
    return store_path


def rows(store_path: Path, name: str) -> list[dict]:
    _, result = api.query((QUERIES / name).read_text(), store=store_path)
    return result


def test_seed_answers_who_called_whom(loaded):
    answer = rows(loaded, "who-called-whom.rq")
    assert {(r["caller"], r["callee"], r["date"]) for r in answer} == {("Vladimir Putin", "Donald Trump", "2025-06-14")}
    assert all(r["document"] == "afp-2025-06-14-putin-trump-call" and r["evidence"] for r in answer)


def test_seed_key_relations(loaded):
    facts = {(r["head"], r["relation"], r["tail"]) for r in rows(loaded, "key-relations.rq")}
    assert ("Vladimir Putin", "leader of", "Russia") in facts
    assert ("Donald Trump", "leader of", "United States") in facts
    assert ("Volodymyr Zelensky", "leader of", "Ukraine") in facts
    assert ("Joe Biden", "leader of", "United States") in facts
    assert ("Vladimir Putin", "called", "Donald Trump") in facts
    assert ("Russia", "exchanged prisoners with", "Ukraine") in facts
    assert ("Russia", "advancing on", "Sumy Oblast") in facts
    assert not any(tail == "Dnipropetrovsk Oblast" for _, rel, tail in facts if rel == "advancing on")


def test_loading_twice_changes_nothing(seed, loaded):
    before = snapshot(loaded)
    report = api.load([seed], store=loaded)
    assert report.documents_loaded == 0 and report.documents_unchanged == 1
    assert snapshot(loaded) == before


def test_changed_document_replaces_its_facts(tmp_path, seed, loaded):
    edited = json.loads(seed.read_text())
    edited["relations"] = [r for r in edited["relations"] if r["type"] != "called"]
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(edited))
    report = api.load([path], store=loaded)
    assert report.documents_loaded == 1
    assert rows(loaded, "who-called-whom.rq") == []
    fresh = tmp_path / "fresh"
    api.load([path], store=fresh)
    assert _without_run(snapshot(loaded)) == _without_run(snapshot(fresh))


def _without_run(quads: set[str]) -> set[str]:
    # run ids and record times differ between two runs by design; the ontology graph's blank
    # nodes get fresh ids at each parse
    return {q for q in quads if "/run/" not in q and "recordedAt" not in q and "graph/ontology>" not in q}


def test_rejects_are_kept_and_valid_records_load(tmp_path, seed):
    bad = tmp_path / "mixed.jsonl"
    good_doc = json.loads(seed.read_text())
    broken_relation = dict(good_doc, document=dict(good_doc["document"], id="other"))
    broken_relation["relations"] = [*good_doc["relations"], {"type": "called", "head": "putin-x", "tail": "trump"}]
    bad.write_text("\n".join([json.dumps(good_doc), "{oops", json.dumps(broken_relation)]) + "\n")
    rejects = tmp_path / "rejects.jsonl"
    report = api.load([bad], store=tmp_path / "s", rejects=rejects)
    assert report.documents_loaded == 2
    assert report.exit_code == 3
    kept = [json.loads(line) for line in rejects.read_text().splitlines()]
    assert [(k["record"], k["path"]) for k in kept] == [(2, ""), (3, f"relations[{len(good_doc['relations'])}]")]
    assert "invalid JSON" in kept[0]["reason"]
    assert "unknown entity 'putin-x'" in kept[1]["reason"]
    assert kept[1]["data"]["head"] == "putin-x"
    assert {k["run"] for k in kept} == {report.run_id}

    # a second run appends to the same file, and its lines name it
    again = api.load([bad], store=tmp_path / "s", rejects=rejects)
    lines = [json.loads(line) for line in rejects.read_text().splitlines()]
    assert again.run_id != report.run_id
    # reader rejects are reported by every run (docs/format.md), appended after the first run's
    assert [k["run"] for k in lines] == [report.run_id] * 2 + [again.run_id] * 2
    assert [{**k, "run": None} for k in lines[2:]] == [{**k, "run": None} for k in kept]


def test_a_second_process_cannot_open_the_store_while_loading(loaded):
    from kgload.errors import TargetUnreachable

    first = api.open_store(loaded)
    try:
        with pytest.raises(TargetUnreachable, match="in use"):
            api.open_store(loaded)
    finally:
        first.close()


def test_every_sparql_example_answers(loaded):
    for path in sorted(QUERIES.glob("*.rq")):
        assert rows(loaded, path.name), path.name


def test_a_rerun_reports_read_rejects_again_and_mapping_rejects_only_when_it_maps(tmp_path, seed):
    doc = json.loads(seed.read_text())
    doc["relations"] = [
        *doc["relations"],
        {"type": "called", "head": "putin-x", "tail": "trump"},  # the reader refuses it
        {"type": "teleported-to", "head": "putin", "tail": "trump"},  # the mapping does not know it
    ]
    source = tmp_path / "doc.jsonl"
    source.write_text(json.dumps(doc) + "\n")

    runs = iter(range(3))

    def stages(**options: object) -> list[str]:
        rejects = tmp_path / f"rejects-{next(runs)}.jsonl"
        report = api.load([source], store=tmp_path / "s", rejects=rejects, **options)
        assert report.exit_code == 3
        return sorted(json.loads(line)["stage"] for line in rejects.read_text().splitlines())

    first = stages()
    assert first.count("read") == 1 and len(first) == 2
    assert stages() == ["read"]  # unchanged: not mapped again
    assert stages(force=True) == first


def test_a_load_that_raised_releases_the_store_though_its_exception_is_kept(monkeypatch, seed, store_path):
    """A notebook keeps the last exception (and pytest.raises its excinfo): its frames must not keep
    the store, and RocksDB's lock, after the load gave up."""
    from kgload.sinks import learned

    def stopped(*args, **options):
        raise RuntimeError("stopped in the re-link")

    with monkeypatch.context() as patch:
        patch.setattr(learned, "relink", stopped)
        with pytest.raises(RuntimeError, match="stopped in the re-link") as kept:
            api.load([seed], store=store_path)
    assert kept.value.__traceback__ is not None
    report = api.load([seed], store=store_path)  # the lock is free: the same process loads again
    assert report.status == "ok", report.messages
    with pytest.raises(KeyError) as held, api.open_store(store_path) as store:
        learned.unmark(store.store)  # a frame that holds the pyoxigraph store itself
        raise KeyError("stopped")
    assert held.value.__traceback__ is not None
    assert snapshot(store_path)  # opened again, read-only, while the exception is still held
