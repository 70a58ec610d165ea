"""The pipeline: readers -> mapping -> sink, streamed in bounded batches.

This is the one place that knows the order of the stages; each stage stays pure or
single-purpose. Memory holds a bounded window of batches at a time, whatever the input size.
With ``workers`` > 1 the mapping of those batches runs in worker processes (kgload.parallel);
the parent reads, decides what needs mapping, writes, and keeps the output identical to the
serial path's, in content and in order. ``stream``: mapping alone (``kgload map``); ``load``:
mapping into a sink, skipping what it holds unchanged (``kgload load``); ``inputs``: what both read.
"""

from kgload.pipeline.inputs import sources_from
from kgload.pipeline.load import Load, LoadOptions
from kgload.pipeline.stream import Serialised, iter_mapped

__all__ = ["Load", "LoadOptions", "Serialised", "iter_mapped", "sources_from"]
