"""One actor, one node; role mentions resolved by date; who led whom when; claims vs facts; RDF as it
is. Asked of both targets: every test runs once against the embedded store (SPARQL) and once against a
real Neo4j (Cypher), and expects the same answer, down to the nodes' IRIs and the report's merges."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kgload import api
from kgload.report import LoadReport
from kgload.sinks import Sink
from tests.common import ROOT, SAMPLES

QUERIES, CYPHER = ROOT / "examples" / "queries", ROOT / "examples" / "cypher"
ID = "https://w3id.org/kgload/id/"


def role_doc(doc_id: str, day: str, role: str = "the US President") -> dict:
    return {
        "document": {"id": doc_id, "title": f"{role} called", "published": day},
        "entities": [{"id": "p", "name": role, "type": "Person"}, {"id": "v", "name": "Putin", "type": "Person"}],
        "relations": [{"type": "called", "head": "p", "tail": "v", "date": day, "evidence": f"{role} called Putin."}],
    }


def write(tmp_path: Path, name: str, *docs: dict) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(json.dumps(d) for d in docs) + "\n")
    return path


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

    def callers(self, answer: str = "name") -> list[str]:
        """Who called someone: their names, or (``answer="a"``) their IRIs."""
        rows = self.ask(
            sparql="SELECT DISTINCT ?a ?name WHERE { ?a kg:called ?b . ?a rdfs:label ?name }",
            cypher="MATCH (a)-[:CALLED]->() RETURN DISTINCT a.name AS name, a.uri AS a",
        )
        return sorted(r[answer] for r in rows)

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
    report = target.load([seed])
    putin = target.ask(
        sparql="""SELECT ?p ?qid (GROUP_CONCAT(DISTINCT ?alt; separator="|") AS ?alts) WHERE {
            ?p a kg:Person ; rdfs:label "Vladimir Putin" ; owl:sameAs ?qid . OPTIONAL { ?p skos:altLabel ?alt } }
            GROUP BY ?p ?qid""",
        cypher="MATCH (p:Person) WHERE p.name = 'Vladimir Putin' OR 'Putin' IN p.aliases RETURN p.uri AS p, "
        "'http://www.wikidata.org/entity/' + p.wikidata AS qid, reduce(s = '', a IN p.aliases | s + '|' + a) AS alts",
    )
    assert len(putin) == 1 and putin[0]["qid"] == "http://www.wikidata.org/entity/Q7747"
    assert putin[0]["p"] == ID + "q7747"
    assert {"Putin", "Russian President Vladimir Putin"} <= set(putin[0]["alts"].split("|"))
    assert {"Putin", "Russian President Vladimir Putin"} <= set(report.merges[ID + "q7747"].names)
    us = target.ask(
        sparql="SELECT DISTINCT ?c ?name WHERE { ?c rdfs:label ?name ; skos:altLabel ?n . "
        'FILTER(?n IN ("US", "Washington")) }',
        cypher="MATCH (c:Entity) WHERE c.name IN ['US', 'Washington', 'United States'] OR 'Washington' IN c.aliases "
        "RETURN c.uri AS c, c.name AS name",
    )
    assert [(r["c"], r["name"]) for r in us] == [(ID + "q30", "United States")]
    assert {"US", "Washington"} <= set(report.merges[ID + "q30"].names)
    washington = target.ask(
        sparql='SELECT ?x WHERE { ?x rdfs:label "Washington" }', cypher="MATCH (x {name: 'Washington'}) RETURN x"
    )
    assert washington == []  # a name of the country, not a node of its own


@pytest.mark.parametrize(("day", "leader"), [("2024-12-01", "Joe Biden"), ("2025-06-14", "Donald Trump")])
def test_who_led_the_united_states_on_a_day(target, seed, day, leader):
    target.load([seed])
    rows = target.ask(
        sparql=(QUERIES / "who-led-on.rq").read_text().replace('"2024-12-01"', f'"{day}"'),
        cypher=(CYPHER / "who-led-on.cypher").read_text().replace("2024-12-01", day),
    )
    assert [r["leader"] for r in rows] == [leader]


@pytest.mark.parametrize(
    ("day", "holder", "qid"),
    [
        ("2024-12-01", "Joe Biden", "q6279"),
        ("2025-06-14", "Donald Trump", "q22686"),
        ("2025-01-20", "Donald Trump", "q22686"),  # the handover day: the newcomer
        ("2015-03-01", "Barack Obama", "q76"),
    ],
)
def test_a_role_mention_resolves_by_the_document_date(target, tmp_path, day, holder, qid):
    report = target.load([write(tmp_path, "d.jsonl", role_doc("role-" + day, day))])
    assert target.callers() == [holder] and target.callers("a") == [ID + qid]
    merge = report.merges[ID + qid]
    assert "the US President" in merge.names and merge.source == f"role: role on {day}"


def leader(doc_id: str, name: str, country: str, start: str) -> dict:
    return {
        "document": {"id": doc_id, "title": name, "published": start},
        "entities": [{"id": "p", "name": name, "type": "Person"}, {"id": "c", "name": country, "type": "Country"}],
        "relations": [{"type": "leader-of", "head": "p", "tail": "c", "start": start}],
    }


@pytest.mark.parametrize(
    ("fact", "role", "day", "holder"),
    [
        (leader("xi", "Xi Jinping", "China", "2013-03-14"), "the Chinese President", "2024-05-01", "Xi Jinping"),
        # no reference tenure for France then: only the graph's own fact answers
        (leader("macron", "Emmanuel Macron", "France", "2017-05-14"), "the French President", "2020-03-01",
         "Emmanuel Macron"),
    ],
    ids=["china", "france"],
)  # fmt: skip
def test_the_graphs_own_facts_feed_role_resolution(target, tmp_path, fact, role, day, holder):
    target.load([write(tmp_path, "f.jsonl", fact)])
    target.load([write(tmp_path, "r.jsonl", role_doc("role", day, role))])
    assert target.callers() == [holder]


def test_a_role_before_any_known_tenure_stays_an_unresolved_name(target, tmp_path):
    target.load([write(tmp_path, "f.jsonl", leader("macron", "Emmanuel Macron", "France", "2017-05-14"))])
    # the world gazetteer's French terms start in 2012, the graph's own in 2017
    report = target.load([write(tmp_path, "early.jsonl", role_doc("fr-0", "2010-01-01", "the French President"))])
    assert "the French President" in report.unresolved
    assert target.callers() == ["the French President"]


def test_an_unknown_actor_gets_one_document_independent_node(target, tmp_path):
    docs = [
        {
            "document": {"id": f"d{i}", "title": "t"},
            "entities": [
                {"id": "x", "name": name, "type": "Person"},
                {"id": "y", "name": "Ukraine", "type": "Country"},
            ],
            "relations": [{"type": "leader-of", "head": "x", "tail": "y"}],
        }
        for i, name in enumerate(["Rustem Umerov", "Rustem  Umerov"])
    ]
    report = target.load([write(tmp_path, "u.jsonl", *docs)])
    rows = target.ask(
        sparql="SELECT DISTINCT ?p WHERE { ?p kg:leaderOf ?c }",
        cypher="MATCH (p)-[:LEADER_OF]->() RETURN DISTINCT p.uri AS p",
    )
    assert [r["p"] for r in rows] == [ID + "name/rustem-umerov"]
    assert "Rustem Umerov" in report.unresolved


GDELT2 = SAMPLES / "gdelt2_events_20191024143000.export.CSV"


def mentions(target: Target) -> dict[str, tuple[set[str], set[str]]]:
    """Each entity: the documents that mention it, and its names."""
    rows = target.ask(
        sparql="""SELECT ?e ?d ?n WHERE { ?d schema:mentions ?e .
                  { ?e rdfs:label ?n } UNION { ?e skos:altLabel ?n } }""",
        cypher="MATCH (d:Document)-[:MENTIONS]->(e:Entity) UNWIND [e.name] + coalesce(e.aliases, []) AS n "
        "RETURN e.uri AS e, d.uri AS d, n",
    )
    found: dict[str, tuple[set[str], set[str]]] = {}
    for row in rows:
        documents, names = found.setdefault(row["e"], (set(), set()))
        documents.add(row["d"])
        names.add(row["n"])
    return found


@pytest.mark.skipif(not GDELT2.exists(), reason="../shared/samples not beside the repo")
def test_a_generic_agent_without_a_country_is_each_documents_own(target, tmp_path):
    """GDELT codes a "STUDENT" or the "POLICE" with an agent code and, often, no country: whose police
    is not said, so four documents' students are four nodes, never one, and a learned alias ("STUDENT"
    as another document's name for a union) joins none of them. Three events of the "POLICE" (coded
    ``COP``, acting on Germans) are three nodes too: GDELT does not say the police are Germany's."""
    union = {
        "document": {"id": "campus", "title": "t"},
        "entities": [
            {"id": "u", "name": "Campus Student Union", "aliases": ["STUDENT"], "type": "Organization"},
            {"id": "c", "name": "United Kingdom", "type": "Country"},
        ],
        "relations": [{"type": "protested-against", "head": "u", "tail": "c"}],
    }
    target.load([GDELT2, write(tmp_path, "union.jsonl", union)], mapping=ROOT / "mappings" / "events.yaml")
    found = mentions(target)
    students = {e: docs for e, (docs, names) in found.items() if "STUDENT" in names}
    gdelt = [f"gdelt-{n}" for n in (881990841, 881990843, 881990844, 881990847)]
    assert sorted(d.rsplit("/", 1)[-1] for docs in students.values() for d in docs) == ["campus", *gdelt]
    assert all(len(docs) == 1 for docs in students.values())  # one node each, and the union's its own
    assert sorted(e for e in students if e.startswith(ID + "name/gdelt-")) == [f"{ID}name/{d}/student" for d in gdelt]
    police = sorted(e for e, (docs, names) in found.items() if "POLICE" in names and len(docs) == 1)
    assert police == [f"{ID}name/gdelt-{n}/police" for n in (881990837, 881990838, 881990839)]


