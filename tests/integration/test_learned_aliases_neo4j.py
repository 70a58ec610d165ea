"""Names learned from the data, across the two targets and through neo4j-admin: Neo4j holds the
embedded store's nodes, and a bulk import equals the online load (what each target does alone is in
test_learned_aliases.py, run against both). Against the real Neo4j (never mocked)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import neo4j
import pytest

from kgload import api
from kgload.sinks.neo4j import Neo4jSettings, Neo4jSink
from tests.common import FIXED_RUN
from tests.integration.test_learned_aliases import (
    BARE,
    BATTALION,
    FILLER,
    HAWKS,
    SOCIETY,
    SOCIETY_DOC,
    TEACHER,
    Target,
    document,
    dump,
    entities,
    entity_names,
    load,
    mentioned,
    names,
    write,
)

pytestmark = pytest.mark.neo4j


@pytest.fixture
def online(neo4j_db: Neo4jSettings, neo4j_driver: neo4j.Driver, tmp_path: Path) -> Target:
    return Target("neo4j", tmp_path / "online", neo4j_db, neo4j_driver)


def test_neo4j_has_the_embedded_stores_nodes(online, neo4j_driver, tmp_path):
    for runs in ([[TEACHER, BARE, *FILLER]], [[BARE], [SOCIETY_DOC, TEACHER]]):
        online.load(runs)
        store = load(tmp_path, f"embedded-{len(runs)}", runs)
        assert mentioned(neo4j_driver) == entities(store)
        assert names(neo4j_driver) == entity_names(store)
    assert {BATTALION, SOCIETY, HAWKS} <= set(mentioned(neo4j_driver))  # the shared name joins nothing


# -- neo4j-admin ----------------------------------------------------------------------------------


@pytest.fixture
def imported(tmp_path: Path) -> Iterator[tuple[Path, neo4j.Driver]]:
    from tests.neo4j_server import imported

    out = tmp_path / "neo4j-admin"
    exported = api.export_neo4j_admin(
        write(tmp_path / "bulk-in", [BARE, *FILLER, TEACHER]), out, run=FIXED_RUN, batch_size=4,
        rejects=tmp_path / "rejects.jsonl",
    )  # fmt: skip
    with imported(exported.folder, tmp_path / "data") as (_, driver):
        yield exported, driver


def test_a_bulk_import_equals_the_online_load(imported, online, neo4j_driver, tmp_path):
    exported, driver = imported
    assert HAWKS not in mentioned(driver)
    assert exported.report.identities.get(BATTALION) == "learned"
    online.load([[TEACHER, BARE, *FILLER]])
    assert dump(driver) == dump(neo4j_driver)
    # an online load after the import: nothing to re-link, a new bare document joins the group
    sink = Neo4jSink(driver)
    report = api.load(write(tmp_path / "later", [BARE, document("bare-2", "Northern Hawks", [])]), sink=sink,
                      run=FIXED_RUN, rejects=tmp_path / "later.jsonl")  # fmt: skip
    assert report.documents_unchanged == 1 and report.documents_added == 1
    assert "bare-2" in mentioned(driver)[BATTALION]
