"""Names learned from the data, in Neo4j and through neo4j-admin: one document's "Northern Hawks
Battalion", also called "Northern Hawks", and another's bare "Northern Hawks" end as one node, whatever
the order of the documents, the number of workers or of runs; a second load changes nothing; retracting
the teacher splits them again; an interrupted load, re-run, equals a clean one; the nodes are the
embedded store's; a bulk import equals the online load. Against the real Neo4j (never mocked)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import neo4j
import pytest

from kgload import api
from kgload.sinks.neo4j import Neo4jSettings, Neo4jSink
from tests.common import FIXED_RUN
from tests.integration.test_learned_aliases import (
    BARE,
    BATTALION,
    FILLER,
    HAWKS,
    SOCIETY,
    TEACHER,
    document,
    entities,
    write,
)
from tests.integration.test_learned_aliases import load as load_embedded

pytestmark = pytest.mark.neo4j


def _value(value):
    if isinstance(value, list):
        return [_value(v) for v in value]
    return value.iso_format() if hasattr(value, "iso_format") else value


def dump(driver: neo4j.Driver) -> tuple[list[str], list[str]]:
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


def mentioned(driver: neo4j.Driver) -> dict[str, set[str]]:
    rows = driver.execute_query("MATCH (d:Document)-[:MENTIONS]->(e:Entity) RETURN e.uri AS e, d.id AS d").records
    found: dict[str, set[str]] = {}
    for row in rows:
        found.setdefault(row["e"], set()).add(row["d"])
    return found


def names(driver: neo4j.Driver) -> dict[str, set[str]]:
    rows = driver.execute_query("MATCH (e:Entity) RETURN e.uri AS e, [e.name] + e.aliases AS names").records
    return {row["e"]: set(row["names"]) for row in rows}


def embedded_names(store: Path) -> dict[str, set[str]]:
    query = """SELECT DISTINCT ?e ?n WHERE {
      ?d schema:mentions ?e . { ?e rdfs:label ?n } UNION { ?e skos:altLabel ?n } }"""
    found: dict[str, set[str]] = {}
    for row in api.query(query, store=store)[1]:
        found.setdefault(row["e"], set()).add(row["n"])
    return found


@pytest.fixture
def online(neo4j_db: Neo4jSettings, neo4j_driver: neo4j.Driver, tmp_path: Path):
    """Load runs of documents into the emptied test database; returns the reports."""
    count = iter(range(1000))

    def load(runs: list[list[dict]], workers: int = 1, *, clear: bool = True) -> list:
        if clear:
            neo4j_driver.execute_query("MATCH (n) DETACH DELETE n")
        reports = []
        for docs in runs:
            sink = Neo4jSink.connect(neo4j_db)
            try:
                folder = tmp_path / f"in{next(count)}"
                reports.append(
                    api.load(write(folder, docs), sink=sink, workers=workers, batch_size=4, run=FIXED_RUN,
                             rejects=folder / "rejects.jsonl")
                )  # fmt: skip
            finally:
                sink.close()
        return reports

    return load


@pytest.mark.parametrize(
    ("runs", "workers"),
    [
        ([[BARE, *FILLER, TEACHER]], 1),
        ([[BARE, *FILLER, TEACHER]], 2),
        ([[*FILLER, BARE], [TEACHER]], 1),
        ([[TEACHER], [BARE, *FILLER]], 2),
    ],
    ids=["reversed", "two-workers", "bare-first-two-runs", "teacher-first-two-runs"],
)
def test_a_learned_alias_joins_documents_in_neo4j_whatever_the_order(online, neo4j_driver, runs, workers):
    online([[TEACHER, BARE, *FILLER]])
    reference = dump(neo4j_driver)
    found = mentioned(neo4j_driver)
    assert HAWKS not in found
    assert {"teacher", "bare"} <= found[BATTALION]
    [node] = neo4j_driver.execute_query("MATCH (e:Entity {uri: $u}) RETURN e", u=BATTALION).records
    assert node["e"]["name"] == "Northern Hawks Battalion" and node["e"]["aliases"] == ["Northern Hawks"]
    [(count,)] = neo4j_driver.execute_query(
        "MATCH (e:Entity {uri: $u})-[r:ATTACKED]->(t) RETURN count(r)", u=BATTALION
    ).records
    assert count == 2  # the teacher's on Ukraine and the bare document's on Russia
    online(runs, workers)
    assert dump(neo4j_driver) == reference


def test_a_second_load_changes_nothing_and_moves_nothing(online, neo4j_db, neo4j_driver):
    online([[BARE, TEACHER]])
    before = dump(neo4j_driver)
    [report] = online([[BARE, TEACHER]], clear=False)
    assert report.documents_unchanged == 2
    assert dump(neo4j_driver) == before
    sink = Neo4jSink.connect(neo4j_db)
    try:
        assert sink.relink().moves == ()
    finally:
        sink.close()
    online([[TEACHER, BARE]])
    assert dump(neo4j_driver) == before


def test_retracting_the_teacher_splits_the_entity_again(online, neo4j_db, neo4j_driver):
    online([[BARE]])
    alone = dump(neo4j_driver)
    online([[TEACHER, BARE]])
    assert HAWKS not in mentioned(neo4j_driver)
    sink = Neo4jSink.connect(neo4j_db)
    try:
        assert api.retract(["teacher"], sink=sink) == 1
    finally:
        sink.close()
    assert dump(neo4j_driver) == alone
    assert HAWKS in mentioned(neo4j_driver)


def test_a_load_interrupted_before_its_relink_is_finished_by_the_next(online, neo4j_driver, monkeypatch):
    online([[TEACHER, BARE]])
    clean = dump(neo4j_driver)

    def interrupted(self):
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(Neo4jSink, "relink", interrupted)
        with pytest.raises(KeyboardInterrupt):
            online([[BARE, TEACHER]])
    assert HAWKS in mentioned(neo4j_driver)  # written, not yet re-linked
    [report] = online([[BARE, TEACHER]], clear=False)
    assert report.documents_unchanged == 2
    assert dump(neo4j_driver) == clean


def test_neo4j_has_the_embedded_stores_nodes(online, neo4j_driver, tmp_path):
    society = document("society", "Northern Hawks Society", ["Northern Hawks"])
    for runs in ([[TEACHER, BARE, *FILLER]], [[BARE], [society, TEACHER]]):
        online(runs)
        store = load_embedded(tmp_path, f"embedded-{len(runs)}", runs)
        assert mentioned(neo4j_driver) == entities(store)
        assert names(neo4j_driver) == embedded_names(store)
    assert {BATTALION, SOCIETY, HAWKS} <= set(mentioned(neo4j_driver))  # the shared name joins nothing


def test_the_report_counts_the_joined_entity_as_learned(online):
    [report] = online([[BARE, *FILLER, TEACHER]])
    assert report.identities.get(BATTALION) == "learned"
    assert HAWKS not in report.identities


# -- neo4j-admin ----------------------------------------------------------------------------------


@pytest.fixture
def imported(tmp_path: Path) -> Iterator[tuple[Path, neo4j.Driver]]:
    from tests.integration.test_bulk_import import POST_IMPORT, statements
    from tests.neo4j_server import Neo4jTestServer, import_full

    out = tmp_path / "neo4j-admin"
    exported = api.export_neo4j_admin(
        write(tmp_path / "bulk-in", [BARE, *FILLER, TEACHER]), out, run=FIXED_RUN, batch_size=4,
        rejects=tmp_path / "rejects.jsonl",
    )  # fmt: skip
    import_full(exported.folder, tmp_path / "data", "--max-off-heap-memory=256m", "--threads=2")
    server = Neo4jTestServer(tmp_path / "data").start()
    try:
        driver = neo4j.GraphDatabase.driver(server.uri, auth=server.auth)
        with driver.session() as session:
            for statement in statements((exported.folder / POST_IMPORT).read_text("utf-8")):
                session.run(statement).consume()
        yield exported, driver
        driver.close()
    finally:
        server.stop()


def test_a_bulk_import_equals_the_online_load(imported, online, neo4j_driver, tmp_path):
    exported, driver = imported
    assert HAWKS not in mentioned(driver)
    assert exported.report.identities.get(BATTALION) == "learned"
    online([[TEACHER, BARE, *FILLER]])
    assert dump(driver) == dump(neo4j_driver)
    # an online load after the import: nothing to re-link, a new bare document joins the group
    sink = Neo4jSink(driver)
    report = api.load(write(tmp_path / "later", [BARE, document("bare-2", "Northern Hawks", [])]), sink=sink,
                      run=FIXED_RUN, rejects=tmp_path / "later.jsonl")  # fmt: skip
    assert report.documents_unchanged == 1 and report.documents_added == 1
    assert "bare-2" in mentioned(driver)[BATTALION]
