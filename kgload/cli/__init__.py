"""The ``kgload`` command: a thin layer over ``kgload.api``.

``app`` creates the typer app and registers the commands, one module per command or group (``load``,
``run``, ``map``, ``query``, ``runs`` with ``retract``, ``check``, ``export``); ``options`` defines the
options they share and ``errors`` turns the library's errors into one line on stderr and an exit code.
"""

from kgload.cli.app import app, main

__all__ = ["app", "main"]
