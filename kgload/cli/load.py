"""``kgload load``: load inputs into Neo4j or the embedded store and print the run report."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from kgload.cli.errors import use_shacl_engine, user_errors
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
from kgload.model import Run


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
) -> None:
    """Load inputs into Neo4j when one is configured, else into the embedded store.

    Re-loading unchanged documents changes nothing; a changed document replaces what it
    contributed before. Rejected records are kept in a JSON-lines rejects file.
    """
    use_shacl_engine(shacl_engine)
    run = Run.new()
    store_path = store or default_store()
    rejects_path = rejects or store_path.parent / "rejects" / f"{run.id}.jsonl"
    started = time.perf_counter()
    report = load_into(
        neo4j_settings(neo4j_uri, neo4j_database),
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
    print_report(report, as_json, seconds=time.perf_counter() - started)
    raise typer.Exit(report.exit_code)
