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
from kgload.vocabulary.namespaces import KG
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
    """One event per row. A row without a first actor (code and name empty) is rejected at reading:
    CAMEO's Actor1 is who acts. A row without a second actor is a one-sided event (docs/sources.md):
    its actor acts on the event's place (ActionGeo_FullName), and without a place it is rejected.
    CAMEO 192 (occupy territory) is kg:occupied, whose object must be a place: a row coding it against
    a second actor that is anything but a bare country code is rejected by the SHACL shapes (a
    one-sided one acts on its place, which is one). The actor columns sit at the same places in GDELT
    1.0 and 2.0 (the codebook); GDELT 1.0 lacks the three ADM2 columns (and its back files SOURCEURL)."""
    codebook = [r[0] for r in rows("gdelt2_events_codebook_columns.csv")[1:]]
    at = {c: codebook.index(c) for c in ("Actor1Code", "Actor1Name", "Actor2Code", "Actor2Name", "EventCode")}
    at |= {c: codebook.index(c) for c in ("Actor2CountryCode", "Actor2Type1Code", "Actor2Type2Code", "Actor2Type3Code")}
    events = rows(name, delimiter="\t", quoting=csv.QUOTE_NONE)
    gdelt1 = [c for c in codebook if not c.endswith("Geo_ADM2Code")]  # the 58 columns; the 57 lack SOURCEURL
    where = {61: codebook.index("ActionGeo_FullName"), 58: gdelt1.index("ActionGeo_FullName")}
    where[57] = where[58]
    actor2 = lambda e: bool(e[at["Actor2Code"]] or e[at["Actor2Name"]])  # noqa: E731
    place = lambda e: bool(e[where[len(e)]])  # noqa: E731
    loaded = [e for e in events if (e[at["Actor1Code"]] or e[at["Actor1Name"]]) and (actor2(e) or place(e))]

    def occupies_a_non_place(e: list[str]) -> bool:
        country_only = e[at["Actor2Code"]] == e[at["Actor2CountryCode"]] != "" and not any(
            e[at[f"Actor2Type{i}Code"]] for i in (1, 2, 3)
        )
        return e[at["EventCode"]] == "192" and actor2(e) and not country_only

    refused = sum(occupies_a_non_place(e) for e in loaded)
    return Counts(len(loaded), len(loaded) - refused, len(events) - len(loaded) + refused)


def icews() -> Counts:
    header, *events = rows("icews_events_sample.tab", delimiter="\t", quoting=csv.QUOTE_NONE)
    codes = [e[header.index("CAMEO Code")] for e in events]
    assert "192" not in codes  # the one code whose property wants a place as its object
    # every event names its target: none is one-sided (those act on their place, as in GDELT)
    assert all(e[header.index("Target Name")] not in ("", "NA") for e in events)
    return Counts(len(events), len(events), 0)


def plover() -> Counts:
    """A record per event (the README): the DOCUMENT record and a record whose target is neither a list,
    absent nor "" are rejected. With targets, one relation per source and target; without, each
    ordered pair of the sources when the markup codes two or more of them as SRC/TAR, else a one-sided
    event: one relation per source to the event's place (eventLoc), rejected when it has none."""
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
        elif targets in (None, "") and (record.get("eventLoc") or {}).get("name"):
            pairs = len(sources)
        else:
            continue
        documents, relations = documents + 1, relations + pairs
    return Counts(documents, relations, len(records) - documents)


def graphrag() -> Counts:
    """One graph; an LLM names relationship types freely (docs/mapping.md, free-text relations), so
    every relationship loads: LED_BY is the inverse of leader-of (Moody, a Person, leads the Order, an
    Organization), KNOWS no type the mapping names, so the generic kg:relatedTo."""
    graph = json.loads((SAMPLES / "neo4j_graphrag_extraction_output.json").read_text(encoding="utf-8"))
    mapping = load_mapping()
    assert [mapping.free_text_rule(r["type"]).property.iri.removeprefix(KG) for r in graph["relationships"]] == [
        "relatedTo",
        "leaderOf",
    ]
    return Counts(1, len(graph["relationships"]), 0)


