"""Golden cases: one folder per case with an input, the expected RDF (N-Quads), compared as graphs
(isomorphism per named graph), and the expected Neo4j rows (``expected.rows.json``, see
tests/golden/rows.py), compared as text. Adding a case = adding a folder.

To regenerate after a deliberate change (then review the diff!):
    python -m tests.golden.regenerate
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
import rdflib
from rdflib.compare import graph_diff, isomorphic

from kgload.api import map_files, write_rdf
from kgload.model import Run
from tests.common import ROOT
from tests.golden.rows import case_rows

CASES = Path(__file__).parent / "cases"
GOLDEN_RUN = Run("golden", datetime(2025, 6, 14, 12, 0, tzinfo=UTC))


def case_input(case: Path) -> Path:
    return next(p for p in sorted(case.iterdir()) if p.name.startswith("input."))


def all_cases() -> list[tuple[str, Path, Path]]:
    cases = [(c.name, case_input(c), c / "expected.nq") for c in sorted(CASES.iterdir()) if c.is_dir()]
    seed = ROOT / "examples" / "afp-2025-06-14-putin-trump-call.json"
    return [*cases, ("seed", seed, CASES / "seed.expected.nq")]


FINGERPRINT = rdflib.URIRef("https://w3id.org/kgload/ontology#fingerprint")


def graphs(dataset: rdflib.Dataset) -> dict[str, rdflib.Graph]:
    """Named graphs by name, each document's fingerprint checked then left out: it hashes the
    mapping and ontology files too, so it changes whenever they do."""
    out = {}
    for g in dataset.graphs():
        if len(g):
            fingerprints = list(g.triples((None, FINGERPRINT, None)))
            assert len(fingerprints) == 1 and str(fingerprints[0][2]).startswith("sha256:")
            g.remove((None, FINGERPRINT, None))
            out[str(g.identifier)] = g
    return out


def written(source: Path) -> rdflib.Dataset:
    """The case as ``kgload map`` writes it to N-Quads: lines made straight from the records."""
    out = io.BytesIO()
    write_rdf([source], out, "nquads", run=GOLDEN_RUN, mapping=ROOT / "mappings" / "kgload.yaml", validate=False)
    dataset = rdflib.Dataset()
    dataset.parse(data=out.getvalue(), format="nquads")
    return dataset


@pytest.mark.parametrize("path", ["quads", "text"])
@pytest.mark.parametrize(("name", "source", "expected"), all_cases(), ids=[c[0] for c in all_cases()])
def test_golden(name, source, expected, path):
    if path == "quads":
        actual, _ = map_files([source], run=GOLDEN_RUN, mapping=ROOT / "mappings" / "kgload.yaml")
    else:
        actual = written(source)
    wanted = rdflib.Dataset()
    wanted.parse(expected, format="nquads")
    got, want = graphs(actual), graphs(wanted)
    assert sorted(got) == sorted(want)
    for graph_name in want:
        if not isomorphic(got[graph_name], want[graph_name]):
            _, only_got, only_want = graph_diff(got[graph_name], want[graph_name])
            pytest.fail(
                f"{name}: graph {graph_name} differs\nunexpected:\n{only_got.serialize(format='nt')}\n"
                f"missing:\n{only_want.serialize(format='nt')}"
            )


def rows_file(expected: Path) -> Path:
    """The expected Neo4j rows beside a case's expected N-Quads."""
    return expected.with_name(expected.name.removesuffix(".nq") + ".rows.json")


@pytest.mark.parametrize("path", ["plan", "quads"])
@pytest.mark.parametrize(("name", "source", "expected"), all_cases(), ids=[c[0] for c in all_cases()])
def test_golden_rows(name, source, expected, path):
    """The Neo4j rows, from the plan and from the projection of the quads, are the expected ones."""
    wanted = rows_file(expected).read_text(encoding="utf-8")
    assert case_rows(source, GOLDEN_RUN, through_quads=path == "quads") == wanted
