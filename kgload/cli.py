"""The ``kgload`` command: a thin layer over ``kgload.api``.

Each command parses options, calls one library function and formats its result. User errors
(KgloadError) become one line on stderr and an exit code here, and nowhere else.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from kgload import __version__, api
from kgload.errors import KgloadError, MappingError
from kgload.report import EXIT_INTERNAL, LoadReport
from kgload.tables import format_rows

app = typer.Typer(
    name="kgload",
    help="Load extracted geopolitical entities and relations into a knowledge graph "
    "(RDF, an embedded store, or Neo4j).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

F = TypeVar("F", bound=Callable[..., Any])

Inputs = Annotated[list[Path], typer.Argument(metavar="INPUT...", help="Input files or folders (folders are read recursively).", show_default=False)]
MappingOpt = Annotated[Path | None, typer.Option("--mapping", "-m", help="Mapping YAML. Default: the bundled mappings/kgload.yaml.")]
FormatOpt = Annotated[str | None, typer.Option("--format", "-f", help="Input format. Default: detected from the file name.")]
StoreOpt = Annotated[Path | None, typer.Option("--store", "-s", envvar="KGLOAD_STORE", help="Embedded store folder. Default: .kgload/store")]
Neo4jUriOpt = Annotated[str | None, typer.Option("--neo4j-uri", envvar="NEO4J_URI", help="Load into this Neo4j (bolt://, neo4j://, neo4j+s://). Login from NEO4J_USERNAME / NEO4J_PASSWORD (or NEO4J_PASSWORD_FILE).", show_default=False)]
Neo4jDbOpt = Annotated[str | None, typer.Option("--neo4j-database", envvar="NEO4J_DATABASE", help="Neo4j database. Default: the server's default.", show_default=False)]
ValidateOpt = Annotated[bool, typer.Option("--validate/--no-validate", help="Check mapped records against the SHACL shapes first (violations are rejected). Off for fastest bulk loads.")]
RejectsOpt = Annotated[Path | None, typer.Option("--rejects", help="File that keeps rejected records (JSON lines). Default: .kgload/rejects/<run>.jsonl")]


def fail(message: str, code: int) -> typer.Exit:
    typer.echo(f"kgload: error: {message}", err=True)
    return typer.Exit(code)


def user_errors(command: F) -> F:
    """Turn the library's errors into a message and an exit code; never a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except MappingError as exc:
            for problem in exc.problems:
                typer.echo(f"kgload: mapping error: {problem}", err=True)
            raise typer.Exit(exc.exit_code) from None
        except KgloadError as exc:
            raise fail(str(exc), exc.exit_code) from None
        except KeyboardInterrupt:
            raise fail("interrupted; re-run the same command to finish (completed documents are kept)", 130) from None

    return wrapper  # type: ignore[return-value]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kgload {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")] = False,
) -> None:
    """kgload reads extracted entities and relations, maps them through a YAML mapping onto an OWL
    ontology into RDF, and loads them into an embedded store (default) or Neo4j."""


@app.command("map")
@user_errors
def map_command(
    inputs: Inputs,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Output file. Default: standard output.")] = None,
    to: Annotated[str | None, typer.Option("--to", "-t", help="RDF format: turtle, ntriples, nquads, trig, jsonld. Default: from the output's extension, else turtle.")] = None,
    mapping: MappingOpt = None,
    fmt: FormatOpt = None,
    rejects: RejectsOpt = None,
    validate: ValidateOpt = True,
) -> None:
    """Map inputs to RDF and write it (Turtle, N-Triples, N-Quads, TriG or JSON-LD)."""
    from kgload.rdf.build import Run
    from kgload.rdf.serialize import format_for
    from kgload.report import EXIT_REJECTS, RejectsFile

    rdf_format = format_for(to, output.name if output else None)
    run = Run.new()
    rejects_file = RejectsFile(rejects or Path(".kgload/rejects") / f"{run.id}.jsonl")
    if output is not None:
        try:
            out = output.open("wb")
        except OSError as exc:
            raise fail(f"cannot write {output}: {exc.strerror}", 2) from None
    else:
        out = sys.stdout.buffer
    try:
        count = api.write_rdf(inputs, out, rdf_format, mapping=mapping, fmt=fmt, run=run, rejects=rejects_file, validate=validate)
    finally:
        if output is not None:
            out.close()
    if count:
        typer.echo(f"kgload: {count} record(s) rejected, kept in {rejects_file.path}", err=True)
        raise typer.Exit(EXIT_REJECTS)


