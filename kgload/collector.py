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


def freeze_worker_setup() -> None:
    """For a mapping worker, once its setup is in place: the setup (mapping, ontology, shapes)
    lives as long as the worker, so it is moved out of the collector's sight (``gc.freeze``), and
    the worker collects less often for the rest of its life."""
    gc.collect()
    gc.freeze()
    _collect_less_often()


def _collect_less_often() -> tuple[int, ...]:
    """Raise the youngest generation's threshold (never lower it); return the thresholds before."""
    before = gc.get_threshold()
    gc.set_threshold(max(before[0], YOUNG_THRESHOLD), *before[1:])
    return before
