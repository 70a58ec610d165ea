"""LangChain GraphDocument JSON (``LLMGraphTransformer`` output, serialised).

A GraphDocument is ``{"nodes": [...], "relationships": [...], "source": {...}}``: nodes
``{id, type, properties}``, relationships ``{source, target, type, properties}`` where source and
target are whole node objects, and ``source`` the LangChain ``Document`` it came from
(``{page_content, metadata}``, optionally ``id``). Objects written with ``langchain_core.load.dumpd``
(``{"lc": 1, "type": "constructor", "id": [...], "kwargs": {...}}``) are unwrapped to their kwargs.
A .json file holds one GraphDocument or an array of them, a .jsonl file one per line.

The document comes from ``source``: id from ``source.id`` or ``metadata.id``/``document_id``, title
from ``metadata.title``, url from ``metadata.url``/``source`` when it is a web address, published from
``metadata.published``/``date``; whatever is missing falls back to the file stem. Node ids are what
LLMGraphTransformer uses as the entity's name, so a node's name is ``properties.name`` or its id.
A relationship may name a node the ``nodes`` list lacks: the node object it embeds is used.
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
    http_url,
    missing,
    scalar_attributes,
    split_properties,
)
from kgload.records import Extraction, Origin, Reject


def read(path: Path) -> Iterator[Extraction | Reject]:
    """One Extraction per GraphDocument; a Reject per unusable document, node or relationship."""
    return each_graph(path, from_graph_document)


def unwrap(value: Any) -> Any:
    """A dumpd() constructor object stands for its kwargs; anything else is itself."""
    if isinstance(value, dict) and value.get("lc") is not None and isinstance(value.get("kwargs"), dict):
        return value["kwargs"]
    return value


def from_graph_document(raw: Any, origin: Origin, default_id: str) -> Iterator[Extraction | Reject]:
    value = unwrap(raw)
    problem = _problem(value)
    if problem:
        yield Reject(origin, problem, raw)
        return
    try:
        document = _document(unwrap(value.get("source")), default_id)
    except BadValue as exc:
        yield Reject(origin.at("source"), str(exc), raw)
        return
    draft = Draft(origin, raw, document)
    seen: set[str] = set()
    for index, node in enumerate(value["nodes"]):
        where = origin.at(f"nodes[{index}]")
        try:
            entity = _entity(unwrap(node))
        except BadValue as exc:
            yield Reject(where, str(exc), node)
            continue
        seen.add(entity["id"])
        draft.entity(entity, where, node)
    for index, link in enumerate(value["relationships"]):
        where = origin.at(f"relationships[{index}]")
        try:
            relation, ends = _relation(unwrap(link))
        except BadValue as exc:
            yield Reject(where, str(exc), link)
            continue
        for end, node in ends:  # nodes only a relationship names
            if node["id"] not in seen:
                seen.add(node["id"])
                draft.entity(node, origin.at(f"relationships[{index}].{end}"), unwrap(link).get(end))
        draft.relation(relation, where, link)
    yield from assemble(draft)


def _problem(value: Any) -> str | None:
    if not isinstance(value, dict):
        return f"expected a GraphDocument object, got {type(value).__name__}"
    for key in ("nodes", "relationships"):
        if not isinstance(value.get(key), list):
            return f"{key}: expected a list" if key in value else f"missing {key!r}"
    return None


def _document(source: Any, default_id: str) -> dict[str, Any]:
    if source is None:
        return {"id": default_id, "title": default_id}
    if not isinstance(source, dict):
        raise BadValue(f"expected a Document object, got {type(source).__name__}")
    metadata = source.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise BadValue("metadata: expected an object")
    doc_id = _first(source.get("id"), metadata.get("id"), metadata.get("document_id")) or default_id
    published = _first(metadata.get("published"), metadata.get("date"), metadata.get("publication_date"))
    return {
        "id": str(doc_id),
        "title": str(_first(metadata.get("title")) or doc_id),
        "publisher": _first(metadata.get("publisher")),
        "published": date_value(published, "metadata.published"),
        "url": http_url(metadata.get("url")) or http_url(metadata.get("source")),
        "language": _first(metadata.get("language")),
    }


def _first(*values: Any) -> Any:
    return next((v for v in values if not missing(v)), None)


def _entity(node: Any) -> dict[str, Any]:
    if not isinstance(node, dict):
        raise BadValue(f"expected a node object, got {type(node).__name__}")
    node_id = node.get("id")
    if missing(node_id) or not isinstance(node_id, str | int):
        raise BadValue("node has no id")
    node_type = node.get("type")
    if missing(node_type) or not isinstance(node_type, str):
        raise BadValue(f"node {node_id!r} has no type")
    properties = node.get("properties") or {}
    if not isinstance(properties, dict):
        raise BadValue("properties: expected an object")
    fields, rest = split_properties(properties, ("name", *ENTITY_FIELDS))
    name = fields.pop("name", None)
    return {
        "id": str(node_id),
        "name": str(name if name is not None else node_id),
        "type": node_type,
        **fields,
        "attributes": scalar_attributes(rest),
    }


def _relation(link: Any) -> tuple[dict[str, Any], list[tuple[str, dict[str, Any]]]]:
    if not isinstance(link, dict):
        raise BadValue(f"expected a relationship object, got {type(link).__name__}")
    if missing(link.get("type")) or not isinstance(link.get("type"), str):
        raise BadValue("relationship has no type")
    ends = []
    for end in ("source", "target"):
        node = unwrap(link.get(end))
        if node is None:
            raise BadValue(f"relationship has no {end} node")
        try:
            ends.append((end, _entity(node)))
        except BadValue as exc:
            raise BadValue(f"{end}: {exc}") from None
    properties = link.get("properties") or {}
    if not isinstance(properties, dict):
        raise BadValue("properties: expected an object")
    fields, rest = split_properties(properties, RELATION_FIELDS)
    for key in ("date", "start", "end"):
        if key in fields:
            fields[key] = date_value(fields[key], key)
    fields = {k: v for k, v in fields.items() if v is not None}
    relation = {
        "type": link["type"],
        # an LLM names relationship types freely: keep the words (docs/mapping.md, free-text relations)
        "predicate": link["type"],
        "head": ends[0][1]["id"],
        "tail": ends[1][1]["id"],
        **fields,
        "attributes": scalar_attributes(rest),
    }
    return relation, ends
