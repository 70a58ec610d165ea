"""kgload's own JSONL is read in the mapping workers, line by line: the rejects, the output and what a load
decides to map are the serial reader's, and an unchanged re-run maps nothing in any process."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from kgload import api
from kgload.readers import json_input, kgload_json
from kgload.readers.json_input import Line
from kgload.records import Extraction, Reject
from kgload.report import RejectsFile
from tests.integration.test_parallel_mapping import fact, report_of, role, role_corpus, store_quads


def rejects_of(path: Path) -> list[tuple[int, str, str]]:
    return [(r["record"], r["path"], r["reason"]) for r in map(json.loads, path.read_text().splitlines())]


@pytest.fixture
def lines_corpus(tmp_path) -> Path:
    """Blank lines, lines that are not JSON, a whole-record reject and part rejects, among good documents."""
    docs = [json.dumps(role(f"d-{i}", f"2022-03-{i % 28 + 1:02d}", "the US President")) for i in range(30)]
    broken = role("broken-part", "2022-04-01", "the US President")
    broken["relations"][0]["head"] = "nobody"
    lines = [*docs[:10], "", "{not json", *docs[10:20], "   ", "[1, 2]", json.dumps(broken), "NaN", *docs[20:]]
    path = tmp_path / "lines.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_worker_read_lines_give_what_the_reader_gives(lines_corpus):
    from_lines: list[Extraction | Reject] = []
    for item in kgload_json.read_lines(lines_corpus):
        from_lines.extend([item] if isinstance(item, Reject) else kgload_json.from_line(item))
    assert from_lines == list(kgload_json.read(lines_corpus))
    assert [r.origin.record for r in from_lines if isinstance(r, Reject)] == [12, 24, 25, 26]


def test_an_over_long_line_is_rejected_without_being_sent(tmp_path, monkeypatch):
    monkeypatch.setattr(json_input, "MAX_RECORD_BYTES", 64)
    path = tmp_path / "long.jsonl"
    path.write_text('{"a": 1}\n' + json.dumps({"text": "x" * 200}) + "\n" + '{"b": 2}\n')
    items = list(kgload_json.read_lines(path))
    assert [type(i) for i in items] == [Line, Reject, Line]
    assert items[1].origin.record == 2 and "over the 64-byte limit" in items[1].reason
    assert items[2].origin.record == 3 and items[2].raw == b'{"b": 2}\n'


def test_rejects_of_lines_read_in_workers_carry_the_serial_line_numbers(lines_corpus, mapping, run, tmp_path):
    outputs = []
    for workers in (1, 2):
        out, rejects = io.BytesIO(), tmp_path / f"rejects-{workers}.jsonl"
        api.write_rdf(
            [lines_corpus],
            out,
            "nquads",
            mapping=mapping,
            run=run,
            rejects=RejectsFile(rejects),
            workers=workers,
            batch_size=4,
            validate=False,
        )
        outputs.append((out.getvalue(), rejects_of(rejects)))
    assert outputs[0] == outputs[1]
    records = [record for record, _, _ in outputs[1][1]]
    assert records == [12, 24, 25, 26]
    assert outputs[1][1][2][1] == "relations[0]" and "unknown entity 'nobody'" in outputs[1][1][2][2]


def test_a_load_with_workers_reads_lines_and_other_shapes_as_the_serial_load(lines_corpus, mapping, run, tmp_path):
    array = tmp_path / "array.json"  # a JSON array is read in the parent, as before
    array.write_text(json.dumps([fact("macron", "2017-05-14", "Emmanuel Macron", "France"), {"document": 1}]))
    results = []
    for workers in (1, 2):
        rejects = tmp_path / f"load-rejects-{workers}.jsonl"
        report = api.load(
            [lines_corpus, array, lines_corpus],
            store=tmp_path / f"store-{workers}",
            mapping=mapping,
            run=run,
            rejects=rejects,
            batch_size=5,
            workers=workers,
            validate=False,
        )
        results.append((report_of(report), rejects_of(rejects)))
    assert results[0] == results[1]
    assert results[1][0][0]["documents"]["added"] == 32


def test_an_unchanged_rerun_with_workers_maps_nothing(tmp_path, mapping, run, monkeypatch):
    corpus = role_corpus(tmp_path / "roles.jsonl")
    store = tmp_path / "store"
    first = api.load([corpus], store=store, mapping=mapping, run=run, batch_size=4, workers=2, validate=False)
    assert first.documents_loaded > 30
    import kgload.document

    def no_mapping(extraction, *args, **kwargs):
        raise AssertionError(f"mapped {extraction.document.id} again")

    monkeypatch.setattr(kgload.document, "map_extraction", no_mapping)  # inherited by the forked workers
    again = api.load([corpus], store=store, mapping=mapping, run=run, batch_size=4, workers=2, validate=False)
    assert again.documents_loaded == 0 and again.documents_unchanged == first.documents_read


def test_a_first_load_with_workers_reads_most_lines_once(tmp_path, mapping, run, monkeypatch):
    # once a batch turns out mostly changed, workers map lines as they scan them instead of reading them twice;
    # no role mentions here, so no document is mapped again in the parent (which would read its line again)
    corpus = tmp_path / "plain.jsonl"
    docs = [role(f"p-{i}", f"2022-03-{i % 28 + 1:02d}", f"Speaker {i % 7}") for i in range(80)]
    corpus.write_text("".join(json.dumps(doc) + "\n" for doc in docs))
    reads = tmp_path / "reads.txt"
    import kgload.parallel

    read_line = kgload.parallel.read_line

    def noted(line, rejects, **options):
        with reads.open("a") as out:  # the forked workers append here too
            out.write(f"{line.origin.record}\n")
        return read_line(line, rejects, **options)

    monkeypatch.setattr(kgload.parallel, "read_line", noted)
    serial = api.load([corpus], store=tmp_path / "serial", mapping=mapping, run=run, batch_size=4, validate=False)
    reads.unlink()
    report = api.load(
        [corpus], store=tmp_path / "parallel", mapping=mapping, run=run, batch_size=4, workers=2, validate=False
    )
    assert report_of(report) == report_of(serial)
    counts = [int(n) for n in reads.read_text().split()]
    once = [n for n in set(counts) if counts.count(n) == 1]
    assert len(set(counts)) == 80 and len(once) > 80 * 2 / 3  # only the first groups, scanned before any decision
    assert store_quads(tmp_path / "parallel") == store_quads(tmp_path / "serial")
