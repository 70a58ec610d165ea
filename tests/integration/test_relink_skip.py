"""An unchanged re-run skips the re-link of learned aliases when the last re-link finished, and only
then: a re-link stopped part way (interrupted or failing, a load's or a retract's) is finished by the
next run, even one that writes nothing, and a run that writes re-links. Every test runs against the
embedded store and a real Neo4j (never mocked); the re-link's work is seen as its reading of the alias
table to derive the groups (``aliases.targets``), which both targets' re-links start with."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest

from kgload.errors import RunFailed
from kgload.mapping import aliases
from kgload.sinks import learned
from kgload.sinks.neo4j import relink, writer
from tests.integration.test_learned_aliases import BARE, BATTALION, FILLER, HAWKS, TEACHER, Target
from tests.integration.test_relink_transactions_neo4j import corpus


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Target:
    if request.param == "embedded":
        return Target("embedded", tmp_path)
    return Target("neo4j", tmp_path, request.getfixturevalue("neo4j_db"), request.getfixturevalue("neo4j_driver"))


@pytest.fixture
def relinks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry for each re-link that read the alias table (in either target)."""
    calls: list[int] = []
    derive = aliases.targets

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return derive(*args, **kwargs)

    monkeypatch.setattr(learned, "targets", counted)
    monkeypatch.setattr(relink, "targets", counted)
    return calls


def stopping(monkeypatch: pytest.MonkeyPatch, target: Target, error: type[BaseException], after: int) -> None:
    """Make the target's re-link raise ``error`` once it has applied ``after`` steps: documents' graphs
    rewritten in the store, transactions committed in Neo4j (one document's moves each). A new exception
    each time: one raised before keeps its traceback, whose frames hold the store open."""
    steps = [0]
    if target.driver is None:
        real: Any = learned._rewrite

        def step(*args: Any) -> int:
            if steps[0] == after:
                raise error("stopped")
            steps[0] += 1
            return real(*args)

        monkeypatch.setattr(learned, "_rewrite", step)
        return
    monkeypatch.setattr(relink, "MOVES_PER_TRANSACTION", 1)
    real = writer._relink

    def transaction(tx: Any, moves: list[dict[str, Any]], *args: Any) -> None:
        if steps[0] == after:
            raise error("stopped")
        steps[0] += 1
        real(tx, moves, *args)

    monkeypatch.setattr(writer, "_relink", transaction)


def test_an_unchanged_rerun_does_not_relink(target, relinks):
    target.load([[TEACHER, BARE, *FILLER]])
    assert len(relinks) == 1
    reference = target.graph()
    [report] = target.load([[TEACHER, BARE, *FILLER]], again=True)
    assert report.documents_unchanged == 14
    assert len(relinks) == 1  # the table was not read
    assert target.graph() == reference
    assert target.relink_moves() == ()  # a re-link asked for anyway finds nothing to move
    assert len(relinks) == 2


@pytest.mark.parametrize("error", [KeyboardInterrupt, RuntimeError], ids=["interrupted", "failing"])
def test_a_relink_stopped_part_way_is_finished_by_an_unchanged_rerun(target, relinks, monkeypatch, error):
    target.load([corpus()])
    reference = target.graph()
    target.load([[d for d in corpus() if not d["document"]["id"].startswith("teacher")]])  # re-linked: marked
    with monkeypatch.context() as patch:
        stopping(patch, target, error, after=5)
        with pytest.raises((KeyboardInterrupt, RuntimeError, RunFailed)):
            target.load([corpus()], again=True)  # the teachers added: their names move documents
    gc.collect()  # the stopped run's frames, in a cycle with its error, hold its store open (RocksDB)
    assert target.graph() != reference  # some documents moved, not all
    relinks.clear()
    [report] = target.load([corpus()], again=True)
    assert report.documents_unchanged == len(corpus())
    assert relinks == [1]
    assert target.graph() == reference
    target.load([corpus()], again=True)  # finished now: the next re-run skips it
    assert relinks == [1]


