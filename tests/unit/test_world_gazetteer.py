"""The world gazetteer (kgload/mapping/world.py) on the names, codes and roles of real event data:
the cases of issue 27, the shared samples' GDELT, ICEWS and ACLED actors, and the mapping's own
gazetteer YAML in front of it."""

from __future__ import annotations

import csv
import gzip

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kgload.mapping.layered import LayeredGazetteer
from kgload.mapping.resolve import Gazetteer, GazetteerEntry, load_gazetteer, normalise
from kgload.mapping.world import WorldGazetteer
from kgload.resources import default_world_gazetteer
from tests.common import ROOT, SAMPLES


@pytest.fixture(scope="module")
def world() -> WorldGazetteer:
    return WorldGazetteer.bundled()


def resolved(world, name, type_=None, on=None):
    found = world.resolve(name, type_, on)
    assert found.status == "resolved", (name, type_, found)
    return found


# -- the names issue 27 found unresolved --------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "type_", "key", "rule"),
    [
        ("NORWAY", "Actor", "Q20", "name"),
        ("GERMAN", "Actor", "Q183", "demonym"),
        ("Russians", "Actor", "Q159", "demonym"),
        ("Ivory Coast", "Country", "Q1008", "alias"),
        ("Bosnia", "Actor", "Q225", "alias"),
        ("Macedonia", "Country", "Q221", "alias"),
        ("Berlin", "Actor", "Q183", "capital-as-government"),
        ("Berlin", "City", "Q64", "name"),
        ("Kuala Lumpur", "Actor", "Q833", "capital-as-government"),
        ("Kuala Lumpur", "City", "Q1865", "name"),
        ("Iraqi President Saddam Hussein", "Person", "Q1316", "titled-name"),
        ("Recep Tayyip Erdoğan", "Actor", "Q39723", "name"),
        ("Recep Tayyip Erdogan", "PER", "Q39723", "name"),  # accents do not count
        ("Nicolás Maduro", "Actor", "curated:Nicolás Maduro", "name"),
        ("NATO peacekeeping troops", "Actor", "IGOWSTNAT.MIL", "sector"),
        ("Police (India)", "Actor", "IND.COP", "sector"),
        ("Indian police", "Actor", "IND.COP", "sector"),
        ("Military Forces of Russia (2000-)", "Actor", "RUS.MIL", "sector"),
        ("Россия", "Actor", "Q159", "alias"),
        ("Україна", "Country", "Q212", "alias"),
        ("روسيا", "Actor", "Q159", "alias"),
        ("Allemagne", "Country", "Q183", "alias"),
        ("Russian Federation", "Country", "Q159", "name"),
        ("Sumy Oblast", "Region", "UA-59", "name"),
        ("Dnipropetrovsk Oblast", "Region", "UA-12", "name"),
        ("Hamas", "Actor", "Q38799", "name"),
        ("Islamic State", "Organization", "Q2429253", "name"),
        ("Wagner", "Actor", "curated:Wagner Group", "alias"),
        ("DPR", "Actor", "Q16150196", "alias"),  # UCDP's side in Ukraine, 2014
        ("Lugansk People's Republic", "Actor", "Q16746854", "alias"),
        ("United Armed Forces of Novorossiya", "Actor", "curated:United Armed Forces of Novorossiya", "name"),
        ("Aso Taro", "Actor", "phoenix:TARO_ASO", "reordered-name"),
    ],
)
def test_issue_names_resolve(world, name, type_, key, rule):
    found = resolved(world, name, type_)
    assert (found.entry.key, found.rule) == (key, rule)


def test_a_name_typed_actor_person_or_country_is_one_entry(world):
    assert {world.resolve("Putin", t).entry.key for t in ("Actor", "PER", "Person", None)} == {"Q7747"}
    assert {world.resolve("Russia", t).entry.key for t in ("Actor", "GPE", "Country", "Organization")} == {"Q159"}


def test_sector_actors_are_linked_to_their_country_not_free_floating(world):
    police = resolved(world, "Police (India)", "Actor").entry
    assert (police.name, police.cls, police.country, police.agent) == ("Police (India)", "Organization", "IN", "COP")
    assert police.parent == world.by_iso("IN").entry.key == "Q668"
    assert police.cameo == ("INDCOP",)
    assert world.get("IND.COP") == police == world.by_cameo("INDCOP").entry
    assert world.resolve("Police", "Actor").entry is None  # no free-floating "Police"
    assert world.resolve("Russian forces", "Person").status == "unresolved"  # not a person


