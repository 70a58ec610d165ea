"""Places' coordinates in a real Neo4j: WGS-84 `location` points, the point index, point.distance.

Loads the real ACLED and UCDP GED samples (read from ../shared/samples, never copied) and the
repository's own ACLED example; the server is the fixtures' (tests/neo4j_fixtures.py), never a mock.
"""

from __future__ import annotations

import csv
import math

import neo4j
import pytest

from kgload import api
from kgload.sinks.neo4j import Neo4jSink
from tests.common import ROOT, SAMPLES

pytestmark = pytest.mark.neo4j
ACLED, UCDP = SAMPLES / "acled_benin_2022_head.csv", SAMPLES / "ucdp_ged_ukraine_2014_head.csv"
EXAMPLE = ROOT / "examples" / "inputs" / "acled" / "events.csv"
NEAR = ROOT / "examples" / "cypher" / "events-near-a-place.cypher"


def _load(paths, settings, tmp_path) -> None:
    sink = Neo4jSink.connect(settings)
    try:
        api.load(paths, sink=sink, rejects=tmp_path / "rejects.jsonl")
    finally:
        sink.close()


def _haversine_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance on Neo4j's sphere (radius 6378140 m), to check point.distance by hand."""
    (lat1, lon1), (lat2, lon2) = (map(math.radians, p) for p in (a, b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6378140 * math.asin(math.sqrt(h))


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/samples is not beside this clone")
def test_sample_places_have_wgs84_points_and_a_point_index(neo4j_db, neo4j_driver: neo4j.Driver, tmp_path):
    _load([ACLED, UCDP], neo4j_db, tmp_path)
    with ACLED.open(encoding="utf-8", newline="") as handle:
        acled = {(r["location"], float(r["latitude"]), float(r["longitude"])) for r in csv.DictReader(handle)}
    records = neo4j_driver.execute_query(
        "MATCH (p:Place) WHERE p.location IS NOT NULL "
        "RETURN p.name AS name, p.location AS at, valueType(p.location) AS kind"
    ).records
    assert {r["kind"] for r in records} == {"POINT NOT NULL"}
    assert {r["at"].srid for r in records} == {4326}  # WGS-84, 2D: what the Browser's map plots
    points = {(r["name"], r["at"].latitude, r["at"].longitude) for r in records}
    # every ACLED row's place, at the row's coordinates (a name with two points keeps the least)
    least = {}
    for name, lat, lon in sorted(acled):
        least.setdefault(name, (name, lat, lon))
    assert set(least.values()) <= points
    # UCDP GED places too (its sample is cp1252; its rows' coordinates are in the same columns)
    with UCDP.open(encoding="cp1252", newline="") as handle:
        ucdp = {(float(r["latitude"]), float(r["longitude"])) for r in csv.DictReader(handle)}
    assert ucdp & {(lat, lon) for _, lat, lon in points}

    index = neo4j_driver.execute_query(
        "SHOW INDEXES YIELD name, type, labelsOrTypes, properties WHERE type = 'POINT' "
        "RETURN name, labelsOrTypes, properties"
    ).records
    assert [(r["name"], r["labelsOrTypes"], r["properties"]) for r in index] == [
        ("kgload_place_location", ["Place"], ["location"])
    ]

    # point.distance between two sample places, against the haversine of their coordinates
    (a_name, a_lat, a_lon), (b_name, b_lat, b_lon) = sorted(least.values())[:2]
    [row] = neo4j_driver.execute_query(
        "MATCH (a:Place {name: $a}), (b:Place {name: $b}) RETURN point.distance(a.location, b.location) AS d",
        a=a_name,
        b=b_name,
    ).records
    assert row["d"] == pytest.approx(_haversine_m((a_lat, a_lon), (b_lat, b_lon)), rel=1e-6)


def test_loading_again_keeps_the_least_point(neo4j_db, neo4j_driver: neo4j.Driver, tmp_path):
    """A place two documents give different coordinates keeps the least, whichever came first."""
    rows = EXAMPLE.read_text(encoding="utf-8").splitlines()
    header, first = rows[0], rows[2]  # XUA0002: Kharkiv at 49.9935, 36.2304
    moved = first.replace("XUA0002", "XUA0902").replace("49.9935,36.2304", "49.9000,36.3000")
    assert moved != first.replace("XUA0002", "XUA0902")
    later, earlier = tmp_path / "a.csv", tmp_path / "b.csv"
    later.write_text(f"{header}\n{first}\n", encoding="utf-8")
    earlier.write_text(f"{header}\n{moved}\n", encoding="utf-8")
    _load([later], neo4j_db, tmp_path)
    _load([earlier], neo4j_db, tmp_path)
    [row] = neo4j_driver.execute_query(
        "MATCH (p:Place {name: 'Kharkiv'}) RETURN p.location.latitude AS lat, p.location.longitude AS lon"
    ).records
    assert (row["lat"], row["lon"]) == (49.9, 36.3)


def test_events_near_a_place_example(neo4j_db, neo4j_driver: neo4j.Driver, tmp_path):
    _load([EXAMPLE], neo4j_db, tmp_path)
    query = NEAR.read_text(encoding="utf-8")
    near = [r.data() for r in neo4j_driver.execute_query(query).records]
    assert near and {r["place"] for r in near} == {"Kharkiv"} and {r["km"] for r in near} == {0.0}
    assert {r["source"] for r in near} == {"acled-XUA0002"}
    # Pokrovsk is about 200 km from Kharkiv: in reach at 250 km, with its own distance
    wider = [r.data() for r in neo4j_driver.execute_query(query.replace("<= 50000", "<= 250000")).records]
    pokrovsk = {r["km"] for r in wider if r["place"] == "Pokrovsk"}
    expected = _haversine_m((48.2829, 37.1813), (49.9935, 36.2304)) / 1000
    assert pokrovsk and pokrovsk.pop() == pytest.approx(expected, abs=0.1)
    assert "Kyiv" not in {r["place"] for r in wider}  # about 410 km away
    plan = neo4j_driver.execute_query("EXPLAIN " + query).summary.plan
    assert "PointDistanceSeek" in str(plan) or "NodeIndexSeekByRange" in str(plan)


@pytest.mark.parametrize("backend", ["embedded", "neo4j"])
def test_the_cypher_script_export_recreates_the_points(backend, neo4j_db, neo4j_driver: neo4j.Driver, tmp_path):
    """`kgload export --format cypher` writes point(…) for places, from either backend; replayed
    into an empty database it gives the same locations as the load (and on the MENTIONS)."""
    from kgload.export import Selection, export

    _load([EXAMPLE], neo4j_db, tmp_path)
    query = "MATCH (p:Place) WHERE p.location IS NOT NULL RETURN p.uri AS uri, p.location AS at ORDER BY uri"
    mentions = "MATCH ()-[m:MENTIONS]->(:Place) WHERE m.location IS NOT NULL RETURN count(m) AS n"
    loaded = [(r["uri"], r["at"]) for r in neo4j_driver.execute_query(query).records]
    [loaded_mentions] = neo4j_driver.execute_query(mentions).records
    assert len(loaded) == 4 and loaded_mentions["n"] == 4
    if backend == "embedded":
        store = tmp_path / "store"
        api.load([EXAMPLE], store=store, rejects=tmp_path / "r.jsonl")
        kwargs = {"store": store}
    else:
        kwargs = {"neo4j": neo4j_db}
    script = tmp_path / "places.cypher"
    export(Selection(), "cypher", script, **kwargs)
    assert "point(row.location)" in script.read_text("utf-8")
    neo4j_driver.execute_query("MATCH (n) DETACH DELETE n")
    for line in script.read_text("utf-8").splitlines():
        if line and not line.startswith("//"):
            neo4j_driver.execute_query(line)
    assert [(r["uri"], r["at"]) for r in neo4j_driver.execute_query(query).records] == loaded
    assert neo4j_driver.execute_query(mentions).records[0]["n"] == 4
