"""The bulk path end to end: ``kgload export --format neo4j-admin``, Neo4j's own importer
(``neo4j-admin database import full``, tests/neo4j-import) into a fresh data dir, a second test
server on it, and a comparison with an online ``kgload load`` of the same input into the session
server. Never a mock: both graphs are real Neo4j 5.26 stores.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import neo4j
import pytest

from kgload import api
from kgload.sinks.neo4j import Neo4jSettings, Neo4jSink
from tests.common import FIXED_RUN, ROOT

pytestmark = pytest.mark.neo4j
BATCH = 3  # small, so that a document read twice is replaced across batches, as online

EVIDENCE = [
    'He said "peace; now", then left.\nA second line, with a comma',
    "Ünïcödé — 和平 😀 \\ backslash",
    "=SUM(A1) looks like a formula; it is news",
    None,  # no evidence: the relationship's evidence list can end up empty
]
PEOPLE = {
    "putin": ("Vladimir Putin", "Person", ["Putin"]),
    "trump": ("Donald Trump", "Person", []),
    "zelensky": ("Volodymyr Zelensky", "Person", ["Zelenskyy", "Зеленський"]),
    "ukraine": ("Ukraine", "Country", []),
    "russia": ("Russia", "Country", ["Russian Federation"]),
}


# Two ids that sort one way by code point (Python, SQLite) and the other by UTF-16 code unit (Java):
# a fullwidth "!" and a CJK Extension B ideograph. Both documents support the relationship every
# document states, and the imported graph must still equal the online load.
TRICKY_IDS = {5: "bulk-5\uff01", 6: "bulk-5\U00020000"}


# beyond 2**53, so that an integer read back as a double would differ
ATTRIBUTES = {"occasion": "summit", "rounds": 2**53 + 1, "share": 0.25, "public": True, "tags": ["a", "b"],
              "reported on": "Test Wire"}  # fmt: skip


# two wordings every other document gives, and one of its own for each tricky id: the relationship's
# words follow claim order (document id), so their order is Neo4j's order of those two ids
FREE_WORDS = ("ships grain through", "jams the radars of")
TRICKY_WORDS = {5: "sells arms to", 6: "pays the debts of"}


def _doc(number: int, variant: str = "") -> dict[str, Any]:
    ids = list(PEOPLE)
    entities = [
        {"id": key, "name": name, "type": kind, "aliases": aliases[: 1 + number % 2]}
        for key, (name, kind, aliases) in PEOPLE.items()
    ]
    relations: list[dict[str, Any]] = [
        # the same fact in every document: one relationship, every evidence, the highest confidence
        {"type": "called", "head": "putin", "tail": "trump", "date": "2025-06-14", "sentence": number % 3,
         "confidence": round(0.5 + number / 100, 2)},
        {"type": "leader-of", "head": "zelensky", "tail": "ukraine", "start": "2019-05-20"},
        {"type": "negotiated-with", "head": ids[number % 2 + 3], "tail": ids[(number + 1) % 2 + 3],
         "date": f"2025-05-{10 + number:02d}", "location": None},
        {"type": "advancing-on", "head": "russia", "tail": "ukraine", "status": "disputed",
         "asserted_by": ["russia"], "denied_by": ["zelensky"], "evidence": "Kyiv denies it."},
    ]  # fmt: skip
    # a free-text relation (an LLM's words no rule names): RELATED_TO, shared, with the words of its claims
    words = TRICKY_WORDS.get(number, FREE_WORDS[number % 2])
    relations.append({"type": words, "predicate": words, "head": "russia", "tail": "ukraine"})
    if number == 0:  # a claim's caveat and extra attributes of each JSON type (issue 30.3)
        relations.append(
            {"type": "negotiated-with", "head": "putin", "tail": "zelensky", "date": "2025-06-01",
             "attributes": {"note": "Dates: world knowledge, not in the article.", **ATTRIBUTES}}
        )  # fmt: skip
    evidence = EVIDENCE[number % len(EVIDENCE)]
    if evidence is not None:
        relations[0]["evidence"] = evidence + variant
    return {
        "document": {
            "id": TRICKY_IDS.get(number, f"bulk-{number:02d}"),
            "title": f"Bulk test {number}{variant}",
            "publisher": "Test Wire",
            "published": f"2025-06-{1 + number:02d}" if number % 3 else "2025-06",
            "language": "en",
        },
        "entities": entities,
        "relations": relations,
    }


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("bulk-inputs")
    docs = [_doc(n) for n in range(10)]
    docs.append(_doc(1, " (corrected)"))  # read again batches later: this version wins
    (folder / "synthetic.jsonl").write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in docs) + "\n")
    return [ROOT / "examples" / "afp-2025-06-14-putin-trump-call.json", ROOT / "examples" / "inputs", folder]


@pytest.fixture(scope="module")
def exported(inputs: list[Path], tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("bulk-export") / "neo4j-admin"
    return api.export_neo4j_admin(inputs, out, run=FIXED_RUN, batch_size=BATCH, rejects=out.parent / "rejects.jsonl")


@pytest.fixture(scope="module")
def imported(exported, tmp_path_factory: pytest.TempPathFactory) -> Iterator[neo4j.Driver]:
    """A second test server on the store neo4j-admin wrote, post-import.cypher applied."""
    from tests.neo4j_server import imported

    with imported(exported.folder, tmp_path_factory.mktemp("neo4j-imported")) as (_, driver):
        yield driver


def _value(value: Any) -> Any:
    """A value with its Neo4j type, so that 0.9 (double) never equals 0.9 (float), nor a Date its string."""
    if isinstance(value, list):
        return ["list", [_value(v) for v in value]]
    text = value.iso_format() if hasattr(value, "iso_format") else repr(value)
    return [type(value).__name__, text]


def dump(driver: neo4j.Driver) -> tuple[list[str], list[str]]:
    """Every node and relationship, canonically: (labels, properties) and (type, start, end,
    properties), sorted. The run ledger and the lock are compared on their own."""
    nodes, _, _ = driver.execute_query(
        "MATCH (n) WHERE NOT n:LoadRun AND NOT n:KgloadLock RETURN labels(n) AS l, properties(n) AS p"
    )
    rels, _, _ = driver.execute_query(
        "MATCH (a)-[r]->(b) RETURN type(r) AS t, a.uri AS a, b.uri AS b, properties(r) AS p"
    )
    return (
        sorted(
            json.dumps([sorted(n["l"]), {k: _value(v) for k, v in n["p"].items()}], sort_keys=True) for n in nodes
        ),  # raw hashes included: the export stores them as the online load does
        sorted(
            json.dumps([r["t"], r["a"], r["b"], {k: _value(v) for k, v in r["p"].items()}], sort_keys=True)
            for r in rels
        ),
    )


def counts(driver: neo4j.Driver) -> dict[str, int]:
    labels, _, _ = driver.execute_query(
        "MATCH (n) WHERE NOT n:KgloadLock UNWIND labels(n) AS l RETURN l, count(*) AS n"
    )
    types, _, _ = driver.execute_query("MATCH ()-[r]->() RETURN type(r) AS t, count(*) AS n")
    return {**{f":{r['l']}": r["n"] for r in labels}, **{f"[{r['t']}]": r["n"] for r in types}}


@pytest.fixture(scope="module")
def online(inputs: list[Path], neo4j_server: Neo4jSettings, neo4j_driver: neo4j.Driver, tmp_path_factory):
    """The same input loaded the ordinary way into the (emptied) session server."""
    neo4j_driver.execute_query("MATCH (n) DETACH DELETE n", database_=neo4j_server.database)
    sink = Neo4jSink.connect(neo4j_server)
    try:
        report = api.load(
            inputs, sink=sink, run=FIXED_RUN, batch_size=BATCH, rejects=tmp_path_factory.mktemp("online") / "r.jsonl"
        )
    finally:
        sink.close()
    return report, dump(neo4j_driver), counts(neo4j_driver)


def test_the_export_reads_like_a_load(exported, online):
    report, _, _ = online
    assert exported.report.documents_loaded == report.documents_loaded > 10
    assert exported.report.rejected_total == report.rejected_total
    assert {"import.sh", "post-import.cypher"} <= set(exported.files)
    assert not any(name.startswith(".") for name in exported.files)  # the spool is gone


def test_imported_graph_equals_an_online_load(imported, online):
    _, (online_nodes, online_rels), online_counts = online
    nodes, rels = dump(imported)
    assert counts(imported) == online_counts
    assert nodes == online_nodes
    assert rels == online_rels


def test_the_facts_survive_the_csv_round_trip(imported):
    [row] = imported.execute_query(
        "MATCH (:Person {name: 'Vladimir Putin'})-[r:CALLED {date: date('2025-06-14')}]->(:Person) "
        "WHERE 'bulk-00' IN r.sources RETURN r.evidence AS e, r.confidence AS c, r.claims AS n, r.sources AS s"
    ).records
    assert EVIDENCE[0] in row["e"] and EVIDENCE[1] in row["e"]
    [silent] = imported.execute_query(  # the asserted claims of this relationship that give no sentence
        "MATCH (:Person {name: 'Vladimir Putin'})<-[:SUBJECT]-(c:Claim {predicate: 'CALLED', status: 'asserted'})"
        "-[:OBJECT]->(:Person {name: 'Donald Trump'}) WHERE c.date = date('2025-06-14') AND c.evidence IS NULL "
        "RETURN count(c) AS n, [d IN collect(c.document) | split(d, '/')[-1]] AS documents"
    ).records
    assert {"bulk-03", "bulk-07"} <= set(silent["documents"])  # they count, but have no sentence
    assert row["n"] - len(row["e"]) == silent["n"] and row["n"] > 10
    assert row["c"] == 0.95  # the highest (the AFP report's), a double read back exactly
    titles = [r["t"] for r in imported.execute_query("MATCH (d:Document {id: 'bulk-01'}) RETURN d.title AS t").records]
    assert titles == ["Bulk test 1 (corrected)"]


def test_related_to_keeps_its_words_through_the_csv(imported, online):
    """The RELATED_TO relationship every synthetic document states carries the distinct words of its
    claims, in claim order, as the online load writes it (test_imported_graph_equals_an_online_load)."""
    [row] = imported.execute_query(
        "MATCH (:Country {name: 'Russia'})-[r:RELATED_TO]->(:Country {name: 'Ukraine'}) "
        "RETURN r.predicateTexts AS words, r.claims AS claims"
    ).records
    assert row["claims"] == 10 and row["words"][:2] == list(FREE_WORDS)
    assert sorted(row["words"][2:]) == sorted(TRICKY_WORDS.values())


def test_the_run_ledger_is_imported(imported, exported):
    [run] = imported.execute_query("MATCH (r:LoadRun) RETURN properties(r) AS p").records
    assert run["p"]["id"] == FIXED_RUN.id
    assert run["p"]["documentsAdded"] == exported.report.documents_added


def test_constraints_after_post_import_match_the_sink(imported, online, neo4j_driver):
    def schema(driver: neo4j.Driver) -> set[str]:
        rows = driver.execute_query("SHOW INDEXES YIELD name WHERE name STARTS WITH 'kgload_' RETURN name").records
        return {r["name"] for r in rows}

    assert schema(imported) == schema(neo4j_driver)


def test_an_incremental_load_after_the_import_knows_every_document(imported, inputs, tmp_path):
    """The Document nodes carry their fingerprints, so `kgload load` of the same input skips it all."""
    before = dump(imported)
    sink = Neo4jSink(imported)
    report = api.load(inputs, sink=sink, rejects=tmp_path / "r.jsonl")
    assert report.documents_added == report.documents_updated == 0
    [documents] = imported.execute_query("MATCH (d:Document) RETURN count(d) AS n").records
    assert report.documents_unchanged == documents["n"] > 10
    assert dump(imported) == before


def test_fields_span_lines_only_in_an_export_whose_values_hold_line_breaks(exported, tmp_path):
    """The importer reads about a sixth slower when a field may span lines, so import.sh asks for it only
    when a value needs it; an export without line breaks imports every row it wrote without it."""
    from tests.neo4j_server import import_full

    assert "--multiline-fields=true " in (exported.folder / "import.sh").read_text()  # EVIDENCE[0] spans lines
    plain = api.export_neo4j_admin([ROOT / "examples" / "afp-2025-06-14-putin-trump-call.json"], tmp_path / "csv")
    assert "--multiline-fields=false " in (plain.folder / "import.sh").read_text()
    log = import_full(plain.folder, tmp_path / "store", "--max-off-heap-memory=256m", "--threads=2")
    done = log.split("IMPORT DONE")[-1]
    assert f"{plain.nodes} nodes" in done and f"{plain.relationships} relationships" in done
    assert plain.nodes > 20 and plain.relationships > 50


def test_places_keep_their_points_through_the_csv(imported, exported):
    """The ACLED example's places are WGS-84 points after neo4j-admin, as after an online load,
    and post-import.cypher made their point index."""
    header = next(p for p in exported.folder.glob("node-entities-*.header.csv") if "location:point" in p.read_text())
    assert "location:point{crs:WGS-84}" in header.read_text().split(",")
    rows = imported.execute_query(
        "MATCH (p:Place) WHERE p.location IS NOT NULL RETURN p.name AS name, p.location AS at ORDER BY name"
    ).records
    kharkiv = next(r["at"] for r in rows if r["name"] == "Kharkiv")
    assert (kharkiv.srid, kharkiv.latitude, kharkiv.longitude) == (4326, 49.9935, 36.2304)
    [near] = imported.execute_query(
        "MATCH (a:Place {name: 'Kharkiv'}), (b:Place {name: 'Pokrovsk'}) "
        "RETURN point.distance(a.location, b.location) AS d"
    ).records
    assert 150_000 < near["d"] < 250_000
    index = imported.execute_query("SHOW INDEXES YIELD name, type WHERE type = 'POINT' RETURN name").records
    assert [r["name"] for r in index] == ["kgload_place_location"]


CLAIM_ATTRIBUTES = """
MATCH (c:Claim) WHERE c.attr_occasion = 'summit'
RETURN c.note AS note, c.attr_rounds AS rounds, c.attr_share AS share, c.attr_public AS public,
       c.attr_tags AS tags, c.attr_reported_on AS reported, c.attributes AS json,
       valueType(c.attr_rounds) AS int_type, valueType(c.attr_share) AS float_type,
       valueType(c.attr_public) AS bool_type
