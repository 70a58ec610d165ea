"""Names learned from the data: one document's "Northern Hawks Battalion", also called "Northern
Hawks", and another's bare "Northern Hawks" end as one node, whatever the order of the documents, the
number of workers, or the number of runs; a second load changes nothing; retracting the document that
taught the alias splits them again; an interrupted load, re-run, equals a clean one. Every test runs
against the embedded store and against a real Neo4j (never mocked); that the two hold the same nodes,
and that a bulk import equals the online load, is in test_learned_aliases_neo4j.py. No gazetteer knows
these names (made up for the test)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from kgload import api
from kgload.report import LoadReport
from kgload.sinks.embedded import EmbeddedStore
from tests.common import FIXED_RUN

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
SOCIETY_DOC = document("society", "Northern Hawks Society", ["Northern Hawks"])
FILLER = [document(f"filler-{i:02d}", f"Filler Unit {i}", []) for i in range(12)]


# -- the embedded store, asked in SPARQL ---------------------------------------------------------


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
    """Each entity's IRI, with the ids of the documents that mention it."""
    rows = api.query("SELECT DISTINCT ?e ?d WHERE { ?d schema:mentions ?e }", store=store)[1]
    found: dict[str, set[str]] = {}
    for row in rows:
        found.setdefault(row["e"], set()).add(row["d"].rsplit("/", 1)[-1])
    return found


def entity_names(store: Path) -> dict[str, set[str]]:
    query = """SELECT DISTINCT ?e ?n WHERE {
      ?d schema:mentions ?e . { ?e rdfs:label ?n } UNION { ?e skos:altLabel ?n } }"""
    found: dict[str, set[str]] = {}
    for row in api.query(query, store=store)[1]:
        found.setdefault(row["e"], set()).add(row["n"])
    return found


def load(tmp_path: Path, name: str, runs: list[list[dict]], workers: int = 1) -> Path:
    """Runs of documents loaded into a new embedded store ``name``."""
    store = tmp_path / name / "store"
    for index, docs in enumerate(runs):
        api.load(write(tmp_path / name / f"in{index}", docs), store=store, workers=workers, batch_size=4)
    return store


# -- Neo4j, asked in Cypher -------------------------------------------------------------------------


def _value(value: Any) -> Any:
    if isinstance(value, list):
        return [_value(v) for v in value]
    return value.iso_format() if hasattr(value, "iso_format") else value


def dump(driver: Any) -> tuple[list[str], list[str]]:
    """Every node (the alias table's too) and relationship, canonically; not the run ledger and lock."""
    nodes = driver.execute_query(
        "MATCH (n) WHERE NOT n:LoadRun AND NOT n:KgloadLock RETURN labels(n) AS l, properties(n) AS p"
    ).records
    rels = driver.execute_query(
        "MATCH (a)-[r]->(b) WHERE NOT a:LoadRun RETURN type(r) AS t, a.uri AS a, b.uri AS b, properties(r) AS p"
    ).records
    return (
        sorted(json.dumps([sorted(n["l"]), {k: _value(v) for k, v in n["p"].items()}], sort_keys=True) for n in nodes),
        sorted(json.dumps([r["t"], r["a"], r["b"], {k: _value(v) for k, v in r["p"].items()}], sort_keys=True)
               for r in rels),
    )  # fmt: skip


def mentioned(driver: Any) -> dict[str, set[str]]:
    """Each entity's IRI, with the ids of the documents that mention it."""
    rows = driver.execute_query("MATCH (d:Document)-[:MENTIONS]->(e:Entity) RETURN e.uri AS e, d.id AS d").records
    found: dict[str, set[str]] = {}
    for row in rows:
        found.setdefault(row["e"], set()).add(row["d"])
    return found


def names(driver: Any) -> dict[str, set[str]]:
    rows = driver.execute_query("MATCH (e:Entity) RETURN e.uri AS e, [e.name] + e.aliases AS names").records
    return {row["e"]: set(row["names"]) for row in rows}


# -- both -------------------------------------------------------------------------------------------


