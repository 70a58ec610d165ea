"""GDELT event tables through mappings/sources/gdelt.yaml: example equivalence, actors, codes, rejects,
the GDELT 1.0 layouts, detection."""

from pathlib import Path

from kgload.readers import detect, read
from kgload.readers.source import load_source
from tests.unit.readers_support import ROOT, graph, split

EXAMPLE = ROOT / "examples" / "inputs" / "gdelt"
GDELT_COLUMNS = load_source(ROOT / "mappings" / "sources" / "gdelt.yaml").layout.columns
GDELT1_COLUMNS = tuple(c for c in GDELT_COLUMNS if not c.endswith("_ADM2Code"))  # GDELT 1.0: 58 columns


def row(**values) -> str:
    base = {
        "GLOBALEVENTID": "1",
        "SQLDATE": "20250614",
        "Actor1Code": "RUSGOV",
        "Actor1Name": "RUSSIA",
        "Actor1CountryCode": "RUS",
        "Actor1Type1Code": "GOV",
        "Actor2Code": "UKR",
        "Actor2Name": "UKRAINE",
        "Actor2CountryCode": "UKR",
        "EventCode": "041",
        "GoldsteinScale": "1.0",
        "DATEADDED": "20250614150000",
        "SOURCEURL": "https://example.org/a",
    }
    base.update(values)
    return "\t".join(base.get(c, "") for c in GDELT_COLUMNS)


def run(tmp_path: Path, *lines: str):
    path = tmp_path / "x.export.CSV"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return split(read(path, "gdelt"))


def test_example_maps_to_the_same_graph_as_its_kgload_equivalent():
    assert graph(EXAMPLE / "20250614150000.export.CSV") == graph(EXAMPLE / "equivalent.kgload.json", "kgload")


def test_row_becomes_a_document_with_one_cameo_relation(tmp_path):
    good, bad = run(tmp_path, row())
    assert bad == []
    doc = good[0].document
    assert (doc.id, doc.published, doc.url, doc.title) == (
        "gdelt-1",
        "2025-06-14",
        "https://example.org/a",
        "https://example.org/a",
    )
    relation = good[0].relations[0]
    assert (relation.type, relation.event_code, relation.event_code_scheme, relation.date) == (
        "cameo:041",
        "041",
        "CAMEO",
        "2025-06-14",
    )
    assert relation.attributes["GoldsteinScale"] == 1.0
    actor1, actor2 = good[0].entities
    assert (actor1.name, actor1.type, actor1.iso_code) == (
        "RUSSIA",
        "Actor",
        None,
    )  # RUSGOV: a government or its people
    assert (actor2.name, actor2.type, actor2.iso_code) == ("UKRAINE", "Country", "UA")


def test_leading_zeros_are_kept_and_bad_codes_rejected(tmp_path):
    good, bad = run(tmp_path, row(EventCode="0841"), row(GLOBALEVENTID="2", EventCode="41a"))
    assert good[0].relations[0].type == "cameo:0841"
    assert "EventCode: 'cameo:41a' is not in the expected form" in bad[0].reason and bad[0].origin.record == 2


def test_known_groups_are_organizations_and_regions_actors(tmp_path):
    good, _ = run(
        tmp_path,
        row(
            Actor1Code="IGOEUREEC",
            Actor1Name="THE EU",
            Actor1CountryCode="EUR",
            Actor1KnownGroupCode="EEC",
            Actor1Type1Code="IGO",
            Actor2Code="EUR",
            Actor2Name="EUROPE",
            Actor2CountryCode="EUR",
        ),
    )
    assert [(e.type, e.iso_code) for e in good[0].entities] == [("Organization", None), ("Actor", None)]


def test_rows_that_cannot_be_events_are_rejected(tmp_path):
    lines = [
        row(Actor1Code="", Actor1Name="", Actor1CountryCode="", Actor1Type1Code=""),
        row(GLOBALEVENTID="x"),
        row(SQLDATE="20251340"),
        "1\t2\t3",
        row(Actor2Code="", Actor2Name="", Actor2CountryCode=""),
    ]
    good, bad = run(tmp_path, *lines)
    assert good == [] and [b.origin.record for b in bad] == [1, 2, 3, 4, 5]
    assert (
        bad[0].reason
        == "column Actor1Name: is empty: no first actor (Actor1, the one who acts in CAMEO), so no relation"
    )
    assert bad[4].reason == (
        "column Actor2Name: is empty: a one-sided event (no Actor2) without a place (ActionGeo_FullName),"
        " so no relation"
    )
    assert bad[1].reason.startswith("column GLOBALEVENTID: 'gdelt-x' is not in the expected form")
    assert bad[2].reason == "column SQLDATE: '20251340': 2025-13-40 is not a real day"
    assert bad[3].reason == "expected 61 or 58 or 57 columns as the source mapping declares, got 3"
    assert all(b.data for b in bad)


