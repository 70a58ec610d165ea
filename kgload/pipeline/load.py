"""Mapping into a sink (``kgload load``, ``kgload run``): ``Load``, one method per stage, and the
``LoadOptions`` it takes whole."""

from __future__ import annotations

import contextlib
import functools
import itertools
import json
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from os import PathLike
from pathlib import Path
from typing import Any

from kgload.collector import fewer_collections
from kgload.defaults import LOAD_BATCH, LOCK_TTL, LOOKUP_BATCH
from kgload.document import identity, map_record
from kgload.mapping.spec import Mapping, load_mapping
from kgload.model import MappedDocument, Merge, Run, Source
from kgload.parallel import (
    Outcome,
    Pending,
    ProcessMapper,
    Scan,
    parse_nquads,
    resolve_workers,
    scan_lines,
    terminate_as_interrupt,
)
from kgload.pipeline.inputs import WINDOW, batched, read_source
from kgload.pipeline.unchanged import Known, known_for, trusted
from kgload.pipeline.written import Written, WrittenLog
from kgload.rdf.offices import tenure_index
from kgload.readers.json_input import Line
from kgload.readers.kgload_json import from_line
from kgload.records import Extraction, RdfSource, Reject
from kgload.report import FAILED, OK, REJECTS, LoadReport, RejectsFile
from kgload.sinks import Preparer, Sink
from kgload.sinks.learned import Relinked
from kgload.validate import ShaclValidator, engine_name, validator_for

HELD_REJECTS = 1000  # read rejects a parallel load holds back (to keep the serial order) before draining
LOCAL_SCAN = 8  # a group's share (1/8) of lines, at most, that the loader reads itself while no pool is up


@dataclass(frozen=True)
class Scanned:
    """A JSONL line a worker read for a load: what deciding whether to map it needs, and the document
    already mapped when the worker mapped it in the same pass (speculatively: used if it is changed)."""

    line: Line
    iri: str
    fingerprint: str
    outcome: Outcome | None = None
    raw_hash: str | None = None  # of the line, when read without rejects (kgload.pipeline.unchanged)
    known: bool = False  # found unchanged by its raw hash: IRI and fingerprint are the target's, no worker read it


Keyed = tuple[Any, str, str]  # (the Extraction, RdfSource or Scanned line; document IRI; fingerprint)


@dataclass
class _Batch:
    """One batch of a load, from reading to its commit."""

    items: list[Extraction | RdfSource | Scanned] = field(default_factory=list)
    read_rejects: list[Reject] = field(default_factory=list)  # held back so the rejects file keeps the serial order
    keyed: list[Keyed] = field(default_factory=list)
    stored: dict[str, str] = field(default_factory=dict)
    todo: list[Keyed] = field(default_factory=list)  # what needs mapping, as decided when the batch was read
    pending: Pending | None = None
    recheck: bool = False  # an earlier batch, still in flight then, may write one of these documents


@dataclass(frozen=True)
class LoadOptions:
    """How to load, as the user chose it: one value from the CLI, a run configuration or a library
    call down to the pipeline, instead of one keyword per option at every layer."""

    mapping: Mapping | str | PathLike[str] | None = None  # a compiled mapping, or its file (None: the default)
    fmt: str | None = None  # the input format; None: detected per file
    rejects: Path | None = None  # the rejects file; None: rejects are counted, not kept
    batch_size: int | None = None  # documents per transaction; None: LOAD_BATCH
    force: bool = False  # map and write every document, unchanged ones too
    validate: bool = True  # check each document against the mapping's SHACL shapes
    lock_ttl: int = LOCK_TTL  # the lease's term, in seconds (renewed by a heartbeat)
    workers: int | None = None  # mapping processes; None: every usable core
    shacl_engine: str | None = None  # "compiled" or "pyshacl"; None: KGLOAD_SHACL_ENGINE, else compiled

    def compiled_mapping(self) -> Mapping:
        return self.mapping if isinstance(self.mapping, Mapping) else load_mapping(self.mapping)


class Load:
    """One load of ``sources`` into ``sink``; documents whose fingerprint is unchanged are skipped.

    Fingerprints are compared before mapping, so an unchanged document costs a read and a
    lookup, not a mapping and a validation: what the reader rejects is reported by every run,
    what mapping or validation rejects only by the run that maps the document. ``after_batch``
    is called after each committed batch (progress, lease checks).

    The stages, one method each: ``start`` readies the target; ``records`` reads the inputs;
    ``decide`` keys a full batch and compares its fingerprints; ``dispatch`` hands what needs mapping
    to the workers; ``commit`` maps what is left, writes the batch and counts it.
    With more than one worker and more than one batch of input, the mapping runs in worker
    processes, a few batches ahead of the one being written; the report, the rejects file and
    the target end up as the serial path leaves them. kgload JSONL is then read in the workers
    too: they scan lines to the document IRI and fingerprint, and map only the lines that decision
    sends them, so an unchanged document is never mapped. Once a batch turns out mostly changed (a
    first load), they map each line as they scan it, and the parent drops what it does not need.
    """

    def __init__(
        self,
        sources: Iterable[Source],
        sink: Sink,
        mapping: Mapping,
        options: LoadOptions = LoadOptions(),  # frozen: one shared default is safe
        *,
        run: Run | None = None,
        after_batch: Callable[[LoadReport], None] | None = None,
    ) -> None:
        self.sources = list(sources)
        self.sink = sink
        self.mapping = mapping
        self.current_run = run or Run.new()
        self.force = options.force
        self.batch_size = options.batch_size or LOAD_BATCH
        self.workers = resolve_workers(options.workers)
        self.validation = options.validate and mapping.shapes is not None
        self.shacl_engine = options.shacl_engine
        self.rejects = RejectsFile(options.rejects)
        self.after_batch = after_batch
        self.report = LoadReport(run_id=self.current_run.id, target=sink.describe())
        self.report.inputs = [str(s.path) for s in self.sources]
        self.report.rejects_path = str(options.rejects) if options.rejects else None
        self.tenures = tenure_index(mapping)
        self.window: deque[_Batch] = deque()
        self.mapper: ProcessMapper | None = None  # made when a line needs a worker (see ``pool``)
        self.parallel = False  # lines go to the workers (``records``), whether or not the pool is up yet
        self.preparer: Preparer | None = None  # the sink's (Sink.preparer), once it has its ontology
        self.changed_share = 0.0  # of the last batch decided: above one half, workers map lines as they scan them
        # documents the next batch is decided on: doubled after each batch found wholly unchanged (up to
        # LOOKUP_BATCH), so a re-run looks fingerprints up in fewer, larger queries; back to batch_size
        # at the first change (what is written still goes in transactions of batch_size)
        self.decide_size = self.batch_size
        # the documents this run wrote, on disk: a document given again in a later batch is counted once
        self.written = WrittenLog()
        engine = engine_name(options.shacl_engine) if self.validation else None
        self.known: Known | None = known_for(
            sink, mapping, force=self.force, validate=self.validation, shacl_engine=engine
        )

    @functools.cached_property
    def validator(self) -> ShaclValidator | None:
        """The mapping's shapes, compiled when the first document is mapped: a re-run that finds every
        line unchanged never compiles them."""
        return validator_for(self.mapping, self.shacl_engine) if self.validation else None

    def pool(self) -> ProcessMapper:
        """The mapping workers, made when a line first needs them (their processes start with the first
        task): a re-run whose lines are all found by their raw hash starts none."""
        if self.mapper is None:
            self.mapper = ProcessMapper(
                self.workers, self.mapping, self.current_run, self.validator, self.tenures, prepare=self.preparer
            )
        return self.mapper

    @fewer_collections()
    def run(self) -> LoadReport:
        """Load every source; the report, its status set. On any error the pool is stopped and the
        error raised, the report (``self.report``) holding what was committed."""
        report = self.report
        try:
            self.start()
            with terminate_as_interrupt() if self.workers > 1 else contextlib.nullcontext():
                self.batches(self.records())
        except BaseException:
            report.status = FAILED
            if self.mapper is not None:
                self.mapper.close(cancel=True)
                self.mapper = None
            raise
        finally:
            if self.mapper is not None:
                self.mapper.close()
            self.written.close()  # before the rejects file, whose close can fail
            self.rejects.close()
        relink = getattr(self.sink, "relink", None)
        if relink is not None:  # names learned from this run's documents may join earlier nodes
            _note_relink(report, relink())
        report.status = REJECTS if report.rejected_total else OK
        return report

    def start(self) -> None:
        """The target's schema, the sink's preparer, the office holdings the target already knows."""
        self.sink.ensure_ontology(self.mapping.ontology.path, self.mapping.base)
        self.preparer = self.sink.preparer()
        for office, of_iri, holding in self.sink.tenures(self.mapping):
            self.tenures.add(office, of_iri, holding)

    def records(self) -> Iterator[Extraction | RdfSource | Reject | Scanned]:
        """The inputs' records in order; with a pool (more than one batch of input), kgload JSONL as
        lines the workers scan. SIGTERM is already handled then (see ``run``): a signal between the
        pool's start and the handler would kill the run without recording it as failed."""
        sources, size = self.sources, self.batch_size
        raw = (item for source in sources for item in read_source(source, lines=True))
        if self.workers <= 1:
            return _records(raw, self.known)
        head = list(itertools.islice(raw, size + 1))
        if len(head) <= size:  # one batch of input: not worth starting a pool
            return _records(head, self.known)
        self.parallel = True
        return _scanned(itertools.chain(head, raw), self, size, lambda: self.changed_share > 0.5, self.known)

    def batches(self, items: Iterable[Extraction | RdfSource | Reject | Scanned]) -> None:
        """Group the records into batches, each decided as it fills, committed in order."""
        window = self.window
        current = _Batch()
        for item in items:
            if isinstance(item, Reject):
                current.read_rejects.append(item)
                if not window or len(current.read_rejects) >= HELD_REJECTS:
                    self.drain(0)
                    for held in current.read_rejects:
                        self.reject(held)
                    current.read_rejects.clear()
                continue
            self.report.documents_read += 1
            current.items.append(item)
            if len(current.items) >= self.decide_size:
                self.decide(current)
                window.append(current)
                current = _Batch()
                for batch in window:
                    self.dispatch(batch)
                self.drain(WINDOW if self.parallel else 0)
        if current.items:
            self.decide(current)
            window.append(current)
            self.dispatch(current)
        self.drain(0)
        if not current.items:  # rejects after the last document (commit wrote the others)
            for held in current.read_rejects:
                self.reject(held)

    def decide(self, batch: _Batch) -> None:
        """Key the batch's documents and decide which need mapping, against the target's fingerprints."""
        batch.keyed = _last_version([_keyed(item, self.mapping) for item in batch.items], self.replaced)
        iris = [iri for _, iri, _ in batch.keyed if iri]
        found = trusted(batch.keyed, self.written)  # lines found by their raw hash: the target's own answer
        asked = [iri for iri in iris if iri not in found]
        batch.stored = self.sink.fingerprints(asked) if asked or not found else {}
        batch.stored.update(found)
        # Batches still in flight have not written yet: assume they write what they map, and check
        # again against the target once they have (the target's own rules decide what it keeps).
        ahead = {iri: fp for earlier in self.window for _, iri, fp in earlier.todo if iri}
        touched = [iri for iri in iris if iri in ahead]
        if touched:
            batch.recheck = True
            batch.stored.update((iri, ahead[iri]) for iri in touched)
        batch.todo = self._changed(batch.keyed, batch.stored)
        self.changed_share = len(batch.todo) / len(batch.keyed) if batch.keyed else self.changed_share
        if batch.keyed and not batch.todo:
            self.decide_size = min(max(LOOKUP_BATCH, self.batch_size), self.decide_size * 2)
        else:
            self.decide_size = self.batch_size

    def dispatch(self, batch: _Batch) -> None:
        """Hand the batch's documents that need mapping to the workers (once)."""
        if self.parallel and batch.pending is None:
            work = [_work(item) for item in _to_map(batch.todo)]
            batch.pending = self.pool().submit(work) if work else Pending()

    def commit(self, batch: _Batch) -> None:
        """Map what the workers did not, write the batch, count it, call ``after_batch``."""
        report, mapper, sink = self.report, self.mapper, self.sink
        for item in batch.read_rejects:
            self.reject(item)
        ready: dict[int, Any] = {id(item): item.outcome for item in batch.items if _speculated(item)}
        if batch.pending is not None and mapper is not None:
            ready.update(zip(map(id, _to_map(batch.todo)), mapper.outcomes(batch.pending), strict=True))
        stored, todo = batch.stored, batch.todo
        if batch.recheck:  # every earlier batch is committed now: the target has the last word
            stored = sink.fingerprints([iri for _, iri, _ in batch.keyed if iri])
            todo = self._changed(batch.keyed, stored)
        report.documents_unchanged += len(batch.keyed) - len(todo)
        if self.known is not None:
            self.known.keep(batch.keyed, todo)
        changed: list[MappedDocument] = []
        read_as: dict[int, Any] = {}  # a mapped document -> the record it came from, for the report
        triples = 0
        for item, _, _ in todo:
            mapped = self.map_one(item, ready)
            # stored with the document, whatever the number of workers: found by the next run's raw look-up
            mapped.raw_hash = getattr(item, "raw_hash", None)
            mapped.in_target = mapped.iri in stored
            read_as[id(mapped)] = item
            for problem in mapped.rejects:
                self.reject(problem)
            if mapped.iri:  # else the whole document failed to map
                _note_resolution(report, mapped)
                triples += mapped.triples
                prepared = sink.prepare(mapped)  # e.g. rows instead of quads, batch by batch
                read_as[id(prepared)] = item
                changed.append(prepared)
        for chunk in batched(changed, self.batch_size):  # a batch decided larger still writes batch_size at a time
            sink.write(chunk)
        report.triples += triples
        earlier = self.written.earlier(doc.iri for doc in changed)
        for doc in changed:
            item = read_as[id(doc)]  # a worker-mapped document has no source record: its line tells
            where = _where(item)
            before = earlier.get(doc.iri)
            if before is not None:  # written earlier in this run: that version's count stands for this one
                report.add_replacement(f"{where}: document {_doc_id(item)!r} again; it replaces {before.where}")
                report.relations += doc.claims - before.claims
                report.triples -= before.quads
                continue
            if doc.iri in stored:
                report.documents_updated += 1
            else:
                report.documents_added += 1
            report.relations += doc.claims
        self.written.record((doc.iri, Written(_where(read_as[id(doc)]), doc.claims, doc.triples)) for doc in changed)
        report.entities = len(report.identities)  # distinct entities, not mentions
        if self.after_batch is not None:
            self.after_batch(report)

    def map_one(self, item: Extraction | RdfSource | Scanned, ready: dict[int, Any]) -> MappedDocument:
        """One document mapped: by a worker (its outcome in ``ready``), or here."""
        if not self.parallel or isinstance(item, RdfSource):
            assert not isinstance(item, Scanned), "lines are scanned only with a pool"
            return map_record(item, self.mapping, self.current_run, self.validator, self.tenures, self.preparer)
        mapper = self.pool()
        outcome = ready.pop(id(item), None)  # popped: its N-Quads bytes go once they are parsed
        if outcome is None:  # decided on the recheck: nobody mapped it yet
            return mapper.map_here(_work(item))
        doc, data = mapper.accept(_work(item), outcome)  # the outcome's read rejects were reported by the scan
        if data:  # empty when the worker prepared the document for the sink
            doc.quads = parse_nquads(data)
        return doc

    def drain(self, keep: int) -> None:
        """Commit the oldest batches until ``keep`` are left in flight."""
        while len(self.window) > keep:
            self.commit(self.window.popleft())

    def replaced(self, earlier: Any, later: Any) -> None:
        """One input (or two) holds a document twice: the later version replaces the earlier, reported."""
        where, again = _where(later), _doc_id(later)
        self.report.add_replacement(f"{where}: document {again!r} again; it replaces {_where(earlier)}")

    def reject(self, item: Reject) -> None:
        self.report.add_reject(item)
        self.rejects.write(item, run=self.current_run.id)

    def _changed(self, keyed: list[Keyed], stored: dict[str, str]) -> list[Keyed]:
        return [entry for entry in keyed if self.force or not entry[1] or stored.get(entry[1]) != entry[2]]


def _keyed(item: Extraction | RdfSource | Scanned, mapping: Mapping) -> Keyed:
    if isinstance(item, Scanned):
        return item, item.iri, item.fingerprint
    return item, *identity(item, mapping)


def _work(item: Extraction | Scanned) -> Extraction | Line:
    return item.line if isinstance(item, Scanned) else item


def _records(
    items: Iterable[Extraction | RdfSource | Reject | Line], known: Known | None = None
) -> Iterator[Extraction | RdfSource | Reject]:
    """The records as the readers give them, lines read here; a line read whole, without rejects, carries
    its raw hash when the target keeps them, as a line a worker reads does."""
    for item in items:
        if not isinstance(item, Line):
            yield item
            continue
        records = list(from_line(item))
        if known is not None and len(records) == 1 and isinstance(records[0], Extraction):
            records[0] = replace(records[0], raw_hash=known.keys.of(item))
        yield from records


def _to_map(todo: list[Keyed]) -> list[Extraction | Scanned]:
    """The documents to hand the workers: not RDF read as it is, nor those a worker mapped as it scanned."""
    return [item for item, _, _ in todo if not isinstance(item, RdfSource) and not _speculated(item)]


def _speculated(item: Any) -> bool:
    return isinstance(item, Scanned) and item.outcome is not None


def _scanned(
    items: Iterable[Extraction | RdfSource | Reject | Line],
    load: Load,
    size: int,
    speculate: Callable[[], bool],
    known: Known | None = None,
) -> Iterator[Extraction | RdfSource | Reject | Scanned]:
    """The records in input order, lines read by the workers a few groups ahead of the one returned. While
    ``speculate()`` says most documents turn out changed, the workers map each line as they scan it;
    otherwise lines ``known`` finds unchanged by their raw hash are not sent to the workers at all, and
    while no pool is up, a group's few other lines are read here (``LOCAL_SCAN``)."""
    window: deque[tuple[list[Any], Pending | list[Scan], list[str], dict[str, tuple[str, str]]]] = deque()
    for group in batched(items, size):
        lines = [item for item in group if isinstance(item, Line)]
        ahead = speculate()
        hashes = known.hashes(lines) if known is not None else []
        found = known.look_up(hashes) if known is not None and not ahead else {}
        unknown = [line for line, h in zip(lines, hashes, strict=True) if h not in found] if found else lines
        if not unknown or (load.mapper is None and not ahead and found and len(unknown) * LOCAL_SCAN <= len(lines)):
            scans: Pending | list[Scan] = scan_lines(unknown, load.mapping)
        else:
            scans = load.pool().scan(unknown, speculate=ahead)
        window.append((group, scans, hashes, found))
        if len(window) > WINDOW:
            yield from _unscan(*window.popleft(), load)
    while window:
        yield from _unscan(*window.popleft(), load)


