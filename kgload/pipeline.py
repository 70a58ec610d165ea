"""The pipeline: readers -> mapping -> sink, streamed in bounded batches.

This is the one place that knows the order of the stages; each stage stays pure or
single-purpose. Memory holds one batch of mapped documents at a time, whatever the input size.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from kgload.fingerprint import combine
from kgload.mapping.spec import Mapping
from kgload.mapping.templates import TemplateError
from kgload.mapping.tenures import TenureIndex
from kgload.rdf.build import MappedDocument, Merge, Run, map_extraction, tenure_index
from kgload.rdf.raw import map_rdf
from kgload.readers import expand_inputs, read
from kgload.records import Extraction, RdfSource, Reject
from kgload.report import LoadReport, RejectsFile
from kgload.sinks import Sink
from kgload.validate import ShaclValidator

DEFAULT_BATCH = 200  # documents per write; a document is typically tens to hundreds of quads


@dataclass(frozen=True)
class Source:
    path: Path
    format: str | None = None


def iter_mapped(
    sources: Iterable[Source],
    mapping: Mapping,
    run: Run,
    validator: ShaclValidator | None = None,
    tenures: TenureIndex | None = None,
) -> Iterator[MappedDocument | Reject]:
    """Read, map and (optionally) validate every input, yielding mapped documents and rejects
    in input order."""
    tenures = tenures if tenures is not None else tenure_index(mapping)
    for source in sources:
        for item in read(source.path, source.format):
            if isinstance(item, Reject):
                yield item
            elif isinstance(item, RdfSource):
                yield map_rdf(item, mapping, run)  # not validated: foreign RDF has its own vocabulary
            else:
                yield map_item(item, mapping, run, validator, tenures)


def map_item(
    extraction: Extraction,
    mapping: Mapping,
    run: Run,
    validator: ShaclValidator | None = None,
    tenures: TenureIndex | None = None,
) -> MappedDocument:
    mapped = map_extraction(extraction, mapping, run, tenures)
    if validator is not None and mapped.iri:
        validator.check(mapped)
    return mapped


def validator_for(mapping: Mapping) -> ShaclValidator | None:
    """The mapping's SHACL shapes as a validator, or None when the mapping names no shapes."""
    if mapping.shapes is None:
        return None
    return _validator(mapping.shapes, mapping.ontology.path, mapping.hash)


@lru_cache(maxsize=4)
def _validator(shapes: Path, ontology: Path, _version: str) -> ShaclValidator:
    return ShaclValidator(shapes, ontology)  # parsed once per process and mapping version


def sources_from(paths: Iterable[Path], fmt: str | None = None) -> list[Source]:
    return [Source(p, fmt) for p in expand_inputs(list(paths))]


def load(
    sources: Iterable[Source],
    sink: Sink,
    mapping: Mapping,
    *,
    run: Run | None = None,
    rejects: RejectsFile | None = None,
    batch_size: int = DEFAULT_BATCH,
    force: bool = False,
    validator: ShaclValidator | None = None,
    after_batch: Callable[[LoadReport], None] | None = None,
) -> LoadReport:
    """Load every source into ``sink``; documents whose fingerprint is unchanged are skipped.

    Fingerprints are compared before mapping, so an unchanged document costs a read and a
    lookup, not a mapping and a validation; its rejects were reported by the run that first
    saw it. ``after_batch`` is called after each committed batch (progress, lock renewal).
    """
    run = run or Run.new()
    sources = list(sources)
    rejects = rejects or RejectsFile(None)
    report = LoadReport(run_id=run.id, target=getattr(sink, "describe", lambda: sink.name)())
    report.inputs = [str(s.path) for s in sources]
    report.rejects_path = str(rejects.path) if rejects.path else None
    batch: list[Extraction | RdfSource] = []
    tenures = tenure_index(mapping)

    def reject(item: Reject) -> None:
        report.add_reject(item)
        rejects.write(item)

    def flush() -> None:
        if not batch:
            return
        keyed = _last_version([(item, *_identity(item, mapping)) for item in batch])
        stored = sink.fingerprints([iri for _, iri, _ in keyed if iri])
        changed: list[MappedDocument] = []
        for item, iri, fingerprint in keyed:
            if iri and stored.get(iri) == fingerprint and not force:
                report.documents_unchanged += 1
                continue
            mapped = (
                map_rdf(item, mapping, run)
                if isinstance(item, RdfSource)
                else map_item(item, mapping, run, validator, tenures)
            )
            for problem in mapped.rejects:
                reject(problem)
            if mapped.iri:  # else the whole document failed to map
                _note_resolution(report, mapped)
                changed.append(mapped)
        if changed:
            sink.write(changed)
        for doc in changed:
            if doc.iri in stored:
                report.documents_updated += 1
            else:
                report.documents_added += 1
            report.entities += doc.entities
            report.relations += doc.claims
            report.triples += len(doc.quads)
        batch.clear()
        if after_batch is not None:
            after_batch(report)

    try:
        sink.ensure_ontology(mapping.ontology.path, mapping.base)
        for office, of_iri, holding in sink.tenures(mapping):
            tenures.add(office, of_iri, holding)
        for source in sources:
            for item in read(source.path, source.format):
                if isinstance(item, Reject):
                    reject(item)
                    continue
                report.documents_read += 1
                batch.append(item)
                if len(batch) >= batch_size:
                    flush()
        flush()
    except BaseException:
        report.status = "failed"
        raise
    finally:
        rejects.close()
    report.status = "loaded with rejects" if report.rejected_total else "ok"
    return report


def _identity(item: Extraction | RdfSource, mapping: Mapping) -> tuple[str, str]:
    """The document IRI and the fingerprint its mapping will carry, without mapping it."""
    if isinstance(item, RdfSource):
        values = {"base": mapping.base, "id": item.document_id, "publisher": None, "published": None}
    else:
        doc = item.document
        values = {"base": mapping.base, "id": doc.id, "publisher": doc.publisher, "published": doc.published}
    try:
        iri = mapping.document_iri.render(values)
    except (TemplateError, ValueError):
        return "", ""  # mapping it will report why
    return iri, combine(item.fingerprint, mapping.hash)


def _last_version(batch: list[tuple[Any, str, str]]) -> list[tuple[Any, str, str]]:
    """If one input holds a document twice, the later version wins, as it would across runs."""
    latest: dict[str, tuple[Any, str, str]] = {}
    for position, entry in enumerate(batch):
        key = entry[1] or f"unmapped-{position}"
        latest.pop(key, None)
        latest[key] = entry
    return list(latest.values())


def _note_resolution(report: LoadReport, doc: MappedDocument) -> None:
    for merge in doc.merges:
        known = report.merges.get(merge.iri)
        names = tuple(dict.fromkeys((*(known.names if known else ()), *merge.names)))
        report.merges[merge.iri] = Merge(merge.iri, merge.canonical, names, merge.source)
    report.unresolved.update(doc.unresolved)
