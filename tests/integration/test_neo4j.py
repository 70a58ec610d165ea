"""kgload load into a real Neo4j: the seed's answers, idempotence, exact replacement.

Runs against the server the fixtures start (tests/neo4j_fixtures.py); never a mock.
"""

from __future__ import annotations

import json
from pathlib import Path

import neo4j
import pytest
from typer.testing import CliRunner

from kgload import api
from kgload.cli import app
from kgload.sinks.neo4j import Neo4jSettings, Neo4jSink, relink
from kgload.sinks.neo4j import cypher as q_cypher
from kgload.sinks.neo4j.writer import connect
from tests.common import ROOT, seed_cypher_examples
from tests.integration import test_learned_aliases as learned

pytestmark = pytest.mark.neo4j
CYPHER = ROOT / "examples" / "cypher"


def cypher(driver: neo4j.Driver, query: str, **params) -> list[dict]:
    records, _, _ = driver.execute_query(query, params)
    return [r.data() for r in records]


def counts(driver: neo4j.Driver) -> dict[str, int]:
    """Nodes, relationships and properties, the ledger's LoadRun nodes and the raw hashes (kept by loads
    with workers only) left out."""
    [row] = cypher(
        driver,
        """
        MATCH (n) WHERE NOT n:LoadRun
        WITH count(n) AS nodes, sum(size([k IN keys(n) WHERE k <> 'rawHash'])) AS nodeProps
        OPTIONAL MATCH ()-[r]->()
        RETURN nodes, nodeProps, count(r) AS rels, sum(size(keys(r))) AS relProps""",
    )
    return row


def graph_dump(driver: neo4j.Driver) -> set[str]:
    """The whole graph as comparable strings (run-specific values left out)."""
    skip = {"run", "recordedAt", "rawHash"}  # raw hashes: kept by loads with workers only
    nodes = cypher(driver, "MATCH (n) WHERE NOT n:LoadRun RETURN labels(n) AS l, properties(n) AS p")
    rels = cypher(driver, "MATCH (a)-[r]->(b) RETURN a.uri AS a, type(r) AS t, properties(r) AS p, b.uri AS b")
    out = {
        json.dumps([sorted(n["l"]), {k: str(v) for k, v in n["p"].items() if k not in skip}], sort_keys=True)
        for n in nodes
    }
    out |= {
        json.dumps([r["a"], r["t"], {k: str(v) for k, v in r["p"].items() if k not in skip}, r["b"]], sort_keys=True)
        for r in rels
    }
    return out


def load_cli(path: Path, settings: Neo4jSettings, tmp_path: Path):
    result = CliRunner().invoke(
        app, ["load", str(path), "--neo4j-uri", settings.uri, "--rejects", str(tmp_path / "r.jsonl")]
    )
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def seeded(neo4j_db, neo4j_driver, seed, tmp_path):
    result = load_cli(seed, neo4j_db, tmp_path)
    assert result.exit_code == 0, result.output
    assert "neo4j" in result.output
    return neo4j_driver


def test_who_leads_which_country(seeded):
    rows = cypher(seeded, (CYPHER / "who-leads-what.cypher").read_text())
    pairs = {(r["leader"], r["leads"]) for r in rows}
    assert {
        ("Vladimir Putin", "Russia"),
        ("Donald Trump", "United States"),
        ("Volodymyr Zelensky", "Ukraine"),
        ("Joe Biden", "United States"),
    } <= pairs
    biden = next(r for r in rows if r["leader"] == "Joe Biden")
    assert str(biden["until"]) == "2025-01-20"


def test_who_called_whom_and_when_with_evidence(seeded):
    rows = cypher(seeded, (CYPHER / "who-called-whom.cypher").read_text())
    assert len(rows) == 1  # two sentences report one call: one relationship, two evidences
    [call] = rows
    assert (call["caller"], call["callee"]) == ("Vladimir Putin", "Donald Trump")
    assert isinstance(call["date"], neo4j.time.Date) and str(call["date"]) == "2025-06-14"
    assert len(call["evidence"]) == 2 and all("Putin" in e or "leaders" in e for e in call["evidence"])
    assert call["sources"] == ["afp-2025-06-14-putin-trump-call"]


