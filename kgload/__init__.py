"""kgload: extracted entities and relations -> a clean, queryable knowledge graph."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("kgload")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

from kgload.api import load, map_batch, map_files, map_quads, open_store, query, write_rdf
from kgload.errors import KgloadError, MappingError, UsageError
from kgload.mapping import load_mapping
from kgload.model import Run

__all__ = [
    "KgloadError",
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
    "write_rdf",
]