LLM_ORGANIZATIONS = {"organization", "organisation", "group", "media outlet", "platform"}
LLM_PLACES = {"country", "region", "city", "location", "place"}
LLM_CONCEPTS = {"concept", "technology", "weapon", "aircraft", "equipment", "object", "artifact", "artefact"}
LLM_CONCEPTS |= {"strategy", "activity", "entity"}
# what the shapes ask of the ends of the properties the sample's wordings take (ontology/README.md)
LLM_ENDS = {
    "locatedIn": ({"place", "organization"}, {"place"}),
    "partOf": ({"organization"}, {"actor"}),
    "attacked": ({"actor"}, {"actor", "place"}),
    "interactedWith": ({"actor"}, {"actor"}),
    "providesAidTo": ({"actor"}, {"actor"}),
    "relatedTo": (None, None),  # any entities
}


def llm_kinds(kind: str) -> set[str]:
    """What an entity of an LLM graph's type is, as the shapes see it."""
    if kind in LLM_ORGANIZATIONS:
        return {"actor", "organization"}
    if kind in ("person", "actor"):
        return {"actor"}
    return {"place"} if kind in LLM_PLACES else {"event"} if kind == "event" else {"concept"}


def llm_subjects() -> tuple[dict, dict[str, set[str]]]:
    """The LLM sample and what each subject is, as the shapes see it."""
    graph = json.loads((SAMPLES / "llm_kg_russia_social_media_graph_50.json").read_text(encoding="utf-8"))
    known = LLM_ORGANIZATIONS | LLM_PLACES | LLM_CONCEPTS | {"person", "actor", "event"}
    assert {s[2].lower() for s in graph["subjects"]} <= known
    kinds = {s[0]: llm_kinds(s[2].lower()) for s in graph["subjects"]}
    world = WorldGazetteer.bundled()
    for subject in graph["subjects"]:  # an actor the world gazetteer knows as a country is that country, a place
        found = world.resolve(subject[1], "Actor").entry if "actor" in kinds[subject[0]] else None
        if found is not None and found.cls in {"Country", "Region", "City"}:
            kinds[subject[0]] = {"actor", "place"}
    return graph, kinds


def llm_refused() -> list[tuple[str, str, str]]:
    """(head, words, tail) of the relationships whose wording takes a property whose shapes refuse
    their ends (a person "located in" a place): kept as kg:relatedTo with their words."""
    graph, kinds = llm_subjects()
    mapping, refused = load_mapping(), []
    for head, predicate, tail, _ in graph["relationships"]:
        if head in kinds and tail in kinds:
            heads, tails = LLM_ENDS[mapping.free_text_rule(predicate).property.iri.removeprefix(KG)]
            if not ((heads is None or kinds[head] & heads) and (tails is None or kinds[tail] & tails)):
                refused.append((head, predicate, tail))
    return refused


def llm_graph() -> Counts:
    """A document per post (the uuid before "_<n>" in the ids). Every type of the sample, however
    cased, is a kgload type: actors, places, events, and the rest (concept, technology, weapon…) kg:Concept.
    A relationship naming an id no subject has is rejected; every other one loads. Predicates are free
    text: those the default mapping names, or its value table of wordings, take their property; every
    other one, and one whose property's shapes refuse its ends (llm_refused), is kg:relatedTo, between
    any entities. Two relationships of a post with the same ends, words and attributes would be one
    claim: the sample has none. Every relationship not loaded is one reject."""
    graph, kinds = llm_subjects()
    post = lambda entity_id: entity_id.rsplit("_", 1)[0]  # noqa: E731
    documents = {post(i) for i in kinds} | {post(r[0]) for r in graph["relationships"]}
    claims = {(h, p, t, json.dumps(a, sort_keys=True)) for h, p, t, a in graph["relationships"]}
    assert len(claims) == len(graph["relationships"])
    loaded = sum(h in kinds and t in kinds for h, _, t, _ in graph["relationships"])
    return Counts(len(documents), loaded, len(graph["relationships"]) - loaded)


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
    assert "column Actor1Name: is empty: no first actor (Actor1, the one who acts in CAMEO), so no relation" in reasons
    one_sided = "column Actor2Name: is empty: a one-sided event (no Actor2) without a place (ActionGeo_FullName)"
    assert f"{one_sided}, so no relation" in reasons
    assert any(r["stage"] == "validate" and "kg:occupied" in r["reason"] for r in rejects)
    _, rejects = loaded("wikipedia_eg_prime_ministers_qids.csv")
    assert [(r["record"], r["reason"]) for r in rejects] == [(72, "column id: is empty, and holder needs an id")]


