"""Cypher builders: only ontology names reach a query text."""

import pytest

from kgload.sinks.neo4j import cypher

ALLOWED = ["CALLED", "LEADER_OF"]


@pytest.mark.parametrize(
    "hostile", ["CALLED`]->() DETACH DELETE n //", "called", "X\u0060", "LEADER_OF\n", "", "ANYTHING"]
)
def test_relationship_types_outside_the_ontology_are_refused(hostile):
    with pytest.raises(cypher.UnsafeName):
        cypher.upsert_relationships(hostile, ALLOWED)


def test_labels_outside_the_ontology_are_refused():
    with pytest.raises(cypher.UnsafeName):
        cypher.upsert_entities(("Person", "Person`) DETACH DELETE (n"), ["Person"])


def test_queries_take_values_only_as_parameters():
    text = cypher.upsert_relationships("CALLED", ALLOWED)
    assert "$keys" in text and "`CALLED`" in text
    assert "$rows" in cypher.upsert_entities(("Actor", "Person"), ["Actor", "Person"])


def test_schema_statements_are_idempotent():
    statements = cypher.schema_statements(["CALLED"])
    assert all("IF NOT EXISTS" in s for s in statements)
    assert any("REQUIRE n.uri IS UNIQUE" in s for s in statements)
