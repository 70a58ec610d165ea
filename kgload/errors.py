"""The exceptions kgload raises.

The library never prints: it raises one of these, and the CLI turns them into a one-line
message and an exit code in one place (``kgload.cli``).
"""

from __future__ import annotations

# Exit codes, documented in docs/scheduling.md "Exit codes"; cron and systemd read them.
EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_CONFIG = 2  # a usage, mapping or configuration error: nothing was loaded
EXIT_REJECTS = 3
EXIT_UNREACHABLE = 4
EXIT_FAILED = 5
EXIT_BUSY = 75  # sysexits EX_TEMPFAIL: another run holds the target; try again later
EXIT_INTERRUPTED = 130


class KgloadError(Exception):
    """Root of every error kgload raises on purpose."""

    exit_code = EXIT_INTERNAL


class UsageError(KgloadError):
    """A command was called with arguments that cannot work (missing file, bad option)."""

    exit_code = EXIT_CONFIG


class MappingError(KgloadError):
    """A mapping or ontology file is broken. Nothing was loaded."""

    exit_code = EXIT_CONFIG

    def __init__(self, problems: list[MappingProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class MappingProblem:
    """One thing wrong in a mapping file, located so that a person can fix it."""

    def __init__(self, file: str, line: int | None, key: str, message: str, fix: str = "") -> None:
        self.file = file
        self.line = line
        self.key = key
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        text = f"{where}: {self.key}: {self.message}"
        return f"{text} ({self.fix})" if self.fix else text

    def __repr__(self) -> str:
        return f"MappingProblem({self!s})"


class ConfigError(KgloadError):
    """A run configuration is broken. Nothing was loaded."""

    exit_code = EXIT_CONFIG


class TargetUnreachable(KgloadError):
    """The store or server to load into could not be reached or opened."""

    exit_code = EXIT_UNREACHABLE


class RunFailed(KgloadError):
    """The target failed part-way through a run (e.g. the server went away). Committed batches
    are kept; a re-run finishes the rest."""

    exit_code = EXIT_FAILED


class TargetFailed(KgloadError):
    """The target's driver or server failed an operation (connection lost, server error): what a
    sink raises instead of its driver's own errors."""

    exit_code = EXIT_FAILED


class TargetBusy(KgloadError):
    """Another kgload run holds the target's lock. Nothing was loaded; try again later."""

    exit_code = EXIT_BUSY


class TargetInUse(TargetBusy, TargetUnreachable):
    """The target cannot be opened because another process holds it right now (the embedded
    store's lock): busy rather than broken, so exit 75 like a held lease."""

    exit_code = EXIT_BUSY
