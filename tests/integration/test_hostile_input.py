"""Hostile input: malformed and adversarial records, Cypher injection, remote JSON-LD contexts,
oversized records, and the Neo4j password.

What a "record" is, for the accounting below (kgload/readers/kgload_json.py, kgload/pipeline.py):
one non-blank line of a JSONL file (or one element of a JSON array). Each record ends as exactly
one of

* accepted: a document the run loaded or found unchanged, counted in the report's
  ``documents.added + documents.updated + documents.unchanged``;
* rejected whole: one line in the rejects file with an empty ``path``, at stage ``read`` (not
  JSON, not a document, over a limit; never counted in ``documents.read``) or ``map`` /
  ``validate`` (read, but nothing of it could be loaded; counted in ``documents.read``).

Parts of an accepted document (an entity, a relation) may be rejected on their own: those are
rejects-file lines with a ``path`` such as ``relations[2]``; they are counted in the report's
``rejected`` totals but are not records. So: accepted + rejected whole = input lines, and every
line of the rejects file has a reason. (A document id given twice is left to
tests/unit/test_fuzz_readers.py: the later version replaces the earlier, counted in ``documents.replaced``.)
"""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import neo4j
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from kgload.cli import app
from kgload.ontology import load_ontology
from kgload.readers import json_input, kgload_json
from tests.common import ROOT
from tests.integration.test_scheduled_runs import cypher
from tests.neo4j_fixtures import _unavailable
from tests.neo4j_server import Neo4jTestServer, free_port

runner = CliRunner()
ENTITY_TYPES = ["Person", "Country", "Organization", "City", "Region", "Location", "Event", "Actor", "GPE"]
RELATION_TYPES = ["called", "negotiated-with", "attacked", "ally-of", "met-with", "leader-of", "demanded"]
DAYS = ["2025-06-14", "2025-06", "2025", "2025-02-30", "14/06/2025", "2025-13-01"]


# -- running kgload ------------------------------------------------------------------------------


def load(path: Path, target: list[str], rejects: Path, *options: str) -> tuple[int, dict[str, Any], list[dict]]:
    """`kgload load --json`; returns the exit code, the report and the rejects file's lines."""
    if rejects.exists():
        rejects.unlink()
    result = runner.invoke(
        app,
        ["load", str(path), *target, "--rejects", str(rejects), "--json", *options],
        env={"NEO4J_URI": None, "KGLOAD_STORE": None},
    )
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (0, 3), result.output
    report = json.loads(result.stdout)
    # JSON lines end at "\n" only (str.splitlines() would also split at U+2028, U+0085, … in values)
    text = rejects.read_text("utf-8") if rejects.exists() else ""
    lines = [json.loads(line) for line in text.split("\n") if line]
    return result.exit_code, report, lines


def check_accounting(
    records: int,
    code: int,
    report: dict[str, Any],
    rejects: list[dict],
    must_accept: set[int] = frozenset(),
    must_reject: set[int] = frozenset(),
) -> None:
    docs = report["documents"]
    accepted = docs["added"] + docs["updated"] + docs["unchanged"]
    whole = [r for r in rejects if r["path"] == ""]
    rejected_lines = {r["record"] for r in whole}
    assert len(rejected_lines) == len(whole), "a record rejected twice"
    assert accepted + len(whole) == records, (accepted, whole, records)
    assert docs["read"] == accepted + sum(r["stage"] in ("map", "validate") for r in whole)
    assert sum(report["rejected"].values()) == len(rejects)
    assert code == (3 if rejects else 0)
    for reject in rejects:
        assert isinstance(reject["reason"], str) and reject["reason"].strip(), reject
        assert reject["record"] >= 1 and reject["stage"] in ("read", "map", "validate", "load")
        assert len(reject["reason"]) < 2000  # a reason is a message, not a copy of the input
    assert not must_accept & rejected_lines, sorted(must_accept & rejected_lines)
    assert must_reject <= rejected_lines, sorted(must_reject - rejected_lines)


# -- the fuzzed corpus --------------------------------------------------------------------------

text = st.text(min_size=1, max_size=40)
clean_text = text.filter(lambda s: s.strip() == s and s.strip())
json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=False, allow_infinity=False), text
)
json_values = st.recursive(
    json_scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3), max_leaves=8
)
not_strings = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(text, st.integers(), max_size=2),
)


