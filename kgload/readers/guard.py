"""Reading a file that turns out unreadable (permissions, an I/O error) is bad input, not a failed run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

from kgload.records import Origin, Reject

T = TypeVar("T")


def readable(path: Path, records: Iterator[T]) -> Iterator[T | Reject]:
    """``records``, ending in a Reject when the file cannot be read, so that the run goes on and exits 3
    instead of blaming its target for an OSError (exit 5)."""
    count = 0
    try:
        for item in records:
            yield item
            count += 1
    except OSError as exc:
        after = f" after {count} records" if count else ""
        yield Reject(Origin(str(path), 1), f"cannot read the file{after}: {exc.strerror or exc}")
