"""Free-text relations (LLM graphs): the value table of wordings, the generic kg:relatedTo with the
words on the claim, the SHACL shape that holds it to them, and what is still rejected."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kgload import api
from kgload.mapping import load_mapping
from kgload.readers import read
from kgload.vocabulary.namespaces import KG
from tests.common import ROOT, SAMPLES
from tests.unit.readers_support import split

LLM_SAMPLE = SAMPLES / "llm_kg_russia_social_media_graph_50.json"


def prop(words: str, mapping=None) -> str | None:
    rule = (mapping or load_mapping()).free_text_rule(words)
    return rule.property.iri.removeprefix(KG) + ("^-1" if rule.inverse else "") if rule else None


def test_common_wordings_take_the_ontology_s_relations_and_the_rest_is_related_to():
    assert {w: prop(w) for w in ("leader of", "LED_BY", "headed by", "attacked", "conducts strikes on")} == {
        "leader of": "leaderOf",
        "LED_BY": "leaderOf^-1",
        "headed by": "leaderOf^-1",
        "attacked": "attacked",
        "conducts strikes on": "attacked",
    }
    assert {w: prop(w) for w in ("met with", "sanctioned", "is located in", "Is Part Of", "in")} == {
        "met with": "interactedWith",
        "sanctioned": "interactedWith",
        "is located in": "locatedIn",
        "Is Part Of": "partOf",
        "in": "locatedIn",
    }
    assert {prop(w) for w in ("provides repair services for", "OPERATES_IN", "KNOWS", "is")} == {"relatedTo"}
    # only free text: a type of kgload's own format that no rule names is still unknown
    assert load_mapping().relation_rule("met with") is None


def test_events_yaml_keeps_free_text_as_related_to_before_its_fallback():
    events = load_mapping(ROOT / "mappings" / "events.yaml")
    assert prop("provides repair services for", events) == "relatedTo"
    assert events.relation_rule("provides repair services for").fallback


def test_the_value_table_must_name_relation_types_the_mapping_has(tmp_path):
    from kgload.errors import MappingError

    text = (ROOT / "mappings" / "kgload.yaml").read_text(encoding="utf-8")
    text = text.replace("met-with: interacted-with", "met-with: interacted-wiht")
    text = text.replace("../ontology/", f"{ROOT / 'ontology'}/").replace("gazetteer: gazetteer.yaml", "")
    path = tmp_path / "typo.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MappingError) as caught:
        load_mapping(path)
    assert "relations.free_text.types.met-with" in str(caught.value)
    assert "'interacted-wiht' is not named in relations.types" in str(caught.value)


def test_the_llm_sample_marks_every_relationship_as_free_text():
    good, bad = split(read(LLM_SAMPLE))
    relations = [r for e in good for r in e.relations]
    assert relations and all(r.predicate == r.type for r in relations)
    # malformed parts are still rejected, with the record and the reason: an id no subject has
    dangling = [r for r in bad if "names unknown entity" in r.reason]
    assert dangling and all(r.origin.path.startswith("relationships[") for r in dangling)


def load(tmp_path: Path, mapping: Path | None, value: dict) -> tuple[api.LoadReport, list[dict]]:
    source = tmp_path / "graph.json"
    source.write_text(json.dumps(value), encoding="utf-8")
    rejects = tmp_path / "rejects.jsonl"
    report = api.load([source], store=tmp_path / "store", rejects=rejects, mapping=mapping, fmt="llm-graph")
    lines = rejects.read_text(encoding="utf-8").splitlines() if rejects.exists() else []
    return report, [json.loads(line) for line in lines]


GRAPH = {
    "subjects": [["p_1", "Vladimir Putin", "person"], ["p_2", "Donald Trump", "Person"], ["p_3", "Wagner", "group"]],
    "relationships": [
        ["p_1", "discussed prisoner exchange with", "p_2", {}],
        ["p_1", "discussed prisoner exchange with", "p_2", {"channel": "phone"}],  # other attributes: 2 claims
        ["p_1", "met with", "p_2", {}],
        ["p_3", "operates in", "p_9", {}],  # no subject p_9: malformed
    ],
}


def test_free_text_loads_as_related_to_with_its_words(tmp_path):
    report, rejects = load(tmp_path, None, GRAPH)
    assert (report.relations, [(r["record"], r["reason"]) for r in rejects]) == (
        3,
        [(4, "tail names unknown entity 'p_9'")],
    )
    from kgload.sinks.embedded import EmbeddedStore

    store = EmbeddedStore(tmp_path / "store")
    found = store.store.query(
        "PREFIX kg: <https://w3id.org/kgload/ontology#> PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> "
        "SELECT ?p ?words WHERE { GRAPH ?g { ?c rdf:predicate ?p ; kg:predicateText ?words } }"
    )
    rows = sorted((r["p"].value.removeprefix(KG), r["words"].value) for r in found)
    store.close()
    assert rows == [
        ("interactedWith", "met with"),
        ("relatedTo", "discussed prisoner exchange with"),
        ("relatedTo", "discussed prisoner exchange with"),
    ]


def test_without_the_generic_property_free_text_no_rule_names_is_rejected(tmp_path):
    text = (ROOT / "mappings" / "kgload.yaml").read_text(encoding="utf-8")
    text = text.replace("    property: kg:relatedTo\n", "", 1)
    text = text.replace("../ontology/", f"{ROOT / 'ontology'}/").replace(
        "gazetteer: gazetteer.yaml", f"gazetteer: {ROOT / 'mappings' / 'gazetteer.yaml'}"
    )
    strict = tmp_path / "strict.yaml"
    strict.write_text(text, encoding="utf-8")
    assert load_mapping(strict).free_text is None
    report, rejects = load(tmp_path, strict, GRAPH)
    assert report.relations == 1  # met with: the value table still applies
    assert (
        sum("relation type 'discussed prisoner exchange with' is not in the mapping" in r["reason"] for r in rejects)
        == 2
    )


def test_the_shapes_hold_a_related_to_claim_to_its_words(tmp_path):
    """A mapping may name kg:relatedTo for a type of its own; a relation of that type without words
    breaks the SHACL shape and is rejected at validation, the rest of the document loads."""
    text = (ROOT / "mappings" / "kgload.yaml").read_text(encoding="utf-8")
    text = text.replace("    part-of: kg:partOf\n", "    part-of: kg:partOf\n    related: kg:relatedTo\n", 1)
    text = text.replace("../ontology/", f"{ROOT / 'ontology'}/").replace(
        "gazetteer: gazetteer.yaml", f"gazetteer: {ROOT / 'mappings' / 'gazetteer.yaml'}"
    )
    mine = tmp_path / "mine.yaml"
    mine.write_text(text, encoding="utf-8")
    document = {
        "document": {"id": "d1", "title": "T"},
        "entities": [
            {"id": "a", "name": "Vladimir Putin", "type": "Person"},
            {"id": "b", "name": "Donald Trump", "type": "Person"},
        ],
        "relations": [
            {"type": "related", "head": "a", "tail": "b"},
            {"type": "related", "head": "b", "tail": "a", "predicate": "spoke with"},
        ],
    }
    source = tmp_path / "d1.json"
    source.write_text(json.dumps(document), encoding="utf-8")
    rejects = tmp_path / "r.jsonl"
    report = api.load([source], store=tmp_path / "s", rejects=rejects, mapping=mine, fmt="kgload")
    lines = [json.loads(line) for line in rejects.read_text(encoding="utf-8").splitlines()]
    assert report.relations == 1
    assert [(r["stage"], r["path"]) for r in lines] == [("validate", "relations[0]")]
    assert "must have its kg:predicateText" in lines[0]["reason"]


def test_a_wording_whose_property_refuses_its_ends_is_kept_as_related_to(tmp_path):
    """A person "located in" a city breaks kg:locatedIn's shapes (a place or an organization in a
    place): a free-text relation is then kept as kg:relatedTo with its words; the same relation
    of kgload's own vocabulary (no predicate) is still rejected."""
    document = {
        "document": {"id": "d1", "title": "T"},
        "entities": [
            {"id": "a", "name": "Ivan Petrenko", "type": "Person"},
            {"id": "b", "name": "Sumy", "type": "City"},
            {"id": "c", "name": "Hlukhiv", "type": "City"},
        ],
        "relations": [
            {"type": "located in", "head": "a", "tail": "b", "predicate": "located in"},
            {"type": "located-in", "head": "a", "tail": "b"},
            {"type": "is located in", "head": "c", "tail": "b", "predicate": "is located in"},
        ],
    }
    source = tmp_path / "d1.json"
    source.write_text(json.dumps(document), encoding="utf-8")
    rejects = tmp_path / "r.jsonl"
    report = api.load([source], store=tmp_path / "s", rejects=rejects, fmt="kgload")
    lines = [json.loads(line) for line in rejects.read_text(encoding="utf-8").splitlines()]
    assert report.relations == 2
    assert [(r["stage"], r["path"]) for r in lines] == [("validate", "relations[1]")]
    from kgload.sinks.embedded import EmbeddedStore

    store = EmbeddedStore(tmp_path / "s")
    found = store.store.query(
        "PREFIX kg: <https://w3id.org/kgload/ontology#> PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> "
        "SELECT ?p ?words WHERE { GRAPH ?g { ?c rdf:predicate ?p ; kg:predicateText ?words } }"
    )
    rows = sorted((r["p"].value.removeprefix(KG), r["words"].value) for r in found)
    store.close()
    assert rows == [("locatedIn", "is located in"), ("relatedTo", "located in")]


def test_a_generic_claim_is_captioned_with_the_sources_words_and_a_mapped_one_with_its_type():
    from kgload.sinks.neo4j.projection import claim_caption

    assert (
        claim_caption("Putin", "RELATED_TO", "Trump", "asserted", "discussed") == "Putin “discussed” Trump · asserted"
    )
    assert claim_caption("Putin", "INTERACTED_WITH", "Trump", "asserted", "met with") == (
        "Putin INTERACTED_WITH Trump · asserted"
    )
    assert claim_caption("Putin", "RELATED_TO", "Trump", "asserted") == "Putin RELATED_TO Trump · asserted"
