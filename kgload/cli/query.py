"""``kgload query``: a SPARQL query on the embedded store — a table for people, or the W3C result
formats (and RDF for CONSTRUCT/DESCRIBE) for tools."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from kgload import api
from kgload.cli.errors import fail, user_errors
from kgload.cli.options import StoreOpt
from kgload.sparql import answer
from kgload.tables import format_rows


def query_text(sparql: str | None, file: Path | None) -> str:
    """The query given inline, as @FILE or with --file."""
    if file is None and sparql and sparql.startswith("@"):
        file = Path(sparql[1:])
    if file is not None:
        try:
            sparql = file.read_text("utf-8")
        except OSError as exc:
            raise fail(f"cannot read {file}: {exc.strerror}", 2) from None
    if not sparql:
        raise fail("give a query, @FILE or --file", 2)
    return sparql


@user_errors
def query_command(
    sparql: Annotated[
        str | None,
        typer.Argument(help="A SPARQL query, or @FILE to read it from a file.", show_default=False),
    ] = None,
    file: Annotated[Path | None, typer.Option("--file", "-q", help="Read the query from this file.")] = None,
    store: StoreOpt = None,
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            help="SELECT: table (default), json, xml, csv or tsv (W3C SPARQL 1.1 results); ASK: table, json or "
            "xml; CONSTRUCT/DESCRIBE: turtle (default), ntriples, rdfxml or jsonld.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Run a SPARQL query (SELECT, ASK, CONSTRUCT or DESCRIBE) on the embedded store.

    The common prefixes (kg:, rdf:, rdfs:, owl:, skos:, prov:, dcterms:, schema:, xsd:, wd:)
    are predeclared. The default graph is the union of all loaded documents.
    """
    text = query_text(sparql, file)
    fmt = (output or "table").lower()
    with api.open_store(store, read_only=True) as target, answer(target, text) as result:
        if fmt == "table" and result.kind == "select":
            typer.echo(format_rows(result.variables, list(result.rows()), "table"))
        elif fmt == "table" and result.kind == "ask":
            typer.echo("true" if result.boolean else "false")
        else:  # the W3C formats, and RDF for a graph (which has no table)
            result.write(sys.stdout.buffer, result.default_format() if fmt == "table" else fmt)
            sys.stdout.buffer.flush()
