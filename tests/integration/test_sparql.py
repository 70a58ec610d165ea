"""SPARQL as SPARQL tools take it (issue 30): every query form, the W3C result formats read back by
rdflib's own result parsers, RDF for graph results, error positions in the user's lines, and
``kgload serve`` queried over the SPARQL 1.1 Protocol by rdflib's SPARQLStore and by plain HTTP."""

from __future__ import annotations

import gc
import io
import os
import socket
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from rdflib.query import Result

from kgload import api
from kgload.errors import UsageError
from kgload.sparql.serve import SparqlServer, serve
from tests.common import FIXED_RUN

# pyoxigraph reports a result freed on another thread than its own as an unraisable exception (kgload
# serve answers on many threads): here that fails the test instead of passing with a warning
pytestmark = pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")

KG = "https://w3id.org/kgload/ontology#"
CALLS = "SELECT ?a ?b ?date WHERE { ?c rdf:subject ?a ; rdf:predicate kg:called ; rdf:object ?b ; kg:date ?date }"
ASK = "ASK { ?a kg:called ?b }"
# a protocol client declares its prefixes itself
PREFIXES = "PREFIX kg: <https://w3id.org/kgload/ontology#> PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> "
CONSTRUCT = "CONSTRUCT { ?a kg:called ?b } WHERE { ?a kg:called ?b }"


@pytest.fixture(scope="module")
def store(tmp_path_factory, seed) -> Path:
    folder = tmp_path_factory.mktemp("sparql")
    api.load([seed], store=folder / "store", rejects=folder / "rejects.jsonl", run=FIXED_RUN)
    return folder / "store"


def run(query: str, fmt: str | None, store: Path) -> tuple[str, bytes]:
    out = io.BytesIO()
    kind = api.sparql_answer(query, out, fmt, store=store)
    return kind, out.getvalue()


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_select_in_every_w3c_format_reads_back_in_rdflib(store, fmt):
    kind, data = run(CALLS, fmt, store)
    assert kind == "select"
    result = Result.parse(io.BytesIO(data), format=fmt)
    rows = {(str(r["a"]), str(r["b"]), str(r["date"])) for r in result}
    assert rows and all(a.startswith("https://") and b.startswith("https://") for a, b, _ in rows)
    assert any(date.startswith("2025-06-14") for _, _, date in rows)
    if fmt in ("json", "xml", "tsv"):  # these keep term kinds: an IRI is not a literal
        row = next(iter(result))
        assert isinstance(row["a"], rdflib.URIRef) and isinstance(row["date"], rdflib.Literal)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_ask_in_w3c_formats(store, fmt):
    kind, data = run(ASK, fmt, store)
    assert kind == "ask" and Result.parse(io.BytesIO(data), format=fmt).askAnswer is True
    _, data = run("ASK { ?a kg:called kg:nobody }", fmt, store)
    assert Result.parse(io.BytesIO(data), format=fmt).askAnswer is False


@pytest.mark.parametrize("fmt", ["turtle", "ntriples", "rdfxml", "jsonld"])
def test_construct_and_describe_give_rdf(store, fmt):
    kind, data = run(CONSTRUCT, fmt, store)
    graph = rdflib.Graph().parse(
        data=data, format={"ntriples": "nt", "rdfxml": "xml", "jsonld": "json-ld"}.get(fmt, fmt)
    )
    assert kind == "graph" and len(graph) >= 1
    assert all(str(p) == KG + "called" for p in graph.predicates())
    putin = "SELECT ?p WHERE { ?p rdfs:label 'Vladimir Putin' } LIMIT 1"
    [(iri,)] = [tuple(r.values()) for r in api.query(putin, store=store)[1]]
    kind, data = run(f"DESCRIBE <{iri}>", None, store)
    assert kind == "graph" and len(rdflib.Graph().parse(data=data, format="turtle")) > 0


