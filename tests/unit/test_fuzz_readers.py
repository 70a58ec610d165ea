"""Fuzzing every reader through ``kgload load`` (issue 26, item 2).

Each example takes a real input of one format (the files under examples/), applies a few hostile edits
(bytes that are not UTF-8, a UTF-16 surrogate, integers past 64 bits, 1e400, impossible dates, quotes,
separators and brackets where they break the syntax, XML entities, a line given twice) and loads the
result into a fresh embedded store. For every generated file:

* the exit code is 0 or 3 (never 1), and no stream holds a traceback;
* under ``--log-format json`` every line on stderr is JSON;
* documents: read = added + updated + unchanged + replaced + rejected whole (after reading);
* relations: those the reader handed on = loaded + rejected (each alone, or with its whole document),
  leaving out the documents a later version replaced;
* the ledger's counts are the report's.

The normal run tries CI_EXAMPLES per format (the whole file stays well under a minute); the long run
is ``pytest -m fuzz tests/unit/test_fuzz_readers.py`` with KGLOAD_FUZZ_EXAMPLES examples per format
(default 200); docs/benchmarks.md has its figures.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from kgload.cli import app
from kgload.document import identity
from kgload.mapping.spec import load_mapping
from kgload.readers import read
from kgload.records import Extraction
from tests.common import ROOT

runner = CliRunner()
EXAMPLES = ROOT / "examples"
CI_EXAMPLES = 2  # per format: with the seeds, the file runs in under a minute
LONG_EXAMPLES = int(os.environ.get("KGLOAD_FUZZ_EXAMPLES", "200"))


def _kgload_lines() -> bytes:
    """Every kgload-format example as JSONL: one document a line."""
    lines = []
    for path in sorted(EXAMPLES.glob("inputs/*/equivalent.kgload.json")):
        value = json.loads(path.read_text("utf-8"))
        lines += [json.dumps(d, ensure_ascii=False).encode() for d in (value if isinstance(value, list) else [value])]
    return b"\n".join(lines) + b"\n"


def _rdf(rdf_format: ox.RdfFormat) -> bytes:
    """The Turtle example graph written in another syntax."""
    text = (
        "@prefix ex: <http://example.org/> .\n"
        'ex:putin ex:name "Vladimir Putin"@en ; ex:born "1952-10-07"^^<http://www.w3.org/2001/XMLSchema#date> ;\n'
        '  ex:called ex:trump ; ex:count 42 ; ex:note """two\nlines""" ; ex:knows [ ex:name "someone" ] .\n'
    )
    quads = ox.parse(text.encode(), format=ox.RdfFormat.TURTLE)
    if rdf_format in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
        return ox.serialize(quads, format=rdf_format) or b""
    return ox.serialize((ox.Triple(q.subject, q.predicate, q.object) for q in quads), format=rdf_format) or b""


@lru_cache(maxsize=1)
def seeds() -> dict[str, tuple[str, str, bytes]]:
    """format case -> (file name, --format, the real content it starts from)."""
    inputs = EXAMPLES / "inputs"
    return {
        "kgload-jsonl": ("docs.jsonl", "kgload", _kgload_lines()),
        "kgload-json": ("doc.json", "kgload", (EXAMPLES / "afp-2025-06-14-putin-trump-call.json").read_bytes()),
        "csv": ("relations.csv", "csv", (inputs / "csv" / "relations.csv").read_bytes()),
        "graphrag": (
            "graph.json",
            "graphrag",
            (inputs / "graphrag" / "afp-2025-06-14-putin-trump-call.json").read_bytes(),
        ),
        "langchain": ("graph.json", "langchain", (inputs / "langchain" / "graph-document.json").read_bytes()),
        "plover": ("events.jsonl", "plover", (inputs / "plover" / "events.jsonl").read_bytes()),
        "gdelt": ("20250614150000.export.CSV", "gdelt", (inputs / "gdelt" / "20250614150000.export.CSV").read_bytes()),
        "icews": ("events.tab", "icews", (inputs / "icews" / "events.tab").read_bytes()),
        "acled": ("events.csv", "acled", (inputs / "acled" / "events.csv").read_bytes()),
        "turtle": ("graph.ttl", "rdf", _rdf(ox.RdfFormat.TURTLE)),
        "n-triples": ("graph.nt", "rdf", _rdf(ox.RdfFormat.N_TRIPLES)),
        "n-quads": ("graph.nq", "rdf", _rdf(ox.RdfFormat.N_QUADS)),
        "trig": ("graph.trig", "rdf", _rdf(ox.RdfFormat.TRIG)),
        "json-ld": ("graph.jsonld", "rdf", _rdf(ox.RdfFormat.JSON_LD)),
        "rdf-xml": ("graph.rdf", "rdf", _rdf(ox.RdfFormat.RDF_XML)),
    }


HOSTILE = [
    b"\xed\xa0\x80",  # a UTF-16 surrogate as UTF-8 bytes
    b"\\ud800",
    b"\xff",
    b"\xe9",
    b"\x00",
    b'"',
    b"'",
    b",",
    b"\t",
    b"\n",
    b"\r\n",
    b"9223372036854775808",
    b"-9223372036854775809",
    b"1e400",
    b"1e308",
    b"2025-02-31",
    b"-0044-03-15",
    b"2025-06-14T10:00:00+25:00",
    b"NaN",
    b"null",
    b"{",
    b"}",
    b"[",
    b"]",
    b"<",
    b"&",
    b'<!DOCTYPE r [<!ENTITY a "x"><!ENTITY b "&a;&a;">]>',
    b"file:///etc/passwd",
    b'"""',
    b"_:b0",
    b"@context",
]


