"""tests/unit needs neither Neo4j nor worker processes: a test that starts either belongs in
tests/integration, and fails here saying so."""

from __future__ import annotations

import concurrent.futures
import multiprocessing.process
from typing import NoReturn

import pytest

MOVE = "belongs in tests/integration: tests/unit needs neither Neo4j nor worker processes"


def _refuse(*_args: object, **_kwargs: object) -> NoReturn:
    raise AssertionError(f"this test starts a worker process, so it {MOVE}")


@pytest.fixture(autouse=True)
def _no_worker_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(concurrent.futures.ProcessPoolExecutor, "__init__", _refuse)
    monkeypatch.setattr(multiprocessing.process.BaseProcess, "start", _refuse)


@pytest.fixture(scope="session")
def neo4j_server() -> NoReturn:
    pytest.fail(f"this test uses Neo4j, so it {MOVE}", pytrace=False)
