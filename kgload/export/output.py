"""Where an export goes: a file written under a temporary name and renamed when complete (a
failed export never leaves half a file), standard output, or a folder; and the progress bar."""

from __future__ import annotations

import contextlib
import os
import secrets
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from kgload.errors import UsageError


def unwritable(path: Path, exc: OSError) -> UsageError:
    return UsageError(f"cannot write {path}: {exc.strerror or exc}")


def check_writable(path: Path, folder: bool = False) -> None:
    """Fail before any query runs when the output cannot be written."""
    parent = path if folder and path.is_dir() else path.parent
    if folder and not path.exists():
        parent = path.parent
    if path.exists() and not folder and path.is_dir():
        raise UsageError(f"cannot write {path}: it is a folder")
    if not parent.exists():
        raise UsageError(f"cannot write {path}: folder {parent} does not exist")
    try:
        with tempfile.NamedTemporaryFile(dir=parent, prefix=".kgload-check-"):
            pass
    except OSError as exc:
        raise unwritable(path, exc) from None


def _create_part(path: Path, binary: bool) -> tuple[IO, Path]:
    """A new file beside ``path`` created with mode 0666 less the umask, as the final file would be
    (``tempfile`` makes 0600 files, which a rename would keep)."""
    for _ in range(100):
        part = path.parent / f".{path.name}.{secrets.token_hex(4)}.part"
        try:
            fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        except FileExistsError:
            continue
        if binary:
            return os.fdopen(fd, "wb"), part
        return os.fdopen(fd, "w", encoding="utf-8", newline=""), part
    raise FileExistsError(f"no free temporary name beside {path}")


@contextlib.contextmanager
def atomic(path: Path, mode: str = "wb") -> Iterator[IO]:
    """Write ``path`` under a temporary name and rename it when complete: a failed or interrupted
    write leaves neither a partial nor an empty file, and an existing file stays as it was."""
    try:
        handle, part = _create_part(path, "b" in mode)
    except OSError as exc:
        raise unwritable(path, exc) from None
    try:
        with handle:
            yield handle
        part.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            part.unlink()
        raise


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """As ``atomic``, for a writer that opens the file itself: yields the temporary path."""
    try:
        handle, part = _create_part(path, True)
        handle.close()
    except OSError as exc:
        raise unwritable(path, exc) from None
    try:
        yield part
        part.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            part.unlink()
        raise


@contextlib.contextmanager
def stdout(binary: bool) -> Iterator[IO]:
    stream = sys.stdout.buffer if binary else sys.stdout
    yield stream
    stream.flush()


@contextlib.contextmanager
def progress(total: int, label: str, enabled: bool | None = None) -> Iterator[Callable[[int], None]]:
    """A rich progress bar on stderr when it is a terminal; nothing when output is piped."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled or total <= 0:
        yield lambda _n: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)
