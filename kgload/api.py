"""kgload as a library: everything the CLI does, callable by import.

import kgload
dataset, rejects = kgload.map_files(["examples/afp-2025-06-14-putin-trump-call.json"])
report = kgload.load(["examples/"], store="kgload-store")
rows = kgload.query("SELECT ?s WHERE { ?s a kg:Person }", store="kgload-store")
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import pyoxigraph as ox
import rdflib

from kgload.errors import UsageError
from kgload.mapping.spec import Mapping, load_mapping
from kgload.pipeline import DEFAULT_BATCH, Source, iter_mapped, sources_from, validator_for
from kgload.rdf.build import Run
from kgload.rdf.convert import to_rdflib
from kgload.rdf.serialize import RdfWriter
from kgload.records import Reject
from kgload.report import LoadReport, RejectsFile
from kgload.runs.ledger import RunRecord
from kgload.runs.runner import DEFAULT_LOCK_TTL, run_load
from kgload.sinks import Sink
from kgload.sinks.embedded import EmbeddedStore

if TYPE_CHECKING:
    from kgload.export.neo4j_admin import Neo4jAdminExport

PathLike = str | os.PathLike[str]


def default_store() -> Path:
    return Path(os.environ.get("KGLOAD_STORE", ".kgload/store"))


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
) -> tuple[rdflib.Dataset, list[Reject]]:
    """Map input files to an rdflib Dataset (one named graph per source document)."""
    quads, rejects = map_quads(inputs, mapping=mapping, fmt=fmt, run=run, validate=validate)
    return to_rdflib(quads), rejects


def map_quads(
    inputs: Iterable[PathLike | Source],
    *,
    mapping: Mapping | PathLike | None = None,
    fmt: str | None = None,
    run: Run | None = None,
    validate: bool = False,
) -> tuple[list[ox.Quad], list[Reject]]:
    """Like map_files, as pyoxigraph quads (faster; what the sinks use)."""
    quads: list[ox.Quad] = []
    rejects: list[Reject] = []
    compiled = _mapping(mapping)
    validator = validator_for(compiled) if validate else None
    for item in iter_mapped(_sources(inputs, fmt), compiled, run or Run.new(), validator):
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
) -> int:
    """Stream the mapping of ``inputs`` to ``out``; return the number of rejects."""
    writer = RdfWriter(out, rdf_format)
    rejects = rejects or RejectsFile(None)
    compiled = _mapping(mapping)
    validator = validator_for(compiled) if validate else None
    try:
        for item in iter_mapped(_sources(inputs, fmt), compiled, run or Run.new(), validator):
            if isinstance(item, Reject):
                rejects.write(item)
                continue
            for problem in item.rejects:
                rejects.write(problem)
            writer.write(item.quads)
        writer.close()
    finally:
        rejects.close()
    return rejects.count


def open_store(path: PathLike | None = None, *, read_only: bool = False) -> EmbeddedStore:
    return EmbeddedStore(Path(path) if path is not None else default_store(), read_only=read_only)


def load(
    inputs: Iterable[PathLike | Source],
    *,
    store: PathLike | None = None,
    sink: Sink | None = None,
    mapping: Mapping | PathLike | None = None,
    fmt: str | None = None,
    rejects: PathLike | None = None,
    run: Run | None = None,
    batch_size: int | None = None,
    force: bool = False,
    validate: bool = True,
    lock_ttl: int = DEFAULT_LOCK_TTL,
    progress: Callable[[LoadReport], None] | None = None,
) -> LoadReport:
    """Load inputs into ``sink`` (default: the embedded store at ``store``).

    The run takes the target's lock, is recorded in the target's run ledger, and skips
    documents whose fingerprint is unchanged. With ``validate`` (the default) every mapped
    document is checked against the mapping's SHACL shapes first; violating records are
    rejected with the shape's message.
    """
    compiled = _mapping(mapping)
    sources = _sources(inputs, fmt)
    run = run or Run.new()
    own_sink = sink is None
    target: Sink = sink if sink is not None else open_store(store)
    try:
        return run_load(
            sources,
            target,
            compiled,
            run=run,
            rejects=RejectsFile(Path(rejects) if rejects else None),
            batch_size=batch_size or DEFAULT_BATCH,
            force=force,
            validator=validator_for(compiled) if validate else None,
            lock_ttl=lock_ttl,
            progress=progress,
        )
    finally:
        if own_sink:
            target.close()


def export_neo4j_admin(
    inputs: Iterable[PathLike | Source],
    output: PathLike,
    *,
    mapping: Mapping | PathLike | None = None,
    fmt: str | None = None,
    rejects: PathLike | None = None,
    run: Run | None = None,
    batch_size: int | None = None,
    validate: bool = True,
    progress: Callable[[LoadReport], None] | None = None,
) -> Neo4jAdminExport:
    """Map inputs as ``load`` would into Neo4j, but write the folder of CSV files (with import.sh
    and post-import.cypher) that ``neo4j-admin database import full`` turns into the same graph."""
    from kgload.export import neo4j_admin

    return neo4j_admin.export(
        Path(output),
        lambda sink: load(
            inputs,
            sink=sink,
            mapping=mapping,
            fmt=fmt,
            rejects=rejects,
            run=run,
            batch_size=batch_size,
            validate=validate,
            progress=progress,
        ),
    )


def retract(
    documents: Iterable[str],
    *,
    store: PathLike | None = None,
    sink: Sink | None = None,
    mapping: Mapping | PathLike | None = None,
) -> int:
    """Remove what the given documents (ids or IRIs) contributed; return how many were present."""
    compiled = _mapping(mapping)
    iris = [
        d
        if d.startswith(("http://", "https://"))
        else compiled.document_iri.render({"base": compiled.base, "id": d, "publisher": None, "published": None})
        for d in documents
    ]
    own_sink = sink is None
    target: Sink = sink if sink is not None else open_store(store)
    try:
        target.ensure_ontology(compiled.ontology.path, compiled.base)
        return target.retract(iris)
    finally:
        if own_sink:
            target.close()


def runs(*, store: PathLike | None = None, sink: Sink | None = None, limit: int = 20) -> list[RunRecord]:
    """The run ledger of a target, newest first."""
    target: Sink = sink if sink is not None else open_store(store, read_only=True)
    try:
        return target.runs(limit)
    finally:
        if sink is None:
            target.close()


def query(sparql: str, *, store: PathLike | None = None) -> tuple[list[str], list[dict[str, Any]]]:
    """Run a SPARQL SELECT on the embedded store; return the variables and rows of Python values."""
    target = open_store(store, read_only=True)
    try:
        result = target.query(sparql)
        if not isinstance(result, ox.QuerySolutions):
            raise UsageError("kgload query runs SELECT queries; use ASK/CONSTRUCT through the library API")
        variables = [v.value for v in result.variables]
        rows = [{name: _python(solution[name]) for name in variables} for solution in result]
        return variables, rows
    finally:
        target.close()


def _python(term: Any) -> Any:
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        return term.value
    return term.value
