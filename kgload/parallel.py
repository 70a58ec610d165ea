"""Mapping across processes: documents are independent, so chunks of them map (and validate) in worker
processes while the parent reads, writes, and keeps the run's order.

The one thing the serial path shares between documents is the tenure index: a role mention ("the US
President") resolves through the tenures stated by documents mapped earlier in the run. A worker maps
with the tenures it knows and records every lookup it made and every tenure it learned; the parent
replays that record in input order against the run's own index (kgload.mapping.tenures: TenureRecorder,
replay). When every lookup gives the answer the worker saw, the worker's result is the one the serial
path gives (mapping is deterministic given those answers); when one does not, because an earlier
document another worker was mapping stated a tenure, the parent maps that document again itself. The
output is the serial path's, whatever the worker count.

What crosses the process boundary is cheap to pickle: records or raw JSONL lines in, serialised RDF or
the sink's rows out. Pickling pyoxigraph quads costs more than mapping them, so a worker serialises each
document and the parent writes the bytes (``kgload map``) or parses N-Quads back (``kgload load`` into
the embedded store); a sink that takes rows (Neo4j, the bulk export) hands the workers its ``preparer``,
so they send rows. Those come back in a file per task (``_spool``), not through the pool's pipe. kgload's
own JSONL goes in as raw lines (``Line``): the worker reads each line as the serial reader does
(kgload.document) and sends back its read rejects with the document, so the parent only splits lines.
The measurements behind these choices are in docs/benchmarks.md ("Measurements behind the code").
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import pickle
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kgload.collector import freeze_worker_setup
from kgload.document import identity, map_document, read_line
from kgload.interrupts import signals_held
from kgload.mapping.spec import Mapping
from kgload.mapping.tenures import Event, Learned, LearningIndex, TenureIndex, TenureRecorder, replay
from kgload.model import MappedDocument, Run
from kgload.rdf.serialize import STREAMABLE, serialise
from kgload.readers import kgload_json
from kgload.readers.json_input import Line
from kgload.records import Extraction, Reject
from kgload.sinks import Preparer
from kgload.validate import ShaclValidator

CHUNK = 25  # documents per task: small enough to spread a batch over the workers, big enough to amortise pickling
SCAN_CHUNK = 125  # lines per scan-only task: a scan costs a fraction of a mapping, so a task's overhead weighs more
NQUADS = "nquads"


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # a container or taskset may grant fewer than cpu_count()
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def resolve_workers(workers: int | None) -> int:
    """``None``: every usable core; at least 1. The pipeline starts no pool for one batch of input or less.

    With or without SHACL: workers read kgload's JSONL themselves (the parent only splits lines), so
    mapping without validation parallelises too.
    """
    if workers is None:
        return usable_cores()
    return max(1, workers)


def payload_format(rdf_format: str | None) -> str:
    """What workers serialise to: the output format itself when it streams (the parent only writes the
    bytes), else N-Quads that the parent parses back into quads."""
    return rdf_format if rdf_format in STREAMABLE else NQUADS


def parse_nquads(data: bytes) -> list[ox.Quad]:
    return list(ox.parse(data, format=ox.RdfFormat.N_QUADS)) if data else []


@dataclass
class Outcome:
    """One document mapped in a worker. ``doc`` comes without its source record (the parent has it, or for a
    ``Line`` has no use for it) and without quads (they travel serialised as ``payload``). For a ``Line``,
    ``read`` holds the rejects reading it gave, in the reader's order, and ``doc`` is None when the whole
    record was rejected."""

    doc: MappedDocument | None
    payload: bytes
    events: list[Event]
    read: list[Reject] = field(default_factory=list)
    prepared: bool = False  # ``payload`` is what the sink's preparer made of the quads, pickled
    span: tuple[int, int] | None = None  # where ``payload`` is in its task's spool file, while it is there


Work = Extraction | Line  # a record to map, or a JSONL line to read and then map


@dataclass(frozen=True)
class Task:
    documents: list[Work]
    log_start: int  # the parent's learned tenures from this position on
    log: tuple[Learned, ...]
    scan: bool = False  # lines to scan and map in one pass: a Scan (with its outcome) per line


@dataclass(frozen=True)
class Scan:
    """One line read in a worker for a load, before deciding whether to map it: its read rejects, and the
    document's IRI and fingerprint (None when the whole record was rejected). ``outcome``: the document
    mapped at once, when the parent expects it to be changed (``ProcessMapper.scan(speculate=True)``)."""

    read: list[Reject]
    key: tuple[str, str] | None
    outcome: Outcome | None = None


@dataclass
class Done:
    outcomes: list[Any]  # Outcome per document mapped, Scan per line scanned
    pid: int
    seen: int  # how much of the parent's tenure log this worker holds
    spooled: str | None = None  # the file holding the outcomes' payloads (see ``_spool``)


@dataclass(frozen=True)
class Setup:
    mapping: Mapping
    run: Run
    validator: ShaclValidator | None
    tenures: TenureIndex
    payload: str
    parent: int
    prepare: Preparer | None = None  # the sink's, applied here (Sink.preparer)
    spool: str | None = None  # a folder for the payloads of each task (see ``_spool``)
    tenures_file: str | None = None  # ``tenures`` saved, when it is on disk (a connection does not fork)


@dataclass
class _Worker:
    setup: Setup
    seen: int = 0
    tasks: int = 0


_worker: _Worker | None = None


def _start_worker(setup: Setup) -> None:
    global _worker
    _die_with_parent(setup.parent)
    # Ctrl-C reaches the whole process group: the parent alone decides to stop, then shuts the pool down.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if setup.tenures_file is not None:  # the parent's SQLite connection is not used across the fork
        setup = replace(setup, tenures=TenureIndex.load(setup.tenures_file))
    _worker = _Worker(setup)
    freeze_worker_setup()


def _die_with_parent(parent: int) -> None:
    """A parent killed outright (SIGKILL) cannot shut its pool down: have Linux stop the worker instead."""
    if sys.platform == "linux":
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _saved(tenures: TenureIndex) -> str | None:
    """The file a tenure index on disk is saved to for the workers to copy; None when it is in memory."""
    if not tenures.on_disk:
        return None
    handle, path = tempfile.mkstemp(prefix="kgload-tenures-", suffix=".sqlite")
    os.close(handle)
    tenures.save(path)
    return path


def _map_task(task: Task) -> Done:
    worker = _worker
    assert worker is not None, "the pool's initializer did not run"
    setup = worker.setup
    for position, (office, of_iri, holding) in enumerate(task.log, start=task.log_start):
        if position >= worker.seen:
            setup.tenures.add(office, of_iri, holding)
    worker.seen = max(worker.seen, task.log_start + len(task.log))
    outcomes: list[Any] = []
    for work in task.documents:
        read: list[Reject] = []
        extraction = work if isinstance(work, Extraction) else read_line(work, read)
        if task.scan:
            key = identity(extraction, setup.mapping) if extraction is not None else None
            outcome = _map_one(extraction, setup, []) if extraction is not None else None
            outcomes.append(Scan(read, key, outcome))  # the read rejects go once, with the scan
        elif extraction is None:
            outcomes.append(Outcome(None, b"", [], read))
        else:
            outcomes.append(_map_one(extraction, setup, read))
    worker.tasks += 1
    return Done(outcomes, os.getpid(), worker.seen, _spool(outcomes, setup.spool, worker.tasks))


def _spool(outcomes: list[Any], folder: str | None, number: int) -> str | None:
    """Write the task's payloads to one file and leave only their spans in the outcomes; the file's name,
    or None when they stay in the outcomes (no folder, nothing to write, or the write failed).

    The payloads are most of what a task sends back, and a file, written once and read once from the
    page cache, costs both processes less than pickling them through the pool's pipe."""
    found = [o for o in _outcomes_in(outcomes) if o.payload]
    if folder is None or not found:
        return None
    path = Path(folder, f"{os.getpid()}-{number}")
    try:
        with path.open("wb") as out:
            out.writelines(o.payload for o in found)
    except OSError:  # a full disk, say: the pipe still works
        path.unlink(missing_ok=True)
        return None
    offset = 0
    for outcome in found:
        outcome.span, offset, outcome.payload = (offset, len(outcome.payload)), offset + len(outcome.payload), b""
    return str(path)


