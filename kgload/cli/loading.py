"""What ``kgload load`` and ``kgload run`` share: opening the target, the progress line, the report."""

from __future__ import annotations

import contextlib
import json
import logging
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import typer

from kgload import api
from kgload.cli.errors import State
from kgload.report import LoadReport


@contextlib.contextmanager
def neo4j_sink(settings: Any) -> Iterator[Any]:
    """The Neo4j sink for ``settings``, closed on the way out; None when no Neo4j is configured."""
    # imported here: the Neo4j driver is slow to import, and shell completion starts kgload at every Tab
    from kgload.sinks.neo4j import Neo4jSink

    sink = Neo4jSink.connect(settings) if settings else None
    try:
        yield sink
    finally:
        if sink is not None:
            sink.close()


def neo4j_settings(uri: str | None, database: str | None) -> Any:
    """Neo4j settings from the options and the environment, or None for the embedded store."""
    from kgload.sinks.neo4j import Neo4jSettings  # the driver is slow to import (see neo4j_sink)

    return Neo4jSettings.from_env(uri=uri, database=database)


def load_into(settings: Any, store: Path, inputs: Any, **kwargs: Any) -> LoadReport:
    """Load into Neo4j when settings are given, else into the embedded store at ``store``."""
    with neo4j_sink(settings) as sink, progress() as update:
        return api.load(inputs, store=store, sink=sink, progress=update, **kwargs)


@contextlib.contextmanager
def progress() -> Iterator[Callable[[LoadReport], None] | None]:
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
        for line in report.notes:
            log.warning("replaced", extra={"replaced": line, "run": report.run_id})
        typer.echo(json.dumps(report.as_json(), ensure_ascii=False))
        return
    for line in report.messages[:50]:
        typer.echo(f"rejected: {line}", err=True)
    if len(report.messages) > 50:
        typer.echo(f"rejected: … and {report.rejected_total - 50} more", err=True)
    for line in report.notes[:50]:
        typer.echo(f"replaced: {line}", err=True)
    typer.echo(f"kgload run {report.run_id} → {report.target}: {report.status}")
    typer.echo(
        f"  documents: {report.documents_read} read, {report.documents_loaded} loaded "
        f"({report.documents_added} new, {report.documents_updated} changed), "
        f"{report.documents_unchanged} unchanged (skipped)"
        + (f", {report.documents_replaced} replaced by a later version" if report.documents_replaced else "")
    )
    typer.echo(f"  loaded: {report.entities} entities, {report.relations} relations, {report.triples} triples")
    for merge in sorted(report.merges.values(), key=lambda m: m.canonical):
        typer.echo(f"  merged: {merge.canonical} ← {', '.join(merge.names)}  [{merge.source}]")
    if report.unresolved:
        typer.echo(f"  not in the gazetteer: {', '.join(sorted(report.unresolved))}")
    if report.rejected_total:
        typer.echo(f"  rejected: {report.rejected_total} record(s), kept in {report.rejects_path}")
