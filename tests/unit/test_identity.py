"""Identity: what an entity is decides its IRI, not how the source typed it (kgload.mapping.identity)."""

import json
from collections import defaultdict

import pytest
from typer.testing import CliRunner

from kgload.api import map_quads
from kgload.cli import app
from kgload.mapping.identity import identify, identifying_code
from kgload.mapping.layered import LayeredGazetteer
from kgload.rdf.offices import tenure_index
from kgload.rdf.plan import map_extraction
from kgload.readers import read
from kgload.readers.kgload_json import from_value
from kgload.records import Origin
from kgload.vocabulary.namespaces import KG, RDF, SCHEMA
from tests.common import FIXED_RUN, ROOT, SAMPLES
from tests.unit.readers_support import split
from tests.unit.test_build import ID, PUTIN, extraction, triples


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


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Farmers (Benin)", "Pastoralists (Benin)"),
        ("Protesters (Benin)", "Rioters (Benin)"),
        ("Civilians (Benin)", "Women (Benin)"),
        ("Students (Benin)", "Teachers (Benin)"),
        ("Police Forces of Benin (2016-)", "Police Forces of Benin (2016-) Customs"),
        ("Police Forces of Benin (2016-) Forest Guards", "Military Forces of Benin (2016-) Forest Guards"),
    ],
)
def test_two_actors_one_cameo_sector_codes_stay_two(world, one, other):
    first, second = identify(world, [one], "Actor").entry, identify(world, [other], "Actor").entry
    assert first.key != second.key
    assert first.country == second.country == "BJ"  # both still linked to Benin


@pytest.mark.parametrize(
    ("names", "codes"),
    [
        (["PRESIDENT"], {"cameo": "GOV"}),  # GDELT: a president, whose is not said
        (["POLICE", "Police"], {}),
        (["MEDIA"], {"cameo": "MED"}),  # the code every news agency shares names none of them
        (["Civilians"], {}),  # UCDP's side B of one-sided violence
        (["Unidentified Armed Group (Benin)"], {}),  # ACLED: which group, ACLED could not say
        (["Unidentified Communal Militia (Benin)"], {"country": "BEN"}),
    ],
)
def test_a_generic_agent_without_an_owner_is_scoped_to_its_document(world, names, codes):
    found = identify(world, names, "Actor", **codes)
    assert (found.entry, found.how, found.scoped) == (None, "unresolved", True)


@pytest.mark.parametrize(
    ("name", "cameo"),
    [("BANK", "BUS"), ("NATIONALS", "CVL"), ("FOREIGN MINIST", "GOV"), ("TROOPER", "COP"), ("SAINT", "REL")],
)
def test_generic_words_with_a_bare_agent_code_are_scoped_to_their_document(world, name, cameo):
    """GDELT's names of generic actors the agent phrases lack as a whole, coded with a sector only."""
    found = identify(world, [name], "Actor", cameo=cameo)
    assert (found.entry, found.rule, found.scoped) == (None, "generic words", True)


@pytest.mark.parametrize(
    ("name", "codes"),
    [
        ("JOHN SMITH", {"cameo": "GOV"}),  # a proper name: its words are no agent phrase's
        ("TAXI DRIVERS", {"cameo": "LAB"}),  # nor are these (conservative: left one node)
        ("European Community", {"cameo": "IGO"}),  # PLOVER: common words, but a code that is no sector
        ("BANK", {"cameo": "USABUS"}),  # the source says whose
        ("BANK", {"cameo": "BUS", "country": "USA"}),
        ("BANK", {}),  # no code at all: nothing says it is a sector
        ("ISLAM", {"cameo": "MOS"}),
    ],
)
def test_a_proper_name_or_a_country_keeps_generic_words_one_node(world, name, codes):
    assert not identify(world, [name], "Actor", **codes).scoped


def test_an_owner_or_a_name_makes_a_generic_agent_an_actor_again(world):
    assert identify(world, ["Police"], "Actor", country="IND").entry.key == "IND.COP"
    assert identify(world, ["POLICE"], "Actor", cameo="INDCOP").entry.key == "IND.COP"
    assert identify(world, ["Rioters (Benin)"], "Actor").entry.key == "BEN.OPP/rioter"
    for names in (["John Smith"], ["PRESIDENT", "John Smith"]):  # a name of its own: one actor, unknown
        found = identify(world, names, "Actor", cameo="GOV")
        assert found.entry is None and not found.scoped
    coded = identify(world, ["POLICE"], "Actor", cameo="USAGOV")  # a code naming someone: not generic
    assert not coded.scoped


