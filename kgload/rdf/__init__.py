"""RDF building: records + mapping -> quads, and conversions between RDF libraries."""
