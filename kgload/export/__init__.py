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
from kgload.export.extract import Source, extract
from kgload.export.output import atomic, atomic_path, check_writable, progress, stdout
from kgload.export.selection import EmptySelection, Selection
from kgload.export.subgraph import Subgraph
from kgload.mapping.spec import Mapping, load_mapping
from kgload.sinks.neo4j.settings import Neo4jSettings

__all__ = ["FORMATS", "EmptySelection", "ExportResult", "Selection", "export", "format_for", "open_source"]

RDF_FORMATS = ("turtle", "ntriples", "nquads", "trig", "jsonld")
FORMATS = (*RDF_FORMATS, "graphml", "gexf", "csv", "cypher", "html", "svg", "png")
EXTENSIONS = {
    ".ttl": "turtle",
    ".nt": "ntriples",
    ".nq": "nquads",
    ".trig": "trig",
    ".jsonld": "jsonld",
    ".json": "jsonld",
    ".graphml": "graphml",
    ".gexf": "gexf",
    ".zip": "csv",
    ".cypher": "cypher",
    ".cql": "cypher",
    ".html": "html",
    ".htm": "html",
    ".svg": "svg",
    ".png": "png",
}
ALIASES = {
    "ttl": "turtle",
    "nt": "ntriples",
    "nq": "nquads",
    "json-ld": "jsonld",
    "n-triples": "ntriples",
    "n-quads": "nquads",
    "cql": "cypher",
    "htm": "html",
}
BINARY = set(RDF_FORMATS)  # written as bytes; the rest as UTF-8 text


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
        key = ALIASES.get(name.lower(), name.lower())
        if key not in FORMATS:
            raise UsageError(f"unknown export format {name!r}; choose one of {', '.join(FORMATS)}")
        return key
    if output is None:
        return "turtle"
    suffix = output.suffix.lower()
    if suffix in EXTENSIONS:
        return EXTENSIONS[suffix]
    if output.is_dir() or not suffix:
        return "csv"
    hint = " (CSV export writes nodes.csv and edges.csv: give a folder or a .zip)" if suffix == ".csv" else ""
    raise UsageError(
        f"cannot tell the export format from {output.name!r}{hint}; name a file ending in "
        f"{', '.join(sorted(EXTENSIONS))}, or say --format"
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
    if output is None and fmt in ("csv", "png"):
        raise UsageError(f"--format {fmt} needs --output ({'a folder or a .zip' if fmt == 'csv' else 'a .png file'})")
    if output is not None:
        check_writable(output, folder=fmt == "csv" and output.suffix.lower() != ".zip")
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
    from kgload.export import csv_files, cypher_script, gexf, graphml, html, rdf, svg

    total = subgraph.size() if fmt in RDF_FORMATS or fmt == "cypher" else len(subgraph.entities) + len(subgraph.claims)
    with progress(total, f"export {fmt}", show_progress) as advance:
        if fmt == "csv":
            assert output is not None
            if output.suffix.lower() == ".zip":
                with atomic(output) as out:
                    return csv_files.write_zip(subgraph, out, advance)
            try:
                output.mkdir(exist_ok=True)
            except OSError as exc:
                raise UsageError(f"cannot write {output}: {exc.strerror}") from None
            return csv_files.write_folder(subgraph, output, advance)
        if fmt == "png":
            assert output is not None
            with atomic_path(output) as part:
                return svg.write_png(subgraph, part)
        binary = fmt in BINARY
        sink = atomic(output, "wb" if binary else "w") if output is not None else stdout(binary)
        with sink as out:
            if binary:
                return rdf.write(subgraph, mapping, out, fmt, advance)
            if fmt == "graphml":
                return graphml.write(subgraph, out, advance)
            if fmt == "gexf":
                return gexf.write(subgraph, out, advance)
            if fmt == "cypher":
                return cypher_script.write(subgraph, mapping, out, advance)
            if fmt == "html":
                return html.write(subgraph, out)
            return svg.write(subgraph, out)
