"""Where the Neo4j target is and how to log in: options first, then the environment.

The password is never taken from a config file or printed: ``repr`` hides it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from kgload.defaults import NEO4J_USERNAME, ROWS_PER_STATEMENT
from kgload.errors import ConfigError


@dataclass(frozen=True)
class Neo4jSettings:
    uri: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    database: str | None = None
    rows_per_statement: int = ROWS_PER_STATEMENT

    @classmethod
    def from_env(
        cls,
        uri: str | None = None,
        username: str | None = None,
        database: str | None = None,
        password_file: Path | None = None,
    ) -> Neo4jSettings | None:
        """Settings from explicit values, else NEO4J_URI / NEO4J_USERNAME / NEO4J_PASSWORD /
        NEO4J_DATABASE (or NEO4J_PASSWORD_FILE); None when no URI is configured anywhere."""
        uri = uri or os.environ.get("NEO4J_URI")
        if not uri:
            return None
        if not uri.startswith(("bolt://", "bolt+s://", "bolt+ssc://", "neo4j://", "neo4j+s://", "neo4j+ssc://")):
            raise ConfigError(
                f"Neo4j URI must start with bolt:// or neo4j:// (optionally +s/+ssc), got {uri.split('://')[0]}://"
            )
        if "@" in uri.split("://", 1)[1].split("/", 1)[0]:  # never echo it: it may hold a password
            raise ConfigError(
                "the Neo4j URI must not carry a user or password (user:pass@host); "
                "set NEO4J_USERNAME and NEO4J_PASSWORD (or NEO4J_PASSWORD_FILE)"
            )
        password = os.environ.get("NEO4J_PASSWORD")
        password_file = password_file or (Path(p) if (p := os.environ.get("NEO4J_PASSWORD_FILE")) else None)
        if password_file is not None:
            try:
                password = password_file.read_text("utf-8").strip()
            except OSError as exc:
                raise ConfigError(f"cannot read the Neo4j password file {password_file}: {exc.strerror}") from exc
        return cls(
            uri=uri,
            username=username
            or os.environ.get("NEO4J_USERNAME")
            or os.environ.get("NEO4J_USER")
            or (NEO4J_USERNAME if password else None),
            password=password,
            database=database or os.environ.get("NEO4J_DATABASE") or None,
        )

    @property
    def auth(self) -> tuple[str, str] | None:
        if self.password is None:
            return None
        return (self.username or "neo4j", self.password)

    def describe(self) -> str:
        return f"neo4j {self.uri}" + (f" database {self.database}" if self.database else "")
