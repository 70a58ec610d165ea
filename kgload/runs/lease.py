"""A run's lease on its target: taken at the start, renewed by a heartbeat thread, released at the end.

The heartbeat keeps the lease short (``LOCK_TTL``) whatever a batch takes, so a holder that died
without releasing it blocks the next run for less than a minute; one on this host whose process is
gone blocks it not at all.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

from kgload.errors import TargetBusy
from kgload.model import Run
from kgload.sinks import Lease

log = logging.getLogger("kgload.run")
BEATS_PER_TERM = 3  # renewals per lease term: two can fail (a slow server, a pause) before it lapses


def owner_of(run: Run) -> str:
    """Who holds a lease: ``host:pid:run-id``, enough to tell later whether that process still lives."""
    return f"{socket.gethostname()}:{os.getpid()}:{run.id}"


def holder_is_dead(owner: str) -> bool:
    """True when ``owner`` is a process of this host that no longer runs (or is a zombie); a holder on
    another host is never known dead here: its lease has to lapse."""
    host, _, rest = owner.partition(":")
    pid_text, _, _ = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    stat = Path(f"/proc/{pid}/stat")
    with contextlib.suppress(OSError, IndexError):
        return stat.read_text().rsplit(")", 1)[1].split()[0] in ("Z", "X")  # killed, not yet reaped
    return False


class HeldLease:
    """The lease while a run holds it; ``check`` raises TargetBusy once the heartbeat found it lost."""

    def __init__(self, lease: Lease, owner: str, ttl: int) -> None:
        self.lease, self.owner, self.ttl = lease, owner, ttl
        self.lost: TargetBusy | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="kgload-lease", daemon=True)

    def check(self) -> None:
        if self.lost is not None:
            raise self.lost

    def _beat(self) -> None:
        while not self._stop.wait(self.ttl / BEATS_PER_TERM):
            try:
                self.lease.renew_lock(self.owner, self.ttl)
            except TargetBusy as exc:  # another run took it: this one must write no more
                self.lost = exc
                return
            except Exception as exc:  # the server may be back before the term ends; the run hears of it anyway
                log.debug("could not renew the lease: %s", exc)


@contextlib.contextmanager
def holding(lease: Lease | None, owner: str, ttl: int) -> Iterator[HeldLease | None]:
    """Hold ``lease`` for the block (nothing to hold when the target has none), released whatever happens."""
    if lease is None:
        yield None
        return
    lease.acquire_lock(owner, ttl, holder_is_dead)
    held = HeldLease(lease, owner, ttl)
    held._thread.start()
    try:
        yield held
    finally:
        held._stop.set()
        held._thread.join(timeout=1)  # a renewal still waiting on a dead server is left to its daemon thread
        try:
            lease.release_lock(owner)
        except Exception:  # an unreleased lease lapses by itself
            log.warning("could not release the target's lock; it expires in %ss", ttl)
