"""JSON and JSONL framing shared by every JSON reader: records with their origin, size and
nesting limits, and a reject for whatever is not JSON text (NaN, lone surrogates included)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from kgload.readers.limits import MAX_RECORD_BYTES
from kgload.records import Origin, Reject


def json_values(path: Path) -> Iterator[tuple[Origin, Any] | Reject]:
    """Each record of a JSON array, JSON object or JSONL file with its origin; a Reject for what does not parse.

    JSONL is streamed line by line; a .json file is parsed whole, so it is limited in size like kgload_json.
    """
    name = str(path)
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        yield from _jsonl_values(path)
        return
    value = whole_value(path)
    if isinstance(value, Reject):
        yield value
        return
    size = path.stat().st_size
    if isinstance(value, list):
        for index, item in enumerate(value, start=1):
            yield Origin(name, index), item
    elif size > MAX_RECORD_BYTES:  # one record, held to the same limit as a JSONL line
        yield Reject(Origin(name, 1), f"record is {size} bytes, over the {MAX_RECORD_BYTES}-byte limit")
    else:
        yield Origin(name, 1), value


def whole_value(path: Path) -> Any:
    """A JSON file's value parsed whole, or a Reject when it is too large or not JSON text."""
    origin = Origin(str(path), 1)
    size = path.stat().st_size
    if size > MAX_RECORD_BYTES * 16:
        return Reject(origin, f"file is {size} bytes; use JSONL (one record per line) for large inputs")
    try:
        return loads(path.read_bytes())
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, NaN, a lone surrogate
        return Reject(origin, f"invalid JSON: {exc}")
    except RecursionError:
        return Reject(origin, "invalid JSON: nested too deeply")


def _jsonl_values(path: Path) -> Iterator[tuple[Origin, Any] | Reject]:
    for item in jsonl_lines(path):
        yield item if isinstance(item, Reject) else parse_line(item)


@dataclass(frozen=True, slots=True)
class Line:
    """One JSONL record as read, not yet parsed: what a mapping worker gets, so that parsing runs there."""

    origin: Origin
    raw: bytes

    def __reduce__(self) -> tuple[type[Line], tuple[Origin, bytes]]:
        return Line, (self.origin, self.raw)  # as Origin's: a plain tuple, each line sent to a worker


def jsonl_lines(path: Path) -> Iterator[Line | Reject]:
    """Each non-blank line of a JSONL file, unparsed; a Reject for a line over the size limit."""
    name = str(path)
    with path.open("rb") as lines:
        # readline(limit): an over-long line is measured in chunks and skipped, never held whole
        for number, raw in enumerate(iter(lambda: lines.readline(MAX_RECORD_BYTES + 1), b""), start=1):
            if len(raw) > MAX_RECORD_BYTES:
                size = len(raw)
                while not raw.endswith(b"\n") and (raw := lines.readline(1 << 20)):
                    size += len(raw)
                yield Reject(Origin(name, number), f"record is {size} bytes, over the {MAX_RECORD_BYTES}-byte limit")
            elif raw.strip():
                yield Line(Origin(name, number), raw)


def parse_line(line: Line) -> tuple[Origin, Any] | Reject:
    """One JSONL record parsed, with its origin; a Reject when it is not JSON text."""
    try:
        return line.origin, loads(line.raw)
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, NaN, a lone surrogate
        return Reject(line.origin, f"invalid JSON: {exc}", line.raw.decode("utf-8", "replace")[:2000])
    except RecursionError:
        return Reject(line.origin, "invalid JSON: nested too deeply")


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def loads(raw: bytes) -> Any:
    """``json.loads``, but NaN, Infinity and lone UTF-16 surrogates ("\\ud800") are errors: they are
    not JSON text, and a surrogate cannot even be stored (UTF-8 has no encoding for it)."""
    if _LONG_NUMBER not in raw.translate(_DIGITS):
        # orjson parses in about two thirds of the time and gives the same values, but it turns an
        # integer past 64 bits into a float (so a run of 19 digits anywhere goes to the json module),
        # and it refuses what json accepts (a BOM, UTF-16, a number past a double's range) or refuses
        # too (NaN, a surrogate, deep nesting): those go on below, for json's own answer and message.
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
    value = json.loads(raw, parse_constant=_no_constant)
    # json decodes bytes with "surrogatepass", so a surrogate written as UTF-8 bytes (b"\xed\xa0\x80") gets
    # through as well as an escaped one; UTF-8 that decodes strictly and has no escape holds neither
    if _SURROGATE_ESCAPE.search(raw) or not _strict_utf8(raw):
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("a lone UTF-16 surrogate (\\ud800, escaped or as UTF-8 bytes): no character") from None
    return value


def _strict_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


_DIGITS = bytes(48 if 48 <= b <= 57 else 32 for b in range(256))  # digits to "0", every other byte to " "
_LONG_NUMBER = b"0" * 19


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")
