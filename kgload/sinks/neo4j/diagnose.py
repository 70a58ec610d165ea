"""Why a Neo4j connection failed, in words an operator can act on.

The driver says "ServiceUnavailable" for a stopped server, a wrong port, an unknown host and a
TLS mismatch alike. When it does, ``cause`` probes the address itself — name resolution, a TCP
connection, the Bolt handshake, TLS — and names what it found and what to do.
"""

from __future__ import annotations

import socket
import ssl
import urllib.parse

from kgload.defaults import NEO4J_USERNAME
from kgload.sinks.neo4j.settings import Neo4jSettings

BOLT_PORT = 7687
PROBE_TIMEOUT = 5.0
# Bolt's preamble, then four protocol versions we would accept (5.x down to 4.2)
HANDSHAKE = bytes.fromhex("6060b017") + bytes.fromhex("00000405 00000404 00000104 00000204".replace(" ", ""))
TLS_SCHEMES = ("bolt+s", "bolt+ssc", "neo4j+s", "neo4j+ssc")


def address(uri: str) -> tuple[str, int, str]:
    parts = urllib.parse.urlsplit(uri)
    return parts.hostname or "localhost", parts.port or BOLT_PORT, parts.scheme


def cause(settings: Neo4jSettings, timeout: float = PROBE_TIMEOUT) -> str:
    """What stands between us and a Bolt server at ``settings.uri``, with what to do about it."""
    host, port, scheme = address(settings.uri)
    where = f"{host}:{port}"
    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        return f"unknown host {host!r}: check the host name in the URI (NEO4J_URI or --neo4j-uri)"
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except ConnectionRefusedError:
        return (
            f"connection refused at {where}: is Neo4j running, and listening for Bolt on port {port}? "
            f"(server.bolt.listen_address; the default Bolt port is {BOLT_PORT})"
        )
    except TimeoutError:
        return f"no answer from {where} within {timeout:.0f} s: a firewall, or the wrong address"
    except OSError as exc:
        return f"cannot reach {where}: {exc.strerror or exc}"
    with sock:
        if scheme in TLS_SCHEMES:
            return _tls(sock, host, where, scheme, timeout)
        found = _bolt(sock, where, timeout)
    if "did not answer the Bolt handshake" in found and _speaks_http(host, port, timeout):
        return _HTTP.format(where=where, bolt=BOLT_PORT)
    return found


_HTTP = "{where} is an HTTP port, not Bolt: the Browser's port is 7474, Bolt's is {bolt} (use bolt://host:{bolt})"


def _speaks_http(host: str, port: int, timeout: float) -> bool:
    """An HTTP server waits for a request line, so a silent port may be one: ask it."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(b"HEAD / HTTP/1.0\r\nHost: " + host.encode("ascii", "replace") + b"\r\n\r\n")
            return sock.recv(5) == b"HTTP/"
    except OSError:
        return False


def _bolt(sock: socket.socket, where: str, timeout: float) -> str:
    try:
        sock.settimeout(timeout)
        sock.sendall(HANDSHAKE)
        answer = sock.recv(4)
    except TimeoutError:
        return f"{where} accepted the connection but did not answer the Bolt handshake within {timeout:.0f} s"
    except OSError as exc:
        return f"{where} closed the connection during the Bolt handshake ({exc.strerror or exc})"
    if answer[:1] in (b"\x15", b"\x16"):  # a TLS alert or handshake record
        return f"{where} requires TLS: use bolt+s:// or neo4j+s:// (bolt+ssc:// for a self-signed certificate)"
    if answer.startswith(b"HTTP") or answer[:1] == b"<":
        return _HTTP.format(where=where, bolt=BOLT_PORT)
    if len(answer) == 4 and answer[:2] == b"\x00\x00":
        return f"{where} speaks Bolt, but the driver could not open a session there (see the server's logs)"
    return f"{where} is not a Bolt port (it answered {answer[:16]!r}); the default Bolt port is {BOLT_PORT}"


def _tls(sock: socket.socket, host: str, where: str, scheme: str, timeout: float) -> str:
    context = ssl.create_default_context()
    if scheme.endswith("+ssc"):
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    try:
        with context.wrap_socket(sock, server_hostname=host) as secure:
            return _bolt(secure, where, timeout)  # type: ignore[arg-type]
    except ssl.SSLCertVerificationError as exc:
        return (
            f"TLS to {where}: the server's certificate is not trusted ({exc.verify_message}); "
            f"use {scheme.split('+')[0]}+ssc:// for a self-signed certificate"
        )
    except ssl.SSLError as exc:
        return (
            f"TLS to {where} failed ({exc.reason or exc}): if the server has no TLS on this port, "
            f"use {scheme.split('+')[0]}:// instead of {scheme}://"
        )
    except TimeoutError:
        plain = scheme.split("+")[0]
        return f"TLS to {where}: no TLS handshake within {timeout:.0f} s: use {plain}:// if the server has no TLS"
    except OSError as exc:
        return f"TLS to {where} failed ({exc.strerror or exc}): use {scheme.split('+')[0]}:// if the server has no TLS"


def auth_failure(settings: Neo4jSettings) -> str:
    if settings.password is None:
        return (
            "the server asks for a login and no password was given: set NEO4J_PASSWORD or "
            f"NEO4J_PASSWORD_FILE (and NEO4J_USERNAME, default {NEO4J_USERNAME})"
        )
    return (
        f"authentication failed for user {settings.username or NEO4J_USERNAME!r}: check NEO4J_USERNAME and "
        "NEO4J_PASSWORD (or NEO4J_PASSWORD_FILE)"
    )


def database_error(settings: Neo4jSettings, code: str, message: str) -> str:
    if code.endswith("DatabaseNotFound"):
        return (
            f"database {settings.database!r} does not exist on this server: `SHOW DATABASES` lists them "
            "(set NEO4J_DATABASE or --neo4j-database, or leave it unset for the default database)"
        )
    if code.endswith("DatabaseUnavailable"):
        name = settings.database or "(default)"
        return f"database {name!r} is not available right now (starting or stopped): try again later"
    return f"{code}: {message}"