@dataclass
class Target:
    """A target that runs of documents are loaded into, asked the same questions in its own language."""

    name: str
    tmp_path: Path
    settings: Any = None  # Neo4j only: its settings and driver
    driver: Any = None
    store: Path | None = None  # the embedded store of the latest fresh load
    _count: Iterator[int] = field(default_factory=lambda: iter(range(1000)))

    @property
    def sink_class(self) -> type:
        from kgload.sinks.neo4j import Neo4jSink

        return EmbeddedStore if self.driver is None else Neo4jSink

    def load(self, runs: list[list[dict]], workers: int = 1, *, again: bool = False) -> list[LoadReport]:
        """Each run of documents loaded in turn into the target, emptied first unless ``again``."""
        if not again:
            if self.driver is None:
                self.store = self.tmp_path / f"store-{next(self._count)}"
            else:
                self.driver.execute_query("MATCH (n) DETACH DELETE n")
        reports = []
        for docs in runs:
            folder = self.tmp_path / f"in-{next(self._count)}"
            with self._sink() as sink:
                reports.append(
                    api.load(write(folder, docs), sink=sink, workers=workers, batch_size=4,
                             rejects=folder / "rejects.jsonl", run=FIXED_RUN if self.driver else None)
                )  # fmt: skip
        return reports

    def _sink(self) -> contextlib.closing[Any]:
        if self.driver is None:
            return contextlib.closing(api.open_store(self.store))
        from kgload.sinks.neo4j import Neo4jSink

        return contextlib.closing(Neo4jSink.connect(self.settings))

    def graph(self) -> object:
        """What the load made, comparable between two loads (not what says which run wrote it)."""
        return graph(self.store) if self.driver is None else dump(self.driver)

    def mentioned(self) -> dict[str, set[str]]:
        return entities(self.store) if self.driver is None else mentioned(self.driver)

    def names(self) -> dict[str, set[str]]:
        return entity_names(self.store) if self.driver is None else names(self.driver)

    def attacks(self, entity: str) -> int:
        if self.driver is None:
            rows = api.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ <{entity}> kg:attacked ?t }}", store=self.store)[1]
            return int(rows[0]["n"])
        query = "MATCH (e:Entity {uri: $u})-[r:ATTACKED]->() RETURN count(r) AS n"
        return self.driver.execute_query(query, u=entity).records[0]["n"]

    def retract(self, documents: list[str]) -> int:
        with self._sink() as sink:
            return api.retract(documents, sink=sink)

    def relink_moves(self) -> tuple[tuple[str, str], ...]:
        with self._sink() as sink:
            return sink.relink(again=True).moves  # even where the last re-link finished


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Target:
    if request.param == "embedded":
        return Target("embedded", tmp_path)
    return Target("neo4j", tmp_path, request.getfixturevalue("neo4j_db"), request.getfixturevalue("neo4j_driver"))


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
def test_a_learned_alias_joins_documents_whatever_the_order(target, runs, workers):
    target.load([[TEACHER, BARE, *FILLER]])
    reference = target.graph()
    found = target.mentioned()
    assert HAWKS not in found
    assert {"teacher", "bare"} <= found[BATTALION]
    assert target.names()[BATTALION] == {"Northern Hawks Battalion", "Northern Hawks"}
    assert target.attacks(BATTALION) == 2  # the teacher's on Ukraine and the bare document's on Russia
    target.load(runs, workers)
    assert target.graph() == reference


def test_a_second_load_changes_nothing_and_moves_nothing(target):
    target.load([[BARE, TEACHER]])
    before = target.graph()
    [report] = target.load([[BARE, TEACHER]], again=True)
    assert report.documents_unchanged == 2
    assert target.graph() == before
    assert target.relink_moves() == ()
    target.load([[TEACHER, BARE]])
    assert target.graph() == before


def test_retracting_the_teacher_splits_the_entity_again(target):
    target.load([[BARE]])
    alone = target.graph()
    target.load([[TEACHER, BARE]])
    assert HAWKS not in target.mentioned()
    assert target.retract(["teacher"]) == 1
    assert target.graph() == alone
    assert HAWKS in target.mentioned()


def test_a_name_two_learned_entities_share_is_ambiguous(target):
    [report] = target.load([[TEACHER, SOCIETY_DOC, BARE]])
    assert {BATTALION, SOCIETY, HAWKS} <= set(target.mentioned())  # never merged through the shared name
    assert any(a.startswith("Northern Hawks (") for a in report.ambiguous), report.ambiguous


def test_a_load_interrupted_before_its_relink_is_finished_by_the_next(target, monkeypatch):
    target.load([[TEACHER, BARE]])
    clean = target.graph()

    def interrupted(self):
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(target.sink_class, "relink", interrupted)
        with pytest.raises(KeyboardInterrupt):
            target.load([[BARE, TEACHER]])
    assert HAWKS in target.mentioned()  # written, not yet re-linked
    [report] = target.load([[BARE, TEACHER]], again=True)
    assert report.documents_unchanged == 2
    assert target.graph() == clean


def test_the_report_counts_the_joined_entity_as_learned(target):
    [report] = target.load([[BARE, *FILLER, TEACHER]])
    assert report.identities.get(BATTALION) == "learned"
    assert HAWKS not in report.identities
