"""The options several commands share, defined once so that their names and help agree."""

from __future__ import annotations

from enum import StrEnum
from importlib import metadata
from pathlib import Path
from typing import Annotated

import typer

from kgload.defaults import LOAD_BATCH
from kgload.validate import ENGINES
from kgload.version import __version__

_SCHEMES = "(bolt://, neo4j://, neo4j+s://). Login from NEO4J_USERNAME / NEO4J_PASSWORD (or NEO4J_PASSWORD_FILE)."

Inputs = Annotated[
    list[Path],
    typer.Argument(metavar="INPUT", help="Input files or folders (folders are read recursively).", show_default=False),
]
MappingOpt = Annotated[
    Path | None, typer.Option("--mapping", "-m", help="Mapping YAML. Default: the bundled mappings/kgload.yaml.")
]
FormatOpt = Annotated[
    str | None,
    typer.Option(
        "--format",
        "-f",
        help="Input format (a reader or a shipped source mapping: acled, gdelt, icews, ucdp-ged...), or the path "
        "of a source mapping YAML. Default: detected from the file's name and first bytes.",
    ),
]
ConfigOpt = Annotated[Path, typer.Option("--config", "-c", help="Run configuration (YAML); see docs/scheduling.md.")]
StoreOpt = Annotated[
    Path | None,
    typer.Option("--store", "-s", envvar="KGLOAD_STORE", help="Embedded store folder. Default: .kgload/store"),
]
# --neo4j-uri says what the command does with the server, so it comes in three wordings
Neo4jUriOpt = Annotated[
    str | None,
    typer.Option("--neo4j-uri", envvar="NEO4J_URI", help=f"Load into this Neo4j {_SCHEMES}", show_default=False),
]
LedgerNeo4jUriOpt = Annotated[
    str | None,
    typer.Option(
        "--neo4j-uri",
        envvar="NEO4J_URI",
        help=f"Use this Neo4j instead of the embedded store {_SCHEMES}",
        show_default=False,
    ),
]
ExportNeo4jUriOpt = Annotated[
    str | None,
    typer.Option(
        "--neo4j-uri",
        envvar="NEO4J_URI",
        help=f"Export from this Neo4j instead of the embedded store {_SCHEMES}",
        show_default=False,
    ),
]
Neo4jDbOpt = Annotated[
    str | None,
    typer.Option(
        "--neo4j-database",
        envvar="NEO4J_DATABASE",
        help="Neo4j database. Default: the server's default.",
        show_default=False,
    ),
]
ValidateOpt = Annotated[
    bool,
    typer.Option(
        "--validate/--no-validate",
        help="Check mapped records against the SHACL shapes first (violations are rejected). "
        "Off for fastest bulk loads.",
    ),
]
ShaclEngine = StrEnum("ShaclEngine", {name: name for name in ENGINES})  # kgload.validate.ENGINES, as choices


def _engine_name(value: ShaclEngine | None) -> str | None:
    return None if value is None else str(value)  # a plain string for the library (and the workers' pickles)


ShaclEngineOpt = Annotated[
    ShaclEngine | None,
    typer.Option(
        "--shacl-engine",
        callback=_engine_name,
        # no envvar here: the library reads KGLOAD_SHACL_ENGINE, after a run configuration's shacl_engine
        help="SHACL engine: compiled (the shapes compiled into checks) or pyshacl (the reference, slower); "
        "both give the same verdicts. Default: options.shacl_engine (kgload run), else "
        "KGLOAD_SHACL_ENGINE, else compiled.",
        show_default=False,
    ),
]
WorkersOpt = Annotated[
    int | None,
    typer.Option(
        "--workers",
        "-j",
        min=1,
        help="Processes that map and validate in parallel. Default: every usable core.",
    ),
]
RejectsOpt = Annotated[
    Path | None,
    typer.Option(
        "--rejects", help="File that keeps rejected records (JSON lines). Default: .kgload/rejects/<run>.jsonl"
    ),
]
ForceOpt = Annotated[bool, typer.Option("--force", help="Reload documents even when their fingerprint is unchanged.")]
BatchSizeOpt = Annotated[
    int | None,
    typer.Option(
        "--batch-size",
        min=1,
        max=100_000,
        help=f"Documents per transaction (default {LOAD_BATCH}): larger batches hold more in memory.",
    ),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kgload {__version__}")
        typer.echo(_driver_version())
        raise typer.Exit()


def _driver_version() -> str:
    # The driver's Rust encoder makes Neo4j loads faster (docs/benchmarks.md), and nothing
    # else tells a user whether it is installed.
    driver = metadata.version("neo4j")
    try:
        return f"neo4j driver {driver} with neo4j-rust-ext {metadata.version('neo4j-rust-ext')}"
    except metadata.PackageNotFoundError:
        return f"neo4j driver {driver} without neo4j-rust-ext (pip install 'kgload[fast]' for faster Neo4j loads)"


VersionOpt = Annotated[
    bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
]
LogFormatOpt = Annotated[str, typer.Option("--log-format", help="text, or json (one JSON object per line on stderr).")]
LogLevelOpt = Annotated[str, typer.Option("--log-level", help="debug, info, warning or error.")]
