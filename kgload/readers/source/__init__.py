"""Source mappings: any tabular or JSON dataset read into kgload records through a YAML file
(docs/sources.md) instead of a reader written in Python."""

from kgload.readers.source.plugin import SourceReader, shipped, shipped_by_name
from kgload.readers.source.spec import SourceSpec, is_source_mapping, load_source

__all__ = ["SourceReader", "SourceSpec", "is_source_mapping", "load_source", "shipped", "shipped_by_name"]
