"""``kgload runs`` and ``kgload retract``: read a target's ledger, and take documents back out.

Both take the targets from ``--config`` (the run configuration cron and systemd use, every target
it names) or from ``--neo4j-uri`` / ``--store`` like ``kgload load``."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from kgload import api
from kgload.cli.errors import user_errors
from kgload.cli.loading import neo4j_settings, neo4j_sink
from kgload.cli.options import LedgerNeo4jUriOpt, MappingOpt, Neo4jDbOpt, StoreOpt
from kgload.defaults import RUNS_LISTED, default_store
from kgload.tables import format_rows, plural

COLUMNS = ["run", "started", "status", "added", "updated", "unchanged", "rejected", "note"]
TargetConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="Use the targets (and mapping) of this run configuration, as kgload run does; "
        "then --store and --neo4j-uri are not used.",
        show_default=False,
    ),
]


@contextlib.contextmanager
def targets(
    config: Path | None, store: Path | None, uri: str | None, database: str | None
) -> Iterator[list[tuple[Any, Path, Path | None]]]:
    """(Neo4j sink or None, store path, mapping) per target: the config's, else the options'."""
    if config is None:
        with neo4j_sink(neo4j_settings(uri, database)) as sink:
            yield [(sink, store or default_store(), None)]
        return
    from kgload.runs.config import load_config  # it imports the Neo4j driver, slow to import

    cfg = load_config(config)
    with contextlib.ExitStack() as stack:
        found: list[tuple[Any, Path, Path | None]] = []
        settings = cfg.neo4j_settings()
        if settings is not None:
            found.append((stack.enter_context(neo4j_sink(settings)), Path(), cfg.mapping))
        if cfg.store is not None:
            found.append((None, cfg.store, cfg.mapping))
        yield found


def _describe(sink: Any, store: Path) -> str:
    return sink.describe() if sink is not None else f"embedded store {store}"


@user_errors
def runs_command(
    store: StoreOpt = None,
    neo4j_uri: LedgerNeo4jUriOpt = None,
    neo4j_database: Neo4jDbOpt = None,
    config: TargetConfigOpt = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many runs, newest first.")] = RUNS_LISTED,
    as_json: Annotated[bool, typer.Option("--json", help="Print the runs as JSON.")] = False,
) -> None:
    """List the runs recorded in a target's ledger (Neo4j when configured, else the embedded store)."""
    listed: list[tuple[str, list[Any]]] = []
    with targets(config, store, neo4j_uri, neo4j_database) as found:
        for sink, path, _ in found:
            listed.append((_describe(sink, path), api.runs(store=path, sink=sink, limit=limit)))
    if as_json:
        if len(listed) == 1:
            typer.echo(json.dumps([r.as_json() for r in listed[0][1]], indent=2))
        else:
            typer.echo(json.dumps({name: [r.as_json() for r in records] for name, records in listed}, indent=2))
        return
    for n, (name, records) in enumerate(listed):
        if len(listed) > 1:
            typer.echo(("\n" if n else "") + f"{name}:")
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
        typer.echo(format_rows(COLUMNS, rows))


@user_errors
def retract_command(
    documents: Annotated[
        list[str],
        typer.Argument(metavar="DOCUMENT", help="Document ids (as in the input) or document IRIs.", show_default=False),
    ],
    store: StoreOpt = None,
    neo4j_uri: LedgerNeo4jUriOpt = None,
    neo4j_database: Neo4jDbOpt = None,
    config: TargetConfigOpt = None,
    mapping: MappingOpt = None,
) -> None:
    """Remove everything the given source documents contributed; facts other documents also support stay.

    Use it when a source document was deleted. With --config, from every target it names. Exit 3
    when a document was not found (it is named, with the closest ids the target knows).
    """
    code = 0
    with targets(config, store, neo4j_uri, neo4j_database) as found:
        for sink, path, config_mapping in found:
            done = api.retract_documents(documents, store=path, sink=sink, mapping=mapping or config_mapping)
            where = f" from {_describe(sink, path)}" if config is not None else ""
            typer.echo(f"retracted {done.removed} of {plural(done.requested, 'document')}{where}")
            for document, closest in done.missing.items():
                hint = f" (closest: {', '.join(closest)})" if closest else ""
                typer.echo(f"  not found: {document}{hint}", err=True)
            if done.missing:
                code = 3
    raise typer.Exit(code)
