"""Records of a JSON source: the items of an array at a path in a JSON file, or one record per JSONL line.

A path is a dotted list of keys (``data.events``); ``""`` is the value itself. A JSON file is parsed whole
(held to the limits every JSON reader applies), a JSONL file line by line. A source may name several
record sets in one file (an LLM graph's ``subjects`` and ``relationships``); each record comes with its
set's name and its 1-based position in that set.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kgload.readers.json_input import jsonl_lines, parse_line, whole_value
from kgload.records import Origin, Reject

Record = tuple[str, Origin, Any]  # (record set, origin, record)


def at_path(value: Any, path: str) -> Any:
    for step in filter(None, path.split(".")):
        if isinstance(value, dict):
            value = value.get(step)
        elif isinstance(value, list) and step.isdigit() and int(step) < len(value):
            value = value[int(step)]
        else:
            return None
    return value


def records(path: Path, sets: dict[str, str], jsonl: bool) -> Iterator[Record | Reject]:
    """Every record of every set, in file order per set (the sets one after another)."""
    name = str(path)
    if jsonl:
        for item in jsonl_lines(path):
            parsed = item if isinstance(item, Reject) else parse_line(item)
            if isinstance(parsed, Reject):
                yield parsed
                continue
            origin, value = parsed
            for set_name, set_path in sets.items():
                yield from _items(set_name, set_path, value, origin, several=len(sets) > 1, whole_line=True)
        return
    document = whole_value(path)
    if isinstance(document, Reject):
        yield document
        return
    for set_name, set_path in sets.items():
        yield from _items(set_name, set_path, document, Origin(name, 1), several=len(sets) > 1, whole_line=False)


def _items(
    set_name: str, set_path: str, value: Any, origin: Origin, *, several: bool, whole_line: bool
) -> Iterator[Record | Reject]:
    found = at_path(value, set_path)
    where = set_path or "the top level"
    if found is None:
        if not whole_line:
            yield Reject(origin, f"no records at {where} (the source mapping's records path)")
        return
    if not isinstance(found, list):
        if not set_path:  # a file or line holding one record
            yield set_name, origin, found
            return
        yield Reject(origin, f"{where} is not a list of records but {type(found).__name__}")
        return
    for index, item in enumerate(found, start=1):
        if whole_line:
            at = origin.at(f"{set_path}[{index - 1}]") if set_path else origin
        else:
            at = Origin(origin.file, index, f"{set_path}[{index - 1}]" if several else "")
        yield set_name, at, item
