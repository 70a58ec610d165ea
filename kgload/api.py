"""kgload as a library: everything the CLI does, callable by import.

import kgload
dataset, rejects = kgload.map_files(["examples/afp-2025-06-14-putin-trump-call.json"])
report = kgload.load(["examples/"], store="kgload-store")
rows = kgload.query("SELECT ?s WHERE { ?s a kg:Person }", store="kgload-store")
batch = kgload.map_batch(jsonl_lines, mapping="mappings/kgload.yaml", run=run)  # one partition of a Dask/Spark job
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import pyoxigraph as ox
import rdflib

from kgload.defaults import LOCK_TTL, MAP_BATCH, REJECTS_FOLDER, RUNS_LISTED, default_store
from kgload.document import map_record
from kgload.errors import TargetUnreachable, UsageError
from kgload.ledger import RunRecord
from kgload.mapping.identity import Answer, explain
from kgload.mapping.spec import Mapping, load_mapping
from kgload.mapping.tenures import TenureIndex
from kgload.model import MappedDocument, Run, Source
from kgload.parallel import resolve_workers
from kgload.pipeline import LoadOptions, Serialised, iter_mapped, sources_from
from kgload.rdf.convert import to_rdflib
from kgload.rdf.direct_text import TEXT_FORMATS, TextPreparer
from kgload.rdf.iris import identity_iri
from kgload.rdf.offices import tenure_index
from kgload.rdf.serialize import RdfWriter
from kgload.records import Extraction, Origin, RdfSource, Reject
from kgload.report import LoadReport, RejectsFile, reject_line
from kgload.runs.lease import holding, owner_of
from kgload.runs.runner import run_load
from kgload.sinks import Sink, lease_of, ledger_of
from kgload.sinks.embedded import EmbeddedStore, release_frames
from kgload.sparql import answer
from kgload.validate import engine_name, validator_for

if TYPE_CHECKING:
    from kgload.runs.config import RunConfig
    from kgload.sinks.bulk.sink import Neo4jAdminExport
    from kgload.sinks.neo4j import Neo4jSettings

PathLike = str | os.PathLike[str]


def _mapping(mapping: Mapping | PathLike | None) -> Mapping:
    return mapping if isinstance(mapping, Mapping) else load_mapping(mapping)


def _sources(inputs: Iterable[PathLike | Source], fmt: str | None) -> list[Source]:
    items = list(inputs)
    if not items:
        raise UsageError("no input files given")
    plain = [Path(i) for i in items if not isinstance(i, Source)]
    return [i for i in items if isinstance(i, Source)] + sources_from(plain, fmt)


def map_files(
    inputs: Iterable[PathLike | Source],
    *,
    mapping: Mapping | PathLike | None = None,
    fmt: str | None = None,
    run: Run | None = None,
    validate: bool = False,
    workers: int | None = None,
    shacl_engine: str | None = None,
) -> tuple[rdflib.Dataset, list[Reject]]:
    """Map input files to an rdflib Dataset (one named graph per source document)."""
    quads, rejects = map_quads(
        inputs, mapping=mapping, fmt=fmt, run=run, validate=validate, workers=workers, shacl_engine=shacl_engine
    )
    return to_rdflib(quads), rejects


def map_quads(
    inputs: Iterable[PathLike | Source],
    *,
    mapping: Mapping | PathLike | None = None,
    fmt: str | None = None,
    run: Run | None = None,
    validate: bool = False,
    workers: int | None = None,
    shacl_engine: str | None = None,
) -> tuple[list[ox.Quad], list[Reject]]:
    """Like map_files, as pyoxigraph quads (faster; what the sinks use)."""
    quads: list[ox.Quad] = []
    rejects: list[Reject] = []
    compiled = _mapping(mapping)
    validator = validator_for(compiled, shacl_engine) if validate else None
    workers = resolve_workers(workers)
    items = iter_mapped(_sources(inputs, fmt), compiled, run or Run.new(), validator, workers=workers)
    for item in items:
        if isinstance(item, Reject):
            rejects.append(item)
        else:
            rejects.extend(item.rejects)
            quads.extend(item.quads)
    return quads, rejects


def write_rdf(
    inputs: Iterable[PathLike | Source],
    out: BinaryIO,
    rdf_format: str,
    *,
    mapping: Mapping | PathLike | None = None,
    fmt: str | None = None,
    run: Run | None = None,
    rejects: RejectsFile | None = None,
    validate: bool = True,
    workers: int | None = None,
    batch_size: int = MAP_BATCH,
    shacl_engine: str | None = None,
) -> int:
    """Stream the mapping of ``inputs`` to ``out``; return the number of rejects.

    ``workers`` processes map in parallel (default: every usable core; 1 maps in this process);
    the output and the rejects are the same, byte for byte, whatever the number. ``shacl_engine``:
    compiled or pyshacl (None: KGLOAD_SHACL_ENGINE, else compiled).
    """
    writer = RdfWriter(out, rdf_format)
    rejects = rejects or RejectsFile(None)
    compiled = _mapping(mapping)
    validator = validator_for(compiled, shacl_engine) if validate else None
    run = run or Run.new()
    try:
        items = iter_mapped(
            _sources(inputs, fmt),
            compiled,
            run,
            validator,
            workers=resolve_workers(workers),
            rdf_format=rdf_format,
            batch_size=batch_size,  # documents per group of tasks; the pool starts only past one batch
            # line formats: each document's lines are written where it is mapped, without quads
            prepare=TextPreparer(rdf_format) if rdf_format in TEXT_FORMATS else None,
        )
        for item in items:
            if isinstance(item, Reject):
                rejects.write(item, run=run.id)
                continue
            doc = item.doc if isinstance(item, Serialised) else item
            for problem in doc.rejects:
                rejects.write(problem, run=run.id)
            if isinstance(item, Serialised):
                out.write(item.data)  # what writer.write(quads) writes, serialised by a worker
            elif isinstance(doc.prepared, bytes):
                out.write(doc.prepared)  # the same, written by TextPreparer
            else:
                writer.write(item.quads)
        writer.close()
    finally:
        rejects.close()
    return rejects.count


@dataclass
class MappedBatch:
    """What ``map_batch`` returns: the mapped documents in input order, and every reject."""

    documents: list[MappedDocument] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    run: str = ""  # the run's id, on every line of rejects_jsonl

    def quads(self) -> Iterator[ox.Quad]:
        for doc in self.documents:
            yield from doc.quads

    def serialise(self, rdf_format: str = "nquads") -> bytes:
        """The batch as ``kgload map`` writes it (N-Quads by default: concatenated batches stay valid)."""
        buffer = io.BytesIO()
        writer = RdfWriter(buffer, rdf_format)
        for doc in self.documents:
            writer.write(doc.quads)
        writer.close()
        return buffer.getvalue()

    def rejects_jsonl(self) -> str:
        """The rejects as the lines of a rejects file."""
        return "".join(reject_line(r, self.run) for r in self.rejects)


Record = Extraction | RdfSource | Reject | str | bytes | dict[str, Any]


def map_batch(
    records: Iterable[Record],
    *,
    mapping: Mapping | PathLike | None = None,
    run: Run | None = None,
    validate: bool = False,
    tenures: TenureIndex | None = None,
    source: str = "<batch>",
    first_record: int = 1,
    shacl_engine: str | None = None,
) -> MappedBatch:
    """Map a batch of documents: the unit of work for a Spark or Dask map over partitions.

    ``records`` are kgload JSON documents (JSONL lines as str/bytes, or parsed dicts) or records
    a kgload reader produced. Pure apart from caches: a mapping given as a path is compiled once
    per process, and so are its SHACL shapes (``validate``), so calling this once per partition
    costs the mapping once per worker, not once per batch. Give every partition the same ``run``
    (``Run.new()`` on the driver) so all claims name one run. Role mentions resolve through the
    gazetteer's tenures, ``tenures`` if given, and tenures stated earlier in the same batch.
    ``source`` and ``first_record`` locate rejects (file name, line of the first record).
    """
    compiled = _cached_mapping(mapping)
    validator = validator_for(compiled, shacl_engine) if validate else None
    run = run or Run.new()
    index = tenures if tenures is not None else tenure_index(compiled)
    out = MappedBatch(run=run.id)
    for number, record in enumerate(records, start=first_record):
        for item in _records(record, Origin(source, number)):
            if isinstance(item, Reject):
                out.rejects.append(item)
                continue
            doc = map_record(item, compiled, run, validator, index)
            out.rejects.extend(doc.rejects)
            if doc.iri:
                out.documents.append(doc)
    return out


def _records(record: Record, origin: Origin) -> Iterable[Extraction | RdfSource | Reject]:
    if isinstance(record, Extraction | RdfSource | Reject):
        return [record]
    from kgload.readers.json_input import loads
    from kgload.readers.kgload_json import from_value
    from kgload.readers.limits import MAX_RECORD_BYTES

    if isinstance(record, str | bytes):
        raw = record.encode("utf-8") if isinstance(record, str) else record
        if not raw.strip():
            return []
        if len(raw) > MAX_RECORD_BYTES:
            return [Reject(origin, f"record is {len(raw)} bytes, over the {MAX_RECORD_BYTES}-byte limit")]
        try:
            value = loads(raw)  # NaN, Infinity and lone surrogates are errors, as in the JSONL reader
        except ValueError as exc:
            return [Reject(origin, f"invalid JSON: {exc}", raw.decode("utf-8", "replace")[:2000])]
        except RecursionError:
            return [Reject(origin, "invalid JSON: nested too deeply")]
        return from_value(value, origin)
    return from_value(record, origin)


def _cached_mapping(mapping: Mapping | PathLike | None) -> Mapping:
    if isinstance(mapping, Mapping):
        return mapping
    path = Path(mapping).resolve() if mapping is not None else None
    stamp = path.stat().st_mtime_ns if path is not None and path.exists() else 0
    return _compiled(path, stamp)


@lru_cache(maxsize=4)
def _compiled(path: Path | None, _stamp: int) -> Mapping:
    return load_mapping(path)  # once per process and file version: Spark/Dask call map_batch per partition


def resolve(
    name: str, *, type: str | None = None, on: str | None = None, mapping: Mapping | PathLike | None = None
) -> Answer:
    """What ``name`` (mentioned as ``type`` on the ISO date ``on``) resolves to with ``mapping``'s
    gazetteer in front of the world one, by which rule, and the IRI the entity gets."""
    compiled = _cached_mapping(mapping)
    identity, found = explain(compiled.world, name, type, on)
    iri = identity_iri(compiled, identity, name, type)
    office = found.office.id if found.office is not None else None
    note = found.note
    if identity.scoped:
        note = "names no one actor beyond a document (whose, or which, is not said): each document's own node"
    return Answer(name, type, on, identity, iri, found.candidates, office, note)


def open_store(path: PathLike | None = None, *, read_only: bool = False) -> EmbeddedStore:
    return EmbeddedStore(Path(path) if path is not None else default_store(), read_only=read_only)


def load(
    inputs: Iterable[PathLike | Source],
    *,
    store: PathLike | None = None,
    sink: Sink | None = None,
    options: LoadOptions | None = None,
    run: Run | None = None,
    progress: Callable[[LoadReport], None] | None = None,
    mapping: Mapping | PathLike | None = None,
    fmt: str | None = None,
    rejects: PathLike | None = None,
    batch_size: int | None = None,
    force: bool = False,
    validate: bool = True,
    lock_ttl: int = LOCK_TTL,
    workers: int | None = None,
    shacl_engine: str | None = None,
) -> LoadReport:
    """Load inputs into ``sink`` (default: the embedded store at ``store``).

    The run takes the target's lease, is recorded in the target's run ledger, and skips
    documents whose fingerprint is unchanged. With ``validate`` (the default) every mapped
    document is checked against the mapping's SHACL shapes first; violating records are
    rejected with the shape's message. ``workers`` processes map and validate in parallel
    (default: every usable core); the outcome is the same whatever the number. The options may
    come as one ``LoadOptions`` value (``options``) instead of keywords.
    """
    if options is None:
        options = LoadOptions(
            mapping=mapping,
            fmt=fmt,
            rejects=Path(rejects) if rejects else None,
            batch_size=batch_size,
            force=force,
            validate=validate,
            lock_ttl=lock_ttl,
            workers=workers,
            shacl_engine=shacl_engine,
        )
    _check_engine(options)
    compiled = options.compiled_mapping()
    sources = _sources(inputs, options.fmt)
    with opened(sink, store) as target:
        return run_load(sources, target, compiled, options, run=run or Run.new(), progress=progress)


def _check_engine(options: LoadOptions) -> None:
    """Refuse an unknown SHACL engine before any target or output is touched."""
    if options.validate:
        engine_name(options.shacl_engine)


@contextlib.contextmanager
def opened(
    sink: Sink | None = None,
    store: PathLike | None = None,
    *,
    neo4j: Neo4jSettings | None = None,
    read_only: bool = False,
) -> Iterator[Sink]:
    """The target, closed on the way out: ``sink`` as given (its caller closes it), else Neo4j when
    ``neo4j`` settings are given, else the embedded store at ``store``."""
    if sink is not None:
        yield sink
        return
    if neo4j is not None:
        from kgload.sinks.neo4j import Neo4jSink  # the driver is slow to import: only when used

        target: Sink = Neo4jSink.connect(neo4j)
    else:
        target = open_store(store, read_only=read_only)
    try:
        yield target
    except BaseException as exc:
        release_frames(exc)
        raise
    finally:
        target.close()


def run(
    config: RunConfig,
    *,
    force: bool = False,
    workers: int | None = None,
    shacl_engine: str | None = None,
    on_report: Callable[[LoadReport], None] | None = None,
    progress: Callable[[LoadReport], None] | None = None,
) -> list[LoadReport]:
    """``kgload run``: load the configuration's sources into each of its targets in turn (Neo4j,
    then the embedded store); return one report per target. ``on_report`` hears of each as it ends.
    ``workers`` and ``shacl_engine``, when given, win over the configuration's options."""
    sources = config.inputs()
    reports: list[LoadReport] = []
    # One run, whatever the number of targets: one id in every target's ledger, one rejects file.
    current = Run.new()
    rejects_dir = config.rejects_dir or config.path.parent / REJECTS_FOLDER
    rejects = rejects_dir / f"{current.id}.jsonl"
    for n, target in enumerate(config.targets()):
        own = rejects if n == 0 else rejects_dir / f".{current.id}.{n}.jsonl"
        options = LoadOptions(
            mapping=config.mapping,
            rejects=own,
            batch_size=config.batch_size,
            force=force,
            validate=config.validate,
            lock_ttl=config.lock_ttl,
            workers=workers if workers is not None else config.workers,
            shacl_engine=shacl_engine or config.shacl_engine,
        )
        _check_engine(options)
        with opened(store=target.store, neo4j=target.neo4j) as sink:
            report = load(sources, sink=sink, options=options, run=current, progress=progress)
        if own != rejects:
            _merge_rejects(own, rejects)
            if report.rejects_path:
                report.rejects_path = str(rejects)
        reports.append(report)
        if on_report is not None:
            on_report(report)
    return reports