def test_a_capital_is_the_government_as_an_actor_and_the_city_as_a_place(world):
    assert resolved(world, "Moscow", "Actor").entry.key == "Q159"
    assert resolved(world, "Moscow", "Organization").entry.key == "Q159"
    for type_ in ("City", "GPE", "Location"):
        assert resolved(world, "Moscow", type_).entry.key == "Q649"
    assert resolved(world, "Brussels", "Actor").entry.key == "Q458"  # the EU, not Belgium
    assert resolved(world, "Brussels", "City").entry.key == "Q239"


def test_a_place_coded_as_its_country_stands_for_it_only_as_an_actor(world):
    assert resolved(world, "Herat", "Actor").entry.key == "Q889"
    assert world.resolve("Herat", "City").entry is None


def test_a_city_named_like_a_country_contradicts_and_is_kept_apart(world):
    found = world.resolve("Georgia", "City")
    assert found.status == "contradicts" and [e.key for e in found.candidates] == ["Q230"]
    assert resolved(world, "Georgia", "Actor").entry.key == "Q230"
    assert resolved(world, "Georgia", "Region").entry.key == "US-GA"
    assert world.resolve("Russia", "Person").status == "contradicts"
    assert world.resolve("Herat", "City").status == "unresolved"  # a City named like a Region: a miss


def test_a_bare_name_two_people_share_is_ambiguous_never_picked(world):
    found = world.resolve("Assad", "Person")
    assert found.status == "ambiguous" and not found
    assert {"Bashar al-Assad", "Hafez al-Assad"} <= {e.name for e in found.candidates}
    bush = world.resolve("Bush", "Actor")
    assert bush.status == "ambiguous" and "George W. Bush" in {e.name for e in bush.candidates}
    assert world.resolve("German", "Person").status == "ambiguous"  # German Gref and others
    assert resolved(world, "Putin", "Person").entry.key == "Q7747"  # no other Putin
    assert resolved(world, "Bashar al-Assad", "Person").entry.name == "Bashar al-Assad"
    assert world.resolve_any(["Assad", "Xyzzy"], "Person").status == "ambiguous"
    assert world.resolve_any(["Assad", "Bashar al-Assad"], "Person").entry.name == "Bashar al-Assad"
    assert world.resolve_any(["Xyzzy"], "Person").status == "unresolved"


# -- roles on a date -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "day", "holder"),
    [
        ("the Russian President", "2010-01-01", "Dmitry Medvedev"),
        ("the Russian President", "2012-05-07", "Vladimir Putin"),  # handover day: the newcomer
        ("the US President", "2024-12-01", "Joe Biden"),
        ("President of the United States", "2025-01-20", "Donald Trump"),
        ("German Chancellor", "2024-01-01", "Olaf Scholz"),
        ("the Ukrainian Prime Minister", "2017-03-01", "Volodymyr Groysman"),
        ("the Iranian President", "2022-01-01", "Ebrahim Raisi"),
        ("Syrian President", "2020-06-01", "Bashar al-Assad"),
        ("UN chief", "2015-05-05", "Ban Ki-moon"),
        ("the Egyptian Prime Minister", "2016-01-01", "Sherif Ismail"),
        ("Hezbollah leader", "2020-01-01", "Hassan Nasrallah"),
        ("the Russian President", "2010", "Dmitry Medvedev"),  # one holder all year
    ],
)
def test_a_role_phrase_names_whoever_held_the_office_that_day(world, phrase, day, holder):
    found = resolved(world, phrase, "Person", on=day)
    assert found.entry.name == holder and found.rule == f"role on {day}"
    assert found.office is not None


def test_role_phrases_without_a_date_or_beyond_the_known_terms_are_not_guessed(world):
    undated = world.resolve("the Russian President", "Person")
    assert undated.status == "unresolved" and undated.office.id == "RU.president"
    assert world.resolve("the Russian President", "Person", on="2008").status == "ambiguous"  # Putin, then Medvedev
    late = world.resolve("the French President", "Person", on="2026-06-01")
    assert late.status == "unresolved" and "known until" in late.note
    assert world.complete_until == "2025-06-30"


@pytest.mark.parametrize(
    ("name", "day", "holder"),
    [
        ("Head of Government (Russia)", "2018-06-01", "Dmitry Medvedev"),
        ("Head of State (Russia)", "2018-06-01", "Vladimir Putin"),
        ("Head of Government (United States)", "2018-06-01", "Donald Trump"),  # head of state and government
        ("Head of State (Germany)", "2018-06-01", "Frank-Walter Steinmeier"),
        ("head of government (Germany)", "2018-06-01", "Angela Merkel"),
    ],
)
def test_icews_generic_heads_are_whoever_held_the_office_that_day(world, name, day, holder):
    found = resolved(world, name, "Actor", on=day)
    assert found.entry.name == holder and found.rule == f"role on {day}"


