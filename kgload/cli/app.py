"""The ``kgload`` typer app: global options, and every command registered under its name."""

from __future__ import annotations

import sys

import typer
from typer.core import TyperArgument, TyperCommand

from kgload import logs
from kgload.cli.check import check_mapping_command, schema_command
from kgload.cli.errors import State, fail
from kgload.cli.export import export_command
from kgload.cli.load import load_command
from kgload.cli.map import map_command
from kgload.cli.options import LogFormatOpt, LogLevelOpt, VersionOpt
from kgload.cli.query import query_command
from kgload.cli.resolve import resolve_command
from kgload.cli.run import run_command
from kgload.cli.runs import retract_command, runs_command
from kgload.cli.serve import serve_command
from kgload.errors import EXIT_INTERNAL


class Command(TyperCommand):
    """A command whose usage line names its arguments as people write them: ``INPUT...``, ``[INPUT]...``."""

    def collect_usage_pieces(self, ctx: typer.Context) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument):
                # typer writes a required argument as {NAME}, which reads as a set, not a name
                name = param.metavar or (param.name or "").upper()
                name = name if param.required else f"[{name}]"
                pieces.append(name + ("..." if param.nargs != 1 else ""))
            else:
                pieces.extend(param.get_usage_pieces(ctx))
        return pieces


app = typer.Typer(
    name="kgload",
    help="Load extracted geopolitical entities and relations into a knowledge graph "
    "(RDF, an embedded store, or Neo4j).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


@app.callback()
def main_options(
    version: VersionOpt = False,
    log_format: LogFormatOpt = "text",
    log_level: LogLevelOpt = "warning",
) -> None:
    """kgload reads extracted entities and relations, maps them through a YAML mapping onto an OWL
    ontology into RDF, and loads them into an embedded store (default) or Neo4j.

    Exit codes: 0 all loaded; 3 loaded, but some records were rejected (see the rejects file);
    2 usage, config or mapping error, nothing loaded; 4 target unreachable; 5 the run failed
    part-way (re-run it: finished batches are kept, the rest is redone); 75 another run holds
    the target, try later; 130 interrupted; 1 internal error.
    """
    if log_format not in ("text", "json"):
        raise typer.BadParameter("--log-format is text or json")
    if log_level.lower() not in ("debug", "info", "warning", "error"):
        raise typer.BadParameter("--log-level is debug, info, warning or error")
    State.log_format = log_format
    logs.setup(log_format, log_level)


for name, command in (
    ("map", map_command),
    ("load", load_command),
    ("run", run_command),
    ("runs", runs_command),
    ("retract", retract_command),
    ("export", export_command),
    ("query", query_command),
    ("resolve", resolve_command),
    ("serve", serve_command),
    ("check-mapping", check_mapping_command),
    ("schema", schema_command),
):
    app.command(name, cls=Command)(command)


def main() -> None:
    try:
        # the name is fixed so that `python -m kgload` shows, and completes, the command people type
        app(prog_name="kgload")
    except SystemExit:
        raise
    except Exception as exc:  # a bug, not a user error: say so plainly, with a way to report it
        fail(f"{type(exc).__name__}: {exc} (please report this)", EXIT_INTERNAL, "internal error")
        sys.exit(EXIT_INTERNAL)
