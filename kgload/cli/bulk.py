"""The neo4j-admin files, made from inputs: what ``kgload load --to neo4j-admin DIR`` (and the older
``kgload export --format neo4j-admin``) runs. It reads inputs, not a graph, so it is a load's target."""

from __future__ import annotations

import dataclasses
import functools
import time
from pathlib import Path

import typer

from kgload import api
from kgload.defaults import default_rejects
from kgload.errors import EXIT_REJECTS, UsageError
from kgload.model import Run
from kgload.pipeline import LoadOptions
from kgload.report import write_json
from kgload.tables import plural


def neo4j_admin_files(inputs: list[Path], output: Path | None, options: LoadOptions, as_json: bool = False) -> None:
    """Map ``inputs`` into the folder of CSV files neo4j-admin imports; say what was made and what next
    (with ``as_json``, the run report and the files as one JSON object on stdout, as ``load --json`` prints)."""
    if output is None:
        raise UsageError("the neo4j-admin files need a folder (absent or empty): kgload load --to neo4j-admin DIR")
    if not inputs:
        raise UsageError("the neo4j-admin files are made from INPUT files (extraction output, as for kgload load)")
    run = Run.new()
    rejects_path = options.rejects or default_rejects(run.id)
    options = dataclasses.replace(options, rejects=rejects_path)
    started = time.perf_counter()
    result = api.export_neo4j_admin(inputs, output, options=options, run=run)
    report = result.report
    if as_json:
        summary = report.as_json(lazy=True) | {
            "seconds": round(time.perf_counter() - started, 3),
            "folder": str(output),
            "nodes": result.nodes,
            "relationships": result.relationships,
            "files": result.files,
        }
        write_json(summary, functools.partial(typer.echo, nl=False), indent=2)
        typer.echo("")
    typer.echo(
        f"kgload: {plural(report.documents_loaded, 'document')} → {plural(result.nodes, 'node')}, "
        f"{plural(result.relationships, 'relationship')} in {output} ({size(output)}); "
        f"next: sh {output / 'import.sh'}, "
        f"then post-import.cypher (docs/bulk-import.md)",
        err=True,
    )
    if report.rejected_total:
        typer.echo(f"kgload: {plural(report.rejected_total, 'record')} rejected, kept in {rejects_path}", err=True)
        raise typer.Exit(EXIT_REJECTS)


def size(path: Path) -> str:
    files = [p for p in path.iterdir() if p.is_file()] if path.is_dir() else [path]
    total = sum(p.stat().st_size for p in files)
    return f"{total / 1024:.1f} KiB" if total >= 1024 else f"{total} B"
