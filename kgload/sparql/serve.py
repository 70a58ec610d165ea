"""``kgload serve``: the embedded store as a read-only SPARQL 1.1 Protocol endpoint, for YASGUI,
rdflib's SPARQLStore, SPARQLWrapper and other SPARQL clients.

    GET  /sparql?query=…                       (the query URL-encoded)
    POST /sparql  query=…                      (application/x-www-form-urlencoded)
    POST /sparql  <the query>                  (application/sparql-query)

The answer's format follows the Accept header (SPARQL results as JSON, XML, CSV or TSV; RDF as
Turtle, N-Triples, RDF/XML or JSON-LD for CONSTRUCT and DESCRIBE), or a ``format`` parameter.
Updates are refused (the store is opened read-only for each request, so every answer sees the
latest completed load). A bad query is a 400 whose body is the parser's message.
"""

from __future__ import annotations

import contextlib
import io
import logging
import threading
import urllib.parse
from collections.abc import Iterator
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from kgload.defaults import SERVE_HOST, SERVE_PORT
from kgload.errors import UsageError
from kgload.sinks.embedded import EmbeddedStore
from kgload.sparql import GRAPH_FORMATS, RESULT_FORMATS, Answer, QueryError, answer

__all__ = ["PATH", "SparqlServer", "serve"]

log = logging.getLogger("kgload.serve")

PATH = "/sparql"
MAX_QUERY_BYTES = 1 << 20
# media types a client may ask for -> our format names; the first of each is what we send
MEDIA: dict[str, str] = {
    **{fmt.media_type.split(";")[0]: name for name, fmt in RESULT_FORMATS.items()},
    **{fmt.media_type.split(";")[0]: name for name, fmt in GRAPH_FORMATS.items()},
    "application/json": "json",
    "text/xml": "xml",
    "application/xml": "xml",
    "text/plain": "ntriples",
    "application/x-turtle": "turtle",
}


def negotiate(accept: str, result: Answer) -> str:
    """The format of the client's most preferred media type this answer has; else the default."""
    choices: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept.split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                with contextlib.suppress(ValueError):
                    quality = float(value)
        choices.append((-quality, position, media.lower()))
    for _, _, media in sorted(choices):
        name = MEDIA.get(media)
        if name is None:
            continue
        with contextlib.suppress(UsageError):
            return result.check(name)
    return result.default_format()


class _Handler(BaseHTTPRequestHandler):
    server: SparqlServer
    protocol_version = "HTTP/1.1"
    server_version = "kgload-sparql"

    def log_message(self, format: str, *args: object) -> None:
        log.info("%s %s", self.address_string(), format % args)

    def _reply(self, status: HTTPStatus, body: bytes, media: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Access-Control-Allow-Origin", "*")  # YASGUI runs in a browser
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, status: HTTPStatus, message: str) -> None:
        self._reply(status, (message + "\n").encode("utf-8"), "text/plain; charset=utf-8")

    def do_OPTIONS(self) -> None:
        self.send_response(HTTPStatus.NO_CONTENT)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Content-Type, Accept")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        if url.path != PATH:
            self._error(HTTPStatus.NOT_FOUND, f"the SPARQL endpoint is {PATH}")
            return
        self._answer(urllib.parse.parse_qs(url.query))

    do_HEAD = do_GET

    def do_POST(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        if url.path != PATH:
            self._error(HTTPStatus.NOT_FOUND, f"the SPARQL endpoint is {PATH}")
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_QUERY_BYTES:
            self._error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"a query of more than {MAX_QUERY_BYTES} bytes")
            return
        body = self.rfile.read(length).decode("utf-8", "replace")
        media = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        params = urllib.parse.parse_qs(url.query)
        if media == "application/sparql-query":
            params["query"] = [body]
        elif media == "application/sparql-update":
            params["update"] = [body]
        elif media == "application/x-www-form-urlencoded":
            for name, values in urllib.parse.parse_qs(body).items():
                params.setdefault(name, []).extend(values)
        else:
            self._error(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, f"cannot read a request body of type {media or 'none'}")
            return
        self._answer(params)

    def _answer(self, params: dict[str, list[str]]) -> None:
        if "update" in params:
            self._error(HTTPStatus.FORBIDDEN, "this endpoint is read-only: load with kgload load")
            return
        queries = params.get("query", [])
        if len(queries) != 1:
            self._error(HTTPStatus.BAD_REQUEST, "give exactly one query parameter")
            return
        try:
            # the answer is read and let go of on this thread, the one that ran the query (pyoxigraph's
            # results may only be freed on their own thread)
            with self.server.open_store() as store, answer(store, queries[0]) as result:
                requested = params.get("format", [None])[0]
                fmt = result.check(requested) if requested else negotiate(self.headers.get("Accept", ""), result)
                out = io.BytesIO()
                result.write(out, fmt)
                media = result.media_type(fmt)
        except QueryError as exc:
            self._error(HTTPStatus.BAD_REQUEST, str(exc))
            return
        except UsageError as exc:
            self._error(HTTPStatus.NOT_ACCEPTABLE, str(exc))
            return
        if media.startswith("text/") and "charset" not in media:
            media += "; charset=utf-8"
        self._reply(HTTPStatus.OK, out.getvalue(), media)


class SparqlServer(ThreadingHTTPServer):
    """A SPARQL 1.1 Protocol server over one embedded store, read-only."""

    daemon_threads = True

    def __init__(self, store: Path, host: str = SERVE_HOST, port: int = SERVE_PORT) -> None:
        if not (store / "CURRENT").exists():
            raise UsageError(f"no kgload store at {store} (load something first: kgload load …)")
        self.store = store
        self._lock = threading.Lock()  # RocksDB opens one store at a time per process
        super().__init__((host, port), _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}{PATH}"

    @contextlib.contextmanager
    def open_store(self) -> Iterator[EmbeddedStore]:
        with self._lock:
            store = EmbeddedStore(self.store, read_only=True)
            try:
                yield store
            finally:
                store.close()


def serve(store: Path, host: str = SERVE_HOST, port: int = SERVE_PORT) -> SparqlServer:
    """A bound server (``serve_forever()`` runs it; ``port=0`` picks a free port)."""
    try:
        return SparqlServer(store, host, port)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
