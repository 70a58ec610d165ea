"""docs/sources.md, the reference of the source mapping language, is checked here: its example reads
to the records it shows, and it names every key the language has."""

from __future__ import annotations

import json
import re

from kgload.readers import read
from kgload.readers.kgload_json import from_value
from kgload.records import Extraction, Origin
from tests.common import ROOT
from tests.unit.test_docs_examples import blocks

SOURCES = blocks("sources.md")


def records(items) -> list[tuple]:
    return [(i.document, i.entities, i.relations) for i in items if isinstance(i, Extraction)]


def test_the_example_reads_to_the_records_shown(tmp_path):
    for name, text in SOURCES["source"].items():
        mapping = tmp_path / f"{name}.yaml"
        mapping.write_text(text, encoding="utf-8")
        data = tmp_path / f"{name}.csv"
        data.write_text(SOURCES["source-input"][name] + "\n", encoding="utf-8")
        got = list(read(data, str(mapping)))
        wanted = json.loads(SOURCES["source-records"][name])
        assert records(got) == records(from_value(wanted, Origin("docs", 1))), name
        assert len(got) == 1


def test_every_key_of_the_language_is_documented():
    schema = json.loads((ROOT / "kgload" / "schemas" / "source.schema.json").read_text())
    keys: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            keys.update(node.get("properties", {}))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    text = re.sub(r"```.*?```", "", (ROOT / "docs" / "sources.md").read_text(encoding="utf-8"), flags=re.S)
    documented = {word for span in re.findall(r"`([^`]+)`", text) for word in re.findall(r"[a-z_$]+(?=`|:|$)", span)}
    assert sorted(keys - documented) == []