def _outcomes_in(items: list[Any]) -> Iterator[Outcome]:
    """The mapped documents' outcomes of a task (a Scan may carry one)."""
    for item in items:
        outcome = item.outcome if isinstance(item, Scan) else item
        if outcome is not None:
            yield outcome


_SPOOL_PREFIX = "kgload-map-"
_STALE_SPOOL = 3600  # seconds unchanged: a live run adds and removes files in its folder every task


def spool_folder() -> str | None:
    """A new folder for a run's task files (small: each is removed when read, the folder when the pool
    closes), after removing those of runs killed outright (SIGKILL, a power cut), which could not remove
    theirs: a folder whose process is gone and which has not changed for an hour. None when no folder
    can be made there: the outputs then come through the pipe."""
    try:
        for old in Path(tempfile.gettempdir()).glob(f"{_SPOOL_PREFIX}*-*"):
            pid = old.name[len(_SPOOL_PREFIX) :].split("-", 1)[0]
            if pid.isdigit() and not _alive(int(pid)) and time.time() - old.stat().st_mtime > _STALE_SPOOL:
                shutil.rmtree(old, ignore_errors=True)
        return tempfile.mkdtemp(prefix=f"{_SPOOL_PREFIX}{os.getpid()}-")
    except OSError:  # no temporary folder to write in
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except PermissionError:  # another user's process
        return True
    except (ProcessLookupError, OverflowError):  # none, or no pid at all
        return False
    return True