def test_icews_generic_heads_stay_the_government_when_no_holder_is_known(world):
    """A country without a curated office, no date, or a day past the known terms: the sector
    actor, as before; the office is only named where one is curated."""
    thai = world.resolve("Head of Government (Thailand)", "Actor", on="2018-06-01")
    assert (thai.entry.key, thai.rule, thai.office) == ("THA.GOV", "sector", None)
    for day in (None, "2026-06-01"):
        found = world.resolve("Head of Government (Russia)", "Actor", on=day)
        assert (found.entry.key, found.rule, found.office.id) == ("RUS.GOV", "sector", "RU.prime-minister")
    assert world.office("Head of Government (Nowhere)") is None


def test_people_carry_their_dated_roles(world):
    medvedev = world.by_wikidata("Q23530").entry
    assert {r.office for r in medvedev.roles_on("2010-01-01")} >= {"RU.president"}
    assert any(r.code == "RUSGOV" and r.on("2010-01-01") for r in medvedev.roles)  # from the dictionaries
    tenures = {(o.id, h.name, s) for o, h, s, _e in world.tenures()}
    assert ("US.president", "Joe Biden", "2021-01-20") in tenures


# -- codes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "key"),
    [
        ("RUS", "Q159"),
        ("RUSGOV", "RUS.GOV"),  # the institution the code names, whoever held office
        ("USAGOV", "USA.GOV"),
        ("UKROPP", "UKR.OPP"),
        ("IGOUNO", "Q1065"),
        ("IGOEUREEC", "Q458"),
        ("IGOWSTNAT", "Q7184"),
        ("PSEREBHMS", "Q38799"),
        ("AFGGOVCOP", "AFG.GOV.COP"),
        ("KSV", "Q1246"),
        ("EUR", "Q46"),
    ],
)
def test_cameo_codes(world, code, key):
    found = world.by_cameo(code)
    assert found.entry.key == key and found.rule == "cameo-code"


@pytest.mark.parametrize(
    ("code", "key"),
    [("RU", "Q159"), ("RUS", "Q159"), ("643", "Q159"), ("204", "Q962"), ("4", "Q889"), ("ua-59", "UA-59")],
)
def test_iso_codes_alpha2_alpha3_numeric_and_subdivisions(world, code, key):
    found = world.by_iso(code)
    assert found.entry.key == key and found.rule == "iso-code"


def test_wikidata_and_keys(world):
    assert world.by_wikidata("Q7747").entry.name == "Vladimir Putin"
    assert world.get("Q212").name == "Ukraine" and world.get("UA-59").name == "Sumy Oblast"
    assert world.get("no such key") is None and not world.by_wikidata("Q0")


def _gdelt_actors():
    path = SAMPLES / "gdelt2_events_20191024143000.export.CSV"
    if not path.is_file():
        pytest.skip(f"{path} not found: the shared samples are not beside the checkout")
    rows = [line.rstrip("\n").split("\t") for line in path.open(encoding="utf-8")]
    return {(r[i], r[i + 1], r[i + 2]) for r in rows for i in (5, 15) if r[i]}


def test_gdelt_actor_codes_name_countries_organisations_and_their_sectors(world):
    actors = _gdelt_actors()
    for code, name, country in actors:
        found = world.by_cameo(code)
        if country:  # a coded country: the code is the country, one of its sectors, or an IGO's
            assert found.entry is not None, (code, name)
            assert world.by_cameo(country).entry.cls == "Country" or code.startswith("IGO")
            if found.entry.cls != "Country" and not code.startswith("IGO"):
                assert found.entry.country == world.by_cameo(country).entry.iso, code
        elif code in ("BUS", "COP", "CVL", "EDU", "MED"):
            assert found.entry is None  # an agent without a country is no entry of its own
    assert world.by_cameo("GBRCVL").entry.name == "Civilians (United Kingdom)"
    names = {name for _c, name, _cc in actors}
    for name in ("UNITED STATES", "RUSSIA", "CHINESE", "NORWEGIAN", "KUALA LUMPUR", "THE EU", "GERMAN"):
        assert name in names
        assert world.resolve(name, "Actor").entry.cls in ("Country", "Organization"), name


