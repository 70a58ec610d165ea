"""Entity resolution, time, attribution and RDF-as-is, in a real Neo4j."""

import json
from pathlib import Path

import pytest

from kgload import api
from kgload.sinks.neo4j import Neo4jSink
from tests.common import ROOT, SAMPLES
from tests.integration.test_neo4j import counts, cypher, graph_dump
from tests.integration.test_resolution import role_doc, write

pytestmark = pytest.mark.neo4j
CYPHER = ROOT / "examples" / "cypher"


@pytest.fixture
def sink(neo4j_db):
    sink = Neo4jSink.connect(neo4j_db)
    yield sink
    sink.close()


def test_one_node_per_actor_with_qid(sink, neo4j_driver, seed):
    api.load([seed], sink=sink)
    rows = cypher(
        neo4j_driver,
        "MATCH (p:Person) WHERE p.name = 'Vladimir Putin' OR 'Putin' IN p.aliases "
        "RETURN p.wikidata AS q, p.aliases AS a",
    )
    assert len(rows) == 1 and rows[0]["q"] == "Q7747"
    assert "Russian President Vladimir Putin" in rows[0]["a"]
    us = cypher(
        neo4j_driver,
        "MATCH (c:Entity) WHERE c.name IN ['US', 'Washington', 'United States'] OR 'Washington' IN c.aliases "
        "RETURN c.name AS n",
    )
    assert [r["n"] for r in us] == ["United States"]


@pytest.mark.parametrize(("day", "leader"), [("2024-12-01", "Joe Biden"), ("2025-06-14", "Donald Trump")])
def test_who_led_the_united_states_on_a_day(sink, neo4j_driver, seed, day, leader):
    api.load([seed], sink=sink)
    query = (CYPHER / "who-led-on.cypher").read_text().replace("2024-12-01", day)
    assert [r["leader"] for r in cypher(neo4j_driver, query)] == [leader]


def test_role_mention_resolves_in_neo4j(sink, neo4j_driver, tmp_path):
    api.load([write(tmp_path, "d.jsonl", role_doc("role-2024", "2024-12-01"))], sink=sink)
    rows = cypher(
        neo4j_driver, "MATCH (a)-[:CALLED]->(b) RETURN a.name AS caller, a.aliases AS aliases, b.name AS callee"
    )
    assert rows == [{"caller": "Joe Biden", "aliases": ["the US President"], "callee": "Vladimir Putin"}]


def test_graph_facts_feed_role_resolution(sink, neo4j_driver, tmp_path):
    fact = {
        "document": {"id": "xi", "title": "Xi", "published": "2013-03-14"},
        "entities": [
            {"id": "x", "name": "Xi Jinping", "type": "Person"},
            {"id": "c", "name": "China", "type": "Country"},
        ],
        "relations": [{"type": "leader-of", "head": "x", "tail": "c", "start": "2013-03-14"}],
    }
    api.load([write(tmp_path, "f.jsonl", fact)], sink=sink)
    api.load([write(tmp_path, "r.jsonl", role_doc("cn", "2024-05-01", "the Chinese President"))], sink=sink)
    assert cypher(neo4j_driver, "MATCH (a)-[:CALLED]->() RETURN a.name AS n") == [{"n": "Xi Jinping"}]


def test_disputed_claim_in_neo4j(sink, neo4j_driver, seed):
    api.load([seed], sink=sink)
    rows = cypher(
        neo4j_driver,
        """
        MATCH (c:Claim {status: 'disputed'})-[:OBJECT]->(o {name: 'Dnipropetrovsk Oblast'})
        MATCH (c)-[:ASSERTED_BY]->(claimant), (c)-[:DENIED_BY]->(denier)
        RETURN c.predicate AS p, claimant.name AS by, denier.name AS denied""",
    )
    assert rows == [{"p": "ADVANCING_ON", "by": "Russia", "denied": "Volodymyr Zelensky"}]
    naive = cypher(neo4j_driver, "MATCH (a)-[:ADVANCING_ON]->(b) RETURN b.name AS target")
    assert [r["target"] for r in naive] == ["Sumy Oblast"]


@pytest.mark.skipif(not SAMPLES.exists(), reason="../shared/samples not beside the repo")
def test_rdf_loaded_as_it_is(sink, neo4j_driver):
    path = SAMPLES / "dbpedia_german_chancellors.ttl"
    report = api.load([path], sink=sink)
    assert report.documents_loaded == 1
    rows = cypher(
        neo4j_driver,
        """
        MATCH (g:Resource {uri: 'http://dbpedia.org/resource/Germany'})-[r:RELATED]->(m:Resource {uri: 'http://dbpedia.org/resource/Angela_Merkel'})
        RETURN r.predicate AS p, m.name AS name""",
    )
    assert {"p": "http://dbpedia.org/ontology/leader", "name": "Angela Merkel"} in rows
    before, dump = counts(neo4j_driver), graph_dump(neo4j_driver)
    api.load([path], sink=sink, force=True)
    assert counts(neo4j_driver) == before and graph_dump(neo4j_driver) == dump
    sink.retract([report_doc_iri(path)])
    assert cypher(neo4j_driver, "MATCH (n:Resource {uri: 'http://dbpedia.org/resource/Angela_Merkel'}) RETURN n") == []


def report_doc_iri(path: Path) -> str:
    from urllib.parse import quote

    return "https://w3id.org/kgload/doc/" + quote(path.as_posix(), safe="-._~")


def test_loading_json_twice_in_one_file(sink, neo4j_driver, tmp_path):
    doc = role_doc("twice", "2025-06-14")
    api.load([write(tmp_path, "t.jsonl", doc, doc)], sink=sink)
    assert len(cypher(neo4j_driver, "MATCH ()-[r:CALLED]->() RETURN r")) == 1
    assert json.dumps(doc)  # the same document twice in one input is one document
