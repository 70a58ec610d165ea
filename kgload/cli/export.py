"""``kgload export``, the command: parses options, calls ``kgload.export.export``, reports.

Registered by kgload/cli/app.py. The summary goes to
stderr so that ``kgload export … > file`` (or a pipe) receives only the export.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kgload.cli.bulk import neo4j_admin_files, size
from kgload.cli.errors import user_errors
from kgload.cli.loading import neo4j_settings
from kgload.cli.options import ExportNeo4jUriOpt, Neo4jDbOpt, StoreOpt
from kgload.defaults import default_store
from kgload.errors import UsageError
from kgload.export import formats
from kgload.pipeline import LoadOptions
from kgload.tables import plural


def _query_text(value: str | None, option: str) -> str | None:
    """A query given inline or as @FILE."""
    if value is None or not value.startswith("@"):
        return value
    path = Path(value[1:])
    try:
        return path.read_text("utf-8")
    except OSError as exc:
        raise UsageError(f"{option}: cannot read {path}: {exc.strerror}") from None


@user_errors
def export_command(
    inputs: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="INPUT",
            help="--format neo4j-admin only: the input files or folders to map (as for kgload load).",
            show_default=False,
        ),
    ] = None,
    around: Annotated[
        list[str] | None,
        typer.Option(
            "--around", "-a", help="Start from this entity (name, alias or IRI). Repeatable.", show_default=False
        ),
    ] = None,
    depth: Annotated[int, typer.Option("--depth", "-d", min=0, help="Hops from the --around entities.")] = 1,
    relation: Annotated[
        list[str] | None,
        typer.Option(
            "--relation",
            "-r",
            help="Only this relation type (called, kg:called, CALLED). Repeatable.",
            show_default=False,
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since", help="Facts true or reported on or after this date (YYYY[-MM[-DD]]).", show_default=False
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            "--until", help="Facts true or reported on or before this date (YYYY[-MM[-DD]]).", show_default=False
        ),
    ] = None,
    document: Annotated[
        list[str] | None,
        typer.Option("--document", help="Only claims from this document (id or IRI). Repeatable.", show_default=False),
    ] = None,
    cypher: Annotated[
        str | None,
        typer.Option(
            "--cypher",
            help="Neo4j only: a read query, or @FILE; the kgload nodes, relationships and paths it returns "
            "are the scope.",
            show_default=False,
        ),
    ] = None,
    sparql: Annotated[
        str | None,
        typer.Option(
            "--sparql",
            help="Embedded store only: a CONSTRUCT (or SELECT) query, or @FILE; the resources it returns "
            "are the scope.",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help=f"{', '.join(formats.names()[:-1])} or {formats.names()[-1]}; or "
            "neo4j-admin (deprecated: use kgload load INPUT... --to neo4j-admin DIR). "
            "Default: from the output's extension (one that names no format is an error), else turtle.",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Output file (csv: a folder or a .zip). Default: standard output.",
            show_default=False,
        ),
    ] = None,
    store: StoreOpt = None,
    neo4j_uri: ExportNeo4jUriOpt = None,
    neo4j_database: Neo4jDbOpt = None,
    mapping: Annotated[
        Path | None,
        typer.Option(
            "--mapping", "-m", help="Mapping YAML (ontology, relation names, graph IRIs). Default: the bundled one."
        ),
    ] = None,
    show_progress: Annotated[
        bool | None,
        typer.Option(
            "--progress/--no-progress", help="Progress bar. Default: on when stderr is a terminal.", show_default=False
        ),
    ] = None,
    input_format: Annotated[
        str | None,
        typer.Option(
            "--input-format", help="--format neo4j-admin: input format. Default: detected from the file name."
        ),
    ] = None,
    validate: Annotated[
        bool,
        typer.Option(
            "--validate/--no-validate", help="--format neo4j-admin: check mapped records against the SHACL shapes."
        ),
    ] = True,
    rejects: Annotated[
        Path | None,
        typer.Option(
            "--rejects",
            help="--format neo4j-admin: file that keeps rejected records. Default: .kgload/rejects/RUN.jsonl",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers", "-j", min=1, help="--format neo4j-admin: processes that map and validate in parallel."
        ),
    ] = None,
) -> None:
    """Export part of the graph: around entities, by relation, time window or document, or by a query.

    Works the same against Neo4j and the embedded store. Formats: RDF (turtle, ntriples, nquads,
    trig, jsonld — loads back into kgload), GraphML (Gephi, yEd), CSV nodes + edges, a Cypher
    script for another Neo4j, an interactive HTML page, SVG and PNG pictures.

    --format neo4j-admin still makes the files for neo4j-admin database import full from INPUT
    files, with a note: that is now kgload load INPUT... --to neo4j-admin DIR (docs/bulk-import.md).
    """
    # imported here: the exporters import the Neo4j driver, slow to import (shell completion starts kgload)
    from kgload.export import export
    from kgload.export.selection import Selection

    if fmt is not None and fmt.lower() == "neo4j-admin":
        typer.echo(
            "kgload: note: `kgload export --format neo4j-admin` is now `kgload load INPUT… --to neo4j-admin DIR` "
            "(it reads inputs, not a graph); this form will be removed in a later release",
            err=True,
        )
        options = LoadOptions(mapping=mapping, fmt=input_format, rejects=rejects, validate=validate, workers=workers)
        neo4j_admin_files(inputs or [], output, options)
        return
    if inputs:
        raise UsageError("INPUT files are read by --format neo4j-admin only; other formats export a store or Neo4j")
    settings = neo4j_settings(neo4j_uri, neo4j_database)
    if cypher and settings is None:
        raise UsageError("--cypher needs Neo4j (--neo4j-uri or NEO4J_URI); use --sparql with the embedded store")
    if sparql and settings is not None:
        raise UsageError("--sparql runs on the embedded store; use --cypher with Neo4j")
    selection = Selection(
        around=list(around or []),
        depth=depth,
        relation_types=list(relation or []),
        since=since,
        until=until,
        documents=list(document or []),
        query=_query_text(cypher, "--cypher") or _query_text(sparql, "--sparql"),
    )
    result = export(
        selection,
        fmt,
        output,
        store=store or default_store(),
        neo4j=settings,
        mapping=mapping,
        show_progress=show_progress,
    )
    where = f"{output} ({size(output)})" if output is not None else "standard output"
    typer.echo(
        f"kgload export: {plural(result.entities, 'entity', 'entities')}, {plural(result.relations, 'relation')} "
        f"({plural(result.claims, 'claim')}, {plural(result.documents, 'document')}) → {where} as {result.format} "
        f"in {result.seconds:.2f} s",
        err=True,
    )
