"""Logging for people (text) and for machines (``--log-format json``: one JSON object a line)."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")})
        return json.dumps(entry, ensure_ascii=False, default=str)


def setup(fmt: str = "text", level: str = "warning", stream: TextIO | None = None) -> None:
    """Configure the ``kgload`` logger only: other libraries' loggers (the Neo4j driver's
    among them) stay silent, so nothing they might print reaches the logs by accident."""
    logger = logging.getLogger("kgload")
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter("kgload: %(levelname)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(level.upper())
    logger.propagate = False
    # Without a handler of its own, the driver's warnings ("Transaction failed and will be
    # retried…") would reach stderr through logging's last-resort handler, JSON logs or not.
    # rdflib and pyshacl log a warning with a traceback for a literal they cannot convert; kgload checks
    # its literals itself, so those would only break JSON logs.
    for name in ("neo4j", "rdflib", "pyshacl"):
        other = logging.getLogger(name)
        if not any(isinstance(h, logging.NullHandler) for h in other.handlers):
            other.addHandler(logging.NullHandler())
    # Python warnings (warnings.warn) go through the kgload handler, in the chosen format, not raw to stderr.
    logging.captureWarnings(True)
    captured = logging.getLogger("py.warnings")
    captured.handlers = [handler]
    captured.propagate = False