def test_icews_actors_resolve_to_their_source_country(world):
    path = SAMPLES / "icews_events_sample.tab"
    if not path.is_file():
        pytest.skip(f"{path} not found: the shared samples are not beside the checkout")
    rows = list(csv.DictReader(path.open(encoding="utf-8"), delimiter="\t"))
    checked = 0
    for row in rows:
        for side in ("Source", "Target"):
            name, sectors, country = row[f"{side} Name"], row[f"{side} Sectors"], row[f"{side} Country"]
            iso = world.country(country).entry.iso
            found = world.resolve(name, "Actor")
            if sectors == "NA" and found.entry is not None and found.entry.cls == "Country":
                assert found.entry.iso == iso, (name, country)  # "Russia" / "Russian Federation"
                checked += 1
            elif name.endswith(")"):  # a sector actor: "Police (India)", "Citizen (Japan)"
                assert found.entry is not None and found.entry.country == iso, (name, found)
                assert found.rule == "sector"
                checked += 1
    assert checked > 40
    assert resolved(world, "Russian Federation", "Country").entry.key == "Q159"


def test_acled_numeric_iso_and_actor_names(world):
    path = SAMPLES / "acled_benin_2022_head.csv"
    if not path.is_file():
        pytest.skip(f"{path} not found: the shared samples are not beside the checkout")
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert {world.by_iso(r["iso"]).entry.name for r in rows} == {"Benin"}
    assert resolved(world, "Military Forces of Benin (2016-)", "Actor").entry.key == "BEN.MIL"
    customs = resolved(world, "Police Forces of Benin (2016-) Customs", "Actor").entry
    assert (customs.key, customs.name, customs.country) == ("BEN.COP/customs", "Police (Benin): Customs", "BJ")
    assert resolved(world, "Civilians (Benin)", "Actor").entry.country == "BJ"
    jnim = resolved(world, "JNIM: Group for Support of Islam and Muslims", "Actor").entry
    assert jnim.cls == "ArmedGroup"
    actors = {a.strip() for r in rows for k in ("actor1", "actor2") for a in r[k].split(";") if a.strip() != "NA"}
    sectors = [a for a in actors if a.startswith(("Military Forces of", "Police Forces of", "Government of"))]
    assert sectors and all(world.resolve(a, "Actor").entry.country for a in sectors)


# -- the mapping's own gazetteer in front ----------------------------------------------------------


def test_every_entry_of_the_shipped_gazetteer_yaml_resolves_as_before(world):
    user = load_gazetteer([ROOT / "mappings" / "gazetteer.yaml"])
    layered = LayeredGazetteer(user, world)
    checked = 0
    for key in user._index:
        for entry, only_as in user.candidates(key):
            for type_ in sorted(only_as) or [entry.type]:
                before = user.lookup([key], type_)
                assert before is not None and before.name == entry.name
                found = layered.resolve(key, type_)
                assert found.entry is not None, (key, type_)
                assert (found.entry.name, found.entry.wikidata) == (entry.name, entry.wikidata), (key, type_)
                if entry.iso_code:
                    assert found.entry.iso == entry.iso_code
                checked += 1
    assert checked > 150


def test_the_world_agrees_with_the_shipped_gazetteer_yaml(world):
    """Every QID the hand-written file gives is the world's for that name, except two bare names
    the world knows more people for (Obama: Alphonse Obama too) and 'the Alliance' (too vague)."""
    user = load_gazetteer([ROOT / "mappings" / "gazetteer.yaml"])
    for key in user._index:
        for entry, only_as in user.candidates(key):
            if not entry.wikidata or key in ("obama", "alliance"):
                continue
            for type_ in sorted(only_as) or [entry.type]:
                found = world.resolve(key, type_)
                assert found.entry is not None and found.entry.wikidata == entry.wikidata, (key, type_, found)
    assert world.resolve("Obama", "Person").status == "ambiguous"


