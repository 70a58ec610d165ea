"""Entity resolution, time, attribution and RDF as it is, asked of both targets: every test runs once
against the embedded store (SPARQL) and once against a real Neo4j (Cypher), and expects the same
answer. The embedded store's own IRI-level checks are in test_resolution.py."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kgload import api
from kgload.report import LoadReport
from kgload.sinks import Sink
from tests.common import ROOT, SAMPLES
from tests.integration.test_resolution import role_doc, write

QUERIES, CYPHER = ROOT / "examples" / "queries", ROOT / "examples" / "cypher"


@dataclass
class Target:
    """A target to load into and ask, in its own query language, the questions the tests share."""

    name: str
    sink: Sink
    driver: Any = None  # Neo4j only

    def load(self, paths: list[Path], **options: Any) -> LoadReport:
        return api.load(paths, sink=self.sink, workers=1, **options)

    def ask(self, *, sparql: str, cypher: str, **params: Any) -> list[dict[str, Any]]:
        if self.driver is not None:
            return [r.data() for r in self.driver.execute_query(cypher, params).records]
        result = self.sink.query(sparql)  # type: ignore[attr-defined]  # the embedded store
        names = [v.value for v in result.variables]
        return [{n: None if row[n] is None else row[n].value for n in names} for row in result]

    def callers(self) -> list[str]:
        rows = self.ask(
            sparql="SELECT DISTINCT ?a ?name WHERE { ?a kg:called ?b . ?a rdfs:label ?name }",
            cypher="MATCH (a)-[:CALLED]->() RETURN a.name AS name",
        )
        return sorted(r["name"] for r in rows)

    def calls(self) -> int:
        rows = self.ask(
            sparql="SELECT (COUNT(*) AS ?n) WHERE { ?a kg:called ?b }",
            cypher="MATCH ()-[r:CALLED]->() RETURN count(r) AS n",
        )
        return int(rows[0]["n"])


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Target]:
    if request.param == "embedded":
        store = api.open_store(tmp_path / "store")
        yield Target("embedded", store)
        store.close()
        return
    from kgload.sinks.neo4j import Neo4jSink

    sink = Neo4jSink.connect(request.getfixturevalue("neo4j_db"))
    yield Target("neo4j", sink, request.getfixturevalue("neo4j_driver"))
    sink.close()


def test_one_node_per_actor_with_its_wikidata_id(target, seed):
    target.load([seed])
    putin = target.ask(
        sparql="""SELECT ?qid (GROUP_CONCAT(DISTINCT ?alt; separator="|") AS ?alts) WHERE {
            ?p a kg:Person ; rdfs:label "Vladimir Putin" ; owl:sameAs ?qid . OPTIONAL { ?p skos:altLabel ?alt } }
            GROUP BY ?p ?qid""",
        cypher="MATCH (p:Person) WHERE p.name = 'Vladimir Putin' OR 'Putin' IN p.aliases RETURN "
        "'http://www.wikidata.org/entity/' + p.wikidata AS qid, reduce(s = '', a IN p.aliases | s + '|' + a) AS alts",
    )
    assert len(putin) == 1 and putin[0]["qid"] == "http://www.wikidata.org/entity/Q7747"
    assert {"Putin", "Russian President Vladimir Putin"} <= set(putin[0]["alts"].split("|"))
    us = target.ask(
        sparql="SELECT DISTINCT ?name WHERE { ?c rdfs:label ?name ; skos:altLabel ?n . "
        'FILTER(?n IN ("US", "Washington")) }',
        cypher="MATCH (c:Entity) WHERE c.name IN ['US', 'Washington', 'United States'] OR 'Washington' IN c.aliases "
        "RETURN c.name AS name",
    )
    assert [r["name"] for r in us] == ["United States"]


@pytest.mark.parametrize(("day", "leader"), [("2024-12-01", "Joe Biden"), ("2025-06-14", "Donald Trump")])
def test_who_led_the_united_states_on_a_day(target, seed, day, leader):
    target.load([seed])
    rows = target.ask(
        sparql=(QUERIES / "who-led-on.rq").read_text().replace('"2024-12-01"', f'"{day}"'),
        cypher=(CYPHER / "who-led-on.cypher").read_text().replace("2024-12-01", day),
    )
    assert [r["leader"] for r in rows] == [leader]


@pytest.mark.parametrize(("day", "holder"), [("2024-12-01", "Joe Biden"), ("2015-03-01", "Barack Obama")])
def test_a_role_mention_resolves_by_the_document_date(target, tmp_path, day, holder):
    report = target.load([write(tmp_path, "d.jsonl", role_doc("role-" + day, day))])
    assert target.callers() == [holder]
    assert any("the US President" in merge.names for merge in report.merges.values())


def test_the_graphs_own_facts_feed_role_resolution(target, tmp_path):
    fact = {
        "document": {"id": "xi", "title": "Xi", "published": "2013-03-14"},
        "entities": [
            {"id": "x", "name": "Xi Jinping", "type": "Person"},
            {"id": "c", "name": "China", "type": "Country"},
        ],
        "relations": [{"type": "leader-of", "head": "x", "tail": "c", "start": "2013-03-14"}],
    }
    target.load([write(tmp_path, "f.jsonl", fact)])
    target.load([write(tmp_path, "r.jsonl", role_doc("cn", "2024-05-01", "the Chinese President"))])
    assert target.callers() == ["Xi Jinping"]


def test_a_denied_claim_is_attributed_and_not_a_fact(target, seed):
    target.load([seed])
    rows = target.ask(
        sparql="""SELECT ?by ?denied WHERE {
            ?c rdf:predicate kg:advancingOn ; rdf:object ?o ; kg:status kg:Disputed ;
               kg:assertedBy/rdfs:label ?by ; kg:deniedBy/rdfs:label ?denied .
            ?o rdfs:label "Dnipropetrovsk Oblast" }""",
        cypher="""MATCH (c:Claim {status: 'disputed'})-[:OBJECT]->(o {name: 'Dnipropetrovsk Oblast'})
            MATCH (c)-[:ASSERTED_BY]->(claimant), (c)-[:DENIED_BY]->(denier)
            RETURN claimant.name AS by, denier.name AS denied""",
    )
    assert rows == [{"by": "Russia", "denied": "Volodymyr Zelensky"}]
    advances = target.ask(
        sparql="SELECT ?target WHERE { ?s kg:advancingOn ?x . ?x rdfs:label ?target }",
        cypher="MATCH (a)-[:ADVANCING_ON]->(b) RETURN b.name AS target",
    )
    assert {r["target"] for r in advances} == {"Sumy Oblast"}


def test_one_document_twice_in_one_file_is_one_document(target, tmp_path):
    doc = role_doc("twice", "2025-06-14")
    report = target.load([write(tmp_path, "t.jsonl", doc, doc)])
    assert target.calls() == 1 and report.documents_loaded == 1


@pytest.mark.skipif(not SAMPLES.exists(), reason="../shared/samples not beside the repo")
def test_rdf_is_loaded_as_it_is_and_retracted_whole(target):
    path = SAMPLES / "dbpedia_german_chancellors.ttl"
    report = target.load([path])
    assert report.documents_loaded == 1
    merkel = "http://dbpedia.org/resource/Angela_Merkel"
    rows = target.ask(
        sparql=f"SELECT ?p WHERE {{ <http://dbpedia.org/resource/Germany> ?p <{merkel}> }}",
        cypher="MATCH (:Resource {uri: 'http://dbpedia.org/resource/Germany'})-[r:RELATED]->(:Resource {uri: $m}) "
        "RETURN r.predicate AS p",
        m=merkel,
    )
    assert "http://dbpedia.org/ontology/leader" in {r["p"] for r in rows}
    assert target.load([path], force=True).documents_loaded == 1
    from urllib.parse import quote

    assert target.sink.retract(["https://w3id.org/kgload/doc/" + quote(path.as_posix(), safe="-._~")]) == 1
    left = target.ask(
        sparql=f"SELECT ?p WHERE {{ <http://dbpedia.org/resource/Germany> ?p <{merkel}> }}",
        cypher="MATCH (n:Resource {uri: $m}) RETURN n.uri AS p",
        m=merkel,
    )
    assert left == []
