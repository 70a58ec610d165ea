"""PLOVER event records: example equivalence, quirks of the gold-standard file, rejects, detection."""

import json
from pathlib import Path

from kgload.readers import detect, read
from tests.unit.readers_support import ROOT, graph, split

EXAMPLE = ROOT / "examples" / "inputs" / "plover"


def record(**overrides):
    base = {
        "id": "E1",
        "date": "2025-06-14",
        "event": "CONSULT",
        "mode": "phone",
        "source": [{"actorText": "Vladimir Putin", "code": "RUS", "sector": "GOV", "wikidata_id": "Q7747"}],
        "target": [{"actorText": "United States", "code": "USA"}],
        "text": "Putin called.",
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def run(tmp_path: Path, *records, name: str = "events.json"):
    path = tmp_path / name
    path.write_text(json.dumps(list(records)), encoding="utf-8")
    return split(read(path, "plover"))


def test_example_maps_to_the_same_graph_as_its_kgload_equivalent():
    assert graph(EXAMPLE / "events.jsonl") == graph(EXAMPLE / "equivalent.kgload.json", "kgload")


def test_record_becomes_a_document_with_a_coded_relation(tmp_path):
    good, bad = run(tmp_path, record())
    assert bad == []
    extraction = good[0]
    assert extraction.document.id == "plover-E1" and extraction.document.published == "2025-06-14"
    relation = extraction.relations[0]
    assert (relation.type, relation.event_code, relation.event_code_scheme) == ("consult/phone", "CONSULT", "PLOVER")
    assert relation.evidence == "Putin called." and relation.attributes["mode"] == "phone"
    putin, usa = extraction.entities
    assert (putin.type, putin.wikidata, putin.iso_code) == ("Actor", "Q7747", None)  # GOV: a person or the government
    assert (usa.type, usa.iso_code) == ("Country", "US")


def test_no_mode_or_empty_mode_gives_the_bare_event(tmp_path):
    good, _ = run(tmp_path, record(mode=""), record(id="E2", mode=None, event="AGREE"))
    assert [g.relations[0].type for g in good] == ["consult", "agree"]


def test_document_record_is_rejected_as_metadata(tmp_path):
    _, bad = run(tmp_path, {"id": "PLOVER-GSR01-DOCUMENT-0001", "event": "DOCUMENT", "license": "CC BY-SA 4.0"})
    assert "file metadata" in bad[0].reason and bad[0].origin.record == 1


def test_empty_or_absent_target_is_rejected_unless_reciprocal(tmp_path):
    two = [{"actorText": "Ukraine", "code": "UKR"}, {"actorText": "Russia", "code": "RUS"}]
    reciprocal = record(
        target="",
        source=two,
        event="RETREAT",
        mode="release",
        textInfo={"markup": "(SRC/TAR: Ukraine) and (SRC/TAR: Russia) (EVT: swapped) prisoners"},
    )
    good, bad = run(
        tmp_path, record(target=""), record(id="E2", target=None), reciprocal, record(id="E4", target="diplomatic")
    )
    assert [b.origin.record for b in bad] == [1, 2, 4]
    assert all("target is absent or empty" in b.reason for b in bad[:2])
    assert "expected a list of actors" in bad[2].reason
    pairs = [(r.head, r.tail) for r in good[0].relations]
    assert pairs == [("source-1", "source-2"), ("source-2", "source-1")]


def test_bad_values_reject_the_whole_record(tmp_path):
    _, bad = run(
        tmp_path,
        record(date="14/06/2025x"),
        record(id="E2", source=[{"code": "RUS"}]),
        record(id="E3", source=[{"actorText": "Putin", "code": "RUS", "wikidata_id": "7747"}]),
        "not a record",
    )
    assert "is not a date" in bad[0].reason
    assert "actor has no actorText" in bad[1].reason
    assert "source[0]" in bad[2].reason and "wikidata" in bad[2].reason
    assert "expected an event record" in bad[3].reason
    assert len(bad) == 4 and all(b.data is not None for b in bad)


def test_jsonl_is_read_line_by_line(tmp_path):
    path = tmp_path / "events.jsonl"
    path.write_text(json.dumps(record()) + "\n{oops\n", encoding="utf-8")
    good, bad = split(read(path, "plover"))
    assert len(good) == 1 and bad[0].origin.record == 2 and "invalid JSON" in bad[0].reason


def test_detected(tmp_path):
    assert detect(EXAMPLE / "events.jsonl") == "plover"
    path = tmp_path / "events.json"
    path.write_text(json.dumps([record()]), encoding="utf-8")
    assert detect(path) == "plover"