def _unspool(done: Done) -> None:
    """Put the payloads of a task's spool file back into its outcomes, and remove the file."""
    if done.spooled is None:
        return
    spooled = Path(done.spooled)
    data = spooled.read_bytes()
    spooled.unlink()
    for outcome in _outcomes_in(done.outcomes):
        if outcome.span is not None:
            start, size = outcome.span
            outcome.payload, outcome.span = data[start : start + size], None


def _map_one(extraction: Extraction, setup: Setup, read: list[Reject]) -> Outcome:
    recorder = TenureRecorder(setup.tenures)
    doc = map_document(extraction, setup.mapping, setup.run, setup.validator, recorder, setup.prepare)
    prepared = doc.prepared is not None
    if prepared:
        # Pickled here, unpickled when its batch is written: the batches mapped ahead wait in the
        # parent as bytes (a fifth of the document's N-Quads), not as rows (several times that).
        payload, doc.prepared = pickle.dumps(doc.prepared, protocol=pickle.HIGHEST_PROTOCOL), None
    else:
        payload = serialise(doc.quads, setup.payload)
    doc.quads, doc.claim_sources, doc.claim_repeats = [], {}, {}
    doc.source = None  # type: ignore[assignment]  # the parent puts its own copy back, if it has one
    return Outcome(doc, payload, recorder.events, read, prepared)


def _scan_task(lines: list[Line]) -> Done:
    worker = _worker
    assert worker is not None, "the pool's initializer did not run"
    return Done(scan_lines(lines, worker.setup.mapping), os.getpid(), worker.seen)


def scan_lines(lines: list[Line], mapping: Mapping) -> list[Scan]:
    """What a scan-only task gives for ``lines``, read in this process: a load reads the few lines its
    raw hashes do not find (a re-run's lines with read rejects) itself rather than start a pool for them."""
    scans = []
    for line in lines:
        read: list[Reject] = []
        extraction = read_line(line, read, records=False)  # a changed document is read again to be mapped
        key = identity(extraction, mapping) if extraction is not None else None
        scans.append(Scan(read, key))
    return scans


@dataclass
class Pending:
    """The tasks of one ordered group of documents, and where each document's outcome will be."""

    futures: list[Future[Done]] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)