"""


def test_a_claims_note_and_attributes_are_typed_properties_online_and_imported(imported, online, neo4j_driver):
    """Issue 30.3: Cypher filters on an attribute, and each keeps its JSON type, in both stores."""
    for driver in (neo4j_driver, imported):  # the session server holds the online load of this module
        [row] = driver.execute_query(CLAIM_ATTRIBUTES).records
        assert row["note"] == "Dates: world knowledge, not in the article."
        assert row["rounds"] == 2**53 + 1 and row["int_type"] == "INTEGER NOT NULL"
        assert row["share"] == 0.25 and row["float_type"] == "FLOAT NOT NULL"
        assert row["public"] is True and row["bool_type"] == "BOOLEAN NOT NULL"
        assert row["tags"] == ["a", "b"] and row["reported"] == "Test Wire"
        assert row["json"] is None  # the JSON text is gone from Neo4j


CLAIM_CAPTIONS = """
MATCH (h)<-[:SUBJECT]-(c:Claim)-[:OBJECT]->(t), (c)-[:DERIVED_FROM]->(d:Document) WHERE d.id STARTS WITH 'bulk-'
WITH d, c, h, t, CASE c.predicate WHEN 'RELATED_TO' THEN '“' + c.predicateText + '”' ELSE c.predicate END AS said
RETURN d.id AS doc, c.caption AS caption, h.name + ' ' + said + ' ' + t.name + ' · ' + c.status AS expected
"""


def test_claims_carry_the_caption_the_browser_style_shows_online_and_imported(imported, online, neo4j_driver):
    """Issue 30.1: the style sheet captions a claim from its ``caption`` property, in both stores."""
    for driver in (neo4j_driver, imported):
        rows = driver.execute_query(CLAIM_CAPTIONS).records
        assert len(rows) > 40
        assert all(r["caption"] == r["expected"] for r in rows), [r.data() for r in rows[:5]]
        assert ("bulk-00", "Russia ADVANCING_ON Ukraine · disputed") in {(r["doc"], r["caption"]) for r in rows}
