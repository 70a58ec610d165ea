"""Cypher builders: only ontology names reach a query text. Batch rows: the client's share of
the aggregation follows the server's rules."""

import pytest

from kgload.sinks.neo4j import cypher, rows
from kgload.sinks.neo4j.projection import ClaimRow, DocumentRows, EntityRow

ALLOWED = ["CALLED", "LEADER_OF"]


@pytest.mark.parametrize(
    "hostile", ["CALLED`]->() DETACH DELETE n //", "called", "X\u0060", "LEADER_OF\n", "", "ANYTHING"]
)
def test_relationship_types_outside_the_ontology_are_refused(hostile):
    with pytest.raises(cypher.UnsafeName):
        cypher.upsert_relationships(hostile, ALLOWED)


def test_labels_outside_the_ontology_are_refused():
    # the entity upsert takes its labels as a value: each row's labels are checked before it is sent
    for hostile in ("Person`) DETACH DELETE (n", "Unknown", ""):
        with pytest.raises(cypher.UnsafeName):
            cypher.entity_rows([{"labels": ["Entity", "Person"]}, {"labels": ["Entity", hostile]}], ["Person"])
    ok = [{"labels": ["Entity", "Actor", "Person"]}]
    assert cypher.entity_rows(ok, ["Actor", "Person"]) is ok


def test_queries_take_values_only_as_parameters():
    text = cypher.upsert_relationships("CALLED", ALLOWED)
    assert "$keys" in text and "`CALLED`" in text
    assert "$(row.labels)" in cypher.UPSERT_ENTITIES


def test_schema_statements_are_idempotent():
    statements = cypher.schema_statements(["CALLED"])
    assert all("IF NOT EXISTS" in s for s in statements)
    assert any("REQUIRE n.uri IS UNIQUE" in s for s in statements)


@pytest.mark.parametrize(
    "build",
    [
        cypher.upsert_relationships,
        cypher.delete_relationships,
        lambda t, a: cypher.tenures([t], a),
        lambda t, a: f"`{cypher.typed_rows([{'type': t}], a)[0]['type']}`",  # a type passed as a parameter
    ],
)
def test_every_relationship_builder_refuses_names_outside_the_ontology(build):
    with pytest.raises(cypher.UnsafeName):
        build("CALLED`]->() DETACH DELETE n //", ALLOWED)
    assert "`CALLED`" in build("CALLED", ALLOWED)


def test_schema_statements_put_constraints_first_and_are_named():
    statements = cypher.schema_statements(["CALLED", "LEADER_OF"])
    kinds = ["CONSTRAINT" if s.split()[1] == "CONSTRAINT" else "INDEX" for s in statements]
    assert kinds == sorted(kinds)  # CONSTRAINT < INDEX: constraints before any index
    names = [cypher.schema_name(s) for s in statements]
    assert len(set(names)) == len(names) and all(n.startswith("kgload_") for n in names)
    # places' coordinates have a point index, for point.distance
    assert "CREATE POINT INDEX kgload_place_location IF NOT EXISTS FOR (p:Place) ON (p.location)" in statements
    assert "kgload_place_location" in names


# -- batch rows (pure) --------------------------------------------------------------------------


def _doc(uri: str, doc_id: str | None, claims: list[ClaimRow], entities: list[EntityRow] = ()) -> DocumentRows:
    return DocumentRows(uri, {"id": doc_id} if doc_id else {}, list(entities), claims)


def _claim(uri: str, key: str = "k", status: str = "asserted", **props) -> ClaimRow:
    props = {"predicateUri": "kg:called", **props}
    return ClaimRow(uri, key, "CALLED", "h", "t", status, props)


def test_relationship_rows_aggregate_like_the_server():
    docs = [
        _doc("d2", "b", [_claim("c3", sentence=1, evidence="late", confidence=0.2)]),
        _doc(
            "d1", "a", [_claim("c2", sentence=None, evidence="no sentence"), _claim("c1", sentence=4, confidence=0.9)]
        ),
        _doc("d3", None, [_claim("c4", evidence="no id"), _claim("c5", status="denied", evidence="denied")]),
        _doc("d4", "a", [_claim("c6", key="other")]),
    ]
    [row] = rows.relationship_rows(docs, {"k"})
    assert (row["head"], row["tail"], row["type"]) == ("h", "t", "CALLED")
    props = row["props"]
    assert props["evidence"] == ["no sentence", "late", "no id"]  # (doc id, sentence, uri), nulls last
    assert props["sources"] == ["a", "b"] and props["documents"] == ["d1", "d2", "d3"]
    assert props["confidence"] == 0.9 and props["claims"] == 4
    assert "date" not in props and "recordedAt" not in props  # nulls are not stored


def test_relationship_rows_list_the_distinct_words_of_their_claims_in_claim_order():
    docs = [
        _doc("d2", "b", [_claim("c3", predicateText="supports"), _claim("c4", predicateText="funds", sentence=0)]),
        _doc("d1", "a", [_claim("c1", predicateText="supports"), _claim("c2")]),
        _doc("d3", "c", [_claim("c5", status="denied", predicateText="denies funding")]),
        _doc("d4", "a", [_claim("c6", key="coded")]),
    ]
    by_key = {row["props"]["key"]: row["props"] for row in rows.relationship_rows(docs)}
    assert by_key["k"]["predicateTexts"] == ["supports", "funds"]  # a denied claim's words are not the fact's
    assert "predicateTexts" not in by_key["coded"]  # no words, no property (not an empty list)


def test_batch_rows_one_row_per_entity_and_mention_per_document():
    putin = EntityRow("e:putin", ("Person",), "Putin", ["Putin", "V. Putin"], wikidata="Q7747")
    putin_too = EntityRow("e:putin", ("Actor",), "Vladimir Putin", ["Vladimir Putin", "Putin"])
    batch = rows.batch_rows([_doc("d1", "a", [], [putin]), _doc("d2", "b", [], [putin_too])])
    [entity] = batch.entities
    assert entity["labels"] == ["Entity", "Actor", "Person"]  # the union, for one statement of every label set
    assert entity["name"] == "Putin" and entity["wikidata"] == "Q7747"
    assert sorted(entity["names"]) == ["Putin", "V. Putin", "Vladimir Putin"]
    assert [(m["document"], m["name"]) for m in batch.mentions] == [("d1", "Putin"), ("d2", "Vladimir Putin")]


def test_rows_carry_their_endpoints_element_ids_and_stay_as_they_were():
    # the statements after a node write read each endpoint's id from its row, not from a map sent with them
    for text in (cypher.CREATE_MENTIONS, cypher.CREATE_CLAIMS, cypher.LINK_CLAIMS, cypher.CREATE_FACTS):
        assert "$ids" not in text and "elementId(" in text
    mentions = [{"document": "d1", "entity": "e1", "name": "Putin"}, {"document": "d1", "entity": "gone", "name": "X"}]
    sent = rows.with_element_ids(mentions, {"d1": "4:x:1", "e1": "4:x:2"}, ("document", "entity"))
    assert sent == [
        {"document": "4:x:1", "entity": "4:x:2", "name": "Putin"},
        {"document": "4:x:1", "entity": None, "name": "X"},  # no id: the statement's MATCH skips the row
    ]
    assert mentions[0]["document"] == "d1"  # a retried transaction reads the rows again
