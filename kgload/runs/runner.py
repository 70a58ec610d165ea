"""One run against one target: take the target's lock, record the run in its ledger, load,
record the outcome, let go of the lock — whatever happens in between."""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime

from kgload.errors import RunFailed, TargetFailed
from kgload.ledger import RunRecord
from kgload.mapping.spec import Mapping
from kgload.model import Run, Source
from kgload.pipeline import Load, LoadOptions
from kgload.report import FAILED, LoadReport
from kgload.runs.lease import HeldLease, holding, owner_of
from kgload.sinks import Ledger, Sink, lease_of, ledger_of
from kgload.version import __version__

log = logging.getLogger("kgload.run")


def run_load(
    sources: Iterable[Source],
    sink: Sink,
    mapping: Mapping,
    options: LoadOptions,
    *,
    run: Run,
    progress: Callable[[LoadReport], None] | None = None,
) -> LoadReport:
    sources = list(sources)
    ledger = ledger_of(sink)
    sink.ensure_ontology(mapping.ontology.path, mapping.base)
    with holding(lease_of(sink), owner_of(run), options.lock_ttl) as lease:
        return _recorded(Load(sources, sink, mapping, options, run=run), ledger, lease, progress)


def _recorded(
    load: Load,
    ledger: Ledger | None,
    lease: HeldLease | None,
    progress: Callable[[LoadReport], None] | None,
) -> LoadReport:
    """Run ``load`` with its run recorded in the target's ledger, from start to outcome."""
    sink, run, base = load.sink, load.current_run, load.mapping.base
    record = RunRecord(
        id=run.id,
        started=run.started,
        target=sink.describe(),
        kgload_version=__version__,
        mapping_hash=load.mapping.hash,
        inputs=[str(s.path) for s in load.sources],
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
        latest[:] = [report]
        if interrupts:  # the KeyboardInterrupt it raised may have been lost in a finaliser: stop here
            raise KeyboardInterrupt
        if lease is not None:
            lease.check()  # a run that lost its lease stops before writing more
        log_committed()
        unlogged.append(
            {"documents": report.documents_read, "loaded": report.documents_loaded, "rejected": report.rejected_total}
        )
        if progress is not None:
            progress(report)

    load.after_batch = after_batch
    interrupts: list[int] = []
    try:
        stack.enter_context(_noting_interrupts(interrupts))
        if ledger is not None:
            interrupted = ledger.fail_interrupted_runs(run.id, base)
            if interrupted:
                log.warning("marked %d interrupted run(s) as failed", interrupted, extra={"run": run.id})
            ledger.record_run(record, base)
        log.info("run started", extra={"run": run.id, "target": sink.describe(), "inputs": len(load.sources)})
        report = load.run()
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
        # finish a batch still in flight before the ledger says what happened; its error is this
        # run's failure, or a consequence of it
        with contextlib.suppress(Exception):
            sink.flush()
        try:
            if ledger is not None:
                ledger.record_run(record, base)
        except Exception:  # the target may be what failed: the next run marks this one failed
            log.warning("could not record the failed run in the target", extra={"run": run.id})
        if isinstance(exc, TargetFailed | OSError):  # the target went away or refused mid-run: exit 5
            cause = " ".join(f"{type(exc).__name__}: {exc}".split())
            raise RunFailed(
                f"{sink.describe()}: the run failed part-way ({cause}); re-run it once the target is back: "
                "committed batches are kept, the rest is redone"
            ) from None
        if exc is not caught:
            raise exc from caught
        raise
    else:
        record.finish(report)
        record.ended = record.ended or datetime.now(UTC)
        if ledger is not None:
            ledger.record_run(record, base)
        log.info("run finished", extra={"run": run.id, "status": report.status})
        return report
    finally:
        stack.close()


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
