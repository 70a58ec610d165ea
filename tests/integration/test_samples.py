"""Every real sample in ../shared/samples loads with its default mapping (no --format, no --mapping),
into the embedded store and into the real Neo4j, with the documents, relations and rejects each
file must give. The expected counts are derived here from the files themselves (rows counted with the
csv module, JSON records with json) and the rules docs/inputs.md and docs/sources.md state, never taken
from the loader's output."""

from __future__ import annotations

import csv
import json
from itertools import permutations
from pathlib import Path
from typing import NamedTuple

import pytest

from kgload import api
from kgload.mapping import load_mapping
from kgload.mapping.world import WorldGazetteer
from kgload.readers import detect
from tests.common import ROOT, SAMPLES

pytestmark = pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/samples is not beside this clone")


class Counts(NamedTuple):
    documents: int
    relations: int
    rejects: int


def rows(name: str, *, encoding: str = "utf-8", delimiter: str = ",", quoting: int = csv.QUOTE_MINIMAL) -> list:
    with (SAMPLES / name).open(encoding=encoding, newline="") as handle:
        return list(csv.reader(handle, delimiter=delimiter, quoting=quoting))


def acled() -> Counts:
    """One document per event; actor1 acts on actor2 (else on the place); each of the "; "-separated
    actors associated with either side takes part in the same event: one relation each (an actor
    listed twice is one actor: BEN295 names "Fishers (South Korea)" twice)."""
    header, *events = rows("acled_benin_2022_head.csv")
    assoc = [header.index("assoc_actor_1"), header.index("assoc_actor_2")]
    return Counts(len(events), sum(1 + parts(e[assoc[0]]) + parts(e[assoc[1]]) for e in events), 0)


def parts(cell: str) -> int:
    """How many actors an ACLED assoc_actor cell names."""
    return 0 if cell in ("", "NA") else len({p.strip() for p in cell.split(";") if p.strip()})


def ucdp() -> Counts:
    """One event per row (cp1252, quoted line breaks), every one with a side A and a side B."""
    header, *events = rows("ucdp_ged_ukraine_2014_head.csv", encoding="cp1252")
    a, b = header.index("side_a"), header.index("side_b")
    assert all(e[a] and e[b] for e in events)
    return Counts(len(events), len(events), 0)


def gdelt(name: str) -> Counts:
    """One event per row. A row without a first or second actor (codes and names empty: GDELT's
    one-sided events) is rejected at reading. CAMEO 192 (occupy territory) is kg:occupied, whose
    object must be a place: a row coding it against anything but a bare country code is rejected by
    the SHACL shapes. The actor columns sit at the same places in GDELT 1.0 and 2.0 (the codebook)."""
    codebook = [r[0] for r in rows("gdelt2_events_codebook_columns.csv")[1:]]
    at = {c: codebook.index(c) for c in ("Actor1Code", "Actor1Name", "Actor2Code", "Actor2Name", "EventCode")}
    at |= {c: codebook.index(c) for c in ("Actor2CountryCode", "Actor2Type1Code", "Actor2Type2Code", "Actor2Type3Code")}
    events = rows(name, delimiter="\t", quoting=csv.QUOTE_NONE)
    both = [
        e
        for e in events
        if (e[at["Actor1Code"]] or e[at["Actor1Name"]]) and (e[at["Actor2Code"]] or e[at["Actor2Name"]])
    ]

    def occupies_a_non_place(e: list[str]) -> bool:
        country_only = e[at["Actor2Code"]] == e[at["Actor2CountryCode"]] != "" and not any(
            e[at[f"Actor2Type{i}Code"]] for i in (1, 2, 3)
        )
        return e[at["EventCode"]] == "192" and not country_only

    refused = sum(occupies_a_non_place(e) for e in both)
    return Counts(len(both), len(both) - refused, len(events) - len(both) + refused)


def icews() -> Counts:
    header, *events = rows("icews_events_sample.tab", delimiter="\t", quoting=csv.QUOTE_NONE)
    codes = [e[header.index("CAMEO Code")] for e in events]
    assert "192" not in codes  # the one code whose property wants a place as its object
    return Counts(len(events), len(events), 0)


def plover() -> Counts:
    """A record per event (the README): the DOCUMENT record and a record whose target is no list are
    rejected, unless the markup codes two or more sources as SRC/TAR (then each ordered pair);
    otherwise one relation per source and target."""
    records = json.loads((SAMPLES / "plover_gsr_events.json").read_text(encoding="utf-8"))
    documents = relations = 0
    for record in records:
        sources, targets = record.get("source") or [], record.get("target")
        markup = (record.get("textInfo") or {}).get("markup") or ""
        if record.get("event") == "DOCUMENT":
            continue
        if isinstance(targets, list) and targets:
            pairs = len(sources) * len(targets)
        elif targets in (None, "") and len(sources) >= 2 and "SRC/TAR" in markup:
            pairs = len(list(permutations(sources, 2)))
        else:
            continue
        documents, relations = documents + 1, relations + pairs
    return Counts(documents, relations, len(records) - documents)