def test_prisoner_exchange_is_one_relationship_queried_undirected(seeded):
    rows = cypher(seeded, (CYPHER / "prisoner-exchanges.cypher").read_text())
    assert len(rows) == 1
    assert {rows[0]["side"], rows[0]["other_side"]} == {"Russia", "Ukraine"}
    [n] = cypher(seeded, "MATCH ()-[r:EXCHANGED_PRISONERS_WITH]->() RETURN count(r) AS n")
    assert n["n"] == 1


def test_who_is_advancing_on_which_region(seeded):
    rows = cypher(seeded, (CYPHER / "advances.cypher").read_text())
    assert {(r["actor"], r["target"]) for r in rows} == {("Russia", "Sumy Oblast")}


def test_denied_claim_is_a_claim_not_a_fact(seeded):
    rows = cypher(seeded, (CYPHER / "disputed-claims.cypher").read_text())
    dnipro = [r for r in rows if r["object"] == "Dnipropetrovsk Oblast"]
    assert dnipro and dnipro[0]["status"] == "disputed"
    assert "Volodymyr Zelensky" in dnipro[0]["denied_by"]


def test_labels_and_properties_are_typed(seeded):
    [putin] = cypher(seeded, "MATCH (p:Person {name: 'Vladimir Putin'}) RETURN labels(p) AS l, p AS p")
    assert {"Resource", "Entity", "Person", "Actor"} <= set(putin["l"])
    assert putin["p"]["wikidata"] == "Q7747"
    assert "Putin" in putin["p"]["aliases"]
    [doc] = cypher(seeded, "MATCH (d:Document) RETURN d.published AS published, d.uri AS uri")
    assert isinstance(doc["published"], neo4j.time.Date)
    [conf] = cypher(seeded, "MATCH ()-[r:CALLED]->() RETURN r.confidence AS c")
    assert isinstance(conf["c"], float)


def test_claims_filter_on_typed_attributes_and_keep_their_notes(seeded):
    """Issue 30.3: extra attributes are typed properties Cypher filters on; notes are projected."""
    rows = cypher(seeded, (CYPHER / "claims-by-attribute.cypher").read_text())
    call = [r for r in rows if r["relation"] == "CALLED"]
    assert call and call[0]["occasion"] == "Trump’s 79th birthday"
    rounds = [r for r in rows if r["rounds"] is not None]
    assert rounds and all(type(r["rounds"]) is int for r in rounds)
    [claim] = cypher(
        seeded,
        "MATCH (c:Claim)-[:SUBJECT]->(:Person {name: 'Joe Biden'}) WHERE c.note STARTS WITH 'Dates: World knowledge' "
        "RETURN c.attributes AS json, keys(c) AS keys",
    )
    assert claim["json"] is None and not [k for k in claim["keys"] if not k.isidentifier()]
    assert not cypher(seeded, "MATCH (c:Claim) WHERE c.attributes IS NOT NULL RETURN c")  # the JSON text is gone


def test_every_cypher_example_answers(seeded):
    for path in seed_cypher_examples():
        assert cypher(seeded, path.read_text()), path.name


def test_loading_twice_changes_nothing(seeded, seed, neo4j_db, tmp_path):
    before, dump = counts(seeded), graph_dump(seeded)
    again = load_cli(seed, neo4j_db, tmp_path)
    assert again.exit_code == 0 and "0 loaded (0 new, 0 changed), 1 unchanged" in again.output
    forced = api.load([seed], sink=Neo4jSink.connect(neo4j_db), force=True)
    assert forced.documents_loaded == 1
    assert counts(seeded) == before
    assert graph_dump(seeded) == dump


