"""kgload load into a real Neo4j: the seed's answers, idempotence, exact replacement.

Runs against the server the fixtures start (tests/neo4j_fixtures.py); never a mock.
"""

from __future__ import annotations

import json
from pathlib import Path

import neo4j
import pytest
from typer.testing import CliRunner

from kgload import api
from kgload.cli import app
from kgload.sinks.neo4j import Neo4jSettings, Neo4jSink

pytestmark = pytest.mark.neo4j
CYPHER = Path(__file__).resolve().parents[2] / "examples" / "cypher"


def cypher(driver: neo4j.Driver, query: str, **params) -> list[dict]:
    records, _, _ = driver.execute_query(query, params)
    return [r.data() for r in records]


def counts(driver: neo4j.Driver) -> dict[str, int]:
    """Nodes, relationships and properties, the ledger's LoadRun nodes left out."""
    [row] = cypher(
        driver,
        """
        MATCH (n) WHERE NOT n:LoadRun
        WITH count(n) AS nodes, sum(size(keys(n))) AS nodeProps
        OPTIONAL MATCH ()-[r]->()
        RETURN nodes, nodeProps, count(r) AS rels, sum(size(keys(r))) AS relProps""",
    )
    return row


def graph_dump(driver: neo4j.Driver) -> set[str]:
    """The whole graph as comparable strings (run-specific values left out)."""
    skip = {"run", "recordedAt"}
    nodes = cypher(driver, "MATCH (n) WHERE NOT n:LoadRun RETURN labels(n) AS l, properties(n) AS p")
    rels = cypher(driver, "MATCH (a)-[r]->(b) RETURN a.uri AS a, type(r) AS t, properties(r) AS p, b.uri AS b")
    out = {
        json.dumps([sorted(n["l"]), {k: str(v) for k, v in n["p"].items() if k not in skip}], sort_keys=True)
        for n in nodes
    }
    out |= {
        json.dumps([r["a"], r["t"], {k: str(v) for k, v in r["p"].items() if k not in skip}, r["b"]], sort_keys=True)
        for r in rels
    }
    return out


def load_cli(path: Path, settings: Neo4jSettings, tmp_path: Path):
    result = CliRunner().invoke(
        app, ["load", str(path), "--neo4j-uri", settings.uri, "--rejects", str(tmp_path / "r.jsonl")]
    )
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def seeded(neo4j_db, neo4j_driver, seed, tmp_path):
    result = load_cli(seed, neo4j_db, tmp_path)
    assert result.exit_code == 0, result.output
    assert "neo4j" in result.output
    return neo4j_driver


def test_who_leads_which_country(seeded):
    rows = cypher(seeded, (CYPHER / "who-leads-what.cypher").read_text())
    pairs = {(r["leader"], r["leads"]) for r in rows}
    assert {
        ("Vladimir Putin", "Russia"),
        ("Donald Trump", "United States"),
        ("Volodymyr Zelensky", "Ukraine"),
        ("Joe Biden", "United States"),
    } <= pairs
    biden = next(r for r in rows if r["leader"] == "Joe Biden")
    assert str(biden["until"]) == "2025-01-20"


def test_who_called_whom_and_when_with_evidence(seeded):
    rows = cypher(seeded, (CYPHER / "who-called-whom.cypher").read_text())
    assert len(rows) == 1  # two sentences report one call: one relationship, two evidences
    [call] = rows
    assert (call["caller"], call["callee"]) == ("Vladimir Putin", "Donald Trump")
    assert isinstance(call["date"], neo4j.time.Date) and str(call["date"]) == "2025-06-14"
    assert len(call["evidence"]) == 2 and all("Putin" in e or "leaders" in e for e in call["evidence"])
    assert call["sources"] == ["afp-2025-06-14-putin-trump-call"]


def test_prisoner_exchange_is_one_relationship_queried_undirected(seeded):
    rows = cypher(seeded, (CYPHER / "prisoner-exchanges.cypher").read_text())
    assert len(rows) == 1
    assert {rows[0]["side"], rows[0]["other_side"]} == {"Russia", "Ukraine"}
    [n] = cypher(seeded, "MATCH ()-[r:EXCHANGED_PRISONERS_WITH]->() RETURN count(r) AS n")
    assert n["n"] == 1


def test_who_is_advancing_on_which_region(seeded):
    rows = cypher(seeded, (CYPHER / "advances.cypher").read_text())
    assert {(r["actor"], r["target"]) for r in rows} == {("Russia", "Sumy Oblast")}


