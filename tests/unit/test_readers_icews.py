"""ICEWS coded-event files through mappings/sources/icews.yaml: example equivalence, NA, actors,
rejects, detection."""

from pathlib import Path

from kgload.readers import detect, read
from tests.unit.readers_support import ROOT, graph, split

EXAMPLE = ROOT / "examples" / "inputs" / "icews"
HEADER = [
    "Event ID",
    "Event Date",
    "Source Name",
    "Source Sectors",
    "Source Country",
    "Event Text",
    "CAMEO Code",
    "Intensity",
    "Target Name",
    "Target Sectors",
    "Target Country",
    "Story ID",
    "Sentence Number",
    "Publisher",
    "City",
    "District",
    "Province",
    "Country",
    "Latitude",
    "Longitude",
]


def row(**values) -> list[str]:
    base = dict(
        zip(
            HEADER,
            [
                "1",
                "2018-06-01",
                "Japan",
                "NA",
                "Japan",
                "Consult",
                "040",
                "1",
                "Citizen (Japan)",
                "Social",
                "Japan",
                "47400357",
                "5",
                "Mainichi Daily News",
                "Osaka",
                "NA",
                "Osaka-fu",
                "Japan",
                "34.6937",
                "135.502",
            ],
            strict=True,
        )
    )
    base.update(values)
    return [base[c] for c in HEADER]


def run(tmp_path: Path, *rows: list[str], header: list[str] = HEADER):
    path = tmp_path / "events.tab"
    path.write_text("\n".join("\t".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    return split(read(path, "icews"))


def test_example_maps_to_the_same_graph_as_its_kgload_equivalent():
    assert graph(EXAMPLE / "events.tab") == graph(EXAMPLE / "equivalent.kgload.json", "kgload")


def test_row_becomes_a_document_with_one_cameo_relation(tmp_path):
    good, bad = run(tmp_path, row())
    assert bad == []
    doc = good[0].document
    assert (doc.id, doc.title, doc.publisher, doc.published) == (
        "icews-1",
        "Mainichi Daily News, story 47400357",
        "Mainichi Daily News",
        "2018-06-01",
    )
    relation = good[0].relations[0]
    assert (relation.type, relation.event_code, relation.location) == ("cameo:040", "040", "place")
    assert relation.attributes == {
        "Event Text": "Consult",
        "Intensity": 1,
        "Story ID": "47400357",
        "Sentence Number": 5,
    }
    japan, citizens, osaka = good[0].entities
    assert (japan.type, japan.iso_code) == ("Country", "JP")
    assert (citizens.type, citizens.attributes["sectors"]) == ("Actor", ["Social"])
    assert (osaka.type, osaka.name, osaka.coordinates) == ("City", "Osaka", (34.6937, 135.502))
    assert "district" not in osaka.attributes  # NA is no value
    assert (japan.country, citizens.country) == ("JP", "JP")


def test_na_city_falls_back_to_province_then_country(tmp_path):
    good, _ = run(tmp_path, row(City="NA"), row(**{"Event ID": "2", "City": "NA", "Province": "NA"}))
    assert [(e.type, e.name) for e in (g.entities[-1] for g in good)] == [("Region", "Osaka-fu"), ("Country", "Japan")]


def test_rows_that_cannot_be_events_are_rejected(tmp_path):
    no_place = {"City": "NA", "Province": "NA", "Country": "NA", "Latitude": "NA", "Longitude": "NA"}
    good, bad = run(
        tmp_path,
        row(**{"Target Name": "NA"}, **no_place),
        row(**{"CAMEO Code": "NA"}),
        row(**{"Event Date": "June"}),
        row()[:5],
    )
    assert good == [] and [b.origin.record for b in bad] == [2, 3, 4, 5]
    assert bad[0].reason == (
        "column Target Name: is empty: a one-sided event (no target) without a place (City, Province or Country),"
        " so no relation"
    )
    assert bad[1].reason == "column CAMEO Code: is empty, and the relation needs a type"
    assert bad[2].reason == "column Event Date: 'June' is not a date in the declared format(s) iso"
    assert bad[3].reason == "expected 20 columns as in the header, got 5"


def test_an_event_without_a_target_acts_on_its_place(tmp_path):
    good, bad = run(tmp_path, row(**{"Target Name": "NA", "Target Sectors": "NA", "Target Country": "NA"}))
    assert bad == []
    (relation,) = good[0].relations
    assert (relation.type, relation.tail, relation.location) == ("one-sided/cameo:040", "place", "place")


def test_a_header_without_required_columns_rejects_every_row(tmp_path):
    header = [c for c in HEADER if c != "CAMEO Code"]
    _, bad = run(tmp_path, row()[:19], row()[:19], header=header)
    assert len(bad) == 2 and all("the header lacks column(s) CAMEO Code, which icews reads" in b.reason for b in bad)


def test_detected(tmp_path):
    assert detect(EXAMPLE / "events.tab") == "icews"
