"""``kgload map``: map inputs to RDF and write it, loading nothing."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from kgload import api
from kgload.cli.errors import fail, user_errors
from kgload.cli.options import FormatOpt, Inputs, MappingOpt, RejectsOpt, ValidateOpt, WorkersOpt
from kgload.defaults import default_rejects
from kgload.model import Run
from kgload.rdf.serialize import format_for
from kgload.report import EXIT_REJECTS, RejectsFile


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