def test_a_category_sector_is_the_group_its_name_names_in_every_source(world):
    farmers = identify(world, ["Farmers (Benin)"], "Actor").entry
    assert (farmers.key, farmers.name, farmers.parent) == ("BEN.AGR/farmer", "Farmers (Benin)", "Q962")
    assert identify(world, ["Benin farmers"], "Actor").entry == farmers
    assert identify(world, ["FARMER"], "Actor", cameo="BENAGR").entry == farmers  # GDELT
    assert identify(world, ["Farmers"], "Actor", country="BEN").entry == farmers  # ICEWS
    assert identify(world, ["PASTORALISTS"], "Actor", cameo="BENAGR").entry.key == "BEN.AGR/pastoralists"
    assert world.world.get("BEN.AGR/farmer") == farmers
    refugees = identify(world, ["Refugees/IDPs (Benin)"], "Actor").entry  # named as curated.yaml writes it
    assert (refugees.key, refugees.name) == ("BEN.REF/refugeesidps", "Refugees/IDPs (Benin)")
    assert identifying_code(world, farmers) is None  # BENAGR names the whole sector, not the farmers
    # a state body is one actor, whichever of its phrases names it
    assert identify(world, ["Police Forces of Benin (2016-)"], "Actor").entry.key == "BEN.COP"
    assert identify(world, ["POLICE"], "Actor", cameo="BENCOP").entry.key == "BEN.COP"


def test_the_acled_sample_keeps_every_actor_apart():
    """Through the shipped acled source mapping: no document gives two of its actors one node, and
    every self-loop is a relation whose two ends ACLED names alike ("Rioters (Benin)" on both sides)."""
    path = SAMPLES / "acled_benin_2022_head.csv"
    if not path.is_file():
        pytest.skip(f"{path} not found: the shared samples are not beside the checkout")
    good, bad = split(read(path))
    assert good and not bad
    quads, rejects = map_quads([path], mapping=ROOT / "mappings" / "events.yaml", run=FIXED_RUN, workers=1)
    assert rejects == []
    mentioned: dict[str, set[str]] = defaultdict(set)
    for q in quads:
        if q.predicate.value == SCHEMA + "mentions":
            mentioned[q.graph_name.value].add(q.object.value)
    names = sorted(len({e.name for e in x.entities}) for x in good)
    assert sorted(len(nodes) for nodes in mentioned.values()) == names
    sides = (RDF + "subject", RDF + "object")
    ends = {(q.subject, q.predicate.value): q.object for q in quads if q.predicate.value in sides}
    claims = {s for s, p in ends if p == RDF + "subject"}
    loops = sum(1 for c in claims if ends[c, RDF + "subject"] == ends.get((c, RDF + "object")))
    alike = 0
    for x in good:
        by_id = {e.id: e.name for e in x.entities}
        alike += sum(1 for r in x.relations if by_id[r.head] == by_id[r.tail])
    assert loops == alike > 0


def test_the_acled_sample_gives_an_unidentified_group_a_node_per_event():
    """ACLED's "Unidentified Armed Group (Benin)" (131 events in the sample) is whoever ACLED could not
    identify in each event: one node per document, never one actor behind them all; Benin's police
    and the category "Rioters (Benin)" stay one node each, with their country."""
    path = SAMPLES / "acled_benin_2022_head.csv"
    if not path.is_file():
        pytest.skip(f"{path} not found: the shared samples are not beside the checkout")
    quads, _ = map_quads([path], mapping=ROOT / "mappings" / "events.yaml", run=FIXED_RUN, workers=1)
    documents: dict[str, set[str]] = defaultdict(set)
    labels: dict[str, str] = {}
    for q in quads:
        if q.predicate.value == SCHEMA + "mentions":
            documents[q.object.value].add(q.graph_name.value)
        elif q.predicate.value == "http://www.w3.org/2000/01/rdf-schema#label":
            labels[q.subject.value] = q.object.value
    by_label: dict[str, list[str]] = defaultdict(list)
    for iri, label in labels.items():
        if iri in documents:
            by_label[label].append(iri)
    for generic in ("Unidentified Armed Group (Benin)", "Unidentified Communal Militia (Benin)"):
        nodes = by_label[generic]
        assert len(nodes) > 40 and all(len(documents[n]) == 1 for n in nodes)
    for node in ("ben-cop", "ben-opp-rioter"):  # "Police Forces of Benin (2016-)", "Rioters (Benin)"
        assert len(documents[ID + node]) > 30


def test_the_gdelt1_sample_gives_generic_words_a_node_per_event():
    """GDELT 1.0's "NATIONALS" (coded ``CVL``, no country, four events) and "SAINT" (``REL``, four) are
    four nodes each, one per event; "FAHD" (``SAUELI``) stays one node for his two events."""
    path = SAMPLES / "gdelt1_events_sample_reed9999.csv"
    if not path.is_file():
        pytest.skip(f"{path} not found: the shared samples are not beside the checkout")
    quads, _ = map_quads([path], mapping=ROOT / "mappings" / "events.yaml", run=FIXED_RUN, workers=1)
    documents: dict[str, set[str]] = defaultdict(set)
    by_label: dict[str, set[str]] = defaultdict(set)
    for q in quads:
        if q.predicate.value == SCHEMA + "mentions":
            documents[q.object.value].add(q.graph_name.value)
        elif q.predicate.value == "http://www.w3.org/2000/01/rdf-schema#label":
            by_label[q.object.value].add(q.subject.value)
    for generic in ("NATIONALS", "SAINT"):
        nodes = by_label[generic] & documents.keys()
        assert len(nodes) == 4 and all(len(documents[n]) == 1 for n in nodes), generic
    [fahd] = by_label["FAHD"] & documents.keys()
    assert len(documents[fahd]) == 2


