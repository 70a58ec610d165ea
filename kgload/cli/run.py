"""``kgload run``: a configured load for cron and systemd timers."""

from __future__ import annotations

import logging
import time
from typing import Annotated

import typer

from kgload import api
from kgload.cli.errors import fail, user_errors
from kgload.cli.loading import print_report, progress
from kgload.cli.options import ConfigOpt, ForceOpt, ShaclEngineOpt, WorkersOpt
from kgload.report import LoadReport


@user_errors
def run_command(
    config: ConfigOpt,
    force: ForceOpt = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the run report(s) as JSON.")] = False,
    workers: WorkersOpt = None,
    shacl_engine: ShaclEngineOpt = None,
) -> None:
    """Run a configured load: every source, into every target, safe to repeat and interrupt.

    Meant for cron and systemd timers: unchanged documents are skipped, changed ones replace
    what they contributed, a second run against a busy target is refused (exit 75), and the
    exit code says what happened.
    """
    from kgload.runs.config import load_config  # it imports the Neo4j driver, slow to import

    cfg = load_config(config)
    sources = cfg.inputs()
    for missing in cfg.missing:
        logging.getLogger("kgload.run").warning("source matched no file: %s", missing)
    if cfg.absent:
        raise fail(f"{config}: source path(s) do not exist: {', '.join(cfg.absent)}", 2)
    if not sources:  # an empty inbox is the normal state between extraction jobs, not an error
        typer.echo(f"nothing to do: the sources of {config} match no file yet")
        raise typer.Exit(0)
    # each rejected record reported once (every target reads the same input), each target's time
    reported: set[str] = set()
    started = [time.perf_counter()]

    def show(report: LoadReport) -> None:
        fresh = [line for line in report.messages if line not in reported]
        reported.update(fresh)
        print_report(report, as_json, messages=fresh, seconds=time.perf_counter() - started[0])
        started[0] = time.perf_counter()

    with progress() as update:
        reports = api.run(cfg, force=force, workers=workers, shacl_engine=shacl_engine, progress=update, on_report=show)
    raise typer.Exit(max(report.exit_code for report in reports))
