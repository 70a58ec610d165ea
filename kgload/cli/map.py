"""``kgload map``: map inputs to RDF and write it, loading nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kgload import api
from kgload.cli.errors import user_errors
from kgload.cli.options import FormatOpt, Inputs, MappingOpt, RejectsOpt, ShaclEngineOpt, ValidateOpt, WorkersOpt
from kgload.defaults import default_rejects
from kgload.errors import EXIT_REJECTS
from kgload.export.output import atomic, stdout
from kgload.model import Run
from kgload.rdf.serialize import format_for
from kgload.report import RejectsFile
from kgload.tables import plural


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
    shacl_engine: ShaclEngineOpt = None,
    workers: WorkersOpt = None,
) -> None:
    """Map inputs to RDF and write it (Turtle, N-Triples, N-Quads, TriG or JSON-LD)."""
    rdf_format = format_for(to, output.name if output else None)
    run = Run.new()
    rejects_file = RejectsFile(rejects or default_rejects(run.id))
    try:
        with atomic(output, "wb") if output is not None else stdout(binary=True) as out:
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
                shacl_engine=shacl_engine,
            )
            if output is not None and out.tell() == 0:
                raise _NothingWritten
    except _NothingWritten:
        typer.echo(f"kgload: nothing was mapped, so {output} was not written", err=True)
    if count:
        typer.echo(f"kgload: {plural(count, 'record')} rejected, kept in {rejects_file.path}", err=True)
        raise typer.Exit(EXIT_REJECTS)


class _NothingWritten(Exception):
    """Raised inside the output's block so that it is not kept: an empty file helps nobody."""
