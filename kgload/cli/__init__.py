"""The ``kgload`` command: a thin layer over ``kgload.api``.

Each command parses options, calls one library function and formats its result. User errors
(KgloadError) become one line on stderr and an exit code here, and nowhere else.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
from importlib import metadata
from pathlib import Path
from typing import Annotated, Any

import typer

from kgload import api, logs
from kgload.cli.errors import State, fail, user_errors
from kgload.cli.export import export_command
from kgload.cli.resolve import resolve_command
from kgload.defaults import LOAD_BATCH, RUNS_LISTED, default_rejects, default_store
from kgload.report import EXIT_INTERNAL, LoadReport
from kgload.tables import format_rows
from kgload.version import __version__

app = typer.Typer(
    name="kgload",
    help="Load extracted geopolitical entities and relations into a knowledge graph "
    "(RDF, an embedded store, or Neo4j).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

Inputs = Annotated[
    list[Path],
    typer.Argument(
        metavar="INPUT...", help="Input files or folders (folders are read recursively).", show_default=False
    ),
]
MappingOpt = Annotated[
    Path | None, typer.Option("--mapping", "-m", help="Mapping YAML. Default: the bundled mappings/kgload.yaml.")
]
FormatOpt = Annotated[
    str | None,
    typer.Option(
        "--format",
        "-f",
        help="Input format (a reader or a shipped source mapping: acled, gdelt, icews, ucdp-ged...), or the path "
        "of a source mapping YAML. Default: detected from the file's name and first bytes.",
    ),
]
StoreOpt = Annotated[
    Path | None,
    typer.Option("--store", "-s", envvar="KGLOAD_STORE", help="Embedded store folder. Default: .kgload/store"),
]
Neo4jUriOpt = Annotated[
    str | None,
    typer.Option(
        "--neo4j-uri",
        envvar="NEO4J_URI",
        help="Load into this Neo4j (bolt://, neo4j://, neo4j+s://). "
        "Login from NEO4J_USERNAME / NEO4J_PASSWORD (or NEO4J_PASSWORD_FILE).",
        show_default=False,
    ),
]
Neo4jDbOpt = Annotated[
    str | None,
    typer.Option(
        "--neo4j-database",
        envvar="NEO4J_DATABASE",
        help="Neo4j database. Default: the server's default.",
        show_default=False,
    ),
]
ValidateOpt = Annotated[
    bool,
    typer.Option(
        "--validate/--no-validate",
        help="Check mapped records against the SHACL shapes first (violations are rejected). "
        "Off for fastest bulk loads.",
    ),
]
WorkersOpt = Annotated[
    int | None,
    typer.Option(
        "--workers",
        "-j",
        min=1,
        help="Processes that map and validate in parallel. Default: every usable core.",
    ),
]
RejectsOpt = Annotated[
    Path | None,
    typer.Option(
        "--rejects", help="File that keeps rejected records (JSON lines). Default: .kgload/rejects/<run>.jsonl"
    ),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kgload {__version__}")
        typer.echo(_driver_version())
        raise typer.Exit()


def _driver_version() -> str:
    # The driver's Rust encoder makes Neo4j loads a quarter faster (bench/HISTORY.md), and
    # nothing else tells a user whether it is installed.
    driver = metadata.version("neo4j")
    try:
        return f"neo4j driver {driver} with neo4j-rust-ext {metadata.version('neo4j-rust-ext')}"
    except metadata.PackageNotFoundError:
        return f"neo4j driver {driver} without neo4j-rust-ext (pip install 'kgload[fast]' for faster Neo4j loads)"


@app.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
    log_format: Annotated[
        str, typer.Option("--log-format", help="text, or json (one JSON object per line on stderr).")
    ] = "text",
    log_level: Annotated[str, typer.Option("--log-level", help="debug, info, warning or error.")] = "warning",
) -> None:
    """kgload reads extracted entities and relations, maps them through a YAML mapping onto an OWL
    ontology into RDF, and loads them into an embedded store (default) or Neo4j.

    Exit codes: 0 all loaded; 3 loaded, but some records were rejected (see the rejects file);
    2 usage, config or mapping error, nothing loaded; 4 target unreachable; 5 the run failed
    part-way (re-run it: finished batches are kept, the rest is redone); 75 another run holds
    the target, try later; 130 interrupted; 1 internal error.
    """
    if log_format not in ("text", "json"):
        raise typer.BadParameter("--log-format is text or json")
    if log_level.lower() not in ("debug", "info", "warning", "error"):
        raise typer.BadParameter("--log-level is debug, info, warning or error")
    State.log_format = log_format
    logs.setup(log_format, log_level)


@app.command("map")
@user_errors
def map_command(
    inputs: Inputs,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Output file. Default: standard output.")
    ] = None,
    to: Annotated[
        str | None,
        typer.Option(
            "--to",
            "-t",
            help="RDF format: turtle, ntriples, nquads, trig, jsonld. "
            "Default: from the output's extension, else turtle.",
        ),
    ] = None,
    mapping: MappingOpt = None,
    fmt: FormatOpt = None,
    rejects: RejectsOpt = None,
    validate: ValidateOpt = True,
    workers: WorkersOpt = None,
) -> None:
    """Map inputs to RDF and write it (Turtle, N-Triples, N-Quads, TriG or JSON-LD)."""
    from kgload.model import Run
    from kgload.rdf.serialize import format_for
    from kgload.report import EXIT_REJECTS, RejectsFile

    rdf_format = format_for(to, output.name if output else None)
    run = Run.new()
    rejects_file = RejectsFile(rejects or default_rejects(run.id))
    if output is not None:
        try:
            out = output.open("wb")
        except OSError as exc:
            raise fail(f"cannot write {output}: {exc.strerror}", 2) from None
    else:
        out = sys.stdout.buffer
    try:
        count = api.write_rdf(
            inputs,
            out,
            rdf_format,
            mapping=mapping,
            fmt=fmt,
            run=run,
            rejects=rejects_file,
            validate=validate,
            workers=workers,
        )
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
    force: Annotated[
        bool, typer.Option("--force", help="Reload documents even when their fingerprint is unchanged.")
    ] = False,
    validate: ValidateOpt = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print the run report as JSON.")] = False,
    workers: WorkersOpt = None,
    batch_size: Annotated[
        int | None,
        typer.Option(
            "--batch-size",
            min=1,
            max=100_000,
            help=f"Documents per transaction (default {LOAD_BATCH}): larger batches hold more in memory.",
        ),
    ] = None,
) -> None:
    """Load inputs into Neo4j when one is configured, else into the embedded store.

    Re-loading unchanged documents changes nothing; a changed document replaces what it
    contributed before. Rejected records are kept in a JSON-lines rejects file.
    """
    from kgload.model import Run
    from kgload.sinks.neo4j import Neo4jSettings

    run = Run.new()
    store_path = store or default_store()
    rejects_path = rejects or store_path.parent / "rejects" / f"{run.id}.jsonl"
    settings = Neo4jSettings.from_env(uri=neo4j_uri, database=neo4j_database)
    report = _load_into(
        settings,
        store_path,
        inputs,
        run=run,
        mapping=mapping,
        fmt=fmt,
        rejects=rejects_path,
        force=force,
        validate=validate,
        workers=workers,
        batch_size=batch_size,
    )
    print_report(report, as_json)
    raise typer.Exit(report.exit_code)


def _load_into(settings: Any, store: Path, inputs: Any, **kwargs: Any) -> LoadReport:
    """Load into Neo4j when settings are given, else into the embedded store at ``store``."""
    from kgload.sinks.neo4j import Neo4jSink

    sink = Neo4jSink.connect(settings) if settings else None
    try:
        with _progress() as progress:
            return api.load(inputs, store=store, sink=sink, progress=progress, **kwargs)
    finally:
        if sink is not None:
            sink.close()


@contextlib.contextmanager
def _progress():
    """A live progress line on a terminal; nothing when stderr is piped or logs are JSON."""
    if not sys.stderr.isatty() or State.log_format == "json":
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("loading…")

        def update(report: LoadReport) -> None:
            bar.update(
                task,
                description=f"{report.documents_read} documents read, {report.documents_loaded} loaded, "
                f"{report.rejected_total} rejected",
            )

        yield update


def print_report(report: LoadReport, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(report.as_json(), indent=2, ensure_ascii=False))
        return
    if State.log_format == "json":  # machine-readable: rejects as log lines, the report as one JSON line
        log = logging.getLogger("kgload.report")
        for line in report.messages:
            log.warning("rejected", extra={"reject": line, "run": report.run_id})
        typer.echo(json.dumps(report.as_json(), ensure_ascii=False))
        return
    for line in report.messages[:50]:
        typer.echo(f"rejected: {line}", err=True)
    if len(report.messages) > 50:
        typer.echo(f"rejected: … and {report.rejected_total - 50} more", err=True)
    typer.echo(f"kgload run {report.run_id} → {report.target}: {report.status}")
    typer.echo(
        f"  documents: {report.documents_read} read, {report.documents_loaded} loaded "
        f"({report.documents_added} new, {report.documents_updated} changed), "
        f"{report.documents_unchanged} unchanged (skipped)"
    )
    typer.echo(f"  loaded: {report.entities} entities, {report.relations} relations, {report.triples} triples")
    if report.merges and report.rejects_path:  # the full list goes to a file, beside the rejects
        report.write_merges(Path(report.rejects_path).with_name(f"{report.run_id}.merges.jsonl"))
    for line in report.resolution_lines():
        typer.echo(line)
    if report.unresolved:
        shown = sorted(report.unresolved)
        more = f" … and {len(shown) - 20} more" if len(shown) > 20 else ""
        typer.echo(f"  not in the gazetteer: {', '.join(shown[:20])}{more}")
    if report.rejected_total:
        typer.echo(f"  rejected: {report.rejected_total} record(s), kept in {report.rejects_path}")


@app.command("run")
@user_errors
def run_command(
    config: Annotated[Path, typer.Option("--config", "-c", help="Run configuration (YAML); see docs/scheduling.md.")],
    force: Annotated[
        bool, typer.Option("--force", help="Reload documents even when their fingerprint is unchanged.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the run report(s) as JSON.")] = False,
    workers: WorkersOpt = None,
) -> None:
    """Run a configured load: every source, into every target, safe to repeat and interrupt.

    Meant for cron and systemd timers: unchanged documents are skipped, changed ones replace
    what they contributed, a second run against a busy target is refused (exit 75), and the
    exit code says what happened.
    """
    from kgload.model import Run
    from kgload.runs.config import load_config

    cfg = load_config(config)
    sources = cfg.inputs()
    for missing in cfg.missing:
        logging.getLogger("kgload.run").warning("source matched no file: %s", missing)
    if cfg.absent:
        raise fail(f"{config}: source path(s) do not exist: {', '.join(cfg.absent)}", 2)
    if not sources:  # an empty inbox is the normal state between extraction jobs, not an error
        typer.echo(f"nothing to do: the sources of {config} match no file yet")
        raise typer.Exit(0)
    targets: list[tuple[Any, Path]] = []
    settings = cfg.neo4j_settings()
    if settings is not None:
        targets.append((settings, Path()))
    if cfg.store is not None:
        targets.append((None, cfg.store))
    codes = []
    for settings_or_none, store in targets:
        run = Run.new()
        rejects_dir = cfg.rejects_dir or config.parent / ".kgload" / "rejects"
        report = _load_into(
            settings_or_none,
            store,
            sources,
            run=run,
            mapping=cfg.mapping,
            rejects=rejects_dir / f"{run.id}.jsonl",
            force=force,
            validate=cfg.validate,
            batch_size=cfg.batch_size,
            lock_ttl=cfg.lock_ttl,
            workers=workers if workers is not None else cfg.workers,
        )
        print_report(report, as_json)
        codes.append(report.exit_code)
    raise typer.Exit(max(codes))


@app.command("runs")
@user_errors
def runs_command(
    store: StoreOpt = None,
    neo4j_uri: Neo4jUriOpt = None,
    neo4j_database: Neo4jDbOpt = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many runs, newest first.")] = RUNS_LISTED,
    as_json: Annotated[bool, typer.Option("--json", help="Print the runs as JSON.")] = False,
) -> None:
    """List the runs recorded in a target's ledger (Neo4j when configured, else the embedded store)."""
    from kgload.sinks.neo4j import Neo4jSettings, Neo4jSink

    settings = Neo4jSettings.from_env(uri=neo4j_uri, database=neo4j_database)
    sink = Neo4jSink.connect(settings) if settings else None
    try:
        records = api.runs(store=store or default_store(), sink=sink, limit=limit)
    finally:
        if sink is not None:
            sink.close()
    if as_json:
        typer.echo(json.dumps([r.as_json() for r in records], indent=2))
        return
    rows = [
        {
            "run": r.id,
            "started": r.started.isoformat(timespec="seconds"),
            "status": r.status,
            "added": r.counts.get("documents_added", ""),
            "updated": r.counts.get("documents_updated", ""),
            "unchanged": r.counts.get("documents_unchanged", ""),
            "rejected": r.counts.get("rejected", ""),
            "note": r.note,
        }
        for r in records
    ]
    typer.echo(format_rows(["run", "started", "status", "added", "updated", "unchanged", "rejected", "note"], rows))


