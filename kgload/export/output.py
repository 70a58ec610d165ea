"""Where an export goes: a file written under a temporary name and renamed when complete (a
failed export never leaves half a file), standard output, or a folder; and the progress bar."""

from __future__ import annotations

import contextlib
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


@contextlib.contextmanager
def atomic(path: Path, mode: str = "wb") -> Iterator[IO]:
    text = {} if "b" in mode else {"encoding": "utf-8", "newline": ""}
    try:
        # closed by the with-block below, then renamed into place: not a leaked handle
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115
            mode, dir=path.parent, prefix=f".{path.name}.", suffix=".part", delete=False, **text
        )
    except OSError as exc:
        raise unwritable(path, exc) from None
    part = Path(handle.name)
    try:
        with handle:
            yield handle
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
