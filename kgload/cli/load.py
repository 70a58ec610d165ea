"""``kgload load``: load inputs into Neo4j or the embedded store and print the run report."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Annotated

import typer

from kgload.cli.bulk import neo4j_admin_files
from kgload.cli.errors import user_errors
from kgload.cli.loading import load_into, neo4j_settings, print_report
from kgload.cli.options import (
    BatchSizeOpt,
    ForceOpt,
    FormatOpt,
    Inputs,
    MappingOpt,
    Neo4jDbOpt,
    Neo4jUriOpt,
    RejectsOpt,
    ShaclEngineOpt,
    StoreOpt,
    ValidateOpt,
    WorkersOpt,
)
from kgload.defaults import default_store
from kgload.errors import UsageError
from kgload.model import Run
from kgload.pipeline import LoadOptions


@user_errors
def load_command(
    inputs: Inputs,
    store: StoreOpt = None,
    neo4j_uri: Neo4jUriOpt = None,
    neo4j_database: Neo4jDbOpt = None,
    mapping: MappingOpt = None,
    fmt: FormatOpt = None,
    rejects: RejectsOpt = None,
    force: ForceOpt = False,
    validate: ValidateOpt = True,
    shacl_engine: ShaclEngineOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the run report as JSON.")] = False,
    workers: WorkersOpt = None,
    batch_size: BatchSizeOpt = None,
    to: Annotated[
        tuple[str, Path] | None,
        typer.Option(
            "--to",
            metavar="neo4j-admin DIR",
            help="Instead of loading, write the files neo4j-admin database import full turns into the graph "
            "this load would build, into DIR (absent or empty): the bulk path for a first load of a large "
            "corpus (docs/bulk-import.md).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Load inputs into Neo4j when one is configured, else into the embedded store.

    Re-loading unchanged documents changes nothing; a changed document replaces what it
    contributed before. Rejected records are kept in a JSON-lines rejects file.
    """
    options = LoadOptions(
        mapping=mapping,
        fmt=fmt,
        rejects=rejects,
        batch_size=batch_size,
        force=force,
        validate=validate,
        workers=workers,
        shacl_engine=shacl_engine,
    )
    if to is not None:
        kind, folder = to
        if kind != "neo4j-admin":
            raise UsageError(f"--to {kind}: the one target given this way is neo4j-admin (--to neo4j-admin DIR)")
        if force:
            raise UsageError("--to neo4j-admin writes every document anew: --force does not apply")
        neo4j_admin_files(inputs, folder, options, as_json)
        return
    run = Run.new()
    store_path = store or default_store()
    options = dataclasses.replace(options, rejects=rejects or store_path.parent / "rejects" / f"{run.id}.jsonl")
    started = time.perf_counter()
    report = load_into(neo4j_settings(neo4j_uri, neo4j_database), store_path, inputs, run=run, options=options)
    print_report(report, as_json, seconds=time.perf_counter() - started)
    raise typer.Exit(report.exit_code)
