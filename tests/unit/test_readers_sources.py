"""The shipped source mappings on small inputs of our own (ACLED, UCDP GED, LLM graph, office holders),
and the default mapping's event vocabularies."""

from pathlib import Path

import yaml

from kgload.api import map_quads
from kgload.mapping import load_mapping
from kgload.readers import detect, read
from tests.common import FIXED_RUN as RUN
from tests.common import ROOT
from tests.unit.readers_support import graph, split

ACLED = ROOT / "examples" / "inputs" / "acled"
CASES = ROOT / "tests" / "golden" / "cases"
KG = "https://w3id.org/kgload/ontology#"


def test_acled_example_maps_to_the_same_graph_as_its_kgload_equivalent():
    assert detect(ACLED / "events.csv") == "acled"
    assert graph(ACLED / "events.csv") == graph(ACLED / "equivalent.kgload.json", "kgload")


def test_acled_events_their_actors_places_and_deaths():
    good, bad = split(read(ACLED / "events.csv"))
    assert bad == []
    battle, strike, protest, agreement = good
    assert [r.type for g in good for r in g.relations] == [
        "fought",
        "attacked-remotely",
        "protested",
        "protested",
        "protested",
        "strategic-development",
    ]
    place = battle.entities[-1]
    assert (place.name, place.type, place.country, place.coordinates) == ("Pokrovsk", "City", "UA", (48.2829, 37.1813))
    assert strike.relations[0].attributes["fatalities"] == 2 and strike.relations[0].attributes["civilian_targeting"]
    # no second actor: the protesters (and the groups ACLED associates with them) protested at the place
    assert {(r.head, r.tail) for r in protest.relations} == {
        ("actor1", "place"),
        ("assoc1-1", "place"),
        ("assoc1-2", "place"),
    }
    assert protest.relations[0].event_code == "Peaceful protest"
    assert agreement.relations[0].date == "2025-06"  # time_precision 3: the month
    quads, rejects = map_quads([ACLED / "events.csv"], run=RUN)
    assert rejects == []
    deaths = {(q.object.value, q.object.datatype.value) for q in quads if q.predicate.value == KG + "fatalities"}
    assert ("4", "http://www.w3.org/2001/XMLSchema#nonNegativeInteger") in deaths


def test_ucdp_ged_in_cp1252_with_a_quoted_line_break_and_both_date_forms():
    path = CASES / "source-ucdp-ged" / "input.csv"
    assert detect(path) == "ucdp-ged"
    good, bad = split(read(path))
    assert bad == []
    clash, massacre = good
    _, side_b, place = clash.entities
    assert (side_b.name, side_b.type, place.name) == ("Front de Libération", "Organization", "Saint-Étienne-du-Nord")
    relation = clash.relations[0]
    assert (relation.type, relation.date, relation.event_code) == ("fought", "2025-06-14", "state-based")
    assert relation.evidence.endswith("Saint-Étienne-du-Nord\nsecond line of the headline")
    assert {k: relation.attributes[k] for k in ("fatalities", "fatalities_low", "fatalities_high")} == {
        "fatalities": 6,
        "fatalities_low": 5,
        "fatalities_high": 8,
    }
    assert massacre.origin.record == 4  # the quoted line break moves the second row down a line
    one_sided = massacre.relations[0]
    assert (one_sided.type, massacre.entities[1].type, one_sided.date) == ("attacked-civilians", "Actor", "2025-06")


def test_llm_graph_documents_by_post_and_types_whatever_their_case():
    good, bad = split(read(CASES / "source-llm-graph" / "input.json"))
    assert [(g.document.id[-1], [e.type for e in g.entities]) for g in good] == [
        ("1", ["Person", "Person", "Concept"]),
        ("2", ["Location", "Actor"]),
    ]
    assert sorted(b.reason.split(" (")[0] for b in bad) == [
        "field 2: 'emotion' is not in the mapping's value table",
        "tail names entity '0f6c1e2a-0000-4000-8000-000000000001_4', rejected with its record",
    ]
    assert [b.reason for b in bad if b.origin.path == "relationships[4]"] == [
        "tail names entity '0f6c1e2a-0000-4000-8000-000000000001_4', rejected with its record (subjects[3]): "
        "field 2: 'emotion' is not in the mapping's value table"
    ]
    assert {r.predicate for g in good for r in g.relations} >= {"discussed", "met with"}


def test_office_holders_one_person_per_qid_and_the_succession():
    (doc,), bad = split(read(CASES / "source-office-holders" / "input.csv"))
    assert bad == []
    assert [(e.name, e.wikidata) for e in doc.entities] == [
        ("Boris Yeltsin", "Q34453"),
        ("Vladimir Putin", "Q7747"),
        ("Dmitry Medvedev", "Q23530"),
    ]
    assert [(r.head, r.tail, r.date) for r in doc.relations] == [
        ("Q34453", "Q7747", "2000-05-07"),
        ("Q7747", "Q23530", "2008-05-07"),
        ("Q23530", "Q7747", "2012-05-07"),
    ]


def test_the_default_mapping_knows_event_vocabularies_but_not_unknown_words(mapping):
    def prop(kind: str) -> str | None:
        rule = mapping.relation_rule(kind)
        return rule.property.iri.removeprefix(KG) if rule else None

    assert [prop(t) for t in ("cameo:040", "cameo:041", "cameo:193", "cameo:195", "cameo:1451", "cameo:145")] == [
        "interactedWith",
        "called",
        "fought",
        "attackedRemotely",
        "rioted",
        "rioted",
    ]
    assert [prop(t) for t in ("agree", "consult/visit", "consult/phone", "protest/riot", "protest/demo")] == [
        "interactedWith",
        "interactedWith",
        "called",
        "rioted",
        "protested",
    ]
    assert [prop(t) for t in ("Battles", "Violence against civilians", "one-sided violence", "LED_BY")] == [
        "fought",
        "attackedCivilians",
        "attackedCivilians",
        "leaderOf",
    ]
    assert prop("knows") is None and prop("teleported-to") is None


def test_events_yaml_is_the_default_mapping_plus_a_fallback():
    default = yaml.safe_load((ROOT / "mappings" / "kgload.yaml").read_text())
    events = yaml.safe_load((ROOT / "mappings" / "events.yaml").read_text())
    assert events["relations"].pop("fallback") == "kg:interactedWith"
    default.pop("description"), events.pop("description")
    assert events == default
    assert load_mapping(ROOT / "mappings" / "events.yaml").relation_rule("knows").fallback


def test_a_source_mapping_of_ones_own_by_path(tmp_path):
    spec = tmp_path / "mine.yaml"
    spec.write_text(
        Path(ROOT / "mappings" / "sources" / "acled.yaml").read_text().replace("name: acled", "name: mine"),
        encoding="utf-8",
    )
    good, bad = split(read(ACLED / "events.csv", str(spec)))
    assert bad == [] and len(good) == 4
