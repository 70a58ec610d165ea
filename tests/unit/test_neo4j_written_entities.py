"""The entity rows a Neo4j sink leaves out of a batch: only a row equal to the last one written for its
entity, since an upsert's ``SET e += row.props`` lets a later row override an earlier one."""

from __future__ import annotations

from kgload.sinks.neo4j import written
from kgload.sinks.neo4j.written import WrittenEntities


def row(uri: str, **props: str) -> dict:
    return {"uri": uri, "labels": ["Entity", "Country"], "name": uri, "names": [uri], "props": props}


def test_a_row_equal_to_the_last_written_for_its_entity_is_left_out():
    entities = WrittenEntities()
    assert entities.unwritten([row("a"), row("b")]) == [row("a"), row("b")]
    assert entities.unwritten([row("a"), row("b", code="X")]) == [row("b", code="X")]
    assert entities.unwritten([row("a"), row("b", code="X")]) == []


def test_a_row_written_before_another_is_written_again_after_it():
    entities = WrittenEntities()
    entities.unwritten([row("a", code="X")])
    entities.unwritten([row("a", code="Y")])  # the node's code is Y now
    assert entities.unwritten([row("a", code="X")]) == [row("a", code="X")]


def test_forgetting_writes_every_row_again():
    entities = WrittenEntities()
    entities.unwritten([row("a"), row("b")])
    entities.forget()
    assert entities.unwritten([row("a"), row("b")]) == [row("a"), row("b")]


def test_the_rows_remembered_are_bounded(monkeypatch):
    monkeypatch.setattr(written, "MAX_ENTITIES", 3)
    entities = WrittenEntities()
    entities.unwritten([row("a"), row("b")])
    entities.unwritten([row("c"), row("d")])  # past the bound: all forgotten, these two remembered
    assert len(entities._rows) == 2
    assert entities.unwritten([row("a"), row("c")]) == [row("a")]
