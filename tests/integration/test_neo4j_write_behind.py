"""The Neo4j sink commits a batch in the background while the next one is mapped (write-behind).

Against the real test server: the graph is the one writing in step gives, a document repeated in
the next batch is seen as written, datetimes arrive as DateTime values, and a batch that fails in
the background fails the run, keeps the batches before it, and a re-run converges.
"""

from __future__ import annotations

import json

import neo4j
import pytest

from kgload import api
from kgload.errors import RunFailed
from kgload.sinks.neo4j import Neo4jSink
from kgload.sinks.neo4j.writer import connect
from tests.integration.test_neo4j import cypher, graph_dump, stories, wire_story

pytestmark = pytest.mark.neo4j


def sink_for(settings, *, write_behind: bool = True) -> Neo4jSink:
    return Neo4jSink(connect(settings), settings.database, owns_driver=True, write_behind=write_behind)


def test_write_behind_gives_the_graph_writing_in_step_gives(neo4j_db, neo4j_driver, tmp_path):
    path = stories(tmp_path, 23)
    sink = sink_for(neo4j_db, write_behind=False)
    api.load([path], sink=sink, batch_size=4, validate=False)
    sink.close()
    in_step = graph_dump(neo4j_driver)
    neo4j_driver.execute_query("MATCH (n) DETACH DELETE n")

    sink = sink_for(neo4j_db)
    report = api.load([path], sink=sink, batch_size=4, validate=False)
    sink.close()
    assert report.documents_added == 23
    assert graph_dump(neo4j_driver) == in_step


def test_datetimes_arrive_as_datetime_values(neo4j_db, neo4j_driver, tmp_path):
    sink = sink_for(neo4j_db)
    api.load([stories(tmp_path, 5)], sink=sink, batch_size=2, validate=False)
    sink.close()
    claims = cypher(neo4j_driver, "MATCH (c:Claim) RETURN c.recordedAt AS t")
    facts = cypher(neo4j_driver, "MATCH ()-[r:ALLY_OF]->() RETURN r.recordedAt AS t")
    assert claims and facts
    assert all(isinstance(row["t"], neo4j.time.DateTime) and row["t"].tzinfo is not None for row in claims + facts)
    # the server-side type, not only what the driver hands back: temporal comparisons work
    [row] = cypher(
        neo4j_driver,
        "MATCH (c:Claim) RETURN count(*) AS n, sum(CASE WHEN c.recordedAt < datetime() THEN 1 ELSE 0 END) AS past",
    )
    assert row["n"] == row["past"] > 0


def test_a_document_repeated_in_the_next_batch_counts_as_written(neo4j_db, neo4j_driver, tmp_path):
    """The second copy is decided against the batch still in flight: unchanged, not written twice."""
    lines = [json.dumps(wire_story(i)) for i in range(4)]
    path = tmp_path / "repeated.jsonl"
    path.write_text("\n".join([lines[0], lines[1], lines[0], lines[2], lines[3]]) + "\n")
    sink = sink_for(neo4j_db)
    report = api.load([path], sink=sink, batch_size=2, validate=False)
    sink.close()
    assert (report.documents_added, report.documents_unchanged) == (4, 1)
    repeated = graph_dump(neo4j_driver)

    neo4j_driver.execute_query("MATCH (n) DETACH DELETE n")
    clean = tmp_path / "clean.jsonl"
    clean.write_text("\n".join(lines) + "\n")
    sink = sink_for(neo4j_db)
    api.load([clean], sink=sink, batch_size=10, validate=False)
    sink.close()
    assert graph_dump(neo4j_driver) == repeated


def test_a_batch_failing_in_the_background_fails_the_run_and_a_rerun_converges(neo4j_db, neo4j_driver, tmp_path):
    path = stories(tmp_path, 12)
    sink = sink_for(neo4j_db)
    api.load([path], sink=sink, batch_size=3, validate=False)
    sink.close()
    clean = graph_dump(neo4j_driver)
    # A node already holding the uri of a claim of the third batch: that batch breaks the uniqueness
    # constraint on the server, after the client has handed it over and moved on.
    [doc] = [json.loads(line)["document"]["id"] for line in path.read_text().splitlines()[6:7]]
    [blocked] = cypher(
        neo4j_driver,
        "MATCH (c:Claim)-[:DERIVED_FROM]->(d:Document {id: $id}) RETURN c.uri AS uri LIMIT 1",
        id=doc,
    )
    neo4j_driver.execute_query("MATCH (n) DETACH DELETE n")
    neo4j_driver.execute_query("CREATE (:Resource {uri: $uri})", uri=blocked["uri"])

    sink = sink_for(neo4j_db)
    with pytest.raises(RunFailed):
        api.load([path], sink=sink, batch_size=3, validate=False)
    [run] = sink.runs(limit=1)
    sink.close()
    assert run.status == "failed"
    documents = {r["id"] for r in cypher(neo4j_driver, "MATCH (d:Document) RETURN d.id AS id")}
    first_two = {json.loads(line)["document"]["id"] for line in path.read_text().splitlines()[:6]}
    assert documents == first_two  # the batches before it are committed, none after it

    neo4j_driver.execute_query("MATCH (n {uri: $uri}) WHERE NOT n:Claim DETACH DELETE n", uri=blocked["uri"])
    sink = sink_for(neo4j_db)
    report = api.load([path], sink=sink, batch_size=3, validate=False)
    sink.close()
    assert (report.documents_unchanged, report.documents_added) == (6, 6)
    assert graph_dump(neo4j_driver) == clean
