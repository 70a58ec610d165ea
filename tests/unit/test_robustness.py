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
    args = ["--log-format", "json", "load", str(path), "-s", str(store), "--rejects", str(rejects), "--json", "-j", "1"]
    result = runner.invoke(app, [*args, *options], env={"NEO4J_URI": None, "KGLOAD_STORE": None})
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output and "Traceback" not in result.stderr
    for line in result.stderr.splitlines():
        json.loads(line)  # under --log-format json every line on stderr is JSON
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