GDELT1 = SAMPLES / "gdelt1_events_sample_reed9999.csv"


@pytest.mark.skipif(not GDELT1.exists(), reason="../shared/samples not beside the repo")
def test_generic_words_coded_with_a_bare_agent_code_are_each_documents_own(target):
    """GDELT 1.0 codes "NATIONALS" ``CVL``, "BANK" ``BUS``, "FOREIGN MINIST" ``GOV`` with no country:
    words the agent phrases hold, though not as one phrase; whose nationals, bank or minister is not
    said, so each document's is its own node. "FAHD" (coded ``SAUELI``: Saudi Arabia's) stays one node
    for the two documents that name him."""
    target.load([GDELT1], mapping=ROOT / "mappings" / "events.yaml")
    found = mentions(target)
    for name, documents in (("NATIONALS", 4), ("BANK", 1), ("FOREIGN MINIST", 2), ("TROOPER", 2)):
        nodes = {e: docs for e, (docs, names) in found.items() if name in names}
        assert len(nodes) == documents and all(len(docs) == 1 for docs in nodes.values()), name
        for node, [doc] in nodes.items():
            assert node.startswith(ID + "name/gdelt-") and doc.endswith(node.split("/")[-2]), (name, node)
    [(fahd, (documents, _))] = [(e, v) for e, v in found.items() if "FAHD" in v[1]]
    assert fahd == ID + "name/fahd" and len(documents) == 2


def test_fact_time_and_record_time_are_both_kept(target, seed):
    target.load([seed])
    [row] = target.ask(
        sparql="""SELECT ?date ?recorded WHERE { ?c rdf:predicate kg:exchangedPrisonersWith ;
            kg:date ?date ; kg:recordedAt ?recorded }""",
        cypher="MATCH (c:Claim {predicate: 'EXCHANGED_PRISONERS_WITH'}) "
        "RETURN toString(c.date) AS date, toString(c.recordedAt) AS recorded",
    )
    assert row["date"] == "2025-06-14" and row["recorded"] > "2025"


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
def test_rdf_is_loaded_as_it_is_and_retracted_whole(target, mapping):
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
    assert target.sink.retract([mapping.document_iri_for(path.as_posix())]) == 1
    left = target.ask(
        sparql=f"SELECT ?p WHERE {{ <http://dbpedia.org/resource/Germany> ?p <{merkel}> }}",
        cypher="MATCH (n:Resource {uri: $m}) RETURN n.uri AS p",
        m=merkel,
    )
    assert left == []
