"""Issue 26: the minimal hostile inputs that once crashed a run or lost a record, each run through
``kgload load`` into the embedded store: a clear reject, never a traceback, every record accounted for."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from kgload.cli import app
from kgload.fingerprint import canonical_bytes, fingerprint
from kgload.records import Origin, Reject
from kgload.report import reject_line

runner = CliRunner()


def load(tmp_path: Path, name: str, content: bytes, *options: str) -> tuple[int, dict[str, Any], list[dict], str]:
    """`kgload --log-format json load --json` in one process; the exit code, report, rejects and stderr."""
    path = tmp_path / name
    path.write_bytes(content)
    rejects = tmp_path / "rejects.jsonl"
    rejects.unlink(missing_ok=True)
    store = tmp_path / "store"
    args = [
        "--log-format",
        "json",
        "--log-level",
        "info",
        "load",
        str(path),
        "-s",
        str(store),
        "--rejects",
        str(rejects),
        "--json",
        "-j",
        "1",
    ]
    result = runner.invoke(app, [*args, *options], env={"NEO4J_URI": None, "KGLOAD_STORE": None})
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output and "Traceback" not in result.stderr
    for line in result.stderr.splitlines():
        assert line.startswith("{") and json.loads(line), result.stderr  # under --log-format json: JSON lines
    text = rejects.read_text("utf-8") if rejects.exists() else ""
    lines = [json.loads(line) for line in text.split("\n") if line]
    return result.exit_code, json.loads(result.stdout), lines, result.stderr


def document(number: int = 1, relations: list[dict] | None = None, **fields: Any) -> dict[str, Any]:
    return {
        "document": {"id": f"d{number}", "title": "A call", **fields},
        "entities": [
            {"id": "a", "name": "Vladimir Putin", "type": "Person"},
            {"id": "b", "name": "Donald Trump", "type": "Person"},
        ],
        "relations": [{"type": "called", "head": "a", "tail": "b"}] if relations is None else relations,
    }


def jsonl(*documents: dict[str, Any]) -> bytes:
    return b"".join(json.dumps(d).encode() + b"\n" for d in documents)


# -- D1: a UTF-16 surrogate written as UTF-8 bytes ---------------------------------------------------

SURROGATE = b'["a\xed\xa0\x80"]\n'  # the 9-byte line of the issue


def test_a_surrogate_in_utf8_bytes_is_rejected_not_a_crash(tmp_path):
    code, report, rejects, _ = load(tmp_path, "d1.jsonl", SURROGATE)
    assert code == 3 and report["documents"]["read"] == 0
    assert [r["record"] for r in rejects] == [1] and "surrogate" in rejects[0]["reason"]


def test_a_surrogate_inside_a_document_is_rejected_in_every_json_reader(tmp_path):
    poisoned = json.dumps(document()).replace("A call", "A \\ud800 call").encode().replace(b"\\ud800", b"\xed\xa0\x80")
    code, _, rejects, _ = load(tmp_path, "d1.jsonl", poisoned + b"\n" + jsonl(document(2)))
    assert code == 3 and [r["record"] for r in rejects] == [1]
    graph = {"nodes": [{"id": "a", "label": "Person", "properties": {"name": "X\ud800"}}], "relationships": []}
    for fmt, raw in [
        ("graphrag", json.dumps(graph, ensure_ascii=False).encode("utf-8", "surrogatepass")),
        ("langchain", json.dumps({"nodes": [{"id": "X\ud800", "type": "Person"}], "relationships": []}).encode()),
        ("plover", b'{"id": "E1", "date": "2025-06-14", "event": "CONSULT", "text": "\xed\xa0\x80"}'),
    ]:
        code, _, rejects, _ = load(tmp_path, f"d1-{fmt}.json", raw, "--format", fmt)
        assert code == 3 and len(rejects) == 1 and "surrogate" in rejects[0]["reason"], (fmt, rejects)


def test_fingerprints_and_reject_lines_take_any_python_text():
    assert canonical_bytes({"a": "\ud800"}) != canonical_bytes({"a": "\udc00"})
    assert fingerprint(["\ud800"]).startswith("sha256:")
    line = reject_line(Reject(Origin("f.jsonl", 1), "bad", {"name": "x\ud800"}), "run")
    line.encode("utf-8")  # what the rejects file is written in
    assert json.loads(line)["data"] == {"name": "x\ud800"}


# -- D2 and item 5: one rule for numbers, whatever the target ----------------------------------------


def relation(**fields: Any) -> dict[str, Any]:
    return {"type": "called", "head": "a", "tail": "b", **fields}


def test_integers_past_64_bits_and_non_finite_numbers_are_rejected_with_a_reason(tmp_path):
    big = relation(sentence=2**63)
    inf = document(2)
    inf["entities"][0]["attributes"] = {"x": 1.0}
    text = json.dumps(document(1, [big, relation(sentence=2**63 - 1)])) + "\n" + json.dumps(inf).replace("1.0", "1e400")
    code, report, rejects, _ = load(tmp_path, "numbers.jsonl", text.encode() + b"\n")
    assert code == 3 and report["documents"]["added"] == 2
    reasons = {(r["record"], r["path"]): r["reason"] for r in rejects}
    assert "sentence: integer 9223372036854775808 is outside the 64-bit range" in reasons[(1, "relations[0]")]
    assert "attributes.x: a number too large for a 64-bit float" in reasons[(2, "entities[0]")]
    assert (1, "relations[1]") not in reasons  # 2**63-1 is the largest integer every target stores
    line = (tmp_path / "rejects.jsonl").read_text("utf-8")
    assert "Infinity" not in line and "NaN" not in line  # the rejects file stays JSON


def test_an_integral_float_in_an_integer_field_is_an_int_or_rejected(tmp_path):
    code, _, rejects, _ = load(
        tmp_path, "float.jsonl", jsonl(document(1, [relation(sentence=1e308), relation(sentence=3.0)]))
    )
    assert code == 3 and [r["path"] for r in rejects] == ["relations[0]"]
    assert rejects[0]["reason"].startswith("sentence: integer 1000")


def test_a_mapped_attribute_follows_the_same_rule():
    import pytest

    from kgload.vocabulary.literals import LiteralError, typed
    from kgload.vocabulary.namespaces import XSD

    for value, datatype in [("9223372036854775808", XSD + "integer"), (2**63, None), ("1e400", XSD + "double")]:
        with pytest.raises(LiteralError, match="64-bit"):
            typed(value, datatype)
    assert typed("9223372036854775807", XSD + "integer").value == "9223372036854775807"


# -- D7: dates the validator cannot convert, and logs that stay JSON ----------------------------------


def test_impossible_dates_are_rejected_when_read_without_a_traceback(tmp_path):
    documents = [
        document(1, published="2025-02-31"),
        document(2, published="2025-02-11T10:00:00+25:00"),
        document(3, [relation(date="-0044-03-15"), relation(date="-0044-03"), relation(start="-0044")]),
    ]
    code, report, rejects, stderr = load(tmp_path, "dates.jsonl", jsonl(*documents))
    assert code == 3 and report["documents"]["added"] == 1 and report["relations"] == 2
    reasons = {(r["record"], r["path"]): (r["stage"], r["reason"]) for r in rejects}
    assert reasons == {
        (1, ""): ("read", "document/published: 2025-02-31 is not a real day"),
        (2, ""): ("read", "document/published: 2025-02-11T10:00:00+25:00 is not a real date-time"),
        (3, "relations[0]"): (
            "read",
            "date -0044-03-15 is a day before year 1; give its month or year (e.g. -0044-03)",
        ),
    }
    assert "Failed to convert" not in stderr


def test_library_warnings_reach_stderr_only_as_json_log_lines():
    import subprocess
    import sys

    script = (
        "import warnings, rdflib; from kgload import logs; logs.setup('json');"
        "rdflib.Literal('2025-02-31', datatype=rdflib.XSD.date);"
        "warnings.warn('a library warning', UserWarning)"
    )
    err = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stderr
    assert "Traceback" not in err and "Failed to convert" not in err
    assert [json.loads(line)["logger"] for line in err.splitlines()] == ["py.warnings"]


# -- D5: a relation repeated in its document, whose claim fails SHACL -----------------------------------


def test_every_repeat_of_a_claim_that_fails_shacl_is_rejected(tmp_path):
    bad = relation(start="2025-01", end="2024-12-31")  # start after end across precisions: SHACL's to catch
    good = {"type": "called", "head": "b", "tail": "a", "date": "2025-06-14"}
    code, report, rejects, _ = load(tmp_path, "d5.jsonl", jsonl(document(1, [bad, dict(bad), good])))
    assert code == 3 and report["relations"] == 1
    assert [(r["path"], r["stage"]) for r in rejects] == [("relations[0]", "validate"), ("relations[1]", "validate")]
    assert report["relations"] + len(rejects) == 3  # read = loaded + rejected


# -- D6: one byte that is not UTF-8 costs its CSV row, not the rest of the file -----------------------


def csv_rows(count: int, bad_line: int | None) -> bytes:
    lines = [b"document_id,document_title,head,head_type,type,tail,tail_type"]
    for n in range(2, count + 2):
        name = b"Caf\xe9" if n == bad_line else b"Dmitri"  # \xe9: Latin-1, not UTF-8
        lines.append(b"doc-%d,Title,Vladimir Putin,Person,CALLED,%s %d,Person" % (n // 100, name, n))
    return b"\r\n".join(lines) + b"\r\n"


def test_a_bad_byte_rejects_only_its_row(tmp_path):
    for bad_line in (1502, 2):  # 2000 rows of 21 documents; line 2 once cost the header
        (folder := tmp_path / str(bad_line)).mkdir()
        code, report, rejects, _ = load(folder, "relations.csv", csv_rows(2000, bad_line), "--no-validate")
        assert code == 3 and report["documents"]["read"] == 21 and report["relations"] == 1999, bad_line
        assert [(r["record"], r["stage"]) for r in rejects] == [(bad_line, "read")]
        column = len(f"doc-{bad_line // 100},Title,Vladimir Putin,Person,CALLED,Caf") + 1
        assert rejects[0]["reason"] == f"line {bad_line}: not utf-8 text: byte b'\\xe9' at column {column}"


def test_a_bad_byte_in_the_header_says_where(tmp_path):
    content = csv_rows(3, None).replace(b"tail_type", b"tail_t\xffpe", 1)
    code, report, rejects, _ = load(tmp_path, "relations.csv", content)
    assert code == 3 and report["documents"]["read"] == 0
    assert [r["reason"] for r in rejects] == [
        "cannot read the CSV header: line 1: not utf-8 text: byte b'\\xff' at column 59"
    ]


# -- D3 and D4 (item 3): limits on RDF, configured rather than the parser's or the machine's ------------

XML_HEAD = b'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n%s]>\n'
XML_BODY = (
    b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">\n'
    b'<rdf:Description rdf:about="&ex;s"><ex:p>%s</ex:p></rdf:Description>\n</rdf:RDF>\n'
)


def billion_laughs() -> bytes:
    entities = b'<!ENTITY ex "http://example.org/">\n<!ENTITY lol0 "lol">\n'
    for n in range(1, 10):
        entities += b'<!ENTITY lol%d "%s">\n' % (n, b"&lol%d;" % (n - 1) * 10)
    return XML_HEAD % entities + XML_BODY % b"&lol9;"


def quadratic() -> bytes:
    entities = b'<!ENTITY ex "http://example.org/">\n<!ENTITY a "' + b"a" * 50_000 + b'">\n'
    return XML_HEAD % entities + XML_BODY % (b"&a;" * 3000)


def test_rdf_xml_entities_cannot_blow_up(tmp_path):
    from kgload.readers.xml_entities import entity_problem

    for name, content, reason in [
        ("laughs.rdf", billion_laughs(), "RDF/XML entity 'lol1' refers to another entity"),
        ("quadratic.rdf", quadratic(), "RDF/XML entity references would add more than 1048576 characters"),
        ("charref.rdf", XML_HEAD % b'<!ENTITY a "&#38;a;">\n' + XML_BODY % b"&a;", "refers to another entity"),
        ("external.rdf", XML_HEAD % b'<!ENTITY x SYSTEM "file:///etc/passwd">\n' + XML_BODY % b"&x;", "external"),
    ]:
        (folder := tmp_path / name).mkdir()
        code, report, rejects, _ = load(folder, name, content)
        assert code == 3 and report["triples"] == 0, name
        assert [r["stage"] for r in rejects] == ["read"] and reason in rejects[0]["reason"], rejects
        assert entity_problem(content) == rejects[0]["reason"]  # decided before parsing: nothing expanded
    # the namespace abbreviations OWL files use still load
    (folder := tmp_path / "owl").mkdir()
    code, report, rejects, _ = load(
        folder, "owl.rdf", XML_HEAD % b'<!ENTITY ex "http://example.org/">\n' + XML_BODY % b"ok"
    )
    assert code == 0 and rejects == [] and report["documents"]["added"] == 1


def test_an_rdf_token_over_the_limit_is_a_reject_not_a_memory_error(tmp_path, monkeypatch):
    from kgload.readers import limits, rdf_files

    big = b"x" * (17 * 1024 * 1024)  # past the parser's own 16 MiB buffer
    for name, content in [
        ("long.nt", b'<http://e.org/s> <http://e.org/p> "' + big + b'" .\n'),
        ("long.ttl", b'<http://e.org/s> <http://e.org/p> "' + big + b'" .\n'),
        ("long.jsonld", b'{"@id": "http://e.org/s", "http://e.org/p": "' + big + b'"}'),
    ]:
        (folder := tmp_path / name).mkdir()
        code, _, rejects, _ = load(folder, name, content)
        assert code == 3 and [r["reason"] for r in rejects] == [
            f"a literal or IRI over the {limits.MAX_RDF_TOKEN_BYTES}-byte limit"
        ], name
    # below the parser's buffer, kgload's own limit decides
    monkeypatch.setattr(rdf_files, "MAX_RDF_TOKEN_BYTES", 1000)
    (folder := tmp_path / "short").mkdir()
    code, _, rejects, _ = load(folder, "mid.nt", b'<http://e.org/s> <http://e.org/p> "' + b"y" * 5000 + b'" .\n')
    assert code == 3 and rejects[0]["reason"].startswith("a literal or IRI over the 1000-byte limit")
    monkeypatch.setattr(rdf_files, "MAX_RDF_FILE_BYTES", 100)
    code, _, rejects, _ = load(folder, "mid.nt", b'<http://e.org/s> <http://e.org/p> "' + b"y" * 5000 + b'" .\n')
    assert code == 3 and "over the 100-byte limit of one RDF document" in rejects[0]["reason"]


# -- a later record reusing a document id: reported, and counted ----------------------------------------


def test_a_document_read_twice_is_reported_as_replaced(tmp_path):
    first, second = document(1), document(1, relations=[])
    for batch in ("250", "1"):  # in one batch, and across batches (then the first was written already)
        (folder := tmp_path / batch).mkdir()
        code, report, rejects, _ = load(folder, "dup.jsonl", jsonl(first, second), "--batch-size", batch)
        docs = report["documents"]
        assert code == 0 and rejects == []
        assert (docs["read"], docs["added"], docs["replaced"]) == (2, 1, 1), batch
        assert report["replaced"] == [
            f"{folder / 'dup.jsonl'}:2: document 'd1' again; it replaces {folder / 'dup.jsonl'}:1"
        ]
        assert report["relations"] == 0 and report["entities"] == 2  # what the kept version holds
    result = runner.invoke(app, ["runs", "-s", str(tmp_path / "1" / "store"), "--json"], env={"KGLOAD_STORE": None})
    assert json.loads(result.stdout)[0]["counts"]["documents_replaced"] == 1  # and in the ledger


def test_distinct_names_with_one_slug_are_a_merge_in_the_report(tmp_path):
    def person(number: int, name: str) -> dict[str, Any]:
        return {
            "document": {"id": f"d{number}", "title": "T"},
            "entities": [{"id": "a", "name": name, "type": "Person"}],
            "relations": [],
        }

    code, report, _, _ = load(
        tmp_path, "slug.jsonl", jsonl(person(1, "Jean-Marie Le Pen"), person(2, "Jean Marie le Pen"))
    )
    assert code == 0 and report["entities"] == 1  # one node: the report counts distinct entities
    (merge,) = report["merged"]
    assert merge["by"] == "same slug" and set(merge["names"]) | {merge["entity"]} == {
        "Jean-Marie Le Pen",
        "Jean Marie le Pen",
    }
