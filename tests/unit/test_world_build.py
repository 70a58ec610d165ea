"""tools/build_gazetteer.py: the TABARI dictionary syntax it reads, and that the shipped world
gazetteer is exactly what it builds from its sources (same inputs, same bytes)."""

from __future__ import annotations

import gzip
import importlib.util
import json
import random
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
import yaml

from kgload.mapping.resolve import normalise
from kgload.mapping.world import WorldGazetteer
from kgload.resources import default_world_gazetteer
from tests.common import ROOT

PHOENIX = ROOT.parent / "shared" / "reference" / "phoenix"
CURATED = ROOT / "gazetteer" / "curated.yaml"

_spec = importlib.util.spec_from_file_location("build_gazetteer", ROOT / "tools" / "build_gazetteer.py")
build = sys.modules.setdefault("build_gazetteer", importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(build)


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("000507", "2000-05-07"),  # YY 00-30 is 20YY (PETRARCH's rule)
        ("300101", "2030-01-01"),
        ("311221", "1931-12-21"),
        ("19270101", "1927-01-01"),
        ("9008223", None),  # seven digits: not a date (the dictionary has this typo)
        ("1920030320", None),
        ("100231", None),
        ("abc", None),
    ],
)
def test_tabari_dates(text, iso):
    assert build.tabari_date(text) == iso


DICTIONARY = """\
# comment line
<!-- an HTML-style
comment over two lines -->
AFGHANISTAN_  [AFG]
+AFGHAN_
+KABUL_ # the capital

HAMID_KARZAI_  # CountryInfo.txt
+KARZAI_
\t[AFGELI 750101-000101]
\t[AFGGOV >011222]
\t[AFGELI]
JAVIER_SOLANA_\t[IGOEUREEC 950701-951231][IGOWSTNAT 951205-991006] # IGOrulers.txt
ARMENIA_
\t[USRARM <900823]
\t[ARMUNR 9008223-911221]
\t[ARM >911221]
JOHN_J MCCLOY_
\tJOHN_MCCLOY_\t[IGOUNODEVWBK 470301-490630]
"""


def test_actor_records_with_synonyms_dated_codes_and_comments(tmp_path):
    path = tmp_path / "x.actors.txt"
    path.write_text(DICTIONARY)
    anomalies = build.Counter()
    afg, karzai, solana, armenia, mccloy = build.parse_actors(path, anomalies)
    assert (afg.phrase, afg.synonyms, afg.current()) == ("AFGHANISTAN", ["AFGHAN", "KABUL"], "AFG")
    assert karzai.comment.startswith("CountryInfo.txt") and karzai.synonyms == ["KARZAI"]
    assert [(r.code, r.start, r.end) for r in karzai.codes] == [
        ("AFGELI", "1975-01-01", "2000-01-01"),
        ("AFGGOV", "2001-12-22", None),
        ("AFGELI", None, None),
    ]
    assert karzai.current() == "AFGGOV"  # the open-ended restriction, over the default
    assert [(r.code, r.start, r.end) for r in solana.codes] == [
        ("IGOEUREEC", "1995-07-01", "1995-12-31"),
        ("IGOWSTNAT", "1995-12-05", "1999-10-06"),
    ]
    assert [r.code for r in armenia.codes] == ["USRARM", "ARM"] and armenia.current() == "ARM"
    assert anomalies["bad date"] == 1
    assert mccloy.synonyms == ["JOHN MCCLOY"] and anomalies["indented phrase"] == 1
    assert build.looks_like_person(karzai) and build.looks_like_person(solana)


def test_agent_phrases_with_plurals_and_substitutions(tmp_path):
    path = tmp_path / "agents.txt"
    path.write_text(
        "!PERSON! = MAN, MEN, WOMAN\n"
        "POLICE {} [~COP] # no plural\n"
        "POLICE!PERSON!  [~COP]\n"
        "SOLDIER [~MIL]\n"
        "ATTORNEY_GENERAL {ATTORNEYS_GENERAL} [~GOVATG]\n"
        "PEACEKEEPING_TROOPS {} [IGO~]\n"
        "SECURITY_FORCE [~COP]\nSECURITY_FORCE [~MIL]\n"
    )
    anomalies = build.Counter()
    agents = build.parse_agents(path, anomalies)
    assert agents == {
        "police": "COP",
        "policeman": "COP",
        "policemen": "COP",
        "policewoman": "COP",
        "soldier": "MIL",
        "soldiers": "MIL",
        "attorney general": "GOVATG",
        "attorneys general": "GOVATG",
        "security force": "COP",
        "security forces": "COP",
    }
    assert anomalies["agent phrase with two codes (first kept)"] == 2


def _shuffled_curated(tmp_path: Path, seed: int) -> Path:
    data = yaml.safe_load(CURATED.read_text("utf-8"))
    rng = random.Random(seed)
    for section in ("people", "organizations", "armed_groups", "places", "offices"):
        rng.shuffle(data[section])
    for section in ("countries", "regions", "agents"):
        items = list(data[section].items())
        rng.shuffle(items)
        data[section] = dict(items)
    path = tmp_path / f"curated-{seed}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return path