def test_a_format_the_answer_cannot_take_says_which_can(store):
    with pytest.raises(UsageError, match="choose one of json, xml"):
        run(ASK, "csv", store)
    with pytest.raises(UsageError, match="gives RDF"):
        run(CONSTRUCT, "json", store)


def test_syntax_errors_are_at_the_users_line(store):
    with pytest.raises(UsageError, match=r"error at 1:\d+"):
        run("SELECT * WHERE { ?s ?p }", None, store)
    with pytest.raises(UsageError, match=r"error at 3:\d+"):
        run("SELECT *\nWHERE {\n  ?s ?p }", None, store)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _failing_service(form: str = "SELECT *") -> str:
    """A query whose SERVICE call fails: pyoxigraph raises it only once the results are read."""
    return f"{form} WHERE {{ SERVICE <http://127.0.0.1:{_closed_port()}/sparql> {{ ?s ?p ?o }} }}"


@pytest.mark.parametrize(("form", "fmt"), [("SELECT *", "json"), ("SELECT *", "csv"), ("CONSTRUCT { ?s ?p ?o }", None)])
def test_a_failing_service_call_is_a_query_error(store, form, fmt):
    with pytest.raises(UsageError, match="SPARQL query failed"):
        run(_failing_service(form), fmt, store)


@pytest.mark.parametrize(
    ("form", "read"), [("SELECT *", "rows"), ("SELECT *", "write"), ("CONSTRUCT { ?s ?p ?o }", "write")]
)
def test_a_failed_read_leaves_no_pyoxigraph_result_for_another_thread_to_free(store, form, read):
    """pyoxigraph's results may only be freed on the thread that made them; a read that fails leaves
    its exception in a reference cycle, which the collector may free on any thread (a ``kgload serve``
    handler's, say): the answer must have let go of its result by then."""
    failed: list[BaseException] = []

    def query() -> None:
        try:
            if read == "rows":
                api.query(_failing_service(form), store=store)
            else:
                api.sparql_answer(_failing_service(form), io.BytesIO(), store=store)
        except UsageError as exc:
            failed.append(exc)  # kept, as a test runner's result or a log record keeps it

    worker = threading.Thread(target=query)
    worker.start()
    worker.join()
    assert failed and "SPARQL query failed" in str(failed[0])
    reports: list[str] = []
    hook = sys.unraisablehook
    sys.unraisablehook = lambda report: reports.append(f"{report.exc_type.__name__}: {report.exc_value}")
    try:
        failed.clear()
        gc.collect()  # here, on another thread than the query's
    finally:
        sys.unraisablehook = hook
    assert reports == []


def test_a_failing_service_call_is_a_one_line_error_in_the_cli(store):
    from typer.testing import CliRunner

    from kgload.cli import app

    result = CliRunner().invoke(app, ["query", _failing_service(), "--store", str(store)])
    assert result.exit_code == 2, result.output  # was 1, "internal error ... please report this"
    assert "kgload: error: SPARQL query failed" in result.output and "internal error" not in result.output


# -- kgload serve: the SPARQL 1.1 Protocol ------------------------------------------------------