@st.composite
def hostile_files(draw: st.DrawFn, case: str) -> bytes:
    """The seed of ``case`` with one to four hostile edits."""
    data = seeds()[case][2]
    for _ in range(draw(st.integers(1, 4))):
        edit = draw(st.sampled_from(["insert", "insert", "replace", "delete", "repeat-line"]))
        at = draw(st.integers(0, len(data)))
        token = draw(st.sampled_from(HOSTILE) | st.binary(min_size=1, max_size=6))
        if edit == "insert":
            data = data[:at] + token + data[at:]
        elif edit == "replace":
            data = data[:at] + token + data[at + len(token) :]
        elif edit == "delete":
            data = data[:at] + data[at + draw(st.integers(1, 40)) :]
        else:  # a record given twice: the later one replaces the earlier (reported, and counted)
            lines = data.split(b"\n")
            line = lines[at % len(lines)]
            data = b"\n".join([*lines, line]) if line.strip() else data
    return data


def load(path: Path, fmt: str) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, int]]:
    """One run of ``kgload load`` into a fresh store, checked for what every run must hold."""
    store, rejects = path.parent / "store", path.parent / "rejects.jsonl"
    options = ["--log-format", "json", "--log-level", "info"]
    args = [*options, "load", str(path), "--format", fmt, "-s", str(store), "--rejects", str(rejects), "-j", "1"]
    result = runner.invoke(app, [*args, "--json"], env={"NEO4J_URI": None, "KGLOAD_STORE": None})
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (0, 3), (result.exit_code, result.stderr[-2000:])
    for stream in (result.stdout, result.stderr):
        assert "Traceback" not in stream
    for line in result.stderr.splitlines():
        assert line.startswith("{") and json.loads(line), line
    report = json.loads(result.stdout)
    text = rejects.read_text("utf-8") if rejects.exists() else ""
    lines = [json.loads(line) for line in text.split("\n") if line]
    runs = runner.invoke(app, [*options, "runs", "-s", str(store), "--json"], env={"KGLOAD_STORE": None})
    assert runs.exit_code == 0 and "Traceback" not in runs.output, runs.output
    return report, lines, json.loads(runs.stdout)[0]["counts"]


def whole(reject: dict[str, Any]) -> bool:
    """A reject of a whole document after it was read (its data names only the document)."""
    data = reject["data"]
    return reject["stage"] != "read" and isinstance(data, dict) and set(data) == {"document"}


def check_accounting(path: Path, fmt: str, report: dict[str, Any], rejects: list[dict], ledger: dict[str, int]) -> None:
    docs = report["documents"]
    assert sum(report["rejected"].values()) == len(rejects)
    assert all(isinstance(r["reason"], str) and r["reason"].strip() for r in rejects)
    rejected_whole = [r for r in rejects if whole(r)]
    loaded = docs["added"] + docs["updated"] + docs["unchanged"]
    assert docs["read"] == loaded + docs["replaced"] + len(rejected_whole), (docs, rejected_whole)
    # relations: what the reader handed on, version kept per document, = loaded + rejected
    mapping = load_mapping()
    kept: dict[str, Extraction] = {}
    for item in read(path, fmt):
        if isinstance(item, Extraction):
            iri = identity(item, mapping)[0] or f"unmapped-{len(kept)}"
            kept.pop(iri, None)
            kept[iri] = item
    gone = {r["data"]["document"] for r in rejected_whole}
    handed = sum(len(e.relations) for e in kept.values() if e.document.id not in gone)
    origins = Counter((o.file, o.record, o.path) for e in kept.values() for o in e.relation_origins)
    alone = [
        r for r in rejects if r["stage"] != "read" and not whole(r) and (r["file"], r["record"], r["path"]) in origins
    ]
    assert report["relations"] + len(alone) == handed, (report["relations"], alone, handed)
    assert ledger == {
        "documents_read": docs["read"],
        "documents_added": docs["added"],
        "documents_updated": docs["updated"],
        "documents_unchanged": docs["unchanged"],
        "documents_replaced": docs["replaced"],
        "entities": report["entities"],
        "relations": report["relations"],
        "triples": report["triples"],
        "rejected": len(rejects),
    }


FUZZ = settings(
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)
CASES = list(seeds())


def run_case(case: str, data: bytes) -> None:
    name, fmt, _ = seeds()[case]
    with tempfile.TemporaryDirectory(prefix=f"kgload-fuzz-{case}-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        report, rejects, ledger = load(path, fmt)
        check_accounting(path, fmt, report, rejects, ledger)


@pytest.mark.parametrize("case", CASES)
def test_each_seed_loads_cleanly(case):
    """The unedited seeds load with nothing rejected: the edits below are what the runs reject."""
    name, fmt, data = seeds()[case]
    with tempfile.TemporaryDirectory() as folder:
        (path := Path(folder) / name).write_bytes(data)
        report, rejects, ledger = load(path, fmt)
        check_accounting(path, fmt, report, rejects, ledger)
        assert rejects == [] and report["documents"]["added"] >= 1, rejects


@pytest.mark.parametrize("case", CASES)
def test_hostile_edits_never_crash_and_account_for_every_record(case):
    @settings(FUZZ, max_examples=CI_EXAMPLES)
    @given(data=hostile_files(case))
    def fuzz(data: bytes) -> None:
        run_case(case, data)

    fuzz()


@pytest.mark.fuzz
@pytest.mark.parametrize("case", CASES)
def test_long_fuzz_run(case, request):
    if "fuzz" not in (request.config.option.markexpr or ""):
        pytest.skip("the long run: pytest -m fuzz tests/unit/test_fuzz_readers.py")

    @settings(FUZZ, max_examples=LONG_EXAMPLES, derandomize=False)
    @given(data=hostile_files(case))
    def fuzz(data: bytes) -> None:
        run_case(case, data)

    fuzz()