@st.composite
def documents(draw: st.DrawFn, index: int) -> dict[str, Any]:
    """A well-formed document with arbitrary (but valid) text in every free-text field."""
    count = draw(st.integers(1, 4))
    entities = [
        # numbered: two names of one document that reduce to one slug would name one entity of two types
        {"id": f"e{n}", "name": f"{draw(clean_text)} {n}", "type": draw(st.sampled_from(ENTITY_TYPES))}
        for n in range(count)
    ]
    for entity in entities:
        if draw(st.booleans()):
            entity["attributes"] = draw(
                st.dictionaries(
                    st.text(max_size=20),
                    json_scalars.filter(lambda v: not isinstance(v, str) or len(v) < 100),
                    max_size=3,
                )
            )
        if draw(st.booleans()):
            entity["aliases"] = draw(st.lists(clean_text, max_size=2))
    relations = []
    for _ in range(draw(st.integers(0, 3))):
        relation = {
            "type": draw(st.sampled_from(RELATION_TYPES)),
            "head": f"e{draw(st.integers(0, count - 1))}",
            "tail": f"e{draw(st.integers(0, count - 1))}",
        }
        if draw(st.booleans()):
            relation["date"] = draw(st.sampled_from(DAYS))
        if draw(st.booleans()):
            relation["evidence"] = draw(clean_text)
        if draw(st.booleans()):
            relation["confidence"] = draw(st.floats(0, 1))
        relations.append(relation)
    document = {"id": f"fz{index}-{draw(st.text(max_size=12))}", "title": draw(clean_text)}
    if draw(st.booleans()):
        document["publisher"] = draw(text)
    return {"document": document, "entities": entities, "relations": relations}


