"""One run against one target: take the target's lock, record the run in its ledger, load,
record the outcome, let go of the lock — whatever happens in between."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime

from kgload.defaults import LOAD_BATCH, LOCK_TTL
from kgload.errors import KgloadError, RunFailed
from kgload.ledger import FAILED, RunRecord
from kgload.mapping.spec import Mapping
from kgload.model import Run, Source
from kgload.pipeline import load as pipeline_load
from kgload.report import LoadReport, RejectsFile
from kgload.sinks import Sink
from kgload.validate import ShaclValidator
from kgload.version import __version__

log = logging.getLogger("kgload.run")
# A lease is renewed once this share of its term has passed since the last renewal, not after every
# batch: each renewal is a write the server must commit (37 ms apiece beside a committing batch at
# 100k relations). The run still learns it lost the lease before writing on: to lose it, a run must
# go a whole term without renewing, and then it renews, and fails, at the next batch.
RENEW_AFTER = 0.25


def run_load(
    sources: Iterable[Source],
    sink: Sink,
    mapping: Mapping,
    *,
    run: Run,
    rejects: RejectsFile,
    batch_size: int = LOAD_BATCH,
    force: bool = False,
    validator: ShaclValidator | None = None,
    lock_ttl: int = LOCK_TTL,
    progress: Callable[[LoadReport], None] | None = None,
    workers: int = 1,
) -> LoadReport:
    sources = list(sources)
    owner = f"{socket.gethostname()}:{os.getpid()}:{run.id}"
    sink.ensure_ontology(mapping.ontology.path, mapping.base)
    renewed = time.monotonic()  # taken before the call: the lease runs from no earlier than this
    sink.acquire_lock(owner, lock_ttl)
    record = RunRecord(
        id=run.id,
        started=run.started,
        target=sink.describe(),
        kgload_version=__version__,
        mapping_hash=mapping.hash,
        inputs=[str(s.path) for s in sources],
    )
    stack = contextlib.ExitStack()
    latest: list[LoadReport] = []
    # A sink may still be committing the batch it was just given (write-behind): a batch is logged
    # as committed once the next one is handed over (the sink commits in order) or after the flush.
    unlogged: list[dict[str, object]] = []

    def log_committed() -> None:
        for counts in unlogged:
            log.info("batch committed", extra={"run": run.id, **counts})
        unlogged.clear()

    def after_batch(report: LoadReport) -> None:
        nonlocal renewed
        latest[:] = [report]
        if interrupts:  # the KeyboardInterrupt it raised may have been lost in a finaliser: stop here
            raise KeyboardInterrupt
        if time.monotonic() - renewed >= lock_ttl * RENEW_AFTER:
            renewed = time.monotonic()
            sink.renew_lock(owner, lock_ttl)  # a run that lost its lease stops before writing more
        log_committed()
        unlogged.append(
            {"documents": report.documents_read, "loaded": report.documents_loaded, "rejected": report.rejected_total}
        )
        if progress is not None:
            progress(report)

    interrupts: list[int] = []
    try:
        stack.enter_context(_noting_interrupts(interrupts))
        interrupted = sink.fail_interrupted_runs(run.id, mapping.base)
        if interrupted:
            log.warning("marked %d interrupted run(s) as failed", interrupted, extra={"run": run.id})
        sink.record_run(record, mapping.base)
        log.info("run started", extra={"run": run.id, "target": sink.describe(), "inputs": len(sources)})
        report = pipeline_load(
            sources,
            sink,
            mapping,
            run=run,
            rejects=rejects,
            batch_size=batch_size,
            force=force,
            validator=validator,
            after_batch=after_batch,
            workers=workers,
        )
        sink.flush()  # the last batch may still be committing in the background
        log_committed()
        if interrupts:
            raise KeyboardInterrupt
    except BaseException as caught:
        exc = caught
        if interrupts and not isinstance(caught, KeyboardInterrupt):
            # Ctrl-C landed inside the driver's I/O and surfaced as another error (a BufferError from
            # its half-written buffer, seen in tests/integration/test_faults.py): the run was interrupted
            exc = KeyboardInterrupt()
        record.finish(latest[0] if latest else None, FAILED, note=f"{type(exc).__name__}: {exc}"[:500])
        # settle a batch still in flight before the ledger says what happened; its error is this
        # run's failure, or a consequence of it
        with contextlib.suppress(Exception):
            sink.flush()
        try:
            sink.record_run(record, mapping.base)
        except Exception:  # the target may be what failed: the next run marks this one failed
            log.warning("could not record the failed run in the target", extra={"run": run.id})
        if _target_error(exc):  # the server went away or refused mid-run: exit 5, not "internal error"
            cause = " ".join(f"{type(exc).__name__}: {exc}".split())
            raise RunFailed(
                f"{sink.describe()}: the run failed part-way ({cause}); "
                "re-run it: committed batches are kept, the rest is redone"
            ) from None
        if exc is not caught:
            raise exc from caught
        raise
    else:
        record.finish(report)
        record.ended = record.ended or datetime.now(UTC)
        sink.record_run(record, mapping.base)
        log.info("run finished", extra={"run": run.id, "status": report.status})
        return report
    finally:
        stack.close()
        try:
            sink.release_lock(owner)
        except Exception:  # an unreleased lease expires by itself
            log.warning("could not release the target's lock; it expires in %ss", lock_ttl, extra={"run": run.id})


@contextlib.contextmanager
def _noting_interrupts(noted: list[int]) -> Iterator[None]:
    """SIGINT raises KeyboardInterrupt as Python's own handler does, and is also noted in ``noted``.

    Python runs the handler in the main thread wherever that thread is, and if it is in a finaliser
    (``__del__``) the KeyboardInterrupt is printed as "Exception ignored" and lost: a CI run of
    tests/integration/test_faults.py lost a SIGINT in the neo4j driver's ``Workspace.__del__`` and
    went on to finish, exit 0. The run checks ``noted`` after every batch, so it stops there at
    the latest. Left alone off the main thread, or when the application installed a handler of its
    own."""
    if threading.current_thread() is not threading.main_thread() or (
        signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        yield
        return

    def note(signum: int, frame: object) -> None:
        noted.append(signum)
        signal.default_int_handler(signum, frame)

    previous = signal.signal(signal.SIGINT, note)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _target_error(exc: BaseException) -> bool:
    """An error of the target (driver, server, disk), as opposed to one of kgload's own."""
    if isinstance(exc, KgloadError) or not isinstance(exc, Exception):
        return False
    import neo4j.exceptions

    return isinstance(exc, neo4j.exceptions.DriverError | neo4j.exceptions.Neo4jError | OSError)