def _tiny_phoenix(tmp_path: Path) -> Path:
    folder = tmp_path / "phoenix"
    folder.mkdir()
    (folder / "Phoenix.Countries.actors.txt").write_text(DICTIONARY)
    (folder / "Phoenix.International.actors.txt").write_text("UNITED_NATIONS_\t[IGOUNO]\nUN_ [IGOUNO]\n")
    (folder / "Phoenix.MilNonState.actors.txt").write_text("HAMAS_\n+ISLAMIC_RESISTANCE_MOVEMENT\n\t[PSEREBHMS]\n")
    (folder / "Phoenix.agents.txt").write_text("POLICE {} [~COP]\nSOLDIER [~MIL]\n")
    return folder


@pytest.mark.slow
def test_the_build_does_not_depend_on_the_order_of_the_curated_file(tmp_path):
    phoenix = _tiny_phoenix(tmp_path)
    payloads = []
    for seed in (1, 2):
        builder = build.Builder(phoenix, _shuffled_curated(tmp_path, seed))
        data = builder.build()
        data["sources"].pop("curated")  # the checksum of the (reordered) file itself
        payloads.append(build.encode(data))
    assert payloads[0] == payloads[1]
    world = WorldGazetteer(json.loads(payloads[0]))
    assert world.resolve("Karzai", "Person").entry.name == "Hamid Karzai"
    assert world.resolve("Kabul", "Actor").entry.key == "Q889"


@pytest.mark.slow
def test_one_actor_in_two_dictionary_files_is_one_entry_and_acronyms_are_spelled_out(tmp_path):
    phoenix = _tiny_phoenix(tmp_path)
    (phoenix / "Phoenix.International.actors.txt").write_text(
        "UNITED_NATIONS_\t[IGOUNO]\nAFP\n+AGENCE_FRANCE-PRESSE\n\t[MED]\n"
        "LEO_TINDEMANS_  # IGOrulers.txt\n\t[IGOEUREEC 820101-820630]\n"
    )
    countries = (phoenix / "Phoenix.Countries.actors.txt").read_text()
    countries += "LEO_TINDEMANS_  # CountryInfo.txt\n\t[BELELI 400101-740425]\nPUERTO_RICO_  [USAPRI]\n+BORIKEN_\n"
    (phoenix / "Phoenix.Countries.actors.txt").write_text(countries)
    world = WorldGazetteer(json.loads(build.encode(build.Builder(phoenix, CURATED).build())))
    tindemans = [e for e in world if e.name == "Leo Tindemans"]
    assert [(e.key, e.country) for e in tindemans] == [("phoenix:LEO_TINDEMANS", "BE")]
    assert {r.code for r in tindemans[0].roles} == {"BELELI", "IGOEUREEC"}
    afp = world.get("phoenix:AFP")
    assert (afp.name, afp.aliases) == ("Agence France-Presse", ("AFP",))
    assert world.resolve("Boriken", "Actor").entry.key == world.by_cameo("USAPRI").entry.key == "Q1183"
    assert not [e for e in world if e.key.startswith("phoenix:PUERTO_RICO")]


def test_the_build_refuses_two_entries_of_one_qid_or_one_name():
    builder = build.Builder(PHOENIX, CURATED)
    for key, qid in (("Q1", "Q1"), ("curated:x", "Q1"), ("phoenix:A", None), ("phoenix:A~EG", None)):
        builder.entries[key] = build.Entry(
            key=key, name="A" if qid is None else key, cls="Person", source="x", wikidata=qid
        )
    builder.check_unique()
    assert builder.problems == [
        "Wikidata Q1 is the QID of 2 entries: Q1, curated:x",
        "Person 'a' (no country) is 2 entries: phoenix:A, phoenix:A~EG",
    ]


def test_the_shipped_gazetteer_has_one_entry_per_qid_and_per_actor_name():
    world = WorldGazetteer.load(default_world_gazetteer())
    qids = [e.wikidata for e in world if e.wikidata]
    assert len(qids) == len(set(qids))
    actors = [(normalise(e.name), e.cls, e.country) for e in world if e.cls not in ("Region", "City", "Location")]
    assert len(actors) == len(set(actors))
    assert not [e.key for e in world if "~" in e.key]  # no actor split across the dictionary files
    assert world.get("phoenix:AFP").name == "Agence France-Presse"
    assert world.resolve("Hosni Mubarak", "Person").entry.key == "Q34105"
    assert world.resolve("The Islamic State", "Actor").entry.key == "Q2429253"


@pytest.mark.slow
def test_the_shipped_gazetteer_is_what_its_sources_build():
    if not PHOENIX.is_dir():
        pytest.skip(f"{PHOENIX} not found: cannot rebuild the world gazetteer without the Phoenix dictionaries")
    shipped = json.loads(gzip.decompress(default_world_gazetteer().read_bytes()))["sources"]
    if shipped["pycountry"] != version("pycountry"):
        pytest.skip(f"built with pycountry {shipped['pycountry']}, {version('pycountry')} is installed")
    status = build.main(["--phoenix", str(PHOENIX), "--out", str(default_world_gazetteer()), "--check", "--quiet"])
    assert status == 0, "gazetteer/world.json.gz is out of date: rebuild it (gazetteer/README.md)"
    assert (default_world_gazetteer().parent / "LICENSE-phoenix").read_text() == (PHOENIX / "LICENSE").read_text()