def test_an_icews_head_of_government_is_the_person_in_office_on_the_event_day(tmp_path):
    """The ICEWS sample's one "Head of Government (...)" row, moved to Russia: the target is the prime
    minister of the event's day, with ICEWS's name kept as an alias; the source stays the government."""
    path = SAMPLES / "icews_events_sample.tab"
    if not path.is_file():
        pytest.skip(f"{path} not found: the shared samples are not beside the checkout")
    header, *rows = path.read_text(encoding="utf-8").splitlines()
    (row,) = [r for r in rows if "\tHead of Government (Thailand)\t" in r]
    moved = row.replace("Head of Government (Thailand)", "Head of Government (Russia)")
    moved = moved.replace("Executive Office\tThailand", "Executive Office\tRussia")
    assert "2018-06-01" in moved and moved != row
    copy = tmp_path / "icews.tab"
    copy.write_text(f"{header}\n{moved}\n", encoding="utf-8")
    quads, rejects = map_quads([copy], run=FIXED_RUN, workers=1)
    assert rejects == []
    objects = {q.object.value for q in quads if q.predicate.value == RDF + "object"}
    assert objects == {ID + "q23530"}  # Dmitry Medvedev
    medvedev = [q for q in quads if q.subject.value == ID + "q23530"]
    aliases = {q.object.value for q in medvedev if q.predicate.value.endswith("altLabel")}
    assert "Head of Government (Russia)" in aliases


def test_a_qid_the_world_lacks_joins_the_entry_its_name_resolves_to(world):
    named = identify(world, ["Mikhail Mishustin"], "Person")
    assert named.entry is not None and not named.entry.wikidata
    given = identify(world, ["Mikhail Mishustin"], "Person", wikidata="Q999999999")  # a QID the world lacks
    assert given.entry.key == named.entry.key and given.entry.wikidata == "Q999999999"
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


@pytest.mark.parametrize("order", [(0, 1, 2), (2, 1, 0), (1, 2, 0)])
def test_a_free_place_and_a_free_actor_of_one_name_are_two_nodes_of_one_type_each(mapping, run, order):
    """Across documents (within one, SHACL rejects a node of two kinds): the town "Zorvany" and the
    actor "ZORVANY" that event data codes stay apart, whatever order the documents come in."""
    mentions = [("Zorvany", "City"), ("ZORVANY", "Actor"), ("Zorvany", "Organization")]
    types: dict[str, set[str]] = defaultdict(set)
    for i in order:
        name, kind = mentions[i]
        ents = [{"id": "a", "name": name, "type": kind}, {"id": "b", "name": "Qwerty Front", "type": "Actor"}]
        mapped = map_extraction(
            extraction(ents, [{"type": "attacked", "head": "b", "tail": "a"}], f"d{i}"), mapping, run
        )
        for s, p, o in triples(mapped):
            if p == RDF + "type" and "zorvany" in s:
                types[s].add(o)
    assert types == {
        ID + "place/zorvany": {KG + "City"},
        ID + "name/zorvany": {KG + "Actor", KG + "Organization"},  # an actor of unknown kind is any actor
    }


def test_a_dated_role_phrase_the_world_cannot_answer_goes_to_the_mappings_tenures(mapping, run):
    """After the world gazetteer's terms end (complete_until), the world only matches "the US
    President" by name (the dictionaries' office entry, "President Of The United States"): the
    mapping's own reference tenures (mappings/gazetteer.yaml) say who held it, and come first."""
    office = identify(mapping.world, ["the US President"], "Person", "2026-02-01")
    assert office.how == "gazetteer" and office.entry.cls != "Person"
    value = {
        "document": {"id": "d1", "title": "T", "published": "2026-02-01"},
        "entities": [{"id": "a", "name": "the US President", "type": "Person"}, PUTIN],
        "relations": [{"type": "called", "head": "a", "tail": "p", "date": "2026-02-01"}],
    }
    (doc,) = from_value(value, Origin("test.json", 1))
    t = triples(map_extraction(doc, mapping, run, tenure_index(mapping)))
    assert {s for s, p, o in t if p == KG + "called"} == {ID + "q22686"}  # Donald Trump


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
    generic = runner.invoke(app, ["resolve", "POLICE", "--type", "Actor", "--json"])
    assert generic.exit_code == 3, generic.output
    answer = json.loads(generic.output)
    assert (answer["status"], answer["rule"]) == ("unresolved", "generic agent")
    assert answer["iri"].endswith("/id/name/{document}/police") and "each document's own node" in answer["note"]