def test_user_entries_win_and_keep_the_world_identifiers():
    user = Gazetteer(
        [
            (
                GazetteerEntry("Vlad the President", "Person", wikidata="Q7747"),
                [("Vlad the President", frozenset()), ("Putin", frozenset())],
            ),
            (GazetteerEntry("Obama", "Person", wikidata="Q76"), [("Obama", frozenset())]),
            (GazetteerEntry("Moscow", "Country", wikidata="Q159"), [("Moscow", frozenset({"Country"}))]),
        ]
    )
    layered = LayeredGazetteer(user)
    putin = layered.resolve("Putin", "Actor")
    assert putin.entry.name == "Vlad the President" and putin.entry.key == "Q7747" and putin.rule == "alias"
    assert any(r.office == "RU.president" for r in putin.entry.roles)  # the world's roles come along
    assert layered.resolve("Obama", "Person").entry.key == "Q76"  # ambiguous in the world alone
    assert layered.resolve("Moscow", "Country").entry.key == "Q159"
    assert layered.resolve("Moscow", "City").entry.key == "Q649"  # the alias is for Country only
    assert layered.resolve("Kyiv", "Actor").entry.key == "Q212"  # not in the user's file: the world's


# -- properties ------------------------------------------------------------------------------------


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=40))
def test_normalise_is_idempotent(text):
    key = normalise(text)
    assert normalise(key) == key


@pytest.fixture(scope="module")
def fresh() -> WorldGazetteer:
    """A second gazetteer made from the same file, with nothing looked up yet."""
    import orjson

    return WorldGazetteer(orjson.loads(gzip.decompress(default_world_gazetteer().read_bytes())))


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["Russia", "Berlin", "Putin", "Georgia", "Police (India)", "GERMAN", "Assad", "Xyzzy"]),
    st.sampled_from([None, "Actor", "Person", "City", "Country", "GPE", "Location", "Event"]),
)
def test_a_lookup_does_not_depend_on_what_was_looked_up_before(world, fresh, name, type_):
    first, second = world.resolve(name, type_), fresh.resolve(name, type_)
    assert (first.status, first.rule, first.entry and first.entry.key) == (
        second.status,
        second.rule,
        second.entry and second.entry.key,
    )
    assert world.resolve(name, type_) is world.resolve(name, type_)  # memoised


# -- the bundled file --------------------------------------------------------------------------------


def test_the_bundled_file_is_small_loads_once_and_says_what_it_was_built_from():
    path = default_world_gazetteer()
    assert path.stat().st_size < 5_000_000
    assert WorldGazetteer.bundled() is WorldGazetteer.bundled()
    world = WorldGazetteer.bundled()
    assert len(world) > 30_000
    assert set(world.sources) >= {"phoenix", "pycountry", "curated", "curated_reviewed"}
    assert (path.parent / "LICENSE-phoenix").read_text().startswith("The MIT License")
    assert "LESSER GENERAL PUBLIC LICENSE" in (path.parent / "LICENSE-pycountry").read_text()
    assert gzip.decompress(path.read_bytes()).startswith(b"{")


def test_a_pickled_gazetteer_names_its_file_and_is_read_once_per_process(world, fresh):
    import pickle

    blob = pickle.dumps(world)
    assert len(blob) < 1000 and pickle.loads(blob) is world
    assert pickle.loads(pickle.dumps(fresh)).resolve("NORWAY", "Actor").entry.key == "Q20"  # no file: the data


def test_the_documented_examples_run():
    """docs/gazetteer.md's first example, run as written."""
    text = (ROOT / "docs" / "gazetteer.md").read_text("utf-8")
    block = text.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(block, namespace)
    world = namespace["world"]
    assert world.resolve("GERMAN", "Actor").rule == "demonym"
    assert world.resolve("Berlin", "City").entry.key == "Q64"


def test_an_armed_group_is_an_organization_to_the_shapes(tmp_path):
    """kg:ArmedGroup (the gazetteer's class for non-state armed groups) is a kg:Organization: an
    armed group that attacked a city conforms, one that is also a place does not."""
    import pyshacl
    import rdflib

    data = """
    @prefix kg: <https://w3id.org/kgload/ontology#> .
    @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    @prefix ex: <https://example.org/> .
    ex:hamas a kg:ArmedGroup ; rdfs:label "Hamas" ; kg:attacked ex:city .
    ex:city a kg:City ; rdfs:label "Sderot" .
    """
    shapes = rdflib.Graph().parse(ROOT / "ontology" / "shapes.ttl")
    ontology = rdflib.Graph().parse(ROOT / "ontology" / "kgload.ttl")
    conforms, _, text = pyshacl.validate(
        rdflib.Graph().parse(data=data, format="turtle"), shacl_graph=shapes, ont_graph=ontology, inference="none"
    )
    assert conforms, text
    wrong = data + "ex:hamas a kg:City .\n"
    conforms, _, _ = pyshacl.validate(
        rdflib.Graph().parse(data=wrong, format="turtle"), shacl_graph=shapes, ont_graph=ontology, inference="none"
    )
    assert not conforms
