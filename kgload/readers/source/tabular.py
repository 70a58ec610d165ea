"""Rows of a delimited text file, as a source mapping declares it: encoding, delimiter, quoting, a header
or a column list, and the column counts a file may mix (GDELT 1.0: 58 columns, then 57).

Bytes are decoded line by line, so a line the encoding cannot decode rejects only the row it belongs
to, with the line number, and the rest of the file is read. Quoted fields may hold line breaks (UCDP).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kgload.readers.limits import MAX_RECORD_BYTES
from kgload.records import Origin, Reject

Row = tuple[int, dict[str, str]]  # (1-based line the row starts on, cells by column)


@dataclass(frozen=True)
class Layout:
    """How a file's rows are split and named."""

    encoding: str
    delimiter: str
    quoting: str  # "standard" (double quotes, as Excel and R write) or "none"
    header: bool
    columns: tuple[str, ...] = ()  # the names when the file has no header
    layouts: tuple[tuple[str, ...], ...] = ()  # other names a row may have, told apart by their count

    def dialect(self) -> dict[str, object]:
        if self.quoting == "none":
            return {"delimiter": self.delimiter, "quoting": csv.QUOTE_NONE, "escapechar": None, "strict": False}
        return {"delimiter": self.delimiter, "quotechar": '"', "doublequote": True, "strict": True}


class DecodedLines:
    """A binary file's lines decoded one by one; remembers which physical lines did not decode."""

    def __init__(self, handle, encoding: str) -> None:  # type: ignore[no-untyped-def]
        self.handle = handle
        self.encoding = encoding
        self.number = 0
        self.bad: dict[int, str] = {}  # line -> why it did not decode

    def __iter__(self) -> Iterator[str]:
        encoding = self.encoding
        for raw in self.handle:
            self.number += 1
            if self.number == 1 and encoding in ("utf-8", "utf-8-sig") and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if len(raw) > MAX_RECORD_BYTES:
                self.bad[self.number] = f"line is {len(raw)} bytes, over the {MAX_RECORD_BYTES}-byte limit"
                yield "\n"
                continue
            try:
                yield raw.decode(encoding)
            except UnicodeDecodeError as exc:
                byte = raw[exc.start : exc.start + 1]
                self.bad[self.number] = f"not {encoding} text: byte {byte!r} at column {exc.start + 1}"
                yield raw.decode(encoding, "replace")


def rows(path: Path, layout: Layout) -> Iterator[tuple[int, list[str]] | Reject]:
    """(first line, cells) per non-blank row; a Reject for a row that does not decode or parse."""
    codec = "utf-8" if layout.encoding == "utf-8-sig" else layout.encoding
    return decoded_rows(path, codec, layout.dialect())


def decoded_rows(
    path: Path, encoding: str, dialect: dict[str, object] | None = None
) -> Iterator[tuple[int, list[str]] | Reject]:
    """(first line, cells) per non-blank row of a delimited file read through ``DecodedLines``; a
    Reject for a row with a line that does not decode, a row the csv module cannot parse, or one
    over the size limit. The header, if any, is the first row: the caller names the columns."""
    name = str(path)
    with path.open("rb") as handle:
        lines = DecodedLines(handle, encoding)
        reader = csv.reader(lines, **(dialect or {}))  # type: ignore[call-overload]
        start = 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield Reject(Origin(name, start), f"not a well-formed row: {exc}")
                start = lines.number + 1
                continue
            line, start = start, lines.number + 1
            broken = [f"line {n}: {lines.bad.pop(n)}" for n in range(line, start) if n in lines.bad]
            if broken:
                yield Reject(Origin(name, line), "; ".join(broken), shown(cells))
                continue
            if not any(cells) or not any(c.strip() for c in cells):
                continue
            if start - line > 1 and sum(len(c) for c in cells) > MAX_RECORD_BYTES:  # one line is held to it already
                yield Reject(Origin(name, line), f"row is over the {MAX_RECORD_BYTES}-byte limit")
                continue
            yield line, cells


def records(path: Path, layout: Layout) -> Iterator[Row | Reject]:
    """Rows as cells by column name; a Reject for a row whose column count fits no layout."""
    name = str(path)
    columns: tuple[str, ...] = layout.columns
    names = {len(c): c for c in (columns, *layout.layouts) if c}
    in_header = layout.header
    for item in rows(path, layout):
        if isinstance(item, Reject):
            if in_header:  # without the header no row can be named
                yield Reject(item.origin, f"header: {item.reason}; the file cannot be read without it", item.data)
                return
            yield item
            continue
        line, cells = item
        if in_header:  # the header's names, unless the mapping names the columns itself
            in_header = False
            if not columns:
                columns = tuple(c.strip() for c in cells)
                names = {len(columns): columns}
            continue
        if len(cells) == len(columns):
            yield line, dict(zip(columns, cells, strict=True))
        elif len(cells) in names:
            yield line, dict(zip(names[len(cells)], cells, strict=True))
        else:
            expected = " or ".join(str(c) for c in sorted(names, reverse=True))
            where = "as in the header" if layout.header else "as the source mapping declares"
            yield Reject(Origin(name, line), f"expected {expected} columns {where}, got {len(cells)}", shown(cells))


def header(path: Path, layout: Layout) -> tuple[str, ...] | None:
    """The header row's names, or None when the file has none or it cannot be read."""
    if not layout.header:
        return None
    try:
        for item in rows(path, layout):
            return None if isinstance(item, Reject) else tuple(c.strip() for c in item[1])
    except OSError:
        return None
    return None


def shown(cells: list[str]) -> str:
    """A rejected row's cells as its reject keeps them."""
    return "\t".join(cells)[:2000]