class ProcessMapper:
    """A pool of mapping workers plus the run's tenure index, which only the parent ever changes."""

    def __init__(
        self,
        workers: int,
        mapping: Mapping,
        run: Run,
        validator: ShaclValidator | None,
        tenures: TenureIndex,
        payload: str = NQUADS,
        prepare: Preparer | None = None,
    ) -> None:
        self.mapping, self.run, self.validator, self.tenures = mapping, run, validator, tenures
        self.prepare = prepare
        self.payload = payload
        self.workers = workers
        self.remapped = 0  # documents the parent mapped again (a tenure changed under them); for tests
        self._log: list[Learned] = []  # the learned holdings from position ``_log_base`` on
        self._log_base = 0  # what every worker holds is dropped from the log
        self._learning = LearningIndex(tenures, self._log)
        self._seen: dict[int, int] = {}
        self._spool = spool_folder()
        self._tenures_file = _saved(tenures)
        setup = Setup(mapping, run, validator, tenures, payload, os.getpid(), prepare, self._spool, self._tenures_file)
        kgload_json.compile_schemas()  # compiled once here, inherited by every forked worker
        # fork: workers inherit the compiled mapping, the parsed shapes and the index instead of
        # unpickling or rebuilding them; other platforms get them pickled.
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        self._forks = method == "fork"
        self._started_all = False
        self._pool = ProcessPoolExecutor(
            workers, mp_context=multiprocessing.get_context(method), initializer=_start_worker, initargs=(setup,)
        )

    def submit(self, documents: list[Work]) -> Pending:
        pending = Pending()
        step = max(1, min(CHUNK, -(-len(documents) // self.workers)))
        for start in range(0, len(documents), step):
            chunk = documents[start : start + step]
            pending.futures.append(self._submit(_map_task, self._task(chunk)))
            pending.sizes.append(len(chunk))
        return pending

    def scan(self, lines: list[Line], *, speculate: bool = False) -> Pending:
        """Have the workers read ``lines`` up to what a load decides on: rejects, document IRI, fingerprint.
        ``speculate``: map each document in the same pass, for a load that expects most of them to be
        changed (a first load reads each line once instead of twice; a re-run maps nothing it skips)."""
        pending = Pending()
        step = max(1, min(CHUNK if speculate else SCAN_CHUNK, -(-len(lines) // self.workers)))
        for start in range(0, len(lines), step):
            chunk: list[Work] = list(lines[start : start + step])
            if speculate:
                pending.futures.append(self._submit(_map_task, self._task(chunk, scan=True)))
            else:
                pending.futures.append(self._submit(_scan_task, chunk))
            pending.sizes.append(len(chunk))
        return pending

    def _task(self, documents: list[Work], *, scan: bool = False) -> Task:
        if len(self._seen) == self.workers:  # every worker has reported: none needs what all of them hold
            held = min(self._seen.values())
            del self._log[: held - self._log_base]
            self._log_base = held
        return Task(documents, self._log_base, tuple(self._log), scan)

    def _submit(self, fn: Any, arg: Any) -> Future[Done]:
        # A submit may start worker processes (with fork, the first submit starts them all; otherwise any
        # submit may start one): an interrupt between a start and the pool's note of the new process leaves
        # a worker that no shutdown stops, and the interpreter waits for it at exit (a hang).
        if self._started_all:
            return self._pool.submit(fn, arg)
        with signals_held():
            future = self._pool.submit(fn, arg)
        self._started_all = self._forks
        return future

    def outcomes(self, pending: Pending) -> Iterator[Any]:
        """The outcomes in submission order (a worker's exception is raised here, as the serial path would)."""
        for future in pending.futures:
            done = future.result()
            _unspool(done)
            self._seen[done.pid] = max(self._seen.get(done.pid, 0), done.seen)
            yield from done.outcomes

    def accept(self, work: Work, outcome: Outcome) -> tuple[MappedDocument, bytes | None]:
        """The document as the serial path maps it at this point of the run: the worker's result when its
        tenure lookups still hold, else mapped again here. Bytes are the serialised quads when they are
        still to be parsed or written; None when ``doc.quads`` (or the sink's ``doc.prepared``) holds
        them. A worker-read line's document has no ``source`` record (nothing after the mapping needs
        one) unless it is mapped again here."""
        assert outcome.doc is not None, "a rejected line has no document to accept"
        if replay(outcome.events, self._learning):
            doc = outcome.doc
            if isinstance(work, Extraction):
                doc.source = work
            if outcome.prepared:
                doc.prepared = pickle.loads(outcome.payload)  # noqa: S301 - bytes from our own worker
                return doc, None
            return doc, outcome.payload
        self.remapped += 1
        return self.map_here(work), None

    def map_here(self, work: Work) -> MappedDocument:
        """Map a document in the parent, against the run's tenure index (a line is read again here: the
        worker that read it reported its rejects)."""
        if isinstance(work, Line):
            extraction = read_line(work, [])
            assert extraction is not None, "a worker read a document from this line"
            work = extraction
        return map_document(work, self.mapping, self.run, self.validator, self._learning, self.prepare)

    def close(self, *, cancel: bool = False) -> None:
        # Waiting is bounded: a worker finishes the one task it is on (cancel drops the queued ones).
        try:
            self._pool.shutdown(wait=True, cancel_futures=cancel)
        finally:
            if self._spool is not None:  # with the files of tasks whose outcomes were not read
                shutil.rmtree(self._spool, ignore_errors=True)
            if self._tenures_file is not None:
                with contextlib.suppress(OSError):
                    Path(self._tenures_file).unlink()


class Terminated(KeyboardInterrupt):
    """SIGTERM during a parallel run: stop like Ctrl-C, so the run is recorded as failed and the pool shut down."""


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """Turn SIGTERM into ``Terminated`` while a pool is up (left alone off the main thread or when the
    application installed its own handler)."""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGTERM) not in (
        signal.SIG_DFL,
        None,
    ):
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise Terminated(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
