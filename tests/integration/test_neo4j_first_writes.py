"""What a batch leaves out of its transaction, against the real test server: the detach of documents
the target does not hold, and the entity rows a node already took from the batch before. The graph is
the one writing everything gives."""

from __future__ import annotations

import json

import pytest

from kgload import api
from kgload.sinks.neo4j import writer
from kgload.sinks.neo4j.written import WrittenEntities
from tests.integration.test_neo4j import cypher, graph_dump, stories, wire_story
from tests.integration.test_neo4j_write_behind import sink_for

pytestmark = pytest.mark.neo4j


def load(path, settings, **options):
    sink = sink_for(settings)
    try:
        return api.load([path], sink=sink, validate=False, **options)
    finally:
        sink.close()


def uri_of(driver, document_id: str) -> str:
    [row] = cypher(driver, "MATCH (d:Document {id: $id}) RETURN d.uri AS uri", id=document_id)
    return row["uri"]


def test_only_the_documents_the_target_holds_are_detached(neo4j_db, neo4j_driver, tmp_path, monkeypatch):
    detached: list[list[str]] = []
    real = writer._detach
    monkeypatch.setattr(writer, "_detach", lambda tx, uris: detached.append(list(uris)) or real(tx, uris))
    stories_ = [wire_story(i) for i in range(5)]
    first = tmp_path / "first.jsonl"
    first.write_text("".join(json.dumps(s) + "\n" for s in stories_[:4]))
    load(first, neo4j_db, batch_size=2)
    assert detached == []  # a first load: nothing to detach

    changed = {**stories_[0], "document": {**stories_[0]["document"], "title": "Story 0, corrected"}}
    second = tmp_path / "second.jsonl"
    second.write_text(json.dumps(changed) + "\n" + json.dumps(stories_[4]) + "\n")  # one batch: held and new
    report = load(second, neo4j_db, batch_size=2)
    assert (report.documents_updated, report.documents_added) == (1, 1)
    assert detached == [[uri_of(neo4j_driver, changed["document"]["id"])]]
    reloaded = graph_dump(neo4j_driver)

    neo4j_driver.execute_query("MATCH (n) DETACH DELETE n")
    clean = tmp_path / "clean.jsonl"
    clean.write_text("".join(json.dumps(s) + "\n" for s in [changed, *stories_[1:]]))
    load(clean, neo4j_db, batch_size=10)
    assert graph_dump(neo4j_driver) == reloaded


def test_a_document_stored_without_a_fingerprint_is_replaced_not_doubled(neo4j_db, neo4j_driver, tmp_path):
    path = stories(tmp_path, 3)
    load(path, neo4j_db, batch_size=10)
    clean = graph_dump(neo4j_driver)
    neo4j_driver.execute_query("MATCH (d:Document) REMOVE d.fingerprint")  # an older writer's, say
    report = load(path, neo4j_db, batch_size=10)
    assert (report.documents_updated, report.documents_added) == (3, 0)
    assert graph_dump(neo4j_driver) == clean


def test_entity_rows_left_out_give_the_graph_of_every_row_written(neo4j_db, neo4j_driver, tmp_path, monkeypatch):
    path = stories(tmp_path, 30)  # the same people and countries in every batch, their aliases cycling
    every_row = WrittenEntities.unwritten
    monkeypatch.setattr(WrittenEntities, "unwritten", lambda self, rows: rows)
    load(path, neo4j_db, batch_size=2)
    written = graph_dump(neo4j_driver)
    neo4j_driver.execute_query("MATCH (n) DETACH DELETE n")

    given = left = 0

    def counted(self, rows):
        nonlocal given, left
        out = every_row(self, rows)
        given, left = given + len(rows), left + len(rows) - len(out)
        return out

    monkeypatch.setattr(WrittenEntities, "unwritten", counted)
    load(path, neo4j_db, batch_size=2)
    assert 0 < left < given  # some rows were left out, some written again (their names grew)
    assert graph_dump(neo4j_driver) == written


def story(document_id: str, *entities: dict) -> dict:
    head, tail = entities[0]["id"], entities[1]["id"]
    return {
        "document": {"id": document_id, "title": document_id, "published": "2025-06-01"},
        "entities": list(entities),
        "relations": [{"type": "attacked", "head": head, "tail": tail, "date": "2025-05-30"}],
    }


def test_an_entity_a_detach_refreshed_takes_its_row_again(neo4j_db, neo4j_driver, tmp_path):
    """A changed document that no longer names X takes its alias back from X; a later document giving
    X the row the earlier version gave it must write that row again, not take it as written."""
    x, x1 = (
        {"id": "x", "name": "Xland", "type": "Country"},
        {"id": "x", "name": "Xland", "type": "Country", "aliases": ["X1"]},
    )
    y, z = {"id": "y", "name": "Yland", "type": "Country"}, {"id": "z", "name": "Zland", "type": "Country"}
    given = [story("b", x, y), story("a", x1, y), story("a", y, z), story("c", x1, z)]
    path = tmp_path / "refreshed.jsonl"
    path.write_text("".join(json.dumps(s) + "\n" for s in given))
    report = load(path, neo4j_db, batch_size=1)
    assert report.documents_added == 3
    [aliases] = cypher(neo4j_driver, "MATCH (e:Entity {name: 'Xland'}) RETURN e.aliases AS a")
    assert aliases["a"] == ["X1"]
    refreshed = graph_dump(neo4j_driver)

    neo4j_driver.execute_query("MATCH (n) DETACH DELETE n")
    clean = tmp_path / "clean.jsonl"
    clean.write_text("".join(json.dumps(s) + "\n" for s in given[:1] + given[2:]))
    load(clean, neo4j_db, batch_size=10)
    assert graph_dump(neo4j_driver) == refreshed
