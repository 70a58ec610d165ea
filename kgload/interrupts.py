"""Ctrl-C and SIGTERM kept out of code that must not be cut in the middle.

Python raises KeyboardInterrupt wherever the main thread is. Inside the Neo4j driver's I/O that
leaves a connection half-written (a later query on it fails with a BufferError), and inside a
process pool's submit it can lose a task; such calls run with the signals held, and the
interrupt arrives as soon as they return.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM held back until the block ends, then delivered to the handlers they would have met.
    Only the main thread gets Python's signal handlers, so elsewhere nothing needs holding."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    held = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        if signal.getsignal(signum) is not None:  # None: set outside Python, which could not be put back
            held[signum] = signal.signal(signum, lambda number, frame: caught.append(number))
    try:
        yield
    finally:
        interrupted: BaseException | None = None
        for signum, handler in held.items():
            try:
                signal.signal(signum, handler)  # runs pending handlers first: a restored one may raise
            except BaseException as exc:  # re-raised below, once every handler is back
                interrupted = interrupted or exc
                signal.signal(signum, handler)
        for signum in dict.fromkeys(caught):
            signal.raise_signal(signum)
        if interrupted is not None:
            raise interrupted