def mutate(draw: st.DrawFn, value: Any) -> Any:
    """Replace, drop or add one thing somewhere in a document (wrong types, missing keys,
    unknown references, nested attributes, unknown keys)."""
    paths: list[tuple[Any, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, child in node.items():
                paths.append((node, key))
                walk(child)
        elif isinstance(node, list):
            for i, child in enumerate(node):
                paths.append((node, i))
                walk(child)

    walk(value)
    parent, key = draw(st.sampled_from(paths))
    action = draw(st.sampled_from(["replace", "drop", "add", "ref"]))
    # a mutated document keeps a unique id or none: two lines with one id would be one document
    envelope = parent is value.get("document")
    if action == "replace":
        parent[key] = draw(not_strings if envelope else not_strings | json_values)
    elif action == "drop" and isinstance(parent, dict):
        del parent[key]
    elif action == "add" and isinstance(parent, dict):
        parent["x-" + draw(text) if envelope else draw(text)] = draw(json_values)
    elif action == "ref" and key in ("head", "tail"):
        parent[key] = "no-such-entity"
    else:
        parent[key] = draw(not_strings)
    return value


@st.composite
def records(draw: st.DrawFn, index: int) -> tuple[bytes, str]:
    """One JSONL line and what it is: 'valid' (must load), 'garbage' (must be rejected whole) or
    'hostile' (anything may happen but a crash)."""
    kind = draw(
        st.sampled_from(
            [
                "valid",
                "valid",
                "mutated",
                "json",
                "text",
                "bytes",
                "nan",
                "surrogate",
                "duplicate-keys",
                "control",
                "nested",
                "long",
            ]
        )
    )
    doc = draw(documents(index))
    encode = draw(st.booleans())
    if kind == "valid":
        return json.dumps(doc, ensure_ascii=encode).encode(), "valid"
    if kind == "mutated":
        return json.dumps(mutate(draw, doc), ensure_ascii=encode).encode(), "hostile"
    if kind == "json":  # JSON, but not an object
        value = draw(st.one_of(json_scalars, st.lists(json_values, max_size=3)))
        return json.dumps(value).encode(), "garbage"
    if kind == "text":  # not JSON at all (cut-off documents included)
        line = draw(st.one_of(text, st.just(json.dumps(doc)[: draw(st.integers(1, 40))])))
        line = line.replace("\n", " ").replace("\r", " ")
        if not line.strip() or _parses(line):
            line = "{" + line
        return line.encode(), "garbage"
    if kind == "bytes":
        raw = draw(st.binary(min_size=1, max_size=60)).replace(b"\n", b"\xff")
        return (raw if raw.strip() else b"\xff" + raw) + b"\x80", "garbage"
    if kind == "nan":
        body = json.dumps(doc)[:-1] + ', "x": ' + draw(st.sampled_from(["NaN", "Infinity", "-Infinity"])) + "}"
        return body.encode(), "garbage"
    if kind == "surrogate":
        doc["document"]["title"] = "SURROGATE"
        return json.dumps(doc).replace(
            "SURROGATE", draw(st.sampled_from(["\\ud800", "a\\udfffb", "\\udbff"]))
        ).encode(), "garbage"
    if kind == "duplicate-keys":  # the last one wins, as in Python: still a document
        body = json.dumps(doc)
        return ('{"document": {"id": 1}, ' + body[1:]).encode(), "hostile"
    if kind == "control":
        doc["entities"][0]["name"] = "x" + "".join(draw(st.lists(st.characters(max_codepoint=31), min_size=1))) + "y"
        doc["document"]["title"] = "t\x00\x1b[31m"
        return json.dumps(doc, ensure_ascii=encode).encode(), "valid"  # odd, but text: it must load
    if kind == "nested":  # attributes must be flat; a deep document is rejected before validation
        depth = draw(st.sampled_from([2, 40, 1000]))
        doc["entities"][0]["attributes"] = {"deep": json.loads("[" * depth + "]" * depth)}
        return json.dumps(doc).encode(), "hostile" if depth < 40 else "garbage"
    doc["document"]["title"] = "t" * draw(st.integers(2001, 30000))  # long: over the schema's limit
    return json.dumps(doc).encode(), "garbage"


def _parses(line: str) -> bool:
    try:
        json.loads(line)
    except ValueError:
        return False
    return True


@st.composite
def corpora(draw: st.DrawFn, max_size: int) -> list[tuple[bytes, str]]:
    size = draw(st.integers(1, max_size))
    return [draw(records(i)) for i in range(size)]


def write_corpus(path: Path, corpus: list[tuple[bytes, str]]) -> tuple[set[int], set[int]]:
    path.write_bytes(b"".join(line + b"\n" for line, _ in corpus))
    valid = {i for i, (_, kind) in enumerate(corpus, start=1) if kind == "valid"}
    garbage = {i for i, (_, kind) in enumerate(corpus, start=1) if kind == "garbage"}
    return valid, garbage


FUZZ = settings(
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="kgload-hostile-") as name:
        yield Path(name)


@settings(FUZZ, max_examples=40)
@given(corpus=corpora(10))
def test_fuzzed_corpus_into_the_embedded_store(workdir, corpus):
    valid, garbage = write_corpus(workdir / "fuzz.jsonl", corpus)
    code, report, rejects = load(workdir / "fuzz.jsonl", ["--store", str(workdir / "store")], workdir / "rejects.jsonl")
    check_accounting(len(corpus), code, report, rejects, must_accept=valid, must_reject=garbage)


@pytest.mark.neo4j
@settings(FUZZ, max_examples=8)
@given(corpus=corpora(8))
def test_fuzzed_corpus_into_neo4j(neo4j_server, neo4j_driver, workdir, corpus):
    valid, garbage = write_corpus(workdir / "fuzz-neo4j.jsonl", corpus)
    code, report, rejects = load(
        workdir / "fuzz-neo4j.jsonl", ["--neo4j-uri", neo4j_server.uri], workdir / "rejects-neo4j.jsonl"
    )
    check_accounting(len(corpus), code, report, rejects, must_accept=valid, must_reject=garbage)
    assert report["target"].startswith("neo4j ")


def test_the_worst_records_in_one_file(tmp_path):
    """The fixed cases a fuzzer reaches rarely: a 20 MB line, 100 000 levels of nesting, each
    followed by a good document that must still load."""
    good = {"document": {"id": "after", "title": "still loads"}, "entities": [], "relations": []}
    lines = [
        b'{"document": {"id": "huge", "title": "' + b"x" * 20_000_000 + b'"}, "entities": [], "relations": []}',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"document": {"id": "deep", "title": "t"}, "entities": [{"id": "a", "name": "n", "type": "Person", '
        b'"attributes": {"x": ' + b"[" * 100_000 + b"]" * 100_000 + b'}}], "relations": []}',
        b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
        json.dumps(good).encode(),
    ]
    path = tmp_path / "worst.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    code, report, rejects = load(path, ["--store", str(tmp_path / "store")], tmp_path / "rejects.jsonl")
    check_accounting(len(lines), code, report, rejects, must_accept={5}, must_reject={1, 2, 3, 4})
    reasons = {r["record"]: r["reason"] for r in rejects}
    assert reasons[1].startswith("record is 2000") and "over the 16777216-byte limit" in reasons[1]
    assert all("nested too deeply" in reasons[n] for n in (2, 3, 4))
    assert path.stat().st_size > 20_000_000 and (tmp_path / "rejects.jsonl").stat().st_size < 10_000


@pytest.mark.parametrize(
    ("fmt", "example"),
    [
        ("plover", "plover/events.jsonl"),
        ("graphrag", "graphrag/afp-2025-06-14-putin-trump-call.json"),
        ("langchain", "langchain/graph-document.json"),
    ],
)
@pytest.mark.parametrize("poison", ["surrogate", "nan"])
def test_other_json_readers_reject_what_is_not_json_text(tmp_path, fmt, example, poison):
    """The readers sharing kgload/readers/common.py: a lone surrogate or a NaN rejects its record."""
    text = (ROOT / "examples" / "inputs" / example).read_text("utf-8")
    first, _, rest = text.partition("\n") if example.endswith(".jsonl") else (text, "", "")
    if poison == "surrogate":
        first = first.replace('": "', '": "\\ud800', 1)
    else:
        first = first.replace("{", '{"poison": NaN, ', 1)
    path = tmp_path / Path(example).name
    path.write_text(first + ("\n" + rest if rest else ""), "utf-8")
    records = len([line for line in path.read_text().split("\n") if line.strip()]) if rest else 1
    code, report, rejects = load(path, ["--store", str(tmp_path / "store"), "--format", fmt], tmp_path / "r.jsonl")
    whole = [r for r in rejects if r["path"] == ""]
    assert code == 3 and whole and whole[0]["record"] == 1 and whole[0]["reason"].startswith("invalid JSON: ")
    assert ("surrogate" if poison == "surrogate" else "NaN is not a JSON number") in whole[0]["reason"]
    if rest:  # the other lines of a JSONL file still load
        assert report["documents"]["read"] == records - 1


# -- limits ------------------------------------------------------------------------------------


def test_oversized_records_are_rejected_by_limit_not_by_memory(tmp_path, monkeypatch):
    """With the record limit lowered to 64 KB (the JSON framing shared by every JSON reader binds
    MAX_RECORD_BYTES at import, so that is the name to patch), each kind of oversize is a clear reject."""
    limit = 64 * 1024
    monkeypatch.setattr(json_input, "MAX_RECORD_BYTES", limit)
    small = {"document": {"id": "ok", "title": "fine"}, "entities": [], "relations": []}

    long_line = tmp_path / "long.jsonl"
    first = b'{"document": {"id": "x", "title": "' + b"y" * 16_000_000 + b'"}}\n'
    long_line.write_bytes(first + json.dumps(small).encode() + b"\n")
    tracemalloc.start()
    try:
        read = list(kgload_json.read(long_line))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [type(r).__name__ for r in read] == ["Reject", "Extraction"]
    assert read[0].reason == f"record is {len(first)} bytes, over the {limit}-byte limit"
    assert peak < 5_000_000  # the 16 MB line was measured in 1 MB chunks, never held whole

    one_document = tmp_path / "one.json"
    one_document.write_text(
        json.dumps({**small, "entities": [{"id": f"e{i}", "name": "n" * 100, "type": "Person"} for i in range(1000)]})
    )
    array = tmp_path / "array.json"
    array.write_text(json.dumps([small] * 20_000))  # > 16 x the limit: one file is not a stream
    for path, reason in ((one_document, "over the 65536-byte limit"), (array, "use JSONL")):
        code, report, rejects = load(path, ["--store", str(tmp_path / "store")], tmp_path / "rejects.jsonl")
        check_accounting(1, code, report, rejects, must_reject={1})
        assert reason in rejects[0]["reason"]

    code, report, rejects = load(long_line, ["--store", str(tmp_path / "store")], tmp_path / "rejects.jsonl")
    check_accounting(2, code, report, rejects, must_accept={2}, must_reject={1})


def test_a_long_value_gets_a_short_reason(tmp_path):
    doc = {"document": {"id": "d", "title": "t" * 5_000_000}, "entities": [], "relations": []}
    path = tmp_path / "long-title.jsonl"
    path.write_text(json.dumps(doc) + "\n")
    result = runner.invoke(
        app,
        ["load", str(path), "--store", str(tmp_path / "s"), "--rejects", str(tmp_path / "r")],
        env={"NEO4J_URI": None},
    )
    assert result.exit_code == 3
    assert "document/title: text of 5000000 characters, over the 2000-character limit" in result.output
    assert len(result.output) < 2000


# -- injection ----------------------------------------------------------------------------------

HOSTILE = [
    "`",
    "\\u0060",
    "\u0060) DETACH DELETE n //",
    "//",
    "}) DETACH DELETE n //",
    "'; MATCH (n) DETACH DELETE n; //",
    '"; MATCH (n) DETACH DELETE n; //',
    "first line\nsecond line",
    "$param",
    "{",
    "}",
    "n:Admin",
    "Person`:`Admin",
    "CALL db.labels() YIELD label RETURN label",
    "x]->(y) DELETE r //",
    "Zürich · 東京 · 🙂",
    "\\",
]


def injection_corpus() -> list[dict[str, Any]]:
    docs = []
    for i, s in enumerate(HOSTILE):
        docs.append(
            {
                "document": {"id": f"inj-{i}-{s}", "title": s if s.strip() == s else f"<{s}>", "publisher": s},
                "entities": [
                    {"id": s, "name": s, "type": "Person", "attributes": {s: s, "plain": s}},
                    {"id": f"other-{s}", "name": f"Target {s}", "type": "Country", "aliases": [f"alias {s}"]},
                    {"id": "evil-type", "name": f"Evil {s}", "type": s},
                ],
                "relations": [
                    {"type": "called", "head": s, "tail": f"other-{s}", "date": "2025-06-14", "evidence": s},
                    {"type": s, "head": s, "tail": f"other-{s}"},
                    {"type": f"called`]->() DETACH DELETE n //{s}", "head": s, "tail": f"other-{s}"},
                ],
            }
        )
    return docs


HOSTILE_TURTLE = """@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:x a ex:Evil%60Type , <http://example.org/Label%60)%20DETACH%20DELETE%20n%20//> ;
     rdfs:label "}) DETACH DELETE n //" ;
     <http://example.org/key%60)%20DELETE> "`'; MATCH (n) DETACH DELETE n; //" ;
     ex:knows ex:y .
"""


def allowed_names() -> tuple[set[str], set[str]]:
    ontology = load_ontology(ROOT / "ontology" / "kgload.ttl")
    labels = set(ontology.classes.values())
    labels |= {"Resource", "Entity", "Document", "Claim", "LoadRun", "KgloadLock", "KgloadAlias"}
    types = {r.neo4j_type for r in ontology.relations.values()}
    types |= {"MENTIONS", "SUBJECT", "OBJECT", "DERIVED_FROM", "ASSERTED_BY", "DENIED_BY", "LOCATION"}
    return labels, types


def schema_names(driver: neo4j.Driver) -> tuple[set[str], set[str], set[str]]:
    labels = {r["label"] for r in cypher(driver, "CALL db.labels() YIELD label RETURN label")}
    types = {r["t"] for r in cypher(driver, "CALL db.relationshipTypes() YIELD relationshipType AS t RETURN t")}
    keys = {r["k"] for r in cypher(driver, "CALL db.propertyKeys() YIELD propertyKey AS k RETURN k")}
    return labels, types, keys


@pytest.mark.neo4j
def test_injection_corpus_changes_no_label_or_type_and_is_stored_verbatim(neo4j_db, neo4j_driver, seed, tmp_path):
    target = ["--neo4j-uri", neo4j_db.uri]
    env = {"NEO4J_URI": None, "NEO4J_PASSWORD": neo4j_db.password}
    code, _, _ = load(seed, target, tmp_path / "seed-rejects.jsonl")
    assert code == 0
    [before] = cypher(neo4j_driver, "MATCH (n) RETURN count(n) AS n")
    [seed_claims] = cypher(neo4j_driver, "MATCH (c:Claim) RETURN count(c) AS n")
    labels_before, types_before, keys_before = schema_names(neo4j_driver)

    corpus = tmp_path / "injection.jsonl"
    corpus.write_text("".join(json.dumps(d) + "\n" for d in injection_corpus()), "utf-8")
    (tmp_path / "hostile.ttl").write_text(HOSTILE_TURTLE)
    code, report, rejects = load(corpus, target, tmp_path / "rejects.jsonl")
    check_accounting(len(HOSTILE), code, report, rejects)
    code, ttl_report, _ = load(tmp_path / "hostile.ttl", target, tmp_path / "ttl-rejects.jsonl")
    assert code == 0 and ttl_report["documents"]["added"] == 1

    labels, types, keys = schema_names(neo4j_driver)
    allowed_labels, allowed_types = allowed_names()
    assert labels <= allowed_labels | labels_before, labels - allowed_labels
    assert types <= allowed_types | types_before, types - allowed_types
    assert all(k.isidentifier() and k.isascii() for k in keys - keys_before), keys - keys_before
    [after] = cypher(neo4j_driver, "MATCH (n) RETURN count(n) AS n")
    assert after["n"] > before["n"]  # nothing was deleted, the corpus was added
    [claims] = cypher(
        neo4j_driver,
        "MATCH (c:Claim)-[:DERIVED_FROM]->(:Document {id: 'afp-2025-06-14-putin-trump-call'}) RETURN count(c) AS n",
    )
    assert claims["n"] == seed_claims["n"]

    # every hostile type was rejected with a reason, every hostile value that was accepted is a plain value
    reasons = " ".join(r["reason"] for r in rejects)
    assert "is not in the mapping" in reasons
    assert all(r["path"] != "" for r in rejects)  # no document was lost for its strings
    names = {
        r["n"]
        for r in cypher(
            neo4j_driver,
            """MATCH (d:Document)-[m:MENTIONS]->(e)
                                                     UNWIND [e.name] + coalesce(e.aliases, []) + m.names AS n
                                                     RETURN DISTINCT n""",
        )
    }
    ids = {r["id"]: r for r in cypher(neo4j_driver, "MATCH (d:Document) RETURN d.id AS id, d.publisher AS publisher")}
    evidence = {e for r in cypher(neo4j_driver, "MATCH ()-[r:CALLED]->() RETURN r.evidence AS e") for e in r["e"]}
    for i, s in enumerate(HOSTILE):
        assert s in names and f"Target {s}" in names and f"alias {s}" in names
        assert ids[f"inj-{i}-{s}"]["publisher"] == s
        assert s in evidence
    # unmapped entity attributes are not projected onto Neo4j nodes (the RDF keeps them: see the
    # embedded test), and the keys check above shows none became a property key
    [raw] = cypher(neo4j_driver, "MATCH (x:Resource {uri: 'http://example.org/x'}) RETURN x AS x, labels(x) AS l")
    assert raw["x"]["name"] == "}) DETACH DELETE n //" and set(raw["l"]) <= allowed_labels

    # the hostile ids retract like any other
    gone = runner.invoke(app, ["retract", f"inj-4-{HOSTILE[4]}", f"inj-5-{HOSTILE[5]}", *target], env=env)
    assert gone.exit_code == 0 and "retracted 2 of 2" in gone.output
    assert f"inj-4-{HOSTILE[4]}" not in {r["id"] for r in cypher(neo4j_driver, "MATCH (d:Document) RETURN d.id AS id")}


def test_injection_corpus_into_the_embedded_store(tmp_path):
    corpus = tmp_path / "injection.jsonl"
    corpus.write_text("".join(json.dumps(d) + "\n" for d in injection_corpus()), "utf-8")
    store = ["--store", str(tmp_path / "store")]
    code, report, rejects = load(corpus, store, tmp_path / "rejects.jsonl")
    check_accounting(len(HOSTILE), code, report, rejects)
    assert report["documents"]["added"] == len(HOSTILE)
    # names that reduce to one slug name one entity: each is its label or one of its aliases
    query = "SELECT ?name WHERE { ?e a kg:Person ; rdfs:label|skos:altLabel ?name }"
    result = runner.invoke(app, ["query", query, *store, "--output", "json"])
    # W3C SPARQL 1.1 results JSON: each value with its term type
    names = {row["name"]["value"] for row in json.loads(result.stdout)["results"]["bindings"]}
    assert set(HOSTILE) <= names
    attributes = runner.invoke(app, ["query", "SELECT ?a WHERE { ?e kg:attributes ?a }", *store, "--output", "json"])
    kept = [json.loads(row["a"]["value"]) for row in json.loads(attributes.stdout)["results"]["bindings"]]
    assert all({s: s, "plain": s} in kept for s in HOSTILE)  # keys and values verbatim, inside one JSON literal
    sparqlish = 'x> } ; DROP ALL ; INSERT DATA { <a> <b> "c" } #'
    gone = runner.invoke(app, ["retract", sparqlish, f"inj-1-{HOSTILE[1]}", *store], env={"NEO4J_URI": None})
    assert gone.exit_code == 3 and "retracted 1 of 2" in gone.output
    again = runner.invoke(app, ["query", query, *store, "--output", "json"])
    left = {row["name"]["value"] for row in json.loads(again.stdout)["results"]["bindings"]}
    assert left == names - {HOSTILE[1]}  # exactly that document's entity went; the store is intact


# -- JSON-LD: no remote contexts, no local files ------------------------------------------------


@pytest.fixture
def http_server() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server that records every request it gets (and would serve a context)."""
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            body = b'{"@context": {"name": "http://schema.org/name"}}'
            self.send_response(200)
            self.send_header("Content-Type", "application/ld+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def test_jsonld_remote_context_and_local_files_are_never_fetched(tmp_path, http_server):
    base, seen = http_server
    files = {
        "remote-context.jsonld": {"@context": f"{base}/context.jsonld", "@id": "http://example.org/a", "name": "A"},
        "context-list.jsonld": {
            "@context": [f"{base}/one.jsonld", {"@vocab": "http://example.org/"}],
            "@id": "http://example.org/b",
            "name": "B",
        },
        "file-context.jsonld": {"@context": "file:///etc/passwd", "@id": "http://example.org/c", "name": "C"},
        "file-reference.jsonld": {
            "@context": {"@vocab": "http://example.org/"},
            "@id": "http://example.org/d",
            "seeAlso": {"@id": "file:///etc/passwd"},
        },
        "import.jsonld": {
            "@context": {"@version": 1.1, "@import": f"{base}/import.jsonld"},
            "@id": "http://example.org/e",
            "http://example.org/name": "E",
        },
    }
    for name, content in files.items():
        (tmp_path / name).write_text(json.dumps(content))
    (tmp_path / "xxe.rdf").write_text(f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [<!ENTITY remote SYSTEM "{base}/xxe"> <!ENTITY local SYSTEM "file:///etc/passwd">]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">
  <rdf:Description rdf:about="http://example.org/f"><ex:p>&remote;&local;</ex:p></rdf:Description>
</rdf:RDF>
""")
    for name in [*files, "xxe.rdf"]:
        code, report, rejects = load(tmp_path / name, ["--store", str(tmp_path / "store")], tmp_path / "r.jsonl")
        assert code == 3 and report["documents"]["added"] == 0, (name, report)
        [reject] = rejects
        assert reject["path"] == "" and reject["stage"] == "read", reject
        assert "root:" not in json.dumps(reject)  # /etc/passwd was not read
    assert seen == []  # the server saw no request: the records were rejected without dereferencing

    plain = tmp_path / "inline-context.jsonld"
    plain.write_text(
        json.dumps({"@context": {"name": "http://schema.org/name"}, "@id": "http://example.org/g", "name": "G"})
    )
    code, report, _ = load(plain, ["--store", str(tmp_path / "store")], tmp_path / "r.jsonl")
    assert code == 0 and report["documents"]["added"] == 1  # an inline context is fine
    assert seen == []


# -- the password --------------------------------------------------------------------------------

PASSWORD = "s3cr3t-Pa55"
WRONG = "Wr0ng-Gu355"


@pytest.fixture(scope="module")
def auth_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Neo4jTestServer]:
    srv = Neo4jTestServer(tmp_path_factory.mktemp("auth-neo4j"), password=PASSWORD)
    try:
        srv.start()
    except Exception as exc:
        _unavailable(f"password-protected server: {type(exc).__name__}: {exc}")
    yield srv
    try:
        srv.stop()
    except Exception:
        srv.kill()


@pytest.mark.neo4j
@pytest.mark.slow
def test_the_password_never_appears_in_any_output_file_or_ledger(auth_server, tmp_path, seed):
    work = tmp_path / "work"
    (work / "inbox").mkdir(parents=True)
    (work / "inbox" / "docs.jsonl").write_text(seed.read_text().replace("\n", " ") + "\nnot json\n")
    (work / "neo4j.pass").write_text(PASSWORD + "\n")
    closed = f"bolt://127.0.0.1:{free_port()}"
    for name, uri in (("kgload.yaml", auth_server.uri), ("closed.yaml", closed)):
        (work / name).write_text(
            f"kgload_config: 1\nsources:\n  - path: inbox\ntargets:\n  neo4j:\n    uri: {uri}\n"
            "    username: neo4j\n    password_file: neo4j.pass\noptions:\n  batch_size: 1\n  rejects_dir: rejects\n"
        )
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "KGLOAD_"))}
    login = {**base_env, "NEO4J_URI": auth_server.uri, "NEO4J_USERNAME": "neo4j", "NEO4J_PASSWORD": PASSWORD}
    kgload = [sys.executable, "-m", "kgload.cli", "--log-level", "debug"]
    rejects = ["--rejects", str(work / "rejects" / "load.jsonl")]
    runs = [
        (["--log-format", "text", "load", "inbox", *rejects], login, {3}),
        (["--log-format", "json", "load", "inbox", "--json", *rejects], login, {3}),
        (["--log-format", "json", "run", "--config", "kgload.yaml"], base_env, {3}),
        (["--log-format", "text", "run", "--config", "kgload.yaml", "--json"], base_env, {3}),
        (["runs"], login, {0}),
        (["--log-format", "json", "runs", "--json"], login, {0}),
        (["retract", "no-such-document", "afp-2025-06-14-putin-trump-call"], login, {3}),
        (["load", "inbox", *rejects], {**login, "NEO4J_URI": closed}, {4}),
        (["--log-format", "json", "run", "--config", "closed.yaml"], base_env, {4}),
        (["load", "inbox", *rejects], {**login, "NEO4J_PASSWORD": WRONG}, {4}),
        (["--log-format", "json", "runs"], {**login, "NEO4J_PASSWORD": WRONG}, {4}),
        (["runs"], {**login, "NEO4J_URI": auth_server.uri.replace("bolt://", f"bolt://neo4j:{PASSWORD}@")}, {2}),
        (["runs"], {k: v for k, v in login.items() if k != "NEO4J_PASSWORD"}, {4}),
    ]
    outputs = []
    for args, env, codes in runs:
        done = subprocess.run(
            [*kgload, *args], capture_output=True, text=True, env=env, cwd=work, timeout=180, check=False
        )
        output = done.stdout + done.stderr
        assert done.returncode in codes, (args, done.returncode, output)
        assert "Traceback" not in output
        outputs.append(output)
    assert "authentication failed for user 'neo4j'" in outputs[9]
    assert "connection refused at 127.0.0.1:" in outputs[7] and "connection refused" in outputs[8]
    assert "no password was given" in outputs[12] and "NEO4J_PASSWORD" in outputs[12]
    assert "must not carry a user or password" in outputs[11]
    for output in outputs:
        assert PASSWORD not in output and WRONG not in output

    written = [p for p in work.rglob("*") if p.is_file() and p.name != "neo4j.pass"]
    assert any(p.suffix == ".jsonl" and "rejects" in p.parts for p in written)
    for path in written:
        assert PASSWORD.encode() not in path.read_bytes(), path

    with neo4j.GraphDatabase.driver(auth_server.uri, auth=auth_server.auth) as driver:
        everything = cypher(
            driver, "MATCH (n) OPTIONAL MATCH (n)-[r]->() RETURN properties(n) AS n, collect(properties(r)) AS r"
        )
        runs_kept = cypher(driver, "MATCH (r:LoadRun) RETURN r.status AS status")
    assert runs_kept and all(PASSWORD not in json.dumps(row, default=str) for row in everything)