def test_a_retract_whose_relink_failed_is_finished_by_an_unchanged_load(target, relinks, monkeypatch):
    target.load([[BARE]])
    alone = target.graph()
    target.load([[TEACHER, BARE]])
    with monkeypatch.context() as patch:
        stopping(patch, target, RuntimeError, after=0)
        with pytest.raises((RuntimeError, RunFailed)):
            target.retract(["teacher"])
    gc.collect()
    assert HAWKS not in target.mentioned()  # the teacher is gone, its alias not yet undone
    relinks.clear()
    [report] = target.load([[BARE]], again=True)
    assert report.documents_unchanged == 1
    assert relinks == [1]
    assert target.graph() == alone


@pytest.mark.parametrize("error", [KeyboardInterrupt, RuntimeError], ids=["interrupted", "failing"])
def test_a_store_retract_stopped_before_its_alias_rows_go_is_finished_by_an_unchanged_load(
    tmp_path, monkeypatch, error
):
    """The store removes a retracted document's graphs, then its rows (pyoxigraph has no transaction
    across calls): rows left by a retract stopped between the two must not group the names left."""
    target = Target("embedded", tmp_path)
    target.load([[BARE]])
    alone = target.graph()
    target.load([[TEACHER, BARE]])
    with monkeypatch.context() as patch:
        patch.setattr(learned, "forget", lambda *args: (_ for _ in ()).throw(error("stopped")))
        with pytest.raises((error, RunFailed)):
            target.retract(["teacher"])
    assert target.mentioned()[BATTALION] == {"bare"}  # the teacher's graphs are gone, its rows not
    [report] = target.load([[BARE]], again=True)
    assert report.documents_unchanged == 1
    assert target.graph() == alone
    assert target.mentioned()[HAWKS] == {"bare"}  # the teacher's alias no longer joins it


def test_a_rerun_with_changed_input_relinks(target, relinks):
    target.load([[TEACHER, BARE, *FILLER]])
    reference = target.graph()
    target.load([[BARE, *FILLER]])
    target.load([[BARE, *FILLER]], again=True)
    assert len(relinks) == 2  # two fresh loads, the re-run skipped
    [report] = target.load([[TEACHER, BARE, *FILLER]], again=True)
    assert report.documents_added == 1 and report.documents_unchanged == 13
    assert len(relinks) == 3
    assert HAWKS not in target.mentioned()
    assert {"teacher", "bare"} <= target.mentioned()[BATTALION]
    assert target.graph() == reference


def test_another_kgload_versions_relink_is_done_again(target, relinks, monkeypatch):
    """The mark names the version that re-linked: a version whose rule may group names otherwise re-links once."""
    target.load([[TEACHER, BARE, *FILLER]])
    reference = target.graph()
    monkeypatch.setattr(learned, "__version__", "0.0.0+another")
    monkeypatch.setattr(writer, "__version__", "0.0.0+another")
    target.load([[TEACHER, BARE, *FILLER]], again=True)
    target.load([[TEACHER, BARE, *FILLER]], again=True)
    assert len(relinks) == 2
    assert target.graph() == reference


@pytest.mark.parametrize("error", [KeyboardInterrupt, RuntimeError])
def test_a_store_write_stopped_at_its_alias_rows_is_finished_by_the_rerun(tmp_path, monkeypatch, error):
    """A document is in the store only with its alias rows: a write stopped between the two leaves the
    document unwritten, so the re-run writes it (found unchanged, it would never get its rows)."""
    clean = Target("embedded", tmp_path / "clean")
    clean.load([[TEACHER, BARE, *FILLER]])
    stopped = Target("embedded", tmp_path / "stopped")
    calls = [0]
    real = learned.remember

    def remember(*args: Any) -> None:
        calls[0] += 1
        if calls[0] == 1:  # the first batch's rows: the teacher's "Northern Hawks"
            raise error("stopped")
        real(*args)

    with monkeypatch.context() as patch:
        patch.setattr(learned, "remember", remember)
        with pytest.raises((error, RunFailed)):
            stopped.load([[TEACHER, BARE, *FILLER]])
    gc.collect()  # the stopped run's frames hold its store open
    [report] = stopped.load([[TEACHER, BARE, *FILLER]], again=True)
    assert report.documents_added > 0
    assert stopped.graph() == clean.graph()
