"""Subgraph -> nodes.csv + edges.csv, in a folder or a zip, in the column names Gephi's
spreadsheet import expects (Id, Label / Source, Target, Type = Directed|Undirected, Label).

Cells that a spreadsheet would run as a formula (starting with = + - @ or a tab/CR) get a
leading apostrophe: evidence sentences come from the news, not from the analyst.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from kgload.errors import UsageError
from kgload.export.formats import Job
from kgload.export.output import atomic
from kgload.export.subgraph import Subgraph, iso

NODE_COLUMNS = ["Id", "Label", "type", "uri", "aliases", "wikidata", "isoCode"]
EDGE_COLUMNS = [
    "Source",
    "Target",
    "Type",
    "Label",
    "relation",
    "status",
    "date",
    "startDate",
    "endDate",
    "evidence",
    "sources",
    "documents",
    "confidence",
    "claims",
    "key",
]
SEPARATOR = " | "


def cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return value
    text = SEPARATOR.join(str(v) for v in value) if isinstance(value, list) else iso(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def rows(subgraph: Subgraph) -> tuple[Iterator[list[Any]], Iterator[list[Any]]]:
    def nodes() -> Iterator[list[Any]]:
        for uri, e in subgraph.entities.items():
            yield [cell(v) for v in (uri, e.name, e.type, uri, e.aliases, e.wikidata, e.iso_code)]

    def edges() -> Iterator[list[Any]]:
        for e in subgraph.edges():
            yield [
                cell(v)
                for v in (
                    e.subject,
                    e.object,
                    "Undirected" if e.symmetric else "Directed",
                    e.label,
                    e.type,
                    e.status,
                    e.date,
                    e.start,
                    e.end,
                    e.evidence,
                    e.sources,
                    e.documents,
                    e.confidence,
                    e.claims,
                    e.key,
                )
            ]

    return nodes(), edges()


def _write(out: TextIO, header: list[str], body: Iterator[list[Any]], advance: Callable[[int], None]) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    count = 0
    for row in body:
        writer.writerow(row)
        count += 1
        advance(1)
    return count


@contextmanager
def _zip_member(archive: zipfile.ZipFile, name: str) -> Iterator[TextIO]:
    with archive.open(name, "w") as raw, io.TextIOWrapper(raw, encoding="utf-8", newline="") as text:
        yield text


def write_folder(subgraph: Subgraph, folder: Path, advance: Callable[[int], None]) -> int:
    nodes, edges = rows(subgraph)
    count = 0
    for name, header, body in (("nodes.csv", NODE_COLUMNS, nodes), ("edges.csv", EDGE_COLUMNS, edges)):
        with (folder / name).open("w", encoding="utf-8", newline="") as out:
            count += _write(out, header, body, advance)
    return count


def write_zip(subgraph: Subgraph, target: Any, advance: Callable[[int], None]) -> int:
    nodes, edges = rows(subgraph)
    count = 0
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, header, body in (("nodes.csv", NODE_COLUMNS, nodes), ("edges.csv", EDGE_COLUMNS, edges)):
            with _zip_member(archive, name) as out:
                count += _write(out, header, body, advance)
    return count


def export(job: Job, output: Path) -> int:
    """The ``csv`` entry of the export registry: a .zip, else a folder of nodes.csv and edges.csv."""
    if output.suffix.lower() == ".zip":
        with atomic(output) as out:
            return write_zip(job.subgraph, out, job.advance)
    try:
        output.mkdir(exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror}") from None
    return write_folder(job.subgraph, output, job.advance)
