"""Shared fixtures: repository paths, the seed example, a fixed run, temporary stores."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from kgload.mapping import load_mapping
from kgload.model import Run
from tests.common import FIXED_RUN, ROOT, SEED

pytest_plugins = ["tests.neo4j_fixtures"]

# Tests check results, never timings (the machine is shared and noisy): no per-example deadline, and
# slow example generation is not a failure.
settings.register_profile("kgload", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("kgload")


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def seed() -> Path:
    return SEED


@pytest.fixture(scope="session")
def mapping():
    return load_mapping(ROOT / "mappings" / "kgload.yaml")


@pytest.fixture
def run() -> Run:
    """A fixed run, so mapped RDF is byte-for-byte reproducible in tests."""
    return FIXED_RUN


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "store"
