"""``kgload serve``: the embedded store as a read-only SPARQL 1.1 Protocol endpoint on this machine."""

from __future__ import annotations

import logging
import signal
from types import FrameType
from typing import Annotated

import typer

from kgload.cli.errors import user_errors
from kgload.cli.options import StoreOpt
from kgload.defaults import SERVE_HOST, SERVE_PORT, default_store
from kgload.sparql.serve import serve

log = logging.getLogger("kgload.cli")


@user_errors
def serve_command(
    store: StoreOpt = None,
    host: Annotated[
        str,
        typer.Option("--host", help=f"Listen on this address (another than {SERVE_HOST} opens it to the network)."),
    ] = SERVE_HOST,
    port: Annotated[int, typer.Option("--port", "-p", min=0, max=65535, help="Listen on this port.")] = SERVE_PORT,
) -> None:
    """Serve the embedded store as a read-only SPARQL 1.1 endpoint (YASGUI, rdflib, SPARQLWrapper…).

    Queries go to http://HOST:PORT/sparql by GET or POST; answers in the format the client
    asks for (SPARQL results JSON, XML, CSV, TSV; Turtle, N-Triples, RDF/XML, JSON-LD). Every
    request sees the latest finished load. Ctrl-C or SIGTERM (systemd, ``kill``) stops it.
    """
    server = serve(store if store is not None else default_store(), host, port)
    # set here, not inherited: a shell without job control starts `kgload serve &` with SIGINT ignored
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _stop)
    typer.echo(f"kgload serve: SPARQL endpoint {server.url} (read-only; Ctrl-C stops)", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        typer.echo("kgload serve: stopped", err=True)
    finally:
        server.server_close()


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt
