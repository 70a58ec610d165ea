"""One document's unit of work: read from its JSONL line, keyed, mapped, checked against the shapes
and prepared for the sink. The serial path and the worker processes (kgload.parallel) both call it,
so a document maps to the same thing in either."""

from __future__ import annotations

import functools

from kgload.fingerprint import combine
from kgload.mapping.spec import Mapping
from kgload.mapping.templates import TemplateError
from kgload.mapping.tenures import TenureIndex
from kgload.model import MappedDocument, Run
from kgload.rdf.plan import map_extraction
from kgload.rdf.raw import map_rdf
from kgload.readers import kgload_json
from kgload.readers.json_input import Line
from kgload.records import Extraction, RdfSource, Reject
from kgload.sinks import CheckedPreparer, MappingPreparer, Preparer
from kgload.validate import ShaclValidator, generic_retry


def map_document(
    extraction: Extraction,
    mapping: Mapping,
    run: Run,
    validator: ShaclValidator | None,
    tenures: TenureIndex | None,
    prepare: Preparer | None = None,
) -> MappedDocument:
    """Map one document, check it against the shapes and hand it to the sink's ``prepare``
    (Sink.preparer). A preparer that can map a document straight to what it makes of it does so
    when no shapes need the quads."""
    if prepare is not None and validator is None and _maps_documents(type(prepare)):
        return prepare.map(extraction, mapping, run, tenures)
    if prepare is not None and validator is not None and _maps_checked(type(prepare)):
        mapped = prepare.map_checked(extraction, mapping, run, tenures)
    else:
        mapped = map_extraction(extraction, mapping, run, tenures)
    if validator is not None and mapped.iri:
        validator.check(mapped)
        generic = generic_retry(extraction, mapped, mapping)
        if generic is not None:  # rare: mapped again with the refused free-text relations made generic
            mapped = validator.check(map_extraction(generic, mapping, run, tenures))
        mapped.self_loops = [loop for loop in mapped.self_loops if loop.claim in mapped.claim_sources]
    if prepare is not None and mapped.iri:
        return prepare(mapped)
    mapped.held = None  # a rejected document: nothing of it is prepared
    return mapped


def map_record(
    item: Extraction | RdfSource,
    mapping: Mapping,
    run: Run,
    validator: ShaclValidator | None = None,
    tenures: TenureIndex | None = None,
    prepare: Preparer | None = None,
) -> MappedDocument:
    """A reader's record mapped: RDF read as it is keeps its own vocabulary, so it is neither checked
    against the shapes nor prepared here (the sink prepares it with its batch)."""
    if isinstance(item, RdfSource):
        return map_rdf(item, mapping, run)
    return map_document(item, mapping, run, validator, tenures, prepare)


@functools.cache
def _maps_documents(kind: type) -> bool:
    """Whether preparers of this type map documents themselves (MappingPreparer): asked once per
    type, since a protocol check costs microseconds and this is asked for every document."""
    return issubclass(kind, MappingPreparer)


@functools.cache
def _maps_checked(kind: type) -> bool:
    """Whether preparers of this type make their output from the plan beside the statements (CheckedPreparer)."""
    return issubclass(kind, CheckedPreparer)


def identity(item: Extraction | RdfSource, mapping: Mapping) -> tuple[str, str]:
    """The document IRI and the fingerprint its mapping will carry, without mapping it; two empty
    strings when the IRI cannot be made (mapping it will report why)."""
    try:
        iri = mapping.document_iri_of(item.document)
    except (TemplateError, ValueError):
        return "", ""
    return iri, combine(item.fingerprint, mapping.hash)


def read_line(line: Line, rejects: list[Reject], *, records: bool = True) -> Extraction | None:
    """The line's document as the JSONL reader builds it (None when the whole record is rejected); its
    rejects go to ``rejects``. ``records=False`` skips building the records, for a line read only to
    key its document."""
    found = None
    for item in kgload_json.from_line(line, records=records):
        if isinstance(item, Reject):
            rejects.append(item)
        else:
            found = item
    return found
