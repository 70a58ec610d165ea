"""One actor, one node; role mentions resolved by date; who led whom when; claims vs facts.
Against the embedded store, at the level of IRIs and the report's merges; what both targets must answer
alike is asked of each in test_resolution_targets.py."""

import json
from pathlib import Path

import pytest

from kgload import api
from tests.common import ROOT

QUERIES = ROOT / "examples" / "queries"
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


def select(store: Path, sparql: str) -> list[dict]:
    return api.query(sparql, store=store)[1]


@pytest.fixture
def seeded(seed, tmp_path):
    store = tmp_path / "s"
    report = api.load([seed], store=store)
    return store, report


def test_putin_is_one_node_with_its_wikidata_id(seeded):
    store, report = seeded
    rows = select(
        store,
        """SELECT ?p ?qid (GROUP_CONCAT(DISTINCT ?alt; separator="|") AS ?alts) WHERE {
        ?p a kg:Person ; rdfs:label "Vladimir Putin" ; owl:sameAs ?qid . OPTIONAL { ?p skos:altLabel ?alt } }
        GROUP BY ?p ?qid""",
    )
    assert len(rows) == 1
    assert rows[0]["qid"] == "http://www.wikidata.org/entity/Q7747"
    assert {"Putin", "Russian President Vladimir Putin"} <= set(rows[0]["alts"].split("|"))
    putin = report.merges[ID + "q7747"]
    assert {"Putin", "Russian President Vladimir Putin"} <= set(putin.names)


def test_us_united_states_and_washington_are_one_node(seeded):
    store, report = seeded
    rows = select(
        store, 'SELECT DISTINCT ?c WHERE { ?c a kg:Country ; skos:altLabel ?n . FILTER(?n IN ("US", "Washington")) }'
    )
    assert [r["c"] for r in rows] == [ID + "q30"]
    assert {"US", "Washington"} <= set(report.merges[ID + "q30"].names)
    assert not select(store, 'SELECT ?x WHERE { ?x rdfs:label "Washington" }')


@pytest.mark.parametrize(
    ("day", "holder"),
    [
        ("2024-12-01", "q6279"),  # Joe Biden
        ("2025-06-14", "q22686"),  # Donald Trump
        ("2025-01-20", "q22686"),
        ("2015-03-01", "q76"),  # Barack Obama
    ],
)
def test_the_us_president_resolves_by_the_document_date(tmp_path, day, holder):
    store = tmp_path / "s"
    report = api.load([write(tmp_path, "d.jsonl", role_doc("role-" + day, day))], store=store)
    rows = select(store, "SELECT ?who WHERE { ?who kg:called ?x }")
    assert [r["who"] for r in rows] == [ID + holder]
    merge = report.merges[ID + holder]
    assert "the US President" in merge.names and merge.source == f"role: role on {day}"


def test_roles_resolve_through_the_graphs_own_facts(tmp_path):
    store = tmp_path / "s"
    fact = {
        "document": {"id": "macron-term", "title": "Macron", "published": "2017-05-14"},
        "entities": [
            {"id": "m", "name": "Emmanuel Macron", "type": "Person"},
            {"id": "f", "name": "France", "type": "Country"},
        ],
        "relations": [{"type": "leader-of", "head": "m", "tail": "f", "start": "2017-05-14"}],
    }
    api.load([write(tmp_path, "fact.jsonl", fact)], store=store)  # no reference tenure for France
    api.load([write(tmp_path, "role.jsonl", role_doc("fr-1", "2020-03-01", "the French President"))], store=store)
    rows = select(store, "SELECT ?who WHERE { ?who kg:called ?x }")
    assert [r["who"] for r in rows] == [ID + "q3052772"]
    # before any known tenure (the world gazetteer's French terms start in 2012) the role stays an
    # unresolved name, reported as such
    report = api.load(
        [write(tmp_path, "early.jsonl", role_doc("fr-0", "2010-01-01", "the French President"))], store=store
    )
    assert "the French President" in report.unresolved


def test_unknown_actor_gets_one_document_independent_node(tmp_path):
    store = tmp_path / "s"
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
    report = api.load([write(tmp_path, "u.jsonl", *docs)], store=store)
    rows = select(store, "SELECT DISTINCT ?p WHERE { ?p kg:leaderOf ?c }")
    assert [r["p"] for r in rows] == [ID + "name/rustem-umerov"]
    assert "Rustem Umerov" in report.unresolved


def test_fact_time_and_record_time_are_both_kept(seeded):
    store, _ = seeded
    [row] = select(
        store,
        """SELECT ?date ?recorded WHERE { ?c rdf:predicate kg:exchangedPrisonersWith ;
        kg:date ?date ; kg:recordedAt ?recorded }""",
    )
    assert row["date"] == "2025-06-14" and row["recorded"] > "2025"
