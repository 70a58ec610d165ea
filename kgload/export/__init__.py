"""``kgload export``: a piece of the graph, from Neo4j or the embedded store, in an analyst's format.

    from kgload.export import Selection, export
    export(Selection(around=["Vladimir Putin"], depth=2), "graphml", Path("putin.graphml"), store=".kgload/store")

selection.py says what to take, embedded.py / neo4j.py read it into the neutral form of
subgraph.py, and one module per format writes it (rdf, graphml, gexf, csv_files, cypher_script, html,
svg). See docs/export.md.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kgload.defaults import default_store
from kgload.errors import UsageError
from kgload.export import formats
from kgload.export.extract import Source, extract
from kgload.export.output import atomic, atomic_path, check_writable, progress, stdout
from kgload.export.selection import EmptySelection, Selection
from kgload.export.subgraph import Subgraph
from kgload.mapping.spec import Mapping, load_mapping
from kgload.sinks.neo4j.settings import Neo4jSettings

__all__ = ["FORMATS", "EmptySelection", "ExportResult", "Selection", "export", "format_for", "open_source"]

FORMATS = formats.names()


@dataclass
class ExportResult:
    format: str
    output: str  # a path, or "-" for standard output
    entities: int
    relations: int  # edges: asserted relationships + denied/disputed claims
    claims: int
    documents: int
    items: int  # quads, rows or elements written
    seconds: float


def format_for(name: str | None, output: Path | None) -> str:
    """The format ``--format`` names, else the one the output's extension names (a folder or a
    name without extension: CSV files). An extension that names no format is an error rather than
    a guess: ``-o putin.csv`` must not quietly write Turtle."""
    if name:
        exporter = formats.get(name)
        if exporter is None:
            raise UsageError(f"unknown export format {name!r}; choose one of {', '.join(formats.names())}")
        return exporter.name
    if output is None:
        return "turtle"
    suffix = output.suffix.lower()
    extensions = formats.by_extension()
    if suffix in extensions:
        return extensions[suffix]
    if output.is_dir() or not suffix:
        return "csv"
    hint = " (CSV export writes nodes.csv and edges.csv: give a folder or a .zip)" if suffix == ".csv" else ""
    raise UsageError(
        f"cannot tell the export format from {output.name!r}{hint}; name a file ending in "
        f"{', '.join(sorted(extensions))}, or say --format"
    )


@contextlib.contextmanager
def open_source(mapping: Mapping, store: Path | None = None, neo4j: Neo4jSettings | None = None) -> Iterator[Source]:
    """Neo4j when settings are given, else the embedded store (opened read-only)."""
    if neo4j is not None:
        from kgload.export.neo4j import Neo4jBackend
        from kgload.sinks.neo4j.writer import connect

        driver = connect(neo4j)
        try:
            yield Neo4jBackend(driver, neo4j.database, mapping)
        finally:
            driver.close()
        return
    from kgload.export.embedded import EmbeddedBackend
    from kgload.sinks.embedded import EmbeddedStore

    target = EmbeddedStore(store if store is not None else default_store(), read_only=True)
    try:
        yield EmbeddedBackend(target, mapping)
    finally:
        target.close()


def export(
    selection: Selection,
    fmt: str | None,
    output: Path | None,
    *,
    store: Path | None = None,
    neo4j: Neo4jSettings | None = None,
    mapping: Mapping | Path | None = None,
    show_progress: bool | None = None,
) -> ExportResult:
    """Select from the store or Neo4j and write one format to ``output`` (None: standard output)."""
    started = time.perf_counter()
    fmt = format_for(fmt, output)
    kind = _exporter(fmt).output
    if output is None and kind in ("folder", "file"):
        raise UsageError(
            f"--format {fmt} needs --output ({'a folder or a .zip' if kind == 'folder' else f'a .{fmt} file'})"
        )
    if output is not None:
        check_writable(output, folder=kind == "folder" and output.suffix.lower() != ".zip")
    compiled = mapping if isinstance(mapping, Mapping) else load_mapping(mapping)
    with open_source(compiled, store, neo4j) as source:
        subgraph = extract(source, selection, compiled)
    items = write(subgraph, fmt, output, compiled, show_progress)
    return ExportResult(
        fmt,
        str(output) if output is not None else "-",
        len(subgraph.entities),
        len(subgraph.edges()),
        len(subgraph.claims),
        len(subgraph.documents),
        items,
        time.perf_counter() - started,
    )


def write(
    subgraph: Subgraph, fmt: str, output: Path | None, mapping: Mapping, show_progress: bool | None = None
) -> int:
    """Write an extracted subgraph in one format."""
    exporter = _exporter(fmt)
    write_format = exporter.write()
    total = subgraph.size() if exporter.counts_quads else len(subgraph.entities) + len(subgraph.claims)
    with progress(total, f"export {fmt}", show_progress) as advance:
        job = formats.Job(subgraph, mapping, fmt, advance)
        if exporter.output == "folder":
            assert output is not None
            return write_format(job, output)
        if exporter.output == "file":
            assert output is not None
            with atomic_path(output) as part:
                return write_format(job, part)
        binary = exporter.output == "binary"
        with atomic(output, "wb" if binary else "w") if output is not None else stdout(binary) as out:
            return write_format(job, out)


def _exporter(fmt: str) -> formats.Exporter:
    exporter = formats.get(fmt)
    if exporter is None:
        raise UsageError(f"unknown export format {fmt!r}; choose one of {', '.join(formats.names())}")
    return exporter