def _merge_rejects(extra: Path, into: Path) -> None:
    """Append the lines of ``extra`` that ``into`` does not hold yet, then remove ``extra``."""
    if not extra.exists():
        return
    held = set(into.read_text("utf-8").splitlines()) if into.exists() else set()
    new = [line for line in extra.read_text("utf-8").splitlines() if line not in held]
    if new:
        with into.open("a", encoding="utf-8") as out:
            out.writelines(line + "\n" for line in new)
    extra.unlink()


def export_neo4j_admin(
    inputs: Iterable[PathLike | Source],
    output: PathLike,
    *,
    options: LoadOptions | None = None,
    run: Run | None = None,
    progress: Callable[[LoadReport], None] | None = None,
    mapping: Mapping | PathLike | None = None,
    fmt: str | None = None,
    rejects: PathLike | None = None,
    batch_size: int | None = None,
    validate: bool = True,
    workers: int | None = None,
    shacl_engine: str | None = None,
) -> Neo4jAdminExport:
    """Map inputs as ``load`` would into Neo4j, but write the folder of CSV files (with import.sh
    and post-import.cypher) that ``neo4j-admin database import full`` turns into the same graph.
    The options may come as one ``LoadOptions`` value (``options``) instead of keywords."""
    from kgload.sinks.bulk import sink as neo4j_admin

    if options is None:
        options = LoadOptions(
            mapping=mapping,
            fmt=fmt,
            rejects=Path(rejects) if rejects else None,
            batch_size=batch_size,
            validate=validate,
            workers=workers,
            shacl_engine=shacl_engine,
        )
    _check_engine(options)
    # no transaction to amortise: small batches keep the mapped quads held at once few
    options = dataclasses.replace(options, batch_size=options.batch_size or MAP_BATCH)
    return neo4j_admin.export(
        Path(output),
        lambda sink: load(inputs, sink=sink, options=options, run=run, progress=progress),
        processes=min(2, resolve_workers(options.workers)),  # the CSV files are written in two halves
    )


