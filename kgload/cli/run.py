"""``kgload run``: a configured load for cron and systemd timers."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from kgload.cli.errors import fail, user_errors
from kgload.cli.loading import load_into, print_report
from kgload.cli.options import ConfigOpt, ForceOpt, WorkersOpt
from kgload.model import Run


@user_errors
def run_command(
    config: ConfigOpt,
    force: ForceOpt = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the run report(s) as JSON.")] = False,
    workers: WorkersOpt = None,
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
    targets: list[tuple[Any, Path]] = []
    settings = cfg.neo4j_settings()
    if settings is not None:
        targets.append((settings, Path()))
    if cfg.store is not None:
        targets.append((None, cfg.store))
    codes = []
    # One run, whatever the number of targets: one id in every target's ledger, one rejects file,
    # and each rejected record reported once (every target reads the same input).
    run = Run.new()
    rejects_dir = cfg.rejects_dir or config.parent / ".kgload" / "rejects"
    rejects = rejects_dir / f"{run.id}.jsonl"
    reported: set[str] = set()
    for n, (settings_or_none, store) in enumerate(targets):
        own = rejects if n == 0 else rejects_dir / f".{run.id}.{n}.jsonl"
        started = time.perf_counter()
        report = load_into(
            settings_or_none,
            store,
            sources,
            run=run,
            mapping=cfg.mapping,
            rejects=own,
            force=force,
            validate=cfg.validate,
            batch_size=cfg.batch_size,
            lock_ttl=cfg.lock_ttl,
            workers=workers if workers is not None else cfg.workers,
        )
        if own != rejects:
            merge_rejects(own, rejects)
            if report.rejects_path:
                report.rejects_path = str(rejects)
        fresh = [line for line in report.messages if line not in reported]
        reported.update(fresh)
        print_report(report, as_json, messages=fresh, seconds=time.perf_counter() - started)
        codes.append(report.exit_code)
    raise typer.Exit(max(codes))


def merge_rejects(extra: Path, into: Path) -> None:
    """Append the lines of ``extra`` that ``into`` does not hold yet, then remove ``extra``."""
    if not extra.exists():
        return
    held = set(into.read_text("utf-8").splitlines()) if into.exists() else set()
    new = [line for line in extra.read_text("utf-8").splitlines() if line not in held]
    if new:
        with into.open("a", encoding="utf-8") as out:
            out.writelines(line + "\n" for line in new)
    extra.unlink()
