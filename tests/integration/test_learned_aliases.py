"""Names learned from the data: one document's "Northern Hawks Battalion", also called "Northern
Hawks", and another's bare "Northern Hawks" end as one node, whatever the order of the documents, the
number of workers, or the number of runs; retracting the document that taught the alias splits them
again. No gazetteer knows these names (made up for the test)."""

import json
from pathlib import Path

import pytest

from kgload import api
from kgload.sinks.embedded import EmbeddedStore

ID = "https://w3id.org/kgload/id/"
BATTALION = ID + "name/northern-hawks-battalion"
HAWKS = ID + "name/northern-hawks"
SOCIETY = ID + "name/northern-hawks-society"


def document(doc_id: str, name: str, aliases: list[str], target: str = "Ukraine") -> dict:
    return {
        "document": {"id": doc_id, "title": doc_id, "publisher": "Test", "published": "2025-06-14"},
        "entities": [
            {"id": "a", "name": name, "type": "Organization", "aliases": aliases},
            {"id": "b", "name": target, "type": "Country"},
        ],
        "relations": [
            {"id": "r", "type": "attacked", "head": "a", "tail": "b", "evidence": f"{name} attacked {target}."}
        ],
    }


def write(folder: Path, docs: list[dict]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for doc in docs:
        path = folder / f"{doc['document']['id']}.json"
        path.write_text(json.dumps(doc))
        paths.append(path)
    return paths


TEACHER = document("teacher", "Northern Hawks Battalion", ["Northern Hawks"])
BARE = document("bare", "Northern Hawks", [], target="Russia")
FILLER = [document(f"filler-{i:02d}", f"Filler Unit {i}", []) for i in range(12)]


def graph(store: Path) -> set[tuple[str, ...]]:
    """The documents' quads, but for what says which run wrote them."""
    rows = api.query(
        """SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o . ?d kg:fingerprint ?f }
           FILTER (STRSTARTS(STR(?g), "https://w3id.org/kgload/graph/doc/")
                   && ?p NOT IN (prov:wasGeneratedBy, kg:recordedAt)) }""",
        store=store,
    )[1]
    return {(r["s"], r["p"], r["o"], r["g"]) for r in rows}


def entities(store: Path) -> dict[str, set[str]]:
    rows = api.query("SELECT DISTINCT ?e ?d WHERE { ?d schema:mentions ?e }", store=store)[1]
    found: dict[str, set[str]] = {}
    for row in rows:
        found.setdefault(row["e"], set()).add(row["d"].rsplit("/", 1)[-1])
    return found


def load(tmp_path: Path, name: str, runs: list[list[dict]], workers: int = 1) -> Path:
    store = tmp_path / name / "store"
    for index, docs in enumerate(runs):
        api.load(write(tmp_path / name / f"in{index}", docs), store=store, workers=workers, batch_size=4)
    return store


@pytest.mark.parametrize(
    ("runs", "workers"),
    [
        ([[TEACHER, BARE, *FILLER]], 1),
        ([[BARE, *FILLER, TEACHER]], 1),
        ([[BARE, *FILLER, TEACHER]], 2),
        ([[*FILLER, BARE], [TEACHER]], 1),
        ([[TEACHER], [BARE, *FILLER]], 2),
    ],
    ids=["one-run", "reversed", "two-workers", "bare-first-two-runs", "teacher-first-two-runs"],
)
def test_a_learned_alias_joins_documents_whatever_the_order(tmp_path, runs, workers):
    reference = load(tmp_path, "reference", [[TEACHER, BARE, *FILLER]])
    store = load(tmp_path, "other", runs, workers)
    found = entities(store)
    assert HAWKS not in found
    assert {"teacher", "bare"} <= found[BATTALION]
    assert graph(store) == graph(reference)


def test_a_second_load_changes_nothing(tmp_path):
    store = load(tmp_path, "twice", [[BARE, TEACHER], [BARE, TEACHER]])
    assert graph(store) == graph(load(tmp_path, "once", [[TEACHER, BARE]]))


def test_retracting_the_teacher_takes_its_alias_away(tmp_path):
    store = load(tmp_path, "both", [[TEACHER, BARE]])
    assert HAWKS not in entities(store)
    api.retract(["teacher"], store=store)
    assert graph(store) == graph(load(tmp_path, "bare-only", [[BARE]]))
    assert HAWKS in entities(store)


def test_a_name_two_learned_entities_share_is_ambiguous(tmp_path):
    society = document("society", "Northern Hawks Society", ["Northern Hawks"])
    store = tmp_path / "store"
    report = api.load(write(tmp_path / "in", [TEACHER, society, BARE]), store=store, workers=1)
    found = entities(store)
    assert {BATTALION, SOCIETY, HAWKS} <= set(found)  # never merged through the shared name
    assert any(a.startswith("Northern Hawks (") for a in report.ambiguous), report.ambiguous


def test_a_load_interrupted_before_its_relink_is_finished_by_the_next(tmp_path, monkeypatch):
    store = tmp_path / "store"
    paths = write(tmp_path / "in", [BARE, TEACHER])

    def interrupted(self):
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(EmbeddedStore, "relink", interrupted)
        with pytest.raises(KeyboardInterrupt):
            api.load(paths, store=store, workers=1)
    assert HAWKS in entities(store)  # written, not yet re-linked
    report = api.load(paths, store=store, workers=1)
    assert report.documents_unchanged == 2
    assert graph(store) == graph(load(tmp_path, "clean", [[TEACHER, BARE]]))