@dataclass
class Retraction:
    """What ``retract_documents`` did: how many of the given documents it removed, and for each
    one it did not find, the closest ids the target knows."""

    requested: int
    removed: int
    missing: dict[str, list[str]] = field(default_factory=dict)  # given id -> closest known ids


def retract_documents(
    documents: Iterable[str],
    *,
    store: PathLike | None = None,
    sink: Sink | None = None,
    mapping: Mapping | PathLike | None = None,
    lock_ttl: int = LOCK_TTL,
) -> Retraction:
    """Remove what the given documents (ids or IRIs) contributed; name those not found. Like a load,
    it holds the target's lease meanwhile: a retract against a busy target is refused."""
    import difflib

    compiled = _mapping(mapping)
    given = list(dict.fromkeys(documents))
    iris = {d: d if d.startswith(("http://", "https://")) else compiled.document_iri_for(d) for d in given}
    folder = Path(store) if store is not None else default_store()
    if sink is None and not folder.exists():  # a mistyped --store must not leave a new empty store behind
        raise TargetUnreachable(f"embedded store {folder} does not exist yet; there is nothing to retract")
    with opened(sink, store) as target, holding(lease_of(target), owner_of(Run.new()), lock_ttl):
        target.ensure_ontology(compiled.ontology.path, compiled.base)
        present = target.fingerprints(list(iris.values()))
        missing: dict[str, list[str]] = {}
        absent = [d for d, iri in iris.items() if iri not in present]
        if absent:
            known = getattr(target, "document_ids", dict)()
            names = sorted(set(known.values()))
            for document in absent:
                missing[document] = difflib.get_close_matches(document, names, n=3, cutoff=0.5)
        removed = target.retract([iris[d] for d in given if iris[d] in present]) if len(absent) < len(given) else 0
        return Retraction(len(given), removed, missing)


