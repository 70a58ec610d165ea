"""One real-world actor, one node, whatever the source and its types: the seed article with the PLOVER
example and with the ICEWS sample, in the embedded store and in a real Neo4j (same nodes, same
identifiers; a generic agent of GDELT's is each document's own node in both)."""

from pathlib import Path

import pytest

from kgload import api
from kgload.sinks.neo4j import Neo4jSink
from tests.common import ROOT, SAMPLES
from tests.integration.test_neo4j import cypher

EVENTS = ROOT / "mappings" / "events.yaml"
PLOVER = ROOT / "examples" / "inputs" / "plover"
ICEWS = SAMPLES / "icews_events_sample.tab"
GDELT2 = SAMPLES / "gdelt2_events_20191024143000.export.CSV"  # generic agents with no country: a node per event
OWL_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
KG = "https://w3id.org/kgload/ontology#"


def embedded_nodes(store: Path) -> dict[str, dict[str, str | None]]:
    """Every entity of the store with its name and identifiers, as the Neo4j nodes have them."""
    rows = api.query(
        """SELECT ?e (MIN(?l) AS ?name) (MAX(?q) AS ?wd) (MAX(?iso) AS ?isoCode) (MAX(?c) AS ?cameo)
                  (MAX(?cc) AS ?country) WHERE {
             ?d schema:mentions ?e . ?e rdfs:label ?l .
             OPTIONAL { ?e owl:sameAs ?q } OPTIONAL { ?e kg:isoCode ?iso }
             OPTIONAL { ?e kg:cameoActorCode ?c } OPTIONAL { ?e kg:countryCode ?cc } } GROUP BY ?e""",
        store=store,
    )[1]
    return {
        r["e"]: {
            "name": r["name"],
            "wikidata": r["wd"].rsplit("/", 1)[-1] if r.get("wd") else None,
            "isoCode": r.get("isoCode"),
            "cameoActorCode": r.get("cameo"),
            "countryCode": r.get("country"),
        }
        for r in rows
    }


def neo4j_nodes(driver) -> dict[str, dict[str, str | None]]:
    rows = cypher(
        driver,
        "MATCH (e:Entity) RETURN e.uri AS uri, e.name AS name, e.wikidata AS wikidata, e.isoCode AS isoCode, "
        "e.cameoActorCode AS cameoActorCode, e.countryCode AS countryCode",
    )
    return {r.pop("uri"): r for r in rows}


def check_one_node_per_actor(nodes: dict[str, dict[str, str | None]]) -> None:
    by_qid: dict[str, list[str]] = {}
    by_name: dict[str, list[str]] = {}
    for uri, node in nodes.items():
        if node["wikidata"]:
            by_qid.setdefault(node["wikidata"], []).append(uri)
        by_name.setdefault(str(node["name"]), []).append(uri)
    assert {q: u for q, u in by_qid.items() if len(u) > 1} == {}
    for actor in ("Vladimir Putin", "Donald Trump", "Russia", "Ukraine"):
        assert len(by_name.get(actor, [])) <= 1, by_name.get(actor)


@pytest.mark.parametrize("other", [PLOVER, ICEWS], ids=["plover", "icews"])
def test_seed_and_event_data_give_one_node_per_actor(seed, tmp_path, other):
    store = tmp_path / "store"
    report = api.load([seed, other], store=store, mapping=EVENTS, workers=1)
    nodes = embedded_nodes(store)
    check_one_node_per_actor(nodes)
    putin = [u for u, n in nodes.items() if n["name"] == "Vladimir Putin"]
    assert putin == ["https://w3id.org/kgload/id/q7747"]
    assert report.entities == len(nodes)  # distinct entities, not mentions
    assert sum(report.resolution.values()) == report.entities
    assert "Vladimir Putin" not in report.unresolved


def test_a_sector_actor_is_linked_to_its_country_by_codes(tmp_path):
    store = tmp_path / "store"
    api.load([ICEWS], store=store, mapping=EVENTS, workers=1)
    police = embedded_nodes(store)["https://w3id.org/kgload/id/ind-cop"]
    assert police == {
        "name": "Police (India)",
        "wikidata": None,
        "isoCode": None,
        "cameoActorCode": "INDCOP",
        "countryCode": "IN",
    }


@pytest.mark.neo4j
@pytest.mark.parametrize("other", [PLOVER, ICEWS, GDELT2], ids=["plover", "icews", "gdelt2"])
def test_neo4j_has_the_embedded_store_nodes_and_identifiers(seed, tmp_path, neo4j_db, neo4j_driver, other):
    store = tmp_path / "store"
    api.load([seed, other], store=store, mapping=EVENTS, workers=1)
    sink = Neo4jSink.connect(neo4j_db)
    try:
        report = api.load([seed, other], sink=sink, mapping=EVENTS, workers=1)
    finally:
        sink.close()
    in_neo4j, embedded = neo4j_nodes(neo4j_driver), embedded_nodes(store)
    check_one_node_per_actor(in_neo4j)
    assert {u: {k: v for k, v in n.items() if k != "name"} for u, n in in_neo4j.items()} == {
        u: {k: v for k, v in n.items() if k != "name"} for u, n in embedded.items()
    }
    assert report.entities == len(in_neo4j)
