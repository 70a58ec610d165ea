"""``kgload runs`` and ``kgload retract``: read a target's ledger, and take documents back out."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from kgload import api
from kgload.cli.errors import user_errors
from kgload.cli.loading import neo4j_settings, neo4j_sink
from kgload.cli.options import LedgerNeo4jUriOpt, MappingOpt, Neo4jDbOpt, StoreOpt
from kgload.defaults import RUNS_LISTED, default_store
from kgload.tables import format_rows

COLUMNS = ["run", "started", "status", "added", "updated", "unchanged", "rejected", "note"]


@user_errors
def runs_command(
    store: StoreOpt = None,
    neo4j_uri: LedgerNeo4jUriOpt = None,
    neo4j_database: Neo4jDbOpt = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many runs, newest first.")] = RUNS_LISTED,
    as_json: Annotated[bool, typer.Option("--json", help="Print the runs as JSON.")] = False,
) -> None:
    """List the runs recorded in a target's ledger (Neo4j when configured, else the embedded store)."""
    with neo4j_sink(neo4j_settings(neo4j_uri, neo4j_database)) as sink:
        records = api.runs(store=store or default_store(), sink=sink, limit=limit)
    if as_json:
        typer.echo(json.dumps([r.as_json() for r in records], indent=2))
        return
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
    mapping: MappingOpt = None,
) -> None:
    """Remove everything the given source documents contributed; facts other documents also support stay.

    Use it when a source document was deleted.
    """
    with neo4j_sink(neo4j_settings(neo4j_uri, neo4j_database)) as sink:
        removed = api.retract(documents, store=store or default_store(), sink=sink, mapping=mapping)
    typer.echo(f"retracted {removed} of {len(documents)} document(s)")
    if removed < len(documents):
        raise typer.Exit(3)
