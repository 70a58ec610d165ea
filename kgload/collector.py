"""Settings of Python's cyclic garbage collector for mapping and loading.

A batch being mapped or written holds tens of thousands of young container objects (rows, dicts,
lists) that die by reference counting, not by collection. With CPython's default threshold the
collector runs hundreds of times a batch and moves what is still alive up the generations, where the
full collections scan every object of the process again, the mapping's own setup included
(docs/benchmarks.md, "Measurements behind the code").
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

YOUNG_THRESHOLD = 10_000  # net container allocations between two collections of the youngest generation
COLLECT_DOCUMENTS = 5_000  # documents a load writes between two collections of its own (``LoadCollections``)


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect less often for the duration (the thresholds are restored after): usable as a decorator.
    Cycles are still collected, later; memory barely changes, since the objects that pile up
    between collections are the batch's live rows, not garbage."""
    before = _collect_less_often()
    try:
        yield
    finally:
        gc.set_threshold(*before)


class LoadCollections:
    """The collector during a load, in the process that writes: what exists when the load starts
    (imports, mapping, gazetteer) is frozen out of its sight, automatic collection is off, and a full
    collection runs every ``COLLECT_DOCUMENTS`` documents written (``written``), so that cyclic
    garbage stays bounded. The batches' rows and outcomes live across the window of batches in
    flight, so automatic collections scanned them over and over (docs/benchmarks.md, "The loader
    process and the unvalidated workers"); on exit the collector is as it was."""

    def __init__(self) -> None:
        self.since = 0
        self.enabled = gc.isenabled()

    def __enter__(self) -> LoadCollections:
        gc.collect()
        gc.freeze()
        gc.disable()
        return self

    def written(self, documents: int) -> None:
        self.since += documents
        if self.since >= COLLECT_DOCUMENTS:
            self.since = 0
            gc.collect()

    def __exit__(self, *exc: object) -> None:
        gc.unfreeze()
        if self.enabled:
            gc.enable()


def freeze_worker_setup() -> None:
    """For a mapping worker, once its setup is in place: the setup (mapping, ontology, shapes)
    lives as long as the worker, so it is moved out of the collector's sight (``gc.freeze``), and
    the worker collects less often for the rest of its life (collecting again, if it was forked
    from a load that had stopped it: ``LoadCollections``)."""
    gc.enable()
    gc.collect()
    gc.freeze()
    _collect_less_often()


def _collect_less_often() -> tuple[int, ...]:
    """Raise the youngest generation's threshold (never lower it); return the thresholds before."""
    before = gc.get_threshold()
    gc.set_threshold(max(before[0], YOUNG_THRESHOLD), *before[1:])
    return before