@settings(FUZZ, max_examples=150)
@given(corpus=corpora(6))
def test_a_scan_reads_the_same_rejects_document_and_fingerprint_as_a_full_read(corpus):
    # An unchanged re-run's workers read each line without building its entities and relations
    # (from_line(records=False)); what decides the load must not change with that.
    from kgload.readers.json_input import Line
    from kgload.readers.kgload_json import from_line
    from kgload.records import Extraction, Origin

    for number, (line, _) in enumerate(corpus, start=1):
        full = list(from_line(Line(Origin("fuzz.jsonl", number), line)))
        scan = list(from_line(Line(Origin("fuzz.jsonl", number), line), records=False))
        assert [r for r in scan if not isinstance(r, Extraction)] == [r for r in full if not isinstance(r, Extraction)]
        docs = [(e.document, e.fingerprint, e.origin) for e in full if isinstance(e, Extraction)]
        assert [(e.document, e.fingerprint, e.origin) for e in scan if isinstance(e, Extraction)] == docs


@pytest.mark.neo4j
def test_numbers_past_64_bits_get_the_same_reject_in_neo4j(neo4j_db, tmp_path):
    """Issue 26 D2: one integer past 64 bits in a 600-document file once ended every Neo4j run with exit 1
    after 250 documents; now it rejects its relation (or entity), as in the embedded store."""
    lines = []
    for number in range(600):
        doc = {
            "document": {"id": f"big-{number}", "title": "A call"},
            "entities": [
                {"id": "a", "name": "Vladimir Putin", "type": "Person"},
                {"id": "b", "name": "Donald Trump", "type": "Person"},
            ],
            "relations": [{"type": "called", "head": "a", "tail": "b", "sentence": 2**63 if number == 300 else 1}],
        }
        if number == 400:
            doc["entities"][1]["attributes"] = {"votes": -(2**63) - 1}
        lines.append(json.dumps(doc))
    (path := tmp_path / "big.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for target in (["--neo4j-uri", neo4j_db.uri], ["--store", str(tmp_path / "store")]):
        code, report, rejects = load(path, target, tmp_path / "rejects.jsonl")
        assert code == 3 and report["documents"]["added"] == 600, target
        assert [(r["record"], r["path"]) for r in rejects] == [
            (301, "relations[0]"),
            (401, "entities[1]"),
            (401, "relations[0]"),
        ]
        assert "outside the 64-bit range" in rejects[0]["reason"] and "outside the 64-bit range" in rejects[1]["reason"]
        assert report["relations"] == 598