def retract(
    documents: Iterable[str],
    *,
    store: PathLike | None = None,
    sink: Sink | None = None,
    mapping: Mapping | PathLike | None = None,
    lock_ttl: int = LOCK_TTL,
) -> int:
    """Remove what the given documents (ids or IRIs) contributed; return how many were present.
    Like a load, it holds the target's lease meanwhile: a retract against a busy target is refused."""
    return retract_documents(documents, store=store, sink=sink, mapping=mapping, lock_ttl=lock_ttl).removed


def runs(*, store: PathLike | None = None, sink: Sink | None = None, limit: int = RUNS_LISTED) -> list[RunRecord]:
    """The run ledger of a target, newest first (none for a target that keeps no ledger)."""
    with opened(sink, store, read_only=True) as target:
        ledger = ledger_of(target)
        return ledger.runs(limit) if ledger is not None else []


def query(sparql: str, *, store: PathLike | None = None) -> tuple[list[str], list[dict[str, Any]]]:
    """Run a SPARQL SELECT on the embedded store; return the variables and rows of Python values.
    Any query form, in the W3C result formats: ``sparql_answer``."""
    with open_store(store, read_only=True) as target, answer(target, sparql) as result:
        if result.kind != "select":
            raise UsageError(
                "kgload.query returns the rows of a SELECT; for ASK, CONSTRUCT or DESCRIBE use kgload.sparql_answer"
            )
        return result.variables, list(result.rows())


def sparql_answer(sparql: str, out: BinaryIO, fmt: str | None = None, *, store: PathLike | None = None) -> str:
    """Run any SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE) on the embedded store and write its
    answer to ``out``: W3C SPARQL 1.1 results (json, xml, csv, tsv) or, for graph results, RDF
    (turtle, ntriples, rdfxml, jsonld). ``fmt`` None: JSON, or Turtle for graphs. Returns the
    query's kind: "select", "ask" or "graph"."""
    with open_store(store, read_only=True) as target, answer(target, sparql) as result:
        result.write(out, fmt or result.default_format())
        return result.kind
