"""Start/stop a real Neo4j 5.26 Community server for tests (no Docker needed).

The server is the Maven module in ``tests/neo4j-server`` (embedded Neo4j + Bolt + APOC,
optional HTTP/Browser), driven through its bash launcher ``tests/neo4j-server/neo4j-test-server``.
This module deliberately does not import pytest; fixtures live in conftest.py.

    from tests.neo4j_server import Neo4jTestServer, find_running_server

    with Neo4jTestServer(tmp_path / "neo4j") as server:
        driver = GraphDatabase.driver(server.uri, auth=server.auth)
        ...
        server.kill()      # SIGKILL, like a crash mid-load
        server.start()     # same data dir: Neo4j recovers from its transaction log

Needs: Java 17+ and Maven on PATH (the first start builds the module, ~200 MB of downloads
on an empty ~/.m2), and the ``neo4j`` Python driver (optional: readiness then falls back
to a TCP probe).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

SERVER_DIR = Path(__file__).resolve().parent / "neo4j-server"
LAUNCHER = SERVER_DIR / "neo4j-test-server"
HOST = "127.0.0.1"


def free_port() -> int:
    """A port that was free a moment ago (the usual, slightly racy, bind-to-0 trick)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def find_running_server() -> str | None:
    """URI of an externally managed server (e.g. docker compose, CI service), if any.

    Set NEO4J_URI (and NEO4J_USERNAME/NEO4J_PASSWORD if auth is on) to skip the local launcher.
    """
    uri = os.environ.get("NEO4J_URI", "").strip()
    return uri or None


def build(timeout: float = 1800) -> None:
    """Build the server module if needed (quick no-op when already built)."""
    subprocess.run([str(LAUNCHER), "build"], check=True, timeout=timeout)


def bolt_ready(uri: str, auth: tuple[str, str] | None = None, timeout: float = 5.0) -> bool:
    """True when a Bolt handshake (or, without the driver, a TCP connect) succeeds."""
    try:
        from neo4j import GraphDatabase  # imported lazily: the driver is a test-only dependency
    except ImportError:
        host, _, port = uri.rpartition("//")[2].partition(":")
        try:
            with socket.create_connection((host, int(port or 7687)), timeout=timeout):
                return True
        except OSError:
            return False
    try:
        with GraphDatabase.driver(uri, auth=auth, connection_timeout=timeout) as driver:
            driver.verify_connectivity()
        return True
    except Exception:  # ServiceUnavailable, AuthError while starting, OSError, ...
        return False


