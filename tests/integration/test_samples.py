"""Every real sample in ../shared/samples that an input adapter reads: each record is loaded or
rejected with a reason, and the counts add up (accepted + rejected = records in the file)."""

import csv
import json
from pathlib import Path

import pytest

from kgload import api
from kgload.readers import detect
from tests.common import ROOT, SAMPLES

EVENTS = ROOT / "mappings" / "events.yaml"
# file -> (format detect() must give, records in the file as the source counts them)
EXPECTED = {
    "gdelt2_events_20191024143000.export.CSV": "gdelt",
    "icews_events_sample.tab": "icews",
    "neo4j_graphrag_extraction_output.json": "graphrag",
    "plover_gsr_events.json": "plover",
}

pytestmark = pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/samples is not beside this clone")


def records(path: Path, fmt: str) -> int:
    """Records as the source counts them: rows, or JSON array elements; a graph file is one record."""
    if fmt == "gdelt":
        return sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    if fmt == "icews":
        return sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip()) - 1
    value = json.loads(path.read_text(encoding="utf-8"))
    return len(value) if isinstance(value, list) else 1


def load(path: Path, tmp_path: Path):
    rejects = tmp_path / "r.jsonl"
    report = api.load([path], store=tmp_path / "s", rejects=rejects, mapping=EVENTS)
    lines = [json.loads(line) for line in rejects.read_text(encoding="utf-8").splitlines()] if rejects.exists() else []
    return report, lines


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """Each sample loaded once (SHACL validation makes a load take seconds), by file name."""
    cache: dict[str, tuple] = {}

    def get(name: str):
        if name not in cache:
            cache[name] = load(SAMPLES / name, tmp_path_factory.mktemp("load"))
        return cache[name]

    return get


def test_every_sample_a_reader_handles_is_listed():
    handled = {p.name for p in SAMPLES.iterdir() if p.suffix.lower() in (".csv", ".tab", ".json", ".jsonl")}
    handled.discard("gdelt2_events_codebook_columns.csv")  # the codebook, not data: see the test below
    assert handled == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_loads_with_every_record_accounted_for(name, loaded):
    path = SAMPLES / name
    fmt = detect(path)
    assert fmt == EXPECTED[name]
    report, rejects = loaded(name)
    read_rejects = [r for r in rejects if r["stage"] == "read" and not r["path"]]
    assert report.documents_read + len(read_rejects) == records(path, fmt)
    assert report.rejected_total == len(rejects)
    assert all(r["reason"].strip() and r["file"] == str(path) and r["record"] >= 1 for r in rejects)
    assert report.documents_loaded == report.documents_read > 0


def test_gdelt_sample(loaded):
    report, rejects = loaded("gdelt2_events_20191024143000.export.CSV")
    assert (report.documents_loaded, report.relations, len(rejects)) == (18, 18, 12)
    # real exports code one-sided events: no second (or first) actor, so no relation
    assert all("is blank (GDELT identified no" in r["reason"] for r in rejects)


def test_icews_sample(loaded):
    report, rejects = loaded("icews_events_sample.tab")
    assert (report.documents_loaded, report.relations, rejects) == (40, 40, [])


def test_graphrag_sample(loaded):
    report, rejects = loaded("neo4j_graphrag_extraction_output.json")
    # KNOWS and LED_BY are in no mapping rule: the events mapping's fallback keeps them as interactions
    assert (report.documents_loaded, report.entities, report.relations, rejects) == (1, 3, 2, [])


def test_plover_sample(loaded):
    report, rejects = loaded("plover_gsr_events.json")
    assert (report.documents_loaded, len(rejects)) == (90, 10)
    reasons = [r["reason"] for r in rejects]
    assert sum("file metadata" in r for r in reasons) == 1  # record 0, the DOCUMENT record
    assert sum("target is 'diplomatic'" in r for r in reasons) == 1
    assert sum("target is absent or empty" in r for r in reasons) == 8


def test_the_gdelt_codebook_is_no_input(tmp_path):
    """The codebook names the columns the GDELT reader hard-codes; as an input it is rejected, not misread."""
    path = SAMPLES / "gdelt2_events_codebook_columns.csv"
    with path.open(encoding="utf-8") as handle:
        names = tuple(row["name"] for row in csv.DictReader(handle))
    from kgload.readers.cameo_events import GDELT_COLUMNS

    assert names == GDELT_COLUMNS
    report, rejects = load(path, tmp_path)
    assert report.documents_read == 0 and len(rejects) == 1 and "no kgload CSV layout" in rejects[0]["reason"]
