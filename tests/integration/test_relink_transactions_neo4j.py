"""The Neo4j re-link of learned aliases in bounded transactions of whole documents: split over many
transactions it makes the graph one transaction makes; stopped after some of them, the next load's
re-link finishes it and the graph equals a clean load's. Against the real Neo4j (never mocked)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import neo4j
import pytest

from kgload import api
from kgload.errors import RunFailed
from kgload.sinks.neo4j import Neo4jSink, relink, writer
from tests.integration.test_learned_aliases import FILLER, ID, Target, document, mentioned, write

pytestmark = pytest.mark.neo4j

GROUPS = 3


def corpus() -> list[dict]:
    """Groups of documents whose bare names join a teacher's entity: several old relationship keys go
    to one new key ("Unit 0" and "First Unit 0" attacking Russia), shared keys span documents, and a
    key held by one claim alone (on Poland) moves whole. Ids interleave the groups, so that each
    transaction of one document leaves the others' keys half moved."""
    docs = []
    for g in range(GROUPS):
        docs.append(document(f"teacher-g{g}", f"Unit {g} Battalion", [f"Unit {g}", f"First Unit {g}"]))
        docs += [document(f"bare-{i}-g{g}", f"Unit {g}", [], target="Russia") for i in range(3)]
        docs += [document(f"first-{i}-g{g}", f"First Unit {g}", [], target="Russia") for i in range(2)]
        docs.append(document(f"lone-g{g}", f"Unit {g}", [], target="Poland"))
    return [*docs, *FILLER[:4]]


@pytest.fixture
def online(neo4j_db, neo4j_driver, tmp_path) -> Target:
    return Target("neo4j", tmp_path, neo4j_db, neo4j_driver)


@pytest.fixture
def transactions(monkeypatch) -> list[int]:
    """The moves of each re-link transaction, one document each (one move a document here)."""
    monkeypatch.setattr(relink, "MOVES_PER_TRANSACTION", 1)
    sizes: list[int] = []
    apply = writer._relink

    def counted(tx: Any, moves: list[dict[str, Any]], *args: Any) -> None:
        sizes.append(len(moves))
        apply(tx, moves, *args)

    monkeypatch.setattr(writer, "_relink", counted)
    return sizes


def one_transaction(online: Target, monkeypatch) -> Any:
    """The graph of a clean load whose re-link is one transaction."""
    with monkeypatch.context() as patch:
        patch.setattr(relink, "MOVES_PER_TRANSACTION", 10_000)
        online.load([corpus()])
    return online.graph()


MOVES = GROUPS * 6  # each group's bare, first and lone documents


def test_a_relink_split_over_many_transactions_makes_the_graph_of_one(online, transactions, monkeypatch):
    reference = one_transaction(online, monkeypatch)
    assert transactions == [MOVES]
    transactions.clear()
    online.load([corpus()])
    assert transactions == [1] * MOVES
    assert online.graph() == reference
    assert ID + "name/unit-0" not in online.mentioned()
    assert online.attacks(ID + "name/unit-0-battalion") == 3  # Ukraine, Russia and Poland, one relationship each


def test_a_relink_stopped_after_some_transactions_is_finished_by_the_next_load(online, transactions, monkeypatch):
    reference = one_transaction(online, monkeypatch)
    transactions.clear()
    apply = writer._relink

    def stopped(tx: Any, moves: list[dict[str, Any]], *args: Any) -> None:
        if len(transactions) == 7:  # seven transactions committed: stop before the eighth, as Ctrl-C would
            raise KeyboardInterrupt
        apply(tx, moves, *args)

    with monkeypatch.context() as patch:
        patch.setattr(writer, "_relink", stopped)
        with pytest.raises(KeyboardInterrupt):
            online.load([corpus()])
    assert len(transactions) == 7
    assert online.graph() != reference
    [report] = online.load([corpus()], again=True)
    assert report.documents_unchanged == len(corpus())
    assert len(transactions) == MOVES  # only the moves not committed before
    assert online.graph() == reference


# -- a server whose transactions may use little memory ----------------------------------------------


@pytest.fixture
def small_transactions(tmp_path: Path, monkeypatch) -> Iterator[neo4j.Driver]:
    """A server of its own whose every transaction may use 2 MiB (db.memory.transaction.max, not
    dynamic in Community), with a driver that never retries a transaction that went over it. (60
    moves fit in one such transaction, 120 did not.)"""
    from tests.neo4j_server import Neo4jTestServer

    monkeypatch.setenv("KGLOAD_NEO4J_TRANSACTION_MAX", "2m")
    server = Neo4jTestServer(tmp_path / "small").start()
    try:
        driver = neo4j.GraphDatabase.driver(
            server.uri, auth=server.auth, max_transaction_retry_time=0,
            notifications_min_severity=neo4j.NotificationMinimumSeverity.OFF,
        )  # fmt: skip
        limit = driver.execute_query("SHOW SETTINGS YIELD name, value WHERE name = 'db.memory.transaction.max'")
        assert limit.records[0]["value"] == "2.00MiB"
        yield driver
        driver.close()
    finally:
        server.stop()


def test_a_relink_too_large_for_one_transaction_passes_in_bounded_ones(small_transactions, tmp_path):
    driver = small_transactions
    docs = [document("teacher", "Unit 0 Battalion", ["Unit 0"])]
    docs += [document(f"bare-{i:03d}", "Unit 0", [], target=("Russia", "Poland")[i % 2]) for i in range(150)]
    paths = write(tmp_path / "in", docs)
    with pytest.raises(RunFailed, match=r"db\.memory\.transaction\.max"):  # every document written, then the re-link
        api.load(paths, sink=Neo4jSink(driver, relink_moves=10_000), batch_size=50, rejects=tmp_path / "r.jsonl")
    assert len(mentioned(driver)[ID + "name/unit-0"]) == 150
    report = api.load(paths, sink=Neo4jSink(driver, relink_moves=20), batch_size=50, rejects=tmp_path / "r.jsonl")
    assert report.documents_unchanged == len(docs)
    assert ID + "name/unit-0" not in mentioned(driver)
    assert len(mentioned(driver)[ID + "name/unit-0-battalion"]) == 151
