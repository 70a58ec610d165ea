"""How the command reports: the library's errors become one message and an exit code, here and
nowhere else, as text on stderr or, with ``--log-format json``, as a JSON log line."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import typer

from kgload.errors import EXIT_INTERRUPTED, KgloadError, MappingError

F = TypeVar("F", bound=Callable[..., Any])


class State:
    log_format = "text"


def fail(message: str, code: int, kind: str = "error") -> typer.Exit:
    if State.log_format == "json":  # a JSON log stays one JSON object a line, to its last line
        logging.getLogger("kgload.cli").error(message, extra={"error": kind, "exit_code": code})
    else:
        typer.echo(f"kgload: {kind}: {message}", err=True)
    return typer.Exit(code)


def user_errors(command: F) -> F:
    """Turn the library's errors into a message and an exit code; never a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except MappingError as exc:
            for problem in exc.problems:
                fail(str(problem), exc.exit_code, "mapping error")
            raise typer.Exit(exc.exit_code) from None
        except KgloadError as exc:
            raise fail(str(exc), exc.exit_code) from None
        except KeyboardInterrupt:
            raise fail(
                "interrupted; re-run the same command to finish (completed documents are kept)", EXIT_INTERRUPTED
            ) from None

    return wrapper  # type: ignore[return-value]