@pytest.fixture(scope="module")
def endpoint(store) -> Iterator[SparqlServer]:
    server = serve(store, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def test_rdflib_sparqlstore_queries_the_endpoint(endpoint):
    for method in ("GET", "POST", "POST_FORM"):
        graph = rdflib.Graph(SPARQLStore(endpoint.url, method=method, returnFormat="json"))
        rows = list(graph.query(PREFIXES + CALLS))
        assert rows and all(isinstance(r[0], rdflib.URIRef) for r in rows), method
        assert graph.query("PREFIX kg: <https://w3id.org/kgload/ontology#> " + ASK).askAnswer is True
        built = graph.query("PREFIX kg: <https://w3id.org/kgload/ontology#> " + CONSTRUCT)
        assert len(built.graph) >= 1 and {str(p) for p in built.graph.predicates()} == {KG + "called"}
    xml = rdflib.Graph(SPARQLStore(endpoint.url, returnFormat="xml"))
    assert len(list(xml.query(PREFIXES + CALLS))) == len(rows)


def http(url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read()


def test_content_negotiation_errors_and_read_only(endpoint):
    query = urllib.parse.quote(CALLS)
    status, media, body = http(f"{endpoint.url}?query={query}", headers={"Accept": "text/csv"})
    assert status == 200 and media.startswith("text/csv") and body.startswith(b"a,b,date")
    status, media, _ = http(f"{endpoint.url}?query={query}", headers={"Accept": "text/turtle, */*;q=0.1"})
    assert status == 200 and media == "application/sparql-results+json"  # a table has no Turtle form
    status, media, body = http(
        f"{endpoint.url}?query={urllib.parse.quote(CONSTRUCT)}", headers={"Accept": "text/turtle"}
    )
    assert status == 200 and media.startswith("text/turtle") and len(rdflib.Graph().parse(data=body, format="turtle"))
    status, _, body = http(f"{endpoint.url}?query={urllib.parse.quote('SELEKT')}")
    assert status == 400 and b"SPARQL syntax error: error at 1:" in body
    update = urllib.parse.urlencode({"update": "DELETE WHERE { ?s ?p ?o }"}).encode()
    status, _, body = http(endpoint.url, update, {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 403 and b"read-only" in body
    status, _, body = http(f"{endpoint.url}?query={urllib.parse.quote(_failing_service())}")
    assert status == 400 and b"SPARQL query failed" in body
    status, _, _ = http(endpoint.url, b"DROP ALL", {"Content-Type": "application/sparql-update"})
    assert status == 403
    assert http(endpoint.url.replace("/sparql", "/other"))[0] == 404
    _, _, body = http(f"{endpoint.url}?query={urllib.parse.quote('ASK { ?a kg:called ?b }')}")
    assert b"true" in body  # the store still holds everything


def test_serve_refuses_a_folder_without_a_store(tmp_path):
    with pytest.raises(UsageError, match="no kgload store"):
        serve(tmp_path, port=0)


@pytest.mark.parametrize(
    ("stop", "background"),
    [("SIGINT", False), ("SIGINT", True), ("SIGTERM", False)],
    ids=["ctrl-c", "ctrl-c-background-job", "sigterm"],
)
def test_kgload_serve_command_answers_and_stops_on_ctrl_c(store, stop, background):
    import http.client
    import re
    import signal
    import subprocess
    import sys

    def as_background_job() -> None:  # a shell without job control starts `cmd &` with SIGINT ignored
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    kgload = Path(sys.executable).with_name("kgload")
    process = subprocess.Popen(
        [str(kgload), "serve", "--store", str(store), "--port", "0"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONFAULTHANDLER": "1"},  # a stop that hangs shows every thread's stack
        preexec_fn=as_background_job if background else None,
    )
    try:
        assert process.stderr is not None
        first = process.stderr.readline()
        found = re.search(r"SPARQL endpoint (http://127\.0\.0\.1:\d+/sparql) \(read-only", first)
        assert found, first
        graph = rdflib.Graph(SPARQLStore(found[1], returnFormat="json"))
        assert graph.query(PREFIXES + ASK).askAnswer is True
        url = urllib.parse.urlsplit(found[1])  # a browser running YASGUI keeps its connection open
        held = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        held.request("GET", url.path + "?" + urllib.parse.urlencode({"query": PREFIXES + ASK}))
        assert held.getresponse().read()
    finally:
        process.send_signal(getattr(signal, stop))
        try:
            rest = process.communicate(timeout=30)[1]
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGABRT)  # faulthandler writes the threads' stacks, then it dies
            pytest.fail(f"kgload serve did not stop on Ctrl-C within 30 s:\n{process.communicate()[1]}")
    assert process.returncode == 0 and "stopped" in rest and "Traceback" not in rest
