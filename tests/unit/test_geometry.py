"""Places' coordinates as GeoSPARQL points: the WKT rdflib reads, the shapes, the rejects, the rules."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
import rdflib

from kgload import api
from kgload.mapping.spec import load_mapping
from kgload.rdf.geometry import decimal_text, parse_wkt, point_iri, problem, wkt
from kgload.rdf.plan import map_extraction
from kgload.readers import read
from kgload.records import Extraction
from tests.common import ROOT
from tests.golden.test_golden import GOLDEN_RUN

GEO = rdflib.Namespace("http://www.opengis.net/ont/geosparql#")
EXAMPLE = ROOT / "examples" / "inputs" / "acled" / "events.csv"


def test_wkt_is_longitude_first_in_plain_decimals():
    assert wkt((50.4501, 30.5234)) == "POINT(30.5234 50.4501)"
    assert wkt((0.00001, -1e-7)) == "POINT(-0.0000001 0.00001)"  # never 1e-05: the shape's pattern refuses it
    assert decimal_text(-0.0) == "0.0" and decimal_text(7.0) == "7.0"
    assert (
        point_iri("https://w3id.org/kgload/", (50.4501, 30.5234)) == "https://w3id.org/kgload/id/point/50.4501,30.5234"
    )
    assert parse_wkt("POINT(30.5234 50.4501)") == (50.4501, 30.5234)
    assert parse_wkt("<http://www.opengis.net/def/crs/OGC/1.3/CRS84> POINT(1 2)") == (2.0, 1.0)
    assert parse_wkt("LINESTRING(1 2, 3 4)") is None


@pytest.mark.parametrize(
    ("point", "why"),
    [((91.0, 0.0), "latitude 91.0"), ((0.0, -180.5), "longitude -180.5"), ((float("nan"), 0.0), "not finite")],
)
def test_coordinates_off_the_earth_are_named(point, why):
    assert why in problem(point)


def test_rdflib_reads_the_places_points_and_they_conform_to_the_shapes(tmp_path: Path):
    out = tmp_path / "acled.nq"
    with out.open("wb") as handle:
        api.write_rdf([EXAMPLE], handle, "nquads")  # validated against the shapes, GeometryShape included
    graph = rdflib.Dataset()
    graph.parse(out, format="nquads")
    points = {
        (str(place), str(text), text.datatype)
        for place, text in graph.query(
            "PREFIX geo: <http://www.opengis.net/ont/geosparql#> "
            "SELECT ?place ?wkt WHERE { GRAPH ?g { ?place geo:hasGeometry ?p . ?p a geo:Geometry ; geo:asWKT ?wkt } }"
        )
    }
    assert ("https://w3id.org/kgload/id/place/kharkiv", "POINT(36.2304 49.9935)", GEO.wktLiteral) in points
    assert len(points) == 4  # Pokrovsk, Kharkiv, Kyiv, Istanbul: one point each


def test_a_place_given_two_points_keeps_the_least(tmp_path: Path):
    doc = {
        "document": {"id": "two-points", "title": "Two points"},
        "entities": [
            {"id": "a", "name": "Kharkiv", "type": "City", "coordinates": [49.9935, 36.2304]},
            {"id": "b", "name": "Kharkiv", "type": "City", "coordinates": [49.9, 36.3]},
            {"id": "d", "name": "Ukraine", "type": "Country"},
        ],
        "relations": [{"type": "located-in", "head": "a", "tail": "d"}],
    }
    source = tmp_path / "doc.json"
    source.write_text(json.dumps(doc), encoding="utf-8")
    [extraction] = [x for x in read(source) if isinstance(x, Extraction)]
    mapped = map_extraction(extraction, load_mapping(ROOT / "mappings" / "kgload.yaml"), GOLDEN_RUN)
    texts = sorted(q.object.value for q in mapped.quads if q.predicate.value == str(GEO.asWKT))
    assert texts == ["POINT(36.3 49.9)"]


def test_readers_refuse_coordinates_off_the_earth_and_the_plan_too(tmp_path: Path):
    """The readers reject such a record (schema, source-mapping ranges); a reader that did not would
    still get no point: the plan rejects the pair with the entity named and keeps the place."""
    header, _, kharkiv, *_ = EXAMPLE.read_text(encoding="utf-8").splitlines()
    bad = tmp_path / "events.csv"
    bad.write_text(f"{header}\n{kharkiv.replace('49.9935,36.2304', '123.5,36.2304')}\n", encoding="utf-8")
    [reject] = list(read(bad))
    assert "latitude: 123.5 is above the maximum 90" in reject.reason

    doc = {
        "document": {"id": "nan", "title": "NaN"},
        "entities": [{"id": "a", "name": "Kharkiv", "type": "City"}],
        "relations": [],
    }
    source = tmp_path / "doc.json"
    source.write_text(json.dumps(doc), encoding="utf-8")
    [extraction] = [x for x in read(source) if isinstance(x, Extraction)]
    entity = dataclasses.replace(extraction.entities[0], coordinates=(float("nan"), 36.2))
    extraction = dataclasses.replace(extraction, entities=[entity])
    mapped = map_extraction(extraction, load_mapping(ROOT / "mappings" / "kgload.yaml"), GOLDEN_RUN)
    assert not [q for q in mapped.quads if q.predicate.value == str(GEO.asWKT)]
    assert mapped.entities == 1
    [reject] = mapped.rejects
    assert reject.reason == "place 'Kharkiv': coordinates nan, 36.2 are not finite numbers"
    assert "entities[a].coordinates" in str(reject.origin)


def test_the_embedded_store_answers_sparql_on_the_points(tmp_path: Path):
    store = tmp_path / "store"
    report = api.load([EXAMPLE], store=store)  # validated against the shapes, GeometryShape included
    assert report.status == "ok", report.messages
    _, rows = api.query(
        "PREFIX geo: <http://www.opengis.net/ont/geosparql#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        "SELECT DISTINCT ?name ?wkt WHERE { GRAPH ?g { ?place rdfs:label ?name ; geo:hasGeometry/geo:asWKT ?wkt } } "
        "ORDER BY ?name",
        store=store,
    )
    assert [(r["name"], str(r["wkt"])) for r in rows] == [
        ("Istanbul", "POINT(28.9497 41.0138)"),
        ("Kharkiv", "POINT(36.2304 49.9935)"),
        ("Kyiv", "POINT(30.5234 50.4501)"),
        ("Pokrovsk", "POINT(37.1813 48.2829)"),
    ]