def test_two_documents_one_relationship_two_dates_two(neo4j_db, neo4j_driver, tmp_path):
    def doc(doc_id, date):
        return {
            "document": {"id": doc_id, "title": doc_id},
            "entities": [
                {"id": "a", "name": "Putin", "type": "Person"},
                {"id": "b", "name": "Trump", "type": "Person"},
            ],
            "relations": [{"type": "called", "head": "a", "tail": "b", "date": date, "evidence": f"{doc_id} says so"}],
        }

    path = tmp_path / "docs.jsonl"
    path.write_text(
        "\n".join(
            json.dumps(d) for d in [doc("one", "2025-06-14"), doc("two", "2025-06-14"), doc("three", "2025-03-18")]
        )
    )
    sink = Neo4jSink.connect(neo4j_db)
    api.load([path], sink=sink)
    rows = cypher(
        neo4j_driver, "MATCH (:Person)-[r:CALLED]->(:Person) RETURN toString(r.date) AS d, r.sources AS s ORDER BY d"
    )
    assert rows == [{"d": "2025-03-18", "s": ["three"]}, {"d": "2025-06-14", "s": ["one", "two"]}]

    sink.retract(["https://w3id.org/kgload/doc/one"])
    rows = cypher(
        neo4j_driver,
        "MATCH (:Person)-[r:CALLED]->(:Person) "
        "RETURN toString(r.date) AS d, r.sources AS s, r.evidence AS e ORDER BY d",
    )
    assert rows == [
        {"d": "2025-03-18", "s": ["three"], "e": ["three says so"]},
        {"d": "2025-06-14", "s": ["two"], "e": ["two says so"]},
    ]
    sink.close()


def test_changed_document_equals_a_clean_load(neo4j_db, neo4j_driver, seed, tmp_path):
    edited = json.loads(seed.read_text())
    edited["relations"] = [r for r in edited["relations"] if r["type"] not in ("called", "advancing-on")]
    edited["entities"] = (
        [e for e in edited["entities"] if e["id"] != "truth-social"]
        if any(e["id"] == "truth-social" for e in edited["entities"])
        else edited["entities"]
    )
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(edited))
    sink = Neo4jSink.connect(neo4j_db)
    api.load([seed], sink=sink)
    api.load([path], sink=sink)
    incremental = graph_dump(neo4j_driver)
    neo4j_driver.execute_query("MATCH (n) DETACH DELETE n")
    api.load([path], sink=sink)
    assert graph_dump(neo4j_driver) == incremental
    assert cypher(neo4j_driver, "MATCH ()-[r:CALLED]->() RETURN r") == []
    sink.close()


# -- the fast write path: relationships written from batch rows vs recomputed from claims -------------


def wire_story(i: int) -> dict:
    """Documents that share relationships across and within batches (undated alliances, a few
    call dates), with evidence, sentences and confidences to aggregate."""
    people, countries = [f"p{(i * 7 + k) % 9}" for k in range(2)], [f"c{(i + k) % 5}" for k in range(3)]
    return {
        "document": {"id": f"story-{(i * 37) % 101:03d}", "title": f"Story {i}", "published": "2025-06-01"},
        "entities": [{"id": p, "name": f"Person {p}", "type": "Person", "aliases": [f"P{i % 3} {p}"]} for p in people]
        + [{"id": c, "name": f"Country {c}", "type": "Country"} for c in countries],
        "relations": [
            {"type": "called", "head": people[0], "tail": people[1], "date": f"2025-06-0{1 + i % 2}", "sentence": i % 4}
            | ({"evidence": f"story {i}: a call"} if i % 3 else {})
            | ({"confidence": round(0.5 + (i % 5) / 10, 2)} if i % 2 else {}),
            {"type": "ally-of", "head": countries[0], "tail": countries[1], "start": "2024", "evidence": f"ally {i}"},
            {"type": "attacked", "head": countries[1], "tail": countries[2], "date": "2025-05-30"},
        ],
    }