@app.command("load")
@user_errors
def load_command(
    inputs: Inputs,
    store: StoreOpt = None,
    neo4j_uri: Neo4jUriOpt = None,
    neo4j_database: Neo4jDbOpt = None,
    mapping: MappingOpt = None,
    fmt: FormatOpt = None,
    rejects: RejectsOpt = None,
    force: Annotated[bool, typer.Option("--force", help="Reload documents even when their fingerprint is unchanged.")] = False,
    validate: ValidateOpt = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print the run report as JSON.")] = False,
) -> None:
    """Load inputs into Neo4j when one is configured, else into the embedded store.

    Re-loading unchanged documents changes nothing; a changed document replaces what it
    contributed before. Rejected records are kept in a JSON-lines rejects file.
    """
    from kgload.rdf.build import Run
    from kgload.sinks.neo4j import Neo4jSettings, Neo4jSink

    run = Run.new()
    store_path = store or api.default_store()
    rejects_path = rejects or store_path.parent / "rejects" / f"{run.id}.jsonl"
    settings = Neo4jSettings.from_env(uri=neo4j_uri, database=neo4j_database)
    sink = Neo4jSink.connect(settings) if settings else None
    try:
        report = api.load(inputs, store=store_path, sink=sink, mapping=mapping, fmt=fmt, rejects=rejects_path,
                          run=run, force=force, validate=validate)
    finally:
        if sink is not None:
            sink.close()
    print_report(report, as_json)
    raise typer.Exit(report.exit_code)


def print_report(report: LoadReport, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(report.as_json(), indent=2, ensure_ascii=False))
        return
    for line in report.messages[:50]:
        typer.echo(f"rejected: {line}", err=True)
    if len(report.messages) > 50:
        typer.echo(f"rejected: … and {report.rejected_total - 50} more", err=True)
    typer.echo(f"kgload run {report.run_id} → {report.target}: {report.status}")
    typer.echo(
        f"  documents: {report.documents_read} read, {report.documents_loaded} loaded, "
        f"{report.documents_unchanged} unchanged (skipped)"
    )
    typer.echo(f"  loaded: {report.entities} entities, {report.relations} relations")
    for merge in sorted(report.merges.values(), key=lambda m: m.canonical):
        typer.echo(f"  merged: {merge.canonical} ← {', '.join(merge.names)}  [{merge.source}]")
    if report.unresolved:
        typer.echo(f"  not in the gazetteer: {', '.join(sorted(report.unresolved))}")
    if report.rejected_total:
        typer.echo(f"  rejected: {report.rejected_total} record(s), kept in {report.rejects_path}")


@app.command("query")
@user_errors
def query_command(
    sparql: Annotated[str | None, typer.Argument(help="A SPARQL SELECT query, or @FILE to read it from a file.", show_default=False)] = None,
    file: Annotated[Path | None, typer.Option("--file", "-q", help="Read the query from this file.")] = None,
    store: StoreOpt = None,
    output: Annotated[str, typer.Option("--output", "-o", help="table, csv, tsv or json.")] = "table",
) -> None:
    """Run a SPARQL SELECT query on the embedded store and print the answer.

    The common prefixes (kg:, rdf:, rdfs:, owl:, skos:, prov:, dcterms:, schema:, xsd:, wd:)
    are predeclared. The default graph is the union of all loaded documents.
    """
    if file is None and sparql and sparql.startswith("@"):
        file = Path(sparql[1:])
    if file is not None:
        try:
            sparql = file.read_text("utf-8")
        except OSError as exc:
            raise fail(f"cannot read {file}: {exc.strerror}", 2) from None
    if not sparql:
        raise fail("give a query, @FILE or --file", 2)
    try:
        variables, rows = api.query(sparql, store=store)
    except SyntaxError as exc:
        raise fail(f"SPARQL syntax error: {exc}", 2) from None
    typer.echo(format_rows(variables, rows, output))


@app.command("check-mapping")
@user_errors
def check_mapping_command(
    mapping: Annotated[Path | None, typer.Argument(help="Mapping YAML. Default: the bundled mapping.", show_default=False)] = None,
) -> None:
    """Validate a mapping and the ontology terms it names, without loading anything."""
    from kgload.mapping import load_mapping

    compiled = load_mapping(mapping)
    entity_types = {r.source_type for r in compiled.entity_rules.values()}
    relation_types = {r.source_type for r in compiled.relation_rules.values()}
    typer.echo(
        f"{compiled.path}: ok — {len(entity_types)} entity types, {len(relation_types)} relation types, "
        f"{len(compiled.gazetteer)} gazetteer entries, ontology {compiled.ontology.path.name}"
    )


@app.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of kgload's extraction format."""
    from kgload.readers.kgload_json import schema

    typer.echo(json.dumps(schema(), indent=2))


def main() -> None:
    try:
        app()
    except SystemExit:
        raise
    except Exception as exc:  # a bug, not a user error: say so plainly, with a way to report it
        typer.echo(f"kgload: internal error: {type(exc).__name__}: {exc} (please report this)", err=True)
        sys.exit(EXIT_INTERNAL)


if __name__ == "__main__":
    main()
