"""Rendering query answers as a text table, CSV, TSV or JSON."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from kgload.errors import UsageError
from kgload.vocabulary.namespaces import shorten


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    return shorten(text) if text.startswith(("http://", "https://")) else text


def plural(count: int, word: str, words: str | None = None) -> str:
    """``1 document``, ``2 documents``: a count and its noun, as English has it."""
    return f"{count} {word if count == 1 else words or word + 's'}"


def format_rows(variables: list[str], rows: list[dict[str, Any]], output: str = "table") -> str:
    if output == "json":
        return json.dumps(rows, indent=2, ensure_ascii=False)
    if output in ("csv", "tsv"):
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter="," if output == "csv" else "\t", lineterminator="\n")
        writer.writerow(variables)
        writer.writerows([[_cell(r.get(v)) for v in variables] for r in rows])
        return buffer.getvalue().rstrip("\n")
    if output != "table":
        raise UsageError(f"unknown output {output!r}; choose table, csv, tsv or json")
    cells = [[_cell(r.get(v)).replace("\n", " ") for v in variables] for r in rows]
    widths = [min(60, max([len(v), *(len(c[i]) for c in cells)])) for i, v in enumerate(variables)]

    def line(values: list[str]) -> str:
        return " | ".join(_clip(v, w).ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()

    out = [line(variables), "-+-".join("-" * w for w in widths)]
    out += [line(c) for c in cells]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