def stories(tmp_path: Path, n: int, name: str = "stories.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("".join(json.dumps(wire_story(i)) + "\n" for i in range(n)))
    return path


def recompute_everything(driver: neo4j.Driver, sink: Neo4jSink) -> None:
    """Rebuild every relationship from its claims and every entity from its mentions on the server."""
    from kgload.sinks.neo4j import cypher as q

    allowed = [r.neo4j_type for r in sink.ontology.relations.values()]
    for rel_type in allowed:
        keys = [r["k"] for r in cypher(driver, f"MATCH ()-[r:`{rel_type}`]->() RETURN r.key AS k")]
        if keys:
            driver.execute_query(q.upsert_relationships(rel_type, allowed), keys=keys)
    uris = [r["u"] for r in cypher(driver, "MATCH (e:Entity) RETURN e.uri AS u")]
    driver.execute_query(q.REFRESH_ENTITIES, uris=uris)


def test_batch_written_relationships_equal_those_recomputed_from_claims(neo4j_db, neo4j_driver, tmp_path):
    sink = Neo4jSink.connect(neo4j_db)
    api.load([stories(tmp_path, 40)], sink=sink, batch_size=1000, validate=False)  # one batch: no server aggregation
    assert cypher(neo4j_driver, "MATCH ()-[r:ALLY_OF]->() WHERE r.claims > 1 RETURN count(r) AS n")[0]["n"] > 0
    written = graph_dump(neo4j_driver)
    stamps = cypher(
        neo4j_driver, "MATCH ()-[r]->() WHERE r.recordedAt IS NOT NULL RETURN r.key AS k, r.recordedAt AS t"
    )
    recompute_everything(neo4j_driver, sink)
    assert graph_dump(neo4j_driver) == written
    again = cypher(neo4j_driver, "MATCH ()-[r]->() WHERE r.recordedAt IS NOT NULL RETURN r.key AS k, r.recordedAt AS t")
    assert sorted(again, key=str) == sorted(stamps, key=str)
    sink.close()


@pytest.mark.parametrize("rows_per_statement", [10_000, 7])
def test_one_big_batch_equals_many_small_ones(neo4j_db, neo4j_driver, tmp_path, rows_per_statement):
    path = stories(tmp_path, 30)
    sink = Neo4jSink(connect(neo4j_db), rows_per_statement=rows_per_statement, owns_driver=True)
    api.load([path], sink=sink, batch_size=1, validate=False)
    one_by_one = graph_dump(neo4j_driver)
    neo4j_driver.execute_query("MATCH (n) DETACH DELETE n")
    api.load([path], sink=sink, batch_size=1000, validate=False)
    assert graph_dump(neo4j_driver) == one_by_one
    sink.close()


def test_rewriting_every_document_in_a_new_order_changes_nothing(neo4j_db, neo4j_driver, tmp_path):
    sink = Neo4jSink.connect(neo4j_db)
    api.load([stories(tmp_path, 24)], sink=sink, batch_size=5, validate=False)
    before = graph_dump(neo4j_driver)
    lines = stories(tmp_path, 24).read_text().splitlines()
    reordered = tmp_path / "reordered.jsonl"
    reordered.write_text("\n".join(lines[::-1]) + "\n")
    api.load([reordered], sink=sink, batch_size=7, force=True, validate=False)
    assert graph_dump(neo4j_driver) == before
    sink.close()


def test_a_relationship_deleted_by_hand_comes_back_once_a_batch_touches_its_key(neo4j_db, neo4j_driver, tmp_path):
    # the recompute finds a relationship through the index on its key; one that is missing is created again
    path = stories(tmp_path, 20)
    sink = Neo4jSink.connect(neo4j_db)
    api.load([path], sink=sink, batch_size=5, validate=False)
    clean = graph_dump(neo4j_driver)
    deleted = cypher(neo4j_driver, "MATCH ()-[r:ALLY_OF]->() DELETE r RETURN count(r) AS n")[0]["n"]
    assert deleted == 5
    later = tmp_path / "later.jsonl"
    later.write_text("".join(path.read_text().splitlines(keepends=True)[10:]))  # every alliance again
    api.load([later], sink=sink, batch_size=5, force=True, validate=False)
    assert graph_dump(neo4j_driver) == clean
    sink.close()


def recording_statements(monkeypatch) -> list[str]:
    """The text of every statement sent in a transaction from now on (until monkeypatch.undo)."""
    sent: list[str] = []
    run = neo4j.ManagedTransaction.run

    def recording(self, query, parameters=None, **kwargs):
        sent.append(query)
        return run(self, query, parameters, **kwargs)

    monkeypatch.setattr(neo4j.ManagedTransaction, "run", recording)
    return sent


def in_id_order(tmp_path: Path, n: int) -> Path:
    path = tmp_path / "in-id-order.jsonl"
    ordered = sorted((wire_story(i) for i in range(n)), key=lambda story: story["document"]["id"])
    path.write_text("".join(json.dumps(story) + "\n" for story in ordered))
    return path


def test_documents_in_id_order_extend_shared_relationships_as_a_recompute_would(
    neo4j_db, neo4j_driver, tmp_path, monkeypatch
):
    # A shared relationship is extended with the batch's own aggregate, without re-reading its
    # claims, when every document of the batch sorts after the stored sources (a feed loaded in
    # id order); the result must be what recomputing from every claim gives.
    sent = recording_statements(monkeypatch)
    sink = Neo4jSink.connect(neo4j_db)
    path = in_id_order(tmp_path, 30)
    api.load([path], sink=sink, batch_size=4, validate=False)
    monkeypatch.undo()
    extended = [q for q in sent if "SET r.evidence = coalesce(r.evidence, []) + p.evidence" in q]
    recomputed = [q for q in sent if "MATCH (c:Claim {key: key})-[:DERIVED_FROM]" in q]
    assert extended and not recomputed  # every shared key of every batch was extended
    assert cypher(neo4j_driver, "MATCH ()-[r:ALLY_OF]->() RETURN max(r.claims) AS n")[0]["n"] > 4

    loaded = graph_dump(neo4j_driver)
    recompute_everything(neo4j_driver, sink)
    assert graph_dump(neo4j_driver) == loaded
    neo4j_driver.execute_query("MATCH (n) DETACH DELETE n")
    api.load([path], sink=sink, batch_size=1000, validate=False)  # one batch: no shared keys at all
    assert graph_dump(neo4j_driver) == loaded
    sink.close()


@pytest.mark.parametrize("seed_", range(6))
def test_any_order_and_batching_of_loads_and_reloads_leaves_relationships_equal_to_their_claims(
    neo4j_db, neo4j_driver, tmp_path, seed_
):
    # Loads in a random order and batch size, then a forced reload of a random subset (detached
    # and written again): each relationship is extended, recomputed or created by whichever path
    # its batch takes, and must equal what its claims give.
    import random

    rng = random.Random(seed_)
    stories_ = [wire_story(i) for i in rng.sample(range(40), rng.randint(8, 24))]
    rng.shuffle(stories_)
    first, again = tmp_path / "first.jsonl", tmp_path / "again.jsonl"
    first.write_text("".join(json.dumps(s) + "\n" for s in stories_))
    again.write_text("".join(json.dumps(s) + "\n" for s in rng.sample(stories_, len(stories_) // 3)))
    sink = Neo4jSink.connect(neo4j_db)
    api.load([first], sink=sink, batch_size=rng.randint(1, 6), validate=False)
    api.load([again], sink=sink, batch_size=rng.randint(1, 6), force=True, validate=False)
    loaded = graph_dump(neo4j_driver)
    recompute_everything(neo4j_driver, sink)
    assert graph_dump(neo4j_driver) == loaded
    sink.close()


def test_a_driver_debug_log_holds_no_news_text(neo4j_db, neo4j_driver, seed, caplog):
    # The driver formats every statement's parameters for its debug log; kgload's parameter lists
    # format as their length, which kept a 5k-row repr off each statement and the articles out of logs.
    sentences = [r["evidence"] for r in json.loads(seed.read_text())["relations"] if r.get("evidence")]
    sink = Neo4jSink.connect(neo4j_db)
    with caplog.at_level("DEBUG", logger="neo4j"):
        api.load([seed], sink=sink)
    sink.close()
    driver_log = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("neo4j"))
    assert "C: RUN" in driver_log  # the driver did log its statements
    assert not [s for s in sentences if s in driver_log]
    stored = {e for row in cypher(neo4j_driver, "MATCH (c:Claim) RETURN c.evidence AS e") for e in [row["e"]]}
    assert set(sentences) <= stored


def test_a_run_that_lost_its_lease_stops_at_its_next_batch(neo4j_db, neo4j_driver, tmp_path):
    # The lease is renewed by a heartbeat thread, a third of its term apart, whatever the batches do;
    # once a renewal finds another owner (the lease was broken by hand, or lapsed while the host was
    # suspended), the run stops at its next batch.
    from time import sleep

    from kgload.errors import TargetBusy

    path = stories(tmp_path, 20)
    thief = "cron-host:4242:20250101T000000Z-other"

    def lose_the_lease(report) -> None:
        if report.documents_loaded == 5:  # after the first batch
            neo4j_driver.execute_query(
                "MATCH (l:KgloadLock {name: 'kgload'}) "
                "SET l.owner = $owner, l.expires = datetime() + duration({minutes: 10})",
                owner=thief,
            )
            sleep(1.5)  # more than a heartbeat (a third of the 2 s lease): it has found out

    sink = Neo4jSink.connect(neo4j_db)
    with pytest.raises(TargetBusy, match="lost its lock"):
        api.load([path], sink=sink, batch_size=5, lock_ttl=2, progress=lose_the_lease, workers=1)
    sink.close()
    [lock] = cypher(neo4j_driver, "MATCH (l:KgloadLock) RETURN l.owner AS owner")
    assert lock["owner"] == thief  # the other run's lease is left alone
    [loaded] = cypher(neo4j_driver, "MATCH (d:Document) RETURN count(d) AS n")
    assert 5 <= loaded["n"] <= 10  # the batch in flight when it found out is the last one
    [run] = cypher(neo4j_driver, "MATCH (r:LoadRun) RETURN r.status AS status, r.note AS note")
    assert run["status"] == "failed" and "lost its lock" in run["note"]


SCANS = ("NodeByLabelScan", "AllNodesScan", "RelationshipTypeScan", "AllRelationshipsScan")


def test_the_statements_that_keep_their_first_plan_seek_indexes_on_a_small_and_an_empty_database(
    neo4j_db, neo4j_driver, seed, tmp_path, monkeypatch
):
    # The writer's statements are sent with CYPHER replan=skip: the plan a first load makes on an
    # empty or small database is the one it keeps. That is safe only if that plan already seeks
    # every node and relationship through an index, which this checks for every such statement a
    # load, a changed reload and a retraction send. (With plain USING INDEX, the relationship-key
    # lookups were planned on the small database as scans of the whole index.)
    sent = recording_statements(monkeypatch)
    sink = Neo4jSink.connect(neo4j_db)
    path = stories(tmp_path, 12)
    api.load([seed, path], sink=sink, batch_size=5, validate=False)  # the seed: claim links
    api.load([stories(tmp_path, 8, "again.jsonl")], sink=sink, batch_size=5, force=True, validate=False)
    # names learned from the data: the bare name's document is re-linked to the teacher's group
    api.load(learned.write(tmp_path / "learned", [learned.BARE, learned.TEACHER]), sink=sink, validate=False)
    sink.retract(["https://w3id.org/kgload/doc/story-000", "https://w3id.org/kgload/doc/story-037"])
    sink.close()
    monkeypatch.undo()
    assert cypher(neo4j_driver, "MATCH (d:Document) RETURN count(d) AS n")[0]["n"] == 13  # two retracted

    kept = sorted({q for q in sent if q.startswith("CYPHER replan=skip")})
    for statement in ("FINGERPRINTS", "DETACH_DOCUMENTS", "CREATE_CLAIMS", "LINK_CLAIMS", "CREATE_FACTS",
                      "CREATE_MENTIONS", "UPSERT_DOCUMENTS", "DELETE_DOCUMENTS", "REFRESH_ENTITIES"):  # fmt: skip
        assert any(q.endswith(getattr(q_cypher, statement)) for q in kept), statement
    assert any("MATCH (c:Claim {key: key})-[:DERIVED_FROM]" in q for q in kept)  # upsert_relationships
    for statement in (
        "FORGET",
        "REMEMBER",
        "CLAIM_ENDS",
        "MOVE_MENTIONS",
        "MOVE_CLAIM_LINKS",
        "REKEY_CLAIMS",
        "LINKED",
    ):
        assert any(q.endswith(getattr(relink, statement)) for q in kept), statement
    assert any("DELETE r\nRETURN row.old AS old" in q for q in kept)  # relink.move_relationships

    for state in ("small", "empty"):  # the plans a first load makes, in its first batches or before
        if state == "empty":
            neo4j_driver.execute_query("MATCH (n) DETACH DELETE n")
        neo4j_driver.execute_query("CALL db.clearQueryCaches()")
        for query in kept:
            summary = neo4j_driver.execute_query("EXPLAIN " + query.removeprefix("CYPHER replan=skip")).summary
            operators = list(_operators(summary.plan))
            assert [op for op in operators if any(scan in op for scan in SCANS)] == [], (state, query)
            assert [op for op in operators if "Seek" in op], (state, query)


def _operators(plan: dict):
    yield plan["operatorType"]
    for child in plan.get("children", []):
        yield from _operators(child)


# -- the words of free-text relations on their shared relationship ------------------------------------

WORDS = ("quietly backs", "lends money to", "trains the soldiers of")


def worded_story(i: int) -> dict:
    """A wire story with a free-text relation (an LLM's words no rule names, kg:relatedTo) between two
    countries that other stories relate too, in words of their own."""
    story = wire_story(i)
    countries = [e["id"] for e in story["entities"] if e["type"] == "Country"]
    words = WORDS[i % 3]
    story["relations"].append({"type": words, "predicate": words, "head": countries[0], "tail": countries[2]})
    return story


def words_by_key(driver: neo4j.Driver) -> dict[str, list[str]]:
    """Each RELATED_TO relationship's words, and the distinct words of its asserted claims in claim order."""
    rels = cypher(driver, "MATCH ()-[r:RELATED_TO]->() RETURN r.key AS k, r.predicateTexts AS w")
    claims = cypher(
        driver,
        "MATCH (c:Claim {predicate: 'RELATED_TO', status: 'asserted'})-[:DERIVED_FROM]->(d:Document) "
        "WITH c, d ORDER BY d.id, c.sentence, c.uri RETURN c.key AS k, collect(c.predicateText) AS w",
    )
    expected = {c["k"]: list(dict.fromkeys(c["w"])) for c in claims}
    assert {r["k"]: r["w"] for r in rels} == expected
    return expected


@pytest.mark.parametrize("seed_", range(3))
def test_related_to_carries_the_words_of_its_claims_through_loads_reloads_and_retractions(
    neo4j_db, neo4j_driver, tmp_path, seed_
):
    # RELATED_TO alone says nothing: the relationship carries the distinct words of its claims
    # (predicateTexts), kept exact whichever path writes it (batch rows, extended, recomputed) and
    # after a retraction, as its evidence and sources are; coded relationships get no such property.
    import random

    rng = random.Random(seed_)
    chosen = [worded_story(i) for i in rng.sample(range(30), 15)]
    in_order = sorted(chosen, key=lambda story: story["document"]["id"])
    first, again = tmp_path / "first.jsonl", tmp_path / "again.jsonl"
    first.write_text("".join(json.dumps(s) + "\n" for s in (in_order if seed_ == 0 else chosen)))
    again.write_text("".join(json.dumps(s) + "\n" for s in rng.sample(chosen, 5)))
    sink = Neo4jSink.connect(neo4j_db)
    api.load([first], sink=sink, batch_size=rng.randint(1, 4), validate=False)
    words = words_by_key(neo4j_driver)
    assert any(len(w) > 1 for w in words.values())  # a relationship that several wordings share
    assert cypher(neo4j_driver, "MATCH ()-[r]->() WHERE r.predicateTexts IS NOT NULL RETURN DISTINCT type(r) AS t") == [
        {"t": "RELATED_TO"}
    ]
    api.load([again], sink=sink, batch_size=rng.randint(1, 4), force=True, validate=False)
    words_by_key(neo4j_driver)
    loaded = graph_dump(neo4j_driver)
    recompute_everything(neo4j_driver, sink)
    assert graph_dump(neo4j_driver) == loaded

    # retract every document that says one of the wordings: it leaves every relationship
    gone = [s["document"]["id"] for s in chosen if s["relations"][-1]["predicate"] == WORDS[0]]
    sink.retract([f"https://w3id.org/kgload/doc/{doc_id}" for doc_id in gone])
    after = words_by_key(neo4j_driver)
    assert after and not [w for w in after.values() if WORDS[0] in w]
    sink.close()
