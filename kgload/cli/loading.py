"""What ``kgload load`` and ``kgload run`` share: opening the target, the progress line, the report."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer

from kgload import api
from kgload.cli.errors import State
from kgload.defaults import default_rejects
from kgload.report import LoadReport, write_json
from kgload.tables import plural


@contextlib.contextmanager
def neo4j_sink(settings: Any) -> Iterator[Any]:
    """The Neo4j sink for ``settings`` (``api.opened`` opens and closes it); None when no Neo4j is
    configured, so that the library opens the embedded store itself."""
    if not settings:
        yield None
        return
    with api.opened(neo4j=settings) as sink:
        yield sink


def neo4j_settings(uri: str | None, database: str | None) -> Any:
    """Neo4j settings from the options and the environment, or None for the embedded store."""
    from kgload.sinks.neo4j import Neo4jSettings  # the driver is slow to import: only when used

    return Neo4jSettings.from_env(uri=uri, database=database)


def load_into(settings: Any, store: Path, inputs: Any, **kwargs: Any) -> LoadReport:
    """Load into Neo4j when settings are given, else into the embedded store at ``store``."""
    # the embedded store is opened by api.load itself, once the inputs and mapping are known good
    with neo4j_sink(settings) as sink, progress(count_documents(inputs)) as update:
        return api.load(inputs, store=store, sink=sink, progress=update, **kwargs)


def count_documents(inputs: Any, limit: int = 1 << 30) -> int | None:
    """How many documents the inputs hold, when that is cheap to know: kgload JSON files (one each)
    and JSON-lines files (one a line, counted in bytes); None for anything else, or past ``limit``
    bytes (the bar then counts without a total)."""
    from kgload.readers import expand_inputs

    try:
        paths = expand_inputs([Path(getattr(item, "path", item)) for item in inputs])
    except Exception:  # the load reports a bad input itself, as it should
        return None
    total = size = 0
    for path in paths:
        suffix = path.suffix.lower()
        try:
            size += path.stat().st_size
            if size > limit or suffix not in (".json", ".jsonl", ".ndjson"):
                return None
            with path.open("rb") as handle:
                if suffix == ".json":
                    if handle.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")[:1] != b"{":
                        return None  # an array of documents: not counted without parsing
                    total += 1
                    continue
                lines = ends = 0
                last = b"\n"
                while chunk := handle.read(1 << 20):
                    lines += chunk.count(b"\n")
                    last = chunk[-1:]
                ends = 0 if last == b"\n" else 1
                total += lines + ends
        except OSError:
            return None
    return total


@contextlib.contextmanager
def progress(total: int | None = None) -> Iterator[Callable[[LoadReport], None] | None]:
    """A live progress bar on a terminal — documents done of ``total``, rate and time left when the
    total is known — nothing when stderr is piped or logs are JSON."""
    if not sys.stderr.isatty() or State.log_format == "json":
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns: list[Any] = [SpinnerColumn(), TextColumn("{task.description}")]
    if total:
        columns += [BarColumn(), MofNCompleteColumn(), TextColumn("documents")]
    columns += [TextColumn("{task.fields[rate]}"), TimeElapsedColumn()]
    if total:
        columns += [TextColumn("left"), TimeRemainingColumn()]
    with Progress(*columns, console=Console(stderr=True), transient=True, refresh_per_second=4) as bar:
        task = bar.add_task("loading", total=total or None, rate="")

        def update(report: LoadReport) -> None:
            task_ = bar.tasks[task]
            speed = task_.speed
            rate = f"{speed:,.0f} documents/s" if speed else ""
            described = "loading" if total else f"{plural(report.documents_read, 'document')} read"
            if report.rejected_total:
                described += f", {plural(report.rejected_total, 'reject')}"
            bar.update(task, completed=report.documents_read, description=described, rate=rate)

        yield update


def lists_file(report: LoadReport) -> Path:
    """Where a run's merges and unresolved names go: beside its rejects, as reports/<run>.json."""
    rejects = Path(report.rejects_path) if report.rejects_path else default_rejects(report.run_id)
    return rejects.parent.parent / "reports" / f"{report.run_id}.json"


def print_report(
    report: LoadReport, as_json: bool, messages: list[str] | None = None, seconds: float | None = None
) -> None:
    """The rejects, then the summary — last and short: counts, elapsed time, and the merges and
    names not in the gazetteer as counts, their lists in a file (``messages``: the rejects not
    reported yet by this command)."""
    if messages is None:
        messages = report.messages
    summary = report.as_json(lazy=True) | ({"seconds": round(seconds, 3)} if seconds is not None else {})
    if as_json:
        write_json(summary, _echo, indent=2)
        typer.echo("")
        return
    headline = f"kgload run {report.run_id} → {report.target}: {report.status}" + (
        f" in {_duration(seconds)}" if seconds is not None else ""
    )
    if State.log_format == "json":  # machine-readable: rejects as log lines, then one summary object
        log = logging.getLogger("kgload.report")
        for line in messages:
            log.warning("rejected", extra={"reject": line, "run": report.run_id})
        for line in report.notes:
            log.warning("replaced", extra={"replaced": line, "run": report.run_id})
        entry = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "level": "info",
            "logger": "kgload.report",
            "message": headline,
        }
        write_json(entry | summary, _echo)
        typer.echo("")
        return
    for line in messages[:50]:
        typer.echo(f"rejected: {line}", err=True)
    total = report.rejected_total if messages is report.messages else len(messages)
    if total > 50:
        typer.echo(f"rejected: … and {total - 50} more", err=True)
    for line in report.notes[:50]:
        typer.echo(f"replaced: {line}", err=True)
    lists = None
    if report.merges or report.unresolved:
        lists = lists_file(report)
        try:
            lists.parent.mkdir(parents=True, exist_ok=True)
            with lists.open("w", encoding="utf-8") as out:
                write_json(summary, out.write, indent=2)
                out.write("\n")
        except OSError:
            lists = None
    where = f" (listed in {lists})" if lists is not None else ""
    typer.echo(headline)
    typer.echo(
        f"  documents: {report.documents_read} read, {report.documents_loaded} loaded "
        f"({report.documents_added} new, {report.documents_updated} changed), "
        f"{report.documents_unchanged} unchanged (skipped)"
        + (f", {report.documents_replaced} replaced by a later version" if report.documents_replaced else "")
    )
    typer.echo(
        f"  loaded: {plural(report.entities, 'entity', 'entities')}, {plural(report.relations, 'relation')}, "
        f"{plural(report.triples, 'triple')}"
    )
    if report.merges or report.unresolved:
        names = report.merged_names
        typer.echo(
            f"  merged: {plural(names, 'name')} into {plural(len(report.merges), 'entity', 'entities')}; "
            f"not in the gazetteer: {plural(len(report.unresolved), 'name')}{where}"
        )
    for line in report.resolution_lines():
        typer.echo(line)
    if report.rejected_total:
        typer.echo(f"  rejected: {plural(report.rejected_total, 'record')}, kept in {report.rejects_path}")


def _echo(text: str) -> None:
    typer.echo(text, nl=False)


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes} min {rest:02d} s" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"
