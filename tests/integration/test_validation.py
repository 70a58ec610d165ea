"""SHACL: the mapped seed conforms; a record that violates a shape is rejected with the
shape's message and the rest of its document loads."""

import json

import pyoxigraph as ox
import pyshacl
import rdflib

from kgload import api
from kgload.report import LoadReport
from tests.unit.extractions import WRONG_LEADER

QUERY_LEADERS = "SELECT ?l ?c WHERE { ?p kg:leaderOf ?x . ?p rdfs:label ?l . ?x rdfs:label ?c }"


def _load_with_rejects(tmp_path, doc: dict, *, validate: bool = True) -> tuple[LoadReport, list[dict]]:
    """Load one document into a store under ``tmp_path``; the report and the rejects kept."""
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(doc))
    rejects = tmp_path / "rejects.jsonl"
    report = api.load([path], store=tmp_path / "s", rejects=rejects, validate=validate)
    kept = rejects.read_text().splitlines() if rejects.exists() else []
    return report, [json.loads(line) for line in kept]


def test_map_output_parses_independently_and_conforms(tmp_path, seed, root):
    out = tmp_path / "seed.ttl"
    with out.open("wb") as stream:
        assert api.write_rdf([seed], stream, "turtle") == 0
    assert len(list(ox.parse(path=str(out), format=ox.RdfFormat.TURTLE))) > 400
    data = rdflib.Graph().parse(out, format="turtle")
    shapes = rdflib.Graph().parse(root / "ontology" / "shapes.ttl")
    ontology = rdflib.Graph().parse(root / "ontology" / "kgload.ttl")
    conforms, _, text = pyshacl.validate(data, shacl_graph=shapes, ont_graph=ontology, inference="none")
    assert conforms, text


def test_violating_relation_is_rejected_with_the_shape_message(tmp_path):
    report, [kept] = _load_with_rejects(tmp_path, WRONG_LEADER)
    assert report.exit_code == 3 and report.relations == 1
    assert kept["stage"] == "validate" and kept["path"] == "relations[0]"
    assert "kg:leaderOf" in kept["reason"] and "kg:Person" in kept["reason"]
    _, rows = api.query(QUERY_LEADERS, store=tmp_path / "s")
    assert [(r["l"], r["c"]) for r in rows] == [("Vladimir Putin", "Russia")]


def test_validation_can_be_turned_off(tmp_path):
    doc = {
        "document": {"id": "shacl-2", "title": "t"},
        "entities": [
            {"id": "ru", "name": "Russia", "type": "Country"},
            {"id": "ua", "name": "Ukraine", "type": "Country"},
        ],
        "relations": [{"type": "leader-of", "head": "ru", "tail": "ua"}],
    }
    report, _ = _load_with_rejects(tmp_path, doc, validate=False)
    assert report.exit_code == 0 and report.relations == 1


def test_a_claim_repeated_with_another_confidence_is_rejected_once_with_why(tmp_path):
    """Two reports of one claim in a document with two confidences: the later is rejected by the
    mapping, saying so, and the first passes the shapes (a claim with two confidences used to fail
    them with a message about the confidence's range)."""
    call = {"type": "called", "head": "p", "tail": "t", "date": "2025-06-14"}
    doc = {
        "document": {"id": "twice", "title": "t"},
        "entities": [
            {"id": "p", "name": "Vladimir Putin", "type": "Person"},
            {"id": "t", "name": "Donald Trump", "type": "Person"},
        ],
        "relations": [call | {"confidence": 0.9}, call | {"confidence": 0.4}],
    }
    report, [kept] = _load_with_rejects(tmp_path, doc)
    assert report.exit_code == 3 and report.relations == 1
    assert kept["stage"] == "map" and kept["path"] == "relations[1]"
    assert (
        kept["reason"]
        == "repeats the claim of relations[0] with another confidence (0.4; it has 0.9); the first is kept"
    )
    _, rows = api.query("SELECT ?c WHERE { ?x kg:confidence ?c }", store=tmp_path / "s")
    assert [float(r["c"]) for r in rows] == [0.9]