@app.command("retract")
@user_errors
def retract_command(
    documents: Annotated[
        list[str],
        typer.Argument(
            metavar="DOCUMENT...", help="Document ids (as in the input) or document IRIs.", show_default=False
        ),
    ],
    store: StoreOpt = None,
    neo4j_uri: Neo4jUriOpt = None,
    neo4j_database: Neo4jDbOpt = None,
    mapping: MappingOpt = None,
) -> None:
    """Remove everything the given source documents contributed (facts other documents also
    support stay). Use it when a source document was deleted."""
    from kgload.sinks.neo4j import Neo4jSettings, Neo4jSink

    settings = Neo4jSettings.from_env(uri=neo4j_uri, database=neo4j_database)
    sink = Neo4jSink.connect(settings) if settings else None
    try:
        removed = api.retract(documents, store=store or default_store(), sink=sink, mapping=mapping)
    finally:
        if sink is not None:
            sink.close()
    typer.echo(f"retracted {removed} of {len(documents)} document(s)")
    if removed < len(documents):
        raise typer.Exit(3)


# its options are many, so it has a module of its own
app.command("export")(export_command)
app.command("resolve")(resolve_command)


@app.command("query")
@user_errors
def query_command(
    sparql: Annotated[
        str | None, typer.Argument(help="A SPARQL SELECT query, or @FILE to read it from a file.", show_default=False)
    ] = None,
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
    mapping: Annotated[
        Path | None,
        typer.Argument(help="Mapping or source mapping YAML. Default: the bundled mapping.", show_default=False),
    ] = None,
) -> None:
    """Validate a mapping, or a source mapping (docs/sources.md), without loading anything."""
    from kgload.mapping import load_mapping
    from kgload.readers.source import is_source_mapping, load_source

    if mapping is not None and is_source_mapping(mapping):
        source = load_source(mapping)
        entities = ", ".join(rule.role for rule in source.entities)
        typer.echo(
            f"{source.path}: ok — source mapping {source.name!r} ({source.format}): "
            f"{len(source.fields)} fields read, entities {entities}, {len(source.relations)} relation rule(s)"
        )
        return
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
        fail(f"{type(exc).__name__}: {exc} (please report this)", EXIT_INTERNAL, "internal error")
        sys.exit(EXIT_INTERNAL)
