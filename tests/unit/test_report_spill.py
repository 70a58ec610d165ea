"""The run report's per-entity maps go to disk past ``spill.KEEP`` entries: they answer as dicts and sets
do, list in Python's sorted order, and the report a load prints and writes is the same either way."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgload import spill
from kgload.cli import app
from kgload.report import Listing, write_json
from kgload.spill import SpilledDict, SpilledSet
from tests import common

NAMES = ["a", "b", "Zoë", "zoe", "é", "\ud800x", "\U0001f600", "a\x00b", "", "ab", "Ab", "\uffff", "\ue000"]


@pytest.mark.parametrize("keep", [1, 3, 10**6])
def test_a_spilled_dict_and_set_answer_as_a_dict_and_a_set(monkeypatch: pytest.MonkeyPatch, keep: int) -> None:
    monkeypatch.setattr(spill, "KEEP", keep)
    rng = random.Random(keep)
    spilled: SpilledDict[list] = SpilledDict(order=lambda v: v[0])
    plain: dict[str, list] = {}
    names, seen = SpilledSet(), set()
    for _ in range(600):
        key = rng.choice(NAMES) + rng.choice(NAMES)
        move = rng.random()
        if move < 0.5:
            value = [rng.choice(NAMES), rng.randint(0, 9)]
            spilled[key], plain[key] = value, value
        elif move < 0.7:
            assert spilled.pop(key, "none") == plain.pop(key, "none")
        else:
            assert spilled.get(key) == plain.get(key) and (key in spilled) == (key in plain)
        names.add(key[:2])
        seen.add(key[:2])
        assert len(spilled) == len(plain) and len(names) == len(seen)
    assert list(spilled.items()) == sorted(plain.items())
    assert list(spilled.sorted_values()) == [v for _, v in sorted(plain.items(), key=lambda kv: (kv[1][0], kv[0]))]
    assert list(names) == sorted(seen) and all(n in names for n in seen) and "?" not in names


@pytest.mark.parametrize("indent", [None, 2])
def test_write_json_writes_what_json_dumps_does(indent: int | None) -> None:
    lists = {"merged": [{"entity": "Zoë", "names": ["a", "\ud800"]}, {"x": []}], "none": [], "one": ["é"]}
    data = {"run": "r", **lists, "nested": {"k": [1, 2]}, "last": "\x00listing"}
    chunks: list[str] = []
    lazy = {key: Listing(len(value), lambda value=value: iter(value)) for key, value in lists.items()}
    write_json(data | lazy, chunks.append, indent=indent)
    assert "".join(chunks) == json.dumps(data, indent=indent, ensure_ascii=False)


@pytest.fixture(scope="module")
def events(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return common.bench_corpus(tmp_path_factory.mktemp("events"), "--docs", "150", "--shape", "events")


def _load(events: Path, folder: Path, *extra: str) -> tuple[str, str]:
    """A load's printed report and the file listing its merges and names."""
    rejects = folder / "rejects" / "load.jsonl"
    result = CliRunner().invoke(
        app,
        ["load", str(events), "--store", str(folder / "store"), "--rejects", str(rejects), "--no-validate", *extra],
    )
    assert result.exit_code in (0, 3), result.output
    listed = list((folder / "reports").glob("*.json"))
    return result.stdout, listed[0].read_text("utf-8") if listed else ""


def _without_run(text: str) -> str:
    """The report with what differs between two runs taken out: the run's id, the paths and the time."""
    data = json.loads(text)
    for key in ("run", "seconds", "target", "rejects_file"):
        data.pop(key, None)
    return json.dumps(data, indent=2, ensure_ascii=False)


def test_a_load_reports_the_same_whether_its_maps_are_on_disk_or_not(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, events: Path
) -> None:
    outputs = {}
    for keep in (10**9, 2):
        monkeypatch.setattr(spill, "KEEP", keep)
        printed, _ = _load(events, tmp_path / f"json-{keep}", "--json")
        text, listed = _load(events, tmp_path / f"text-{keep}")
        # the counts, not the headline (the run's id), with the run's own paths taken out
        summary = [re.sub(r" (/\S+)", " <path>", line) for line in text.splitlines() if line.startswith("  ")]
        outputs[keep] = (_without_run(printed), _without_run(listed), summary)
    assert outputs[2] == outputs[10**9]
    report = json.loads(outputs[2][0])
    assert report["merged"] and report["unresolved"], "the corpus names no merge or unresolved name to list"
    assert any("merged:" in line for line in outputs[2][2])
