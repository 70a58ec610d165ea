"""neo4j-graphrag extractor output: ``{"nodes": [...], "relationships": [...]}``.

This is the JSON ``LLMEntityRelationExtractor`` parses (neo4j-graphrag-python's ``Neo4jGraph``):
nodes ``{id, label, properties}``, relationships ``{type, start_node_id, end_node_id, properties}``
(``properties`` is optional). A .json file holds one graph or an array of graphs, a .jsonl file one
graph per line; each graph is one document. The format has no document information, so the
document id is the file stem (``<stem>-<n>`` for the n-th graph of an array or JSONL file) unless
the graph carries kgload's optional ``"document"`` object.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kgload.readers.common import (
    ENTITY_FIELDS,
    RELATION_FIELDS,
    BadValue,
    Draft,
    assemble,
    date_value,
    each_graph,
    graph_document,
    missing,
    scalar_attributes,
    split_properties,
)
from kgload.records import Extraction, Origin, Reject

# ----------------------------------------------------------------------------------------------
# The graphrag reader.


def read(path: Path) -> Iterator[Extraction | Reject]:
    """One Extraction per graph; a Reject per unusable graph, node or relationship."""
    return each_graph(path, from_graph)


def from_graph(raw: Any, origin: Origin, default_id: str) -> Iterator[Extraction | Reject]:
    problem = _graph_problem(raw)
    if problem:
        yield Reject(origin, problem, raw)
        return
    draft = Draft(origin, raw, graph_document(raw, default_id))
    for index, node in enumerate(raw["nodes"]):
        where = origin.at(f"nodes[{index}]")
        try:
            draft.entity(_entity(node), where, node)
        except BadValue as exc:
            yield Reject(where, str(exc), node)
    for index, link in enumerate(raw["relationships"]):
        where = origin.at(f"relationships[{index}]")
        try:
            draft.relation(_relation(link), where, link)
        except BadValue as exc:
            yield Reject(where, str(exc), link)
    yield from assemble(draft)


def _graph_problem(raw: Any) -> str | None:
    if not isinstance(raw, dict):
        return f"expected a JSON object with nodes and relationships, got {type(raw).__name__}"
    for key in ("nodes", "relationships"):
        if not isinstance(raw.get(key), list):
            return f"{key}: expected a list" if key in raw else f"missing {key!r}"
    return None


def _entity(node: Any) -> dict[str, Any]:
    if not isinstance(node, dict):
        raise BadValue(f"expected a node object, got {type(node).__name__}")
    node_id, label = node.get("id"), node.get("label")
    if missing(node_id) or not isinstance(node_id, str | int):
        raise BadValue("node has no id")
    if missing(label) or not isinstance(label, str):
        raise BadValue("node has no label")
    properties = _properties(node)
    fields, rest = split_properties(properties, ("name", *ENTITY_FIELDS))
    # The graphrag prompt asks for a "name" property; a node without one is named by its id.
    name = fields.pop("name", None)
    return {
        "id": str(node_id),
        "name": str(name if name is not None else node_id),
        "type": label,
        **fields,
        "attributes": scalar_attributes(rest),
    }


def _relation(link: Any) -> dict[str, Any]:
    if not isinstance(link, dict):
        raise BadValue(f"expected a relationship object, got {type(link).__name__}")
    for key in ("type", "start_node_id", "end_node_id"):
        if missing(link.get(key)) or not isinstance(link.get(key), str | int):
            raise BadValue(f"relationship has no {key}")
    fields, rest = split_properties(_properties(link), RELATION_FIELDS)
    fields = _relation_fields(fields)
    return {
        "type": str(link["type"]),
        # an LLM names relationship types freely: keep the words (docs/mapping.md, free-text relations)
        "predicate": str(link["type"]),
        "head": str(link["start_node_id"]),
        "tail": str(link["end_node_id"]),
        **fields,
        "attributes": scalar_attributes(rest),
    }


def _properties(item: dict[str, Any]) -> dict[str, Any]:
    properties = item.get("properties")
    if properties is None:  # optional: the real extractor output leaves it out on relationships
        return {}
    if not isinstance(properties, dict):
        raise BadValue(f"properties: expected an object, got {type(properties).__name__}")
    return properties


def _relation_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Normalise the dates a relationship's properties give; the schema checks the rest."""
    out = dict(fields)
    for key in ("date", "start", "end"):
        if key in out:
            out[key] = date_value(out[key], key)
            if out[key] is None:
                del out[key]
    return out
