"""Identity: what an entity is decides its IRI, not how the source typed it (kgload.mapping.identity)."""

import json

import pytest
from typer.testing import CliRunner

from kgload.cli import app
from kgload.mapping.identity import identify, identifying_code
from kgload.mapping.world import LayeredGazetteer
from kgload.rdf.plan import map_extraction
from kgload.vocabulary.namespaces import KG
from tests.unit.test_build import ID, extraction, triples


@pytest.fixture(scope="module")
def world(mapping) -> LayeredGazetteer:
    return mapping.world


@pytest.mark.parametrize("type_name", ["Actor", "PER", "Person", None])
def test_a_name_is_one_entry_whatever_its_type(world, type_name):
    assert identify(world, ["VLADIMIR PUTIN"], type_name).entry.key == "Q7747"


def test_a_contradicting_type_or_a_shared_bare_name_is_kept_apart(world):
    georgia = identify(world, ["Georgia"], "City")
    assert georgia.entry is None and georgia.problem.status == "contradicts"
    assad = identify(world, ["Assad"], "Person")
    assert assad.entry is None and assad.problem.status == "ambiguous"
    assert len(assad.problem.candidates) > 1


def test_codes_name_an_institution_only_for_a_generic_agent(world):
    police = identify(world, ["POLICE"], "Actor", cameo="INDCOP")
    assert (police.entry.key, police.how, police.entry.country) == ("IND.COP", "code", "IN")
    assert identify(world, ["Police"], "Actor", country="IND").entry.key == "IND.COP"
    # a person coded with his government's code is not that government
    assert identify(world, ["John Smith"], "Actor", cameo="USAGOV").entry is None


def test_a_qid_the_world_lacks_joins_the_entry_its_name_resolves_to(world):
    named = identify(world, ["Hosni Mubarak"], "Person")
    assert named.entry is not None and not named.entry.wikidata
    given = identify(world, ["Hosni Mubarak"], "Person", wikidata="Q34105")
    assert given.entry.key == named.entry.key and given.entry.wikidata == "Q34105"
    assert identify(world, ["Someone Unknown"], "Person", wikidata="Q1").entry.key == "Q1"


def test_a_cameo_code_many_entries_share_is_no_identifier(world):
    police = world.world.get("IND.COP")
    assert identifying_code(world, police) == "INDCOP"
    reuters = identify(world, ["Reuters"], "Organization").entry
    assert reuters.cameo and identifying_code(world, reuters) is None


def test_documents_typing_an_actor_differently_share_its_node(mapping, run):
    iris = set()
    for i, (name, kind) in enumerate([("Putin", "Person"), ("VLADIMIR PUTIN", "Actor"), ("Vladimir Putin", "PER")]):
        ents = [{"id": "a", "name": name, "type": kind}, {"id": "b", "name": "Ukraine", "type": "GPE"}]
        mapped = map_extraction(extraction(ents, [{"type": "called", "head": "a", "tail": "b"}], f"d{i}"), mapping, run)
        iris |= {s for s, p, o in triples(mapped) if p == KG + "called"}
    assert iris == {ID + "q7747"}


def test_unknown_names_are_class_free_and_sectors_carry_their_codes(mapping, run):
    ents = [
        {"id": "a", "name": "Foo Brigade", "type": "Organization"},
        {"id": "b", "name": "Foo Brigade", "type": "Actor"},
        {"id": "c", "name": "Police (India)", "type": "Actor"},
    ]
    rels = [{"type": "attacked", "head": "a", "tail": "c"}, {"type": "attacked", "head": "b", "tail": "c"}]
    t = triples(map_extraction(extraction(ents, rels), mapping, run))
    assert {s for s, p, o in t if p == KG + "attacked"} == {ID + "name/foo-brigade"}
    assert (ID + "ind-cop", KG + "cameoActorCode", "INDCOP") in t
    assert (ID + "ind-cop", KG + "countryCode", "IN") in t


def test_kgload_resolve_says_what_and_why():
    runner = CliRunner()
    found = runner.invoke(app, ["resolve", "the Russian President", "--on", "2010-01-01", "--json"])
    assert found.exit_code == 0, found.output
    answer = json.loads(found.output)
    assert (answer["status"], answer["by"], answer["entry"]["name"]) == ("resolved", "role", "Dmitry Medvedev")
    assert answer["iri"].endswith("/id/q23530") and answer["office"] == "RU.president"
    shared = runner.invoke(app, ["resolve", "Assad", "--type", "Person"])
    assert shared.exit_code == 3 and "ambiguous" in shared.output and "candidate: Bashar al-Assad" in shared.output
    bad = runner.invoke(app, ["resolve", "Putin", "--on", "yesterday"])
    assert bad.exit_code == 2 and "--on 'yesterday'" in bad.output