class Neo4jTestServer:
    """One Neo4j server process bound to ``data_dir`` (which survives stop/kill/restart)."""

    def __init__(
        self,
        data_dir: Path,
        bolt_port: int | None = None,
        http_port: int | None = None,
        password: str | None = None,
    ) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.bolt_port = bolt_port if bolt_port is not None else free_port()
        self.http_port = http_port
        self.password = password

    # --- addresses -------------------------------------------------------------------

    @property
    def uri(self) -> str:
        return f"bolt://{HOST}:{self.bolt_port}"

    @property
    def http_url(self) -> str | None:
        return f"http://{HOST}:{self.http_port}" if self.http_port else None

    @property
    def auth(self) -> tuple[str, str] | None:
        """What to pass as ``auth=`` to ``GraphDatabase.driver``."""
        return ("neo4j", self.password) if self.password else None

    @property
    def log_file(self) -> Path:
        return self.data_dir / "kgload-neo4j.log"

    # --- lifecycle -------------------------------------------------------------------

    def _launcher(self, command: str, *args: str, timeout: float, env: dict[str, str] | None = None) -> str:
        result = subprocess.run(
            [str(LAUNCHER), command, "--data", str(self.data_dir), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, **(env or {})},
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"neo4j-test-server {command} failed (exit {result.returncode}):\n{result.stdout}{result.stderr}"
            )
        return result.stdout

    def start(self, timeout: float = 240) -> Neo4jTestServer:
        """Start (building first if needed) and wait until Bolt answers."""
        args = ["--port", str(self.bolt_port)]
        if self.http_port:
            args += ["--http-port", str(self.http_port)]
        if self.password:
            args += ["--password", self.password]
        # The launcher waits for the READY line itself (start timeout); a first-time Maven
        # build comes on top of that, hence the generous subprocess timeout.
        self._launcher(
            "start",
            *args,
            timeout=timeout + 1800,
            env={"KGLOAD_NEO4J_START_TIMEOUT": str(int(timeout))},
        )
        # READY means Bolt accepted a TCP connection; confirm a full Bolt handshake (+auth).
        deadline = time.monotonic() + 60
        while not bolt_ready(self.uri, self.auth):
            if time.monotonic() > deadline:
                raise TimeoutError(f"Neo4j at {self.uri} not answering; see {self.log_file}")
            time.sleep(0.5)
        return self

    def stop(self, timeout: float = 90) -> None:
        """Clean shutdown (SIGTERM, SIGKILL after KGLOAD_NEO4J_STOP_TIMEOUT=60 s)."""
        self._launcher("stop", timeout=timeout)

    def kill(self) -> None:
        """SIGKILL: simulates a crash; the store is left for Neo4j's recovery on next start."""
        self._launcher("kill", timeout=60)

    def restart(self, timeout: float = 240) -> Neo4jTestServer:
        self.stop()
        return self.start(timeout=timeout)

    def pid(self) -> int | None:
        try:
            return int((self.data_dir / "kgload-neo4j.pid").read_text().strip())
        except (OSError, ValueError):
            return None

    def is_running(self) -> bool:
        result = subprocess.run(
            [str(LAUNCHER), "status", "--data", str(self.data_dir)],
            capture_output=True,
            text=True,
            timeout=30,
        )
        return result.returncode == 0

    def __enter__(self) -> Neo4jTestServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"Neo4jTestServer(uri={self.uri!r}, data_dir={str(self.data_dir)!r})"


# --- neo4j-admin (tests/neo4j-import) -------------------------------------------------

NEO4J_ADMIN = Path(__file__).resolve().parent / "neo4j-import" / "neo4j-admin"


def build_importer(timeout: float = 1800) -> None:
    """Build the neo4j-admin module if needed (its own target/, never the server's jar)."""
    subprocess.run([str(NEO4J_ADMIN), "build"], check=True, timeout=timeout)


def import_full(folder: Path, data_dir: Path, *options: str, timeout: float = 1800) -> str:
    """Run the ``import.sh`` that ``kgload export --format neo4j-admin`` wrote into ``folder``
    with Neo4j's own importer, into the ``neo4j`` database of a fresh test server data dir.
    Start a ``Neo4jTestServer(data_dir)`` afterwards to open it. ``NEO4J_ADMIN`` is given as the
    docs give it, relative to the repository's root, where the script is started."""
    build_importer()
    root = NEO4J_ADMIN.parents[2]
    result = subprocess.run(
        ["sh", str(Path(folder).resolve() / "import.sh"), *options],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=root,
        env={
            **os.environ,
            "NEO4J_ADMIN": str(NEO4J_ADMIN.relative_to(root)),
            "NEO4J_HOME": str(Path(data_dir).resolve()),
        },
    )
    if result.returncode != 0:
        raise RuntimeError(f"neo4j-admin database import full failed (exit {result.returncode}):\n{result.stderr}")
    return result.stdout


@contextlib.contextmanager
def imported(folder: Path, data_dir: Path) -> Iterator[tuple[Neo4jTestServer, Any]]:
    """``folder``'s CSV files imported into ``data_dir`` (``import_full``, small memory, two threads), a
    server started on them and ``post-import.cypher`` applied: the server and a driver to it."""
    import neo4j

    from kgload.sinks.bulk.script import POST_IMPORT, statements

    import_full(folder, data_dir, "--max-off-heap-memory=256m", "--threads=2")
    with Neo4jTestServer(data_dir) as server:
        driver = neo4j.GraphDatabase.driver(server.uri, auth=server.auth)
        try:
            with driver.session() as session:
                for statement in statements((Path(folder) / POST_IMPORT).read_text("utf-8")):
                    session.run(statement).consume()  # CALL … IN TRANSACTIONS needs an auto-commit transaction
            yield server, driver
        finally:
            driver.close()
