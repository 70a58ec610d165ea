"""Declarative YAML mappings: loading, validation, IRI templates and entity resolution."""

from kgload.mapping.spec import Mapping, load_mapping

__all__ = ["Mapping", "load_mapping"]