def _unscan(
    group: list[Any], pending: Pending | list[Scan], hashes: list[str], found: dict[str, tuple[str, str]], load: Load
) -> Iterator[Any]:
    scans = iter(pending) if isinstance(pending, list) else load.pool().outcomes(pending)
    raw = iter(hashes)
    for item in group:
        if isinstance(item, Line):
            line_hash = next(raw, None)
            stored = found.get(line_hash) if line_hash is not None else None
            if stored is not None:
                yield Scanned(item, *stored, raw_hash=line_hash, known=True)
                continue
            scan = next(scans)
            yield from scan.read
            if scan.key is not None:
                yield Scanned(item, *scan.key, scan.outcome, raw_hash=None if scan.read else line_hash)
        else:
            yield item


def _last_version(
    batch: list[tuple[Any, str, str]], replaced: Callable[[Any, Any], None] | None = None
) -> list[tuple[Any, str, str]]:
    """If one input holds a document twice, the later version wins, as it would across runs; ``replaced``
    hears of each earlier version dropped so."""
    latest: dict[str, tuple[Any, str, str]] = {}
    for position, entry in enumerate(batch):
        key = entry[1] or f"unmapped-{position}"
        earlier = latest.pop(key, None)
        if earlier is not None and replaced is not None:
            replaced(earlier[0], entry[0])
        latest[key] = entry
    return list(latest.values())


def _where(item: Any) -> str:
    origin = item.line.origin if isinstance(item, Scanned) else getattr(item, "origin", None)
    return str(origin) if origin is not None else "?"


def _doc_id(item: Any) -> str:
    if isinstance(item, Extraction):
        return item.document.id
    if isinstance(item, RdfSource):
        return item.document_id
    if isinstance(item, Scanned):  # a line a worker read: parsed again only to name it in the report
        try:
            return str(json.loads(item.line.raw)["document"]["id"])
        except (ValueError, KeyError, TypeError):
            return "?"
    return "?"


def _note_resolution(report: LoadReport, doc: MappedDocument) -> None:
    for merge in doc.merges:
        known = report.merges.get(merge.iri)
        names = tuple(dict.fromkeys((*(known.names if known else ()), *merge.names)))
        report.merges[merge.iri] = Merge(merge.iri, merge.canonical, names, merge.source)
    report.unresolved.update(doc.unresolved)
    report.ambiguous.update(doc.ambiguous)
    for loop in doc.self_loops:
        report.add_self_loop(loop)
    for iri, how in doc.identities.items():
        report.note_identity(iri, how)
    for iri, name in doc.free_names:
        names = report.free_names.get(iri, frozenset())
        if name not in names:
            names = report.free_names[iri] = names | {name}
        if len(names) > 1:  # distinct names that reduce to one slug: a merge nobody chose, so it is named
            canonical = max(names, key=lambda n: (len(n), n))
            others = tuple(sorted(names - {canonical}))
            report.merges[iri] = Merge(iri, canonical, others, "same slug")


def _note_relink(report: LoadReport, relinked: Relinked) -> None:
    """Entities that learned aliases moved are counted once, at the node they joined."""
    for old, new in relinked.moves:
        if report.identities.pop(old, None) is not None or new in report.identities:
            report.note_identity(new, "learned")
    report.entities = len(report.identities)
    report.ambiguous.update(f"{name} (a learned alias of two entities)" for name in relinked.ambiguous)
