"""kgload: extracted entities and relations -> a clean, queryable knowledge graph."""

from kgload.api import (
    load,
    map_batch,
    map_files,
    map_quads,
    open_store,
    query,
    resolve,
    sparql_answer,
    write_rdf,
)
from kgload.errors import KgloadError, MappingError, UsageError
from kgload.mapping import load_mapping
from kgload.model import Run
from kgload.pipeline import LoadOptions
from kgload.version import __version__

__all__ = [
    "KgloadError",
    "LoadOptions",
    "MappingError",
    "Run",
    "UsageError",
    "__version__",
    "load",
    "load_mapping",
    "map_batch",
    "map_files",
    "map_quads",
    "open_store",
    "query",
    "resolve",
    "sparql_answer",
    "write_rdf",
]
