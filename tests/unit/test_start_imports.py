"""What a command imports before it knows its target: the Neo4j driver only when Neo4j is used."""

from __future__ import annotations

import subprocess
import sys

from tests.common import ROOT


def imported_after(code: str) -> set[str]:
    script = f"{code}\nimport sys\nprint(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_the_cli_imports_no_neo4j_driver_until_a_neo4j_sink_is_used():
    assert "neo4j" not in imported_after("import kgload.cli.app")
    assert "neo4j" in imported_after("from kgload.sinks.neo4j import Neo4jSink")