def test_a_one_sided_event_acts_on_its_place(tmp_path):
    """GDELT codes an event with no target (a statement, a protest) with Actor2 empty: its relation is
    one-sided/cameo:<code>, from the actor to the place; the mapping decides the property."""
    place = {
        "ActionGeo_Type": "4",
        "ActionGeo_FullName": "Kyiv, Ukraine",
        "ActionGeo_Lat": "50.45",
        "ActionGeo_Long": "30.52",
    }
    no_actor2 = {"Actor2Code": "", "Actor2Name": "", "Actor2CountryCode": ""}
    good, bad = run(
        tmp_path,
        row(EventCode="010", **no_actor2, **place),
        row(GLOBALEVENTID="2", EventCode="141", **no_actor2, **place),
    )
    assert bad == []
    for doc, code in zip(good, ("010", "141"), strict=True):
        (relation,) = doc.relations
        tail = next(e for e in doc.entities if e.id == relation.tail)
        assert (relation.type, relation.event_code, relation.location) == (
            f"one-sided/cameo:{code}",
            code,
            relation.tail,
        )
        assert (tail.name, tail.type) == ("Kyiv, Ukraine", "City")
    from kgload.mapping import load_mapping

    mapping = load_mapping()
    assert [
        mapping.relation_rule(t).property.iri.rsplit("#")[1] for t in ("one-sided/cameo:010", "one-sided/cameo:141")
    ] == [
        "actedAt",
        "protested",
    ]


def test_a_non_web_sourceurl_is_a_title_not_a_url(tmp_path):
    good, _ = run(tmp_path, row(SOURCEURL="BBC Monitoring"))
    assert good[0].document.url is None and good[0].document.title == "BBC Monitoring"


def test_detected_by_name_and_by_shape(tmp_path):
    assert detect(EXAMPLE / "20250614150000.export.CSV") == "gdelt"
    path = tmp_path / "events.txt"
    path.write_text(row() + "\n", encoding="utf-8")
    assert detect(path) == "gdelt"
    path.write_text(row1() + "\n", encoding="utf-8")
    assert detect(path) == "gdelt"


def row1(url: bool = True, **values) -> str:
    """A GDELT 1.0 row: 58 columns (no ADM2 codes), or 57 without SOURCEURL (the back files)."""
    cells = dict(zip(GDELT_COLUMNS, row(**values).split("\t"), strict=True))
    return "\t".join(cells[c] for c in GDELT1_COLUMNS[: None if url else -1])


def test_gdelt1_rows_of_58_and_57_columns_are_read_by_their_names(tmp_path):
    good, bad = run(
        tmp_path, row1(ActionGeo_FullName="Kyiv, Ukraine", ActionGeo_Type="4"), row1(False, GLOBALEVENTID="2")
    )
    assert bad == []
    first, second = good
    assert (first.document.url, first.entities[-1].name, first.entities[-1].type) == (
        "https://example.org/a",
        "Kyiv, Ukraine",
        "City",
    )
    assert second.document.url is None and second.document.title == "GDELT event 2"
    assert [r.type for g in good for r in g.relations] == ["cameo:041", "cameo:041"]


def test_actors_keep_their_cameo_and_country_codes_and_places_their_coordinates(tmp_path):
    good, _ = run(
        tmp_path,
        row(
            ActionGeo_FullName="Moscow, Moskva, Russia",
            ActionGeo_Type="4",
            ActionGeo_Lat="55.75",
            ActionGeo_Long="37.62",
        ),
    )
    actor1, actor2, place = good[0].entities
    assert (actor1.cameo, actor1.country, actor2.cameo, actor2.country) == ("RUSGOV", "RUS", "UKR", "UKR")
    assert place.coordinates == (55.75, 37.62)
