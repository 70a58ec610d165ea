"""``kgload query``: a SPARQL query on the embedded store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kgload import api
from kgload.cli.errors import fail, user_errors
from kgload.cli.options import StoreOpt
from kgload.tables import format_rows


@user_errors
def query_command(
    sparql: Annotated[
        str | None, typer.Argument(help="A SPARQL SELECT query, or @FILE to read it from a file.", show_default=False)
    ] = None,
    file: Annotated[Path | None, typer.Option("--file", "-q", help="Read the query from this file.")] = None,
    store: StoreOpt = None,
    output: Annotated[str, typer.Option("--output", "-o", help="table, csv, tsv or json.")] = "table",
) -> None:
    """Run a SPARQL SELECT query on the embedded store and print the answer.

    The common prefixes (kg:, rdf:, rdfs:, owl:, skos:, prov:, dcterms:, schema:, xsd:, wd:)
    are predeclared. The default graph is the union of all loaded documents.
    """
    if file is None and sparql and sparql.startswith("@"):
        file = Path(sparql[1:])
    if file is not None:
        try:
            sparql = file.read_text("utf-8")
        except OSError as exc:
            raise fail(f"cannot read {file}: {exc.strerror}", 2) from None
    if not sparql:
        raise fail("give a query, @FILE or --file", 2)
    try:
        variables, rows = api.query(sparql, store=store)
    except SyntaxError as exc:
        raise fail(f"SPARQL syntax error: {exc}", 2) from None
    typer.echo(format_rows(variables, rows, output))
