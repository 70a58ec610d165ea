"""What runs in worker processes, moved out of tests/unit (which needs no process pool): the
neo4j-admin export's two CSV-writing processes, ``kgload map`` with two workers on the text path,
and a mapping worker's frozen garbage collector setup."""

from __future__ import annotations

import gc
import io
import json
from pathlib import Path

import pytest

from kgload import api, collector
from kgload.rdf import direct_text
from kgload.sinks.bulk.cells import ARRAY_DELIMITER, ExportError
from tests.common import MID_SECOND_RUN, ROOT
from tests.unit.test_neo4j_admin import _doc, _rows

# -- the neo4j-admin export: its CSV files are written by two processes ----------------------------


@pytest.mark.parametrize(
    ("evidence", "name", "spans_lines"),
    [
        ("one line", "Vladimir Putin", False),
        ("first\nline", "Vladimir Putin", True),
        ("old\rMac line end", "Vladimir Putin", True),
        ("one line", "Vladimir\nPutin", True),  # an entity's name: written by the second process
    ],
)
def test_the_importer_reads_fields_across_lines_only_when_a_value_holds_a_line_break(
    tmp_path: Path, evidence: str, name: str, spans_lines: bool
):
    doc = _doc("one", evidence, [], 0.9)
    doc["entities"][0]["name"] = name
    (tmp_path / "docs.jsonl").write_text(json.dumps(doc) + "\n")
    result = api.export_neo4j_admin([tmp_path / "docs.jsonl"], tmp_path / "out", workers=2)
    script = (result.folder / "import.sh").read_text()
    assert f"--multiline-fields={'true' if spans_lines else 'false'} " in script
    values = [v for prefix in ("node", "rel") for row in _rows(result.folder, prefix) for v in row.values()]
    assert spans_lines == any("\n" in v or "\r" in v for v in values)


def test_workers_write_the_same_files_one_process_writes(tmp_path: Path, run):
    lines = [json.dumps(_doc(f"d{i % 7}", f"evidence {i}", [f"alias {i % 3}"], 0.5 + i / 100)) for i in range(20)]
    path = tmp_path / "docs.jsonl"
    path.write_text("\n".join(lines) + "\n")
    files = {}
    for workers in (1, 2):
        out = tmp_path / f"out-{workers}"
        api.export_neo4j_admin(
            [path], out, run=run, batch_size=3, workers=workers, validate=False, rejects=tmp_path / f"r{workers}.jsonl"
        )
        # the ledger's LoadRun row holds the run's end time; every other file must be the same
        # (with 2 workers the CSV files are written by two processes, a half each: same files, same import.sh)
        written = [*out.glob("*.csv"), out / "import.sh", out / "post-import.cypher"]
        files[workers] = {p.name: p.read_bytes() for p in sorted(written) if "runs" not in p.name}
    assert files[1] and files[1] == files[2]


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize(
    ("evidence", "aliases"),
    [
        # an alias holding the array delimiter: refused in the entity's node (this process) and in
        # every mention of it (with two workers, the forked second process)
        ("evidence", [f"Put{ARRAY_DELIMITER}in"]),
        # evidence holding it: a claim's evidence is one string, but the fact's is a list, which
        # only the second process writes; its error must reach the caller all the same
        (f"evi{ARRAY_DELIMITER}dence", []),
    ],
)
def test_a_value_the_csv_cannot_hold_stops_the_export_whichever_process_writes_it(
    tmp_path: Path, workers: int, evidence: str, aliases: list[str]
):
    path = tmp_path / "docs.jsonl"
    path.write_text(json.dumps(_doc("one", evidence, aliases, 0.9)) + "\n")
    out = tmp_path / "out"
    with pytest.raises(ExportError, match="neo4j-admin array"):
        api.export_neo4j_admin([path], out, workers=workers, validate=False, rejects=tmp_path / "r.jsonl")
    assert not out.exists() or not any(out.iterdir())  # all or nothing


# -- kgload map: the text path with two workers ------------------------------------------------


@pytest.mark.parametrize("workers", [1, 2])
def test_kgload_map_writes_the_same_bytes_either_way(mapping, tmp_path, monkeypatch, workers):
    """``write_rdf`` (``kgload map``) takes the text path for N-Quads and N-Triples; forcing the quads
    path instead changes no byte of the output and no reject."""
    corpus = tmp_path / "corpus.jsonl"
    lines = [(ROOT / "examples" / "afp-2025-06-14-putin-trump-call.json").read_text().replace("\n", " ")]
    for number in range(40):
        lines.append(lines[0].replace('"afp-2025-06-14', f'"afp-{number}'))
    lines.insert(3, '{"document": {"id": "broken"')
    corpus.write_text("\n".join(lines) + "\n")

    def written(rdf_format: str, path: str) -> tuple[bytes, list[str]]:
        out, rejects = io.BytesIO(), tmp_path / f"rejects-{rdf_format}-{path}.jsonl"
        api.write_rdf(
            [corpus],
            out,
            rdf_format,
            mapping=mapping,
            run=MID_SECOND_RUN,
            validate=False,
            workers=workers,
            rejects=api.RejectsFile(rejects),
            batch_size=10,
        )
        return out.getvalue(), rejects.read_text().splitlines()

    for rdf_format in ("nquads", "ntriples"):
        fast = written(rdf_format, "text")
        with monkeypatch.context() as patch:
            patch.setattr(direct_text, "_covers", lambda _mapping: False)  # every document through the quads
            slow = written(rdf_format, "quads")
        assert fast == slow
        assert fast[0].count(b"\n") > 40 * 100 and len(fast[1]) == 1


# -- a mapping worker freezes its setup ---------------------------------------------------------


def test_a_worker_freezes_its_setup_and_collects_less_often():
    # in a child process, as a mapping worker: freezing is for the rest of a process's life
    import multiprocessing

    context = multiprocessing.get_context("fork")
    with context.Pool(1) as pool:
        frozen, threshold = pool.apply(_frozen_worker_state)
    assert frozen > 0
    assert threshold == collector.YOUNG_THRESHOLD


def _frozen_worker_state() -> tuple[int, int]:
    gc.set_threshold(700, 10, 10)
    collector.freeze_worker_setup()
    return gc.get_freeze_count(), gc.get_threshold()[0]
