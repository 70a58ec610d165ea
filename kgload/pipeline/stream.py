"""Mapping alone (``kgload map``, ``api.write_rdf``, ``api.map_quads``): every input's documents mapped,
and rejects, in input order, in this process or in worker processes."""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from kgload.defaults import MAP_BATCH
from kgload.document import map_record
from kgload.mapping.spec import Mapping
from kgload.mapping.tenures import TenureIndex
from kgload.model import MappedDocument, Run, Source
from kgload.parallel import Pending, ProcessMapper, parse_nquads, payload_format, terminate_as_interrupt
from kgload.pipeline.inputs import WINDOW, batched, read_source
from kgload.rdf.offices import tenure_index
from kgload.readers.json_input import Line
from kgload.readers.kgload_json import from_line
from kgload.records import Extraction, RdfSource, Reject
from kgload.sinks import Preparer
from kgload.validate import ShaclValidator


@dataclass(frozen=True)
class Serialised:
    """A document mapped in a worker, its quads already serialised in the output format."""

    doc: MappedDocument  # doc.quads is empty
    data: bytes


def iter_mapped(
    sources: Iterable[Source],
    mapping: Mapping,
    run: Run,
    validator: ShaclValidator | None = None,
    tenures: TenureIndex | None = None,
    *,
    workers: int = 1,
    rdf_format: str | None = None,
    batch_size: int = MAP_BATCH,
    prepare: Preparer | None = None,
) -> Iterator[MappedDocument | Reject | Serialised]:
    """Read, map and (optionally) validate every input, yielding mapped documents and rejects
    in input order.

    With ``workers`` > 1 and more than one batch of input, documents map in worker processes.
    ``prepare`` is applied to each mapped document where it was mapped (see Sink.preparer);
    without it, when ``rdf_format`` is a streamable format, worker-mapped documents come as
    ``Serialised`` (their bytes are what ``RdfWriter`` writes for them); otherwise always as
    MappedDocument.
    """
    tenures = tenures if tenures is not None else tenure_index(mapping)
    items = (item for source in sources for item in read_source(source, lines=workers > 1))
    if workers <= 1:
        for item in items:
            yield from _map_here(item, mapping, run, validator, tenures, prepare)
        return
    batches = batched(items, batch_size)
    head = list(itertools.islice(batches, 2))
    if len(head) < 2:  # one batch: not worth starting a pool
        for item in itertools.chain.from_iterable(head):
            yield from _map_here(item, mapping, run, validator, tenures, prepare)
        return
    mapper = ProcessMapper(workers, mapping, run, validator, tenures, payload_format(rdf_format), prepare)
    window: deque[tuple[list[Any], Pending]] = deque()
    try:
        with terminate_as_interrupt():
            for batch in itertools.chain(head, batches):
                window.append((batch, mapper.submit([i for i in batch if isinstance(i, Extraction | Line)])))
                if len(window) > WINDOW:
                    yield from _in_order(*window.popleft(), mapper, rdf_format)
            while window:
                yield from _in_order(*window.popleft(), mapper, rdf_format)
    except BaseException:
        mapper.close(cancel=True)
        raise
    mapper.close()


def _in_order(
    batch: list[Any], pending: Pending, mapper: ProcessMapper, rdf_format: str | None
) -> Iterator[MappedDocument | Reject | Serialised]:
    outcomes = mapper.outcomes(pending)
    for item in batch:
        if isinstance(item, Reject):
            yield item
        elif isinstance(item, RdfSource):
            yield map_record(item, mapper.mapping, mapper.run)  # in the parent: its quads are costly to pickle
        else:
            outcome = next(outcomes)
            yield from outcome.read
            if outcome.doc is None:  # a line read to rejects only
                continue
            doc, data = mapper.accept(item, outcome)
            if data is None:
                yield doc
            elif mapper.payload == rdf_format:
                yield Serialised(doc, data)
            else:
                doc.quads = parse_nquads(data)
                yield doc


def _map_here(
    item: Extraction | RdfSource | Reject | Line,
    mapping: Mapping,
    run: Run,
    validator: ShaclValidator | None,
    tenures: TenureIndex,
    prepare: Preparer | None = None,
) -> Iterator[MappedDocument | Reject]:
    if isinstance(item, Line):
        for read_item in from_line(item):
            yield from _map_here(read_item, mapping, run, validator, tenures, prepare)
    elif isinstance(item, Reject):
        yield item
    else:
        yield map_record(item, mapping, run, validator, tenures, prepare)