def graphrag() -> Counts:
    """One graph; the relationships whose type the default mapping names (LED_BY, the inverse of
    leader-of: Moody, a Person, leads the Order, an Organization) load; KNOWS is no kgload relation."""
    graph = json.loads((SAMPLES / "neo4j_graphrag_extraction_output.json").read_text(encoding="utf-8"))
    mapping = load_mapping()
    known = [r for r in graph["relationships"] if mapping.relation_rule(r["type"]) is not None]
    return Counts(1, len(known), len(graph["relationships"]) - len(known))


LLM_TYPES = {"person", "actor", "organization", "organisation", "group", "media outlet", "platform"}
LLM_PLACES = {"country", "region", "city", "location", "place"}


def llm_graph() -> Counts:
    """A document per post (the uuid before "_<n>" in the ids). A subject whose type (any case) is no
    kgload type is rejected, and so are the relationships that use it or name an id no subject has.
    The free-text predicates the default mapping names are only "located in"/"in" (kg:locatedIn,
    a place or an organization in a place, checked by the shapes); every other relationship is
    rejected by the mapping. Every subject and relationship not loaded is one reject."""
    graph = json.loads((SAMPLES / "llm_kg_russia_social_media_graph_50.json").read_text(encoding="utf-8"))
    mapping = load_mapping()
    kind = {s[0]: s[2].lower() for s in graph["subjects"] if s[2].lower() in LLM_TYPES | LLM_PLACES | {"event"}}
    world = WorldGazetteer.bundled()
    for subject in graph["subjects"]:  # an actor the world gazetteer knows as a country is that country, a place
        found = world.resolve(subject[1], "Actor").entry if subject[0] in kind else None
        if found is not None and found.cls in {"Country", "Region", "City"}:
            kind[subject[0]] = "country"
    post = lambda entity_id: entity_id.rsplit("_", 1)[0]  # noqa: E731
    documents = {post(i) for i in kind} | {post(r[0]) for r in graph["relationships"]}
    loaded = 0
    for head, predicate, tail, _ in graph["relationships"]:
        rule = mapping.relation_rule(predicate)
        if rule is None or head not in kind or tail not in kind:
            continue
        assert rule.property.iri.endswith("#locatedIn"), predicate
        organization = kind[head] in LLM_TYPES - {"person", "actor"}
        loaded += (kind[head] in LLM_PLACES or organization) and kind[tail] in LLM_PLACES
    bad_subjects = len(graph["subjects"]) - len(kind)
    return Counts(len(documents), loaded, bad_subjects + len(graph["relationships"]) - loaded)


def office_holders() -> Counts:
    """The file is one document. A row without an id is rejected; every row whose predecessor
    (replaces) is a holder of the file gives a predecessor-of relation; a predecessor not in the
    file is rejected with its relation."""
    _, *terms = rows("wikipedia_eg_prime_ministers_qids.csv")
    ids = {t[0] for t in terms if t[0]}
    relations = [t for t in terms if t[0] and t[4]]
    known = [t for t in relations if t[4] in ids]
    return Counts(1, len(known), len(terms) - len([t for t in terms if t[0]]) + len(relations) - len(known))


# file -> (format detect() gives, the counts it must load with)
EXPECTED = {
    "acled_benin_2022_head.csv": ("acled", acled),
    "ucdp_ged_ukraine_2014_head.csv": ("ucdp-ged", ucdp),
    "gdelt1_events_sample_reed9999.csv": ("gdelt", lambda: gdelt("gdelt1_events_sample_reed9999.csv")),
    "gdelt2_events_20191024143000.export.CSV": ("gdelt", lambda: gdelt("gdelt2_events_20191024143000.export.CSV")),
    "icews_events_sample.tab": ("icews", icews),
    "plover_gsr_events.json": ("plover", plover),
    "neo4j_graphrag_extraction_output.json": ("graphrag", graphrag),
    "llm_kg_russia_social_media_graph_50.json": ("llm-graph", llm_graph),
    "wikipedia_eg_prime_ministers_qids.csv": ("office-holders", office_holders),
    # RDF is loaded as it is: one source document per file, no extracted relations
    "dbpedia_german_chancellors.ttl": ("rdf", lambda: Counts(1, 0, 0)),
    "neosemantics_multival.ttl": ("rdf", lambda: Counts(1, 0, 0)),
    "neosemantics_testImportTurtle02.ttl": ("rdf", lambda: Counts(1, 0, 0)),
    # the GDELT codebook names columns; it holds no records, and its header is no CSV layout
    "gdelt2_events_codebook_columns.csv": ("csv", lambda: Counts(0, 0, 1)),
}


