"""Connection errors name their cause and what to do (issue 30): a stopped server, a wrong port,
an unknown host, a port that is not Bolt, no Bolt answer, TLS against a plain Bolt port, a
database that does not exist. Each against a real socket (and, where it matters, the real Neo4j)."""

from __future__ import annotations

import contextlib
import http.server
import socket
import threading
from collections.abc import Iterator

import pytest

from kgload.errors import TargetUnreachable
from kgload.sinks.neo4j import Neo4jSettings
from kgload.sinks.neo4j.diagnose import cause
from kgload.sinks.neo4j.writer import connect
from tests.neo4j_server import free_port


def refused(uri: str) -> str:
    with pytest.raises(TargetUnreachable) as caught:
        connect(Neo4jSettings(uri=uri)).close()
    return str(caught.value)


@contextlib.contextmanager
def http_port() -> Iterator[int]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def test_nothing_listening_is_connection_refused():
    port = free_port()
    message = refused(f"bolt://127.0.0.1:{port}")
    assert f"connection refused at 127.0.0.1:{port}" in message and "is Neo4j running" in message


def test_an_unknown_host_is_named():
    message = refused("bolt://no-such-host.invalid:7687")
    assert "unknown host 'no-such-host.invalid'" in message and "NEO4J_URI" in message


def test_an_http_port_is_not_bolt():
    with http_port() as port:
        message = refused(f"bolt://127.0.0.1:{port}")
    assert "is an HTTP port, not Bolt" in message and "7687" in message


def test_a_server_that_never_answers_the_handshake_times_out():
    with socket.socket() as listener:  # the kernel accepts the connection; nobody ever answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        message = cause(Neo4jSettings(uri=f"bolt://127.0.0.1:{port}"), timeout=1)
    assert "did not answer the Bolt handshake within 1 s" in message


@pytest.mark.neo4j
def test_tls_against_a_plain_bolt_port_says_to_drop_the_s(neo4j_server):
    port = neo4j_server.uri.rsplit(":", 1)[1]
    message = refused(f"bolt+s://127.0.0.1:{port}")
    assert f"TLS to 127.0.0.1:{port} failed" in message and "use bolt:// instead of bolt+s://" in message


@pytest.mark.neo4j
def test_a_missing_database_is_named_with_how_to_list_them(neo4j_server):
    with pytest.raises(TargetUnreachable) as caught:
        connect(Neo4jSettings(uri=neo4j_server.uri, database="nosuchdb")).close()
    assert "database 'nosuchdb' does not exist" in str(caught.value) and "SHOW DATABASES" in str(caught.value)