def test_a_relation_whose_two_actors_resolve_to_one_entity_is_reported(loaded):
    """ICEWS codes a Thai government official speaking to the head of government: both resolve to the
    Government of Thailand, so the relation runs from that node to itself; the run report says so."""
    header, *events = rows("icews_events_sample.tab", delimiter="\t", quoting=csv.QUOTE_NONE)
    source, target = header.index("Source Name"), header.index("Target Name")
    pair = ("Government Official (Thailand)", "Head of Government (Thailand)")
    assert [(e[source], e[target]) for e in events].count(pair) == 1
    report, _ = loaded("icews_events_sample.tab")
    assert [loop.names for loop in report.self_loop_list if loop.resolved] == [pair]
    assert "self-loops: 1 relation(s) with one entity at both ends" in report.self_loop_line()


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


@pytest.mark.neo4j
def test_free_text_relations_are_queryable_in_neo4j(neo4j_db, neo4j_driver, tmp_path):
    """An LLM graph's predicates that no rule names are RELATED_TO relationships, whose claims keep
    the words (predicateText); every claim of the graph keeps its words, mapped or not."""
    from kgload.sinks.neo4j import Neo4jSink

    name = "llm_kg_russia_social_media_graph_50.json"
    graph = json.loads((SAMPLES / name).read_text(encoding="utf-8"))
    mapping, expected = load_mapping(), llm_graph()
    report, _ = load(SAMPLES / name, tmp_path, sink=Neo4jSink.connect(neo4j_db))
    assert report.relations == expected.relations
    claims = neo4j_count(neo4j_driver, "MATCH (c:Claim) RETURN count(c)")
    assert neo4j_count(neo4j_driver, "MATCH (c:Claim) WHERE c.predicateText IS NOT NULL RETURN count(c)") == claims
    names = {s[0]: s[1] for s in graph["subjects"]}
    generic = [
        (names[h], p, names[t])
        for h, p, t, _ in graph["relationships"]
        if mapping.free_text_rule(p).free_text and p == "provides platform for"
    ]
    assert generic, "the sample has a predicate the mapping does not name"
    found = neo4j_driver.execute_query(
        "MATCH (c:Claim {predicateText: $words})-[:SUBJECT]->(a), (c)-[:OBJECT]->(b), (a)-[r:RELATED_TO]->(b) "
        "RETURN a.name AS head, c.predicateText AS words, b.name AS tail, c.predicate AS type",
        words="provides platform for",
    ).records
    assert sorted((r["head"], r["words"], r["tail"]) for r in found) == sorted(generic)
    assert {r["type"] for r in found} == {"RELATED_TO"}
    # a wording the value table names takes its property, and keeps its words
    mapped = neo4j_driver.execute_query(
        "MATCH (c:Claim {predicateText: 'conducts strikes on'}) RETURN c.predicate AS type"
    ).records
    assert [r["type"] for r in mapped] == ["ATTACKED"]
    # a wording whose property's shapes refuse its ends is kept as the generic relation all the same
    refused = llm_refused()
    assert refused, "the sample has a wording whose property refuses its ends"
    kept = neo4j_driver.execute_query(
        "MATCH (c:Claim {predicate: 'RELATED_TO'})-[:SUBJECT]->(a) WHERE c.predicateText IN $words "
        "RETURN c.predicateText AS words, a.name AS head",
        words=sorted({p for _, p, _ in refused}),
    ).records
    assert sorted(r["words"] for r in kept) == sorted(p for _, p, _ in refused)