def load(path: Path, tmp_path: Path, **target):
    rejects = tmp_path / "r.jsonl"
    if not target:
        target = {"store": tmp_path / "s"}
    report = api.load([path], rejects=rejects, **target)
    lines = [json.loads(line) for line in rejects.read_text(encoding="utf-8").splitlines()] if rejects.exists() else []
    return report, lines


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """Each sample loaded once into the embedded store (SHACL makes a load take seconds), by name."""
    cache: dict[str, tuple] = {}

    def get(name: str):
        if name not in cache:
            cache[name] = load(SAMPLES / name, tmp_path_factory.mktemp("load"))
        return cache[name]

    return get


def test_every_sample_is_listed():
    assert {p.name for p in SAMPLES.iterdir() if p.name != "README.md"} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_loads_with_its_default_mapping(name, loaded):
    fmt, counts = EXPECTED[name]
    assert detect(SAMPLES / name) == fmt
    report, rejects = loaded(name)
    expected = counts()
    assert (report.documents_loaded, report.relations, report.rejected_total) == expected
    assert len(rejects) == expected.rejects
    assert all(r["reason"].strip() and r["file"] == str(SAMPLES / name) and r["record"] >= 1 for r in rejects)


def test_bad_rows_say_why(loaded):
    _, rejects = loaded("gdelt1_events_sample_reed9999.csv")
    reasons = {r["reason"] for r in rejects}
    assert "column Actor2Name: is empty, and the relation needs its tail (actor2)" in reasons
    assert any(r["stage"] == "validate" and "kg:occupied" in r["reason"] for r in rejects)
    _, rejects = loaded("wikipedia_eg_prime_ministers_qids.csv")
    assert [(r["record"], r["reason"]) for r in rejects] == [(72, "column id: is empty, and holder needs an id")]


def test_the_gdelt_codebook_names_the_columns_of_the_gdelt_source_mapping():
    from kgload.readers.source import load_source

    codebook = tuple(r[0] for r in rows("gdelt2_events_codebook_columns.csv")[1:])
    assert load_source(ROOT / "mappings" / "sources" / "gdelt.yaml").layout.columns == codebook


# -- the real Neo4j ------------------------------------------------------------------------------------


def neo4j_count(driver, query: str) -> int:
    records, _, _ = driver.execute_query(query)
    return records[0][0]


@pytest.mark.neo4j
@pytest.mark.parametrize("name", sorted(n for n, (fmt, _) in EXPECTED.items() if fmt != "rdf"))
def test_sample_loads_into_neo4j(name, neo4j_db, neo4j_driver, tmp_path):
    from kgload.sinks.neo4j import Neo4jSink

    expected = EXPECTED[name][1]()
    report, rejects = load(SAMPLES / name, tmp_path, sink=Neo4jSink.connect(neo4j_db))
    assert (report.documents_loaded, report.relations, len(rejects)) == expected
    # a relation that restates a claim of its document (two of its actors resolved to one entry) adds no claim
    assert neo4j_count(neo4j_driver, "MATCH (c:Claim) RETURN count(c)") == embedded_claims(name, tmp_path)
    assert neo4j_count(neo4j_driver, "MATCH (d:Document) RETURN count(d)") == expected.documents


@pytest.mark.neo4j
def embedded_claims(name: str, tmp_path: Path) -> int:
    """The claims the same file gives in the embedded store."""
    from kgload.sinks.embedded import EmbeddedStore

    store = EmbeddedStore(tmp_path / "store")
    load(SAMPLES / name, tmp_path, sink=store)
    found = list(
        store.store.query(
            "SELECT (COUNT(?c) AS ?n) WHERE { GRAPH ?g { ?c a <https://w3id.org/kgload/ontology#Claim> } }"
        )
    )
    store.close()
    return int(found[0][0].value)


@pytest.mark.neo4j
def test_conflict_deaths_are_integers_on_claims_in_neo4j(neo4j_db, neo4j_driver, tmp_path):
    """ACLED fatalities reach every claim of their event as an integer: each claim carries its row's
    count, and every row with a relation has its claims."""
    from kgload.sinks.neo4j import Neo4jSink

    header, *events = rows("acled_benin_2022_head.csv")
    deaths = {f"acled-{e[header.index('event_id_cnty')]}": int(e[header.index("fatalities")]) for e in events}
    api.load([SAMPLES / "acled_benin_2022_head.csv"], sink=Neo4jSink.connect(neo4j_db))
    claims = neo4j_driver.execute_query(
        "MATCH (c:Claim)-[:DERIVED_FROM]->(d:Document) RETURN d.id AS event, c.fatalities AS deaths"
    ).records
    assert {r["event"] for r in claims} == set(deaths)
    assert all(r["deaths"] == deaths[r["event"]] for r in claims)
    kinds = neo4j_driver.execute_query("MATCH (c:Claim) RETURN DISTINCT valueType(c.fatalities) AS t").records
    assert [r["t"] for r in kinds] == ["INTEGER NOT NULL"]