def test_denied_claim_is_a_claim_not_a_fact(seeded):
    rows = cypher(seeded, (CYPHER / "disputed-claims.cypher").read_text())
    dnipro = [r for r in rows if r["object"] == "Dnipropetrovsk Oblast"]
    assert dnipro and dnipro[0]["status"] == "disputed"
    assert "Volodymyr Zelensky" in dnipro[0]["denied_by"]


def test_labels_and_properties_are_typed(seeded):
    [putin] = cypher(seeded, "MATCH (p:Person {name: 'Vladimir Putin'}) RETURN labels(p) AS l, p AS p")
    assert {"Resource", "Entity", "Person", "Actor"} <= set(putin["l"])
    assert putin["p"]["wikidata"] == "Q7747"
    assert "Putin" in putin["p"]["aliases"]
    [doc] = cypher(seeded, "MATCH (d:Document) RETURN d.published AS published, d.uri AS uri")
    assert isinstance(doc["published"], neo4j.time.Date)
    [conf] = cypher(seeded, "MATCH ()-[r:CALLED]->() RETURN r.confidence AS c")
    assert isinstance(conf["c"], float)


def test_every_cypher_example_answers(seeded):
    for path in sorted(CYPHER.glob("*.cypher")):
        assert cypher(seeded, path.read_text()), path.name


def test_loading_twice_changes_nothing(seeded, seed, neo4j_db, tmp_path):
    before, dump = counts(seeded), graph_dump(seeded)
    again = load_cli(seed, neo4j_db, tmp_path)
    assert again.exit_code == 0 and "0 loaded (0 new, 0 changed), 1 unchanged" in again.output
    forced = api.load([seed], sink=Neo4jSink.connect(neo4j_db), force=True)
    assert forced.documents_loaded == 1
    assert counts(seeded) == before
    assert graph_dump(seeded) == dump


def test_two_documents_one_relationship_two_dates_two(neo4j_db, neo4j_driver, tmp_path):
    def doc(doc_id, date):
        return {
            "document": {"id": doc_id, "title": doc_id},
            "entities": [
                {"id": "a", "name": "Putin", "type": "Person"},
                {"id": "b", "name": "Trump", "type": "Person"},
            ],
            "relations": [{"type": "called", "head": "a", "tail": "b", "date": date, "evidence": f"{doc_id} says so"}],
        }

    path = tmp_path / "docs.jsonl"
    path.write_text(
        "\n".join(
            json.dumps(d) for d in [doc("one", "2025-06-14"), doc("two", "2025-06-14"), doc("three", "2025-03-18")]
        )
    )
    sink = Neo4jSink.connect(neo4j_db)
    api.load([path], sink=sink)
    rows = cypher(
        neo4j_driver, "MATCH (:Person)-[r:CALLED]->(:Person) RETURN toString(r.date) AS d, r.sources AS s ORDER BY d"
    )
    assert rows == [{"d": "2025-03-18", "s": ["three"]}, {"d": "2025-06-14", "s": ["one", "two"]}]

    sink.retract(["https://w3id.org/kgload/doc/one"])
    rows = cypher(
        neo4j_driver,
        "MATCH (:Person)-[r:CALLED]->(:Person) "
        "RETURN toString(r.date) AS d, r.sources AS s, r.evidence AS e ORDER BY d",
    )
    assert rows == [
        {"d": "2025-03-18", "s": ["three"], "e": ["three says so"]},
        {"d": "2025-06-14", "s": ["two"], "e": ["two says so"]},
    ]
    sink.close()


def test_changed_document_equals_a_clean_load(neo4j_db, neo4j_driver, seed, tmp_path):
    edited = json.loads(seed.read_text())
    edited["relations"] = [r for r in edited["relations"] if r["type"] not in ("called", "advancing-on")]
    edited["entities"] = (
        [e for e in edited["entities"] if e["id"] != "truth-social"]
        if any(e["id"] == "truth-social" for e in edited["entities"])
        else edited["entities"]
    )
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(edited))
    sink = Neo4jSink.connect(neo4j_db)
    api.load([seed], sink=sink)
    api.load([path], sink=sink)
    incremental = graph_dump(neo4j_driver)
    neo4j_driver.execute_query("MATCH (n) DETACH DELETE n")
    api.load([path], sink=sink)
    assert graph_dump(neo4j_driver) == incremental
    assert cypher(neo4j_driver, "MATCH ()-[r:CALLED]->() RETURN r") == []
    sink.close()
