"""A claim's extra attributes (its ``kg:attributes`` JSON) as typed Neo4j properties.

The RDF keeps the attributes the mapping does not name as one ``rdf:JSON`` literal; Neo4j gets
each as a property of its own, so that Cypher can filter on it (``WHERE c.attr_occasion = …``):

- every key takes the prefix ``attr_``; a nested object's keys join their parent's with ``__``
  (``{"venue": {"city": "Jeddah"}}`` -> ``attr_venue__city``);
- a key's characters other than ``A-Z a-z 0-9 _`` become ``_``; two keys that become one name
  are told apart by ``_2``, ``_3``, … in the order of their original keys (sorted, so the same
  document always gives the same names);
- strings, integers, floats and booleans keep their JSON type; a list of scalars of one type
  stays a list, integers mixed with floats become floats, other mixtures and lists of objects or
  lists become their JSON text (Neo4j lists hold one type of scalar); ``null``, ``[]`` and
  ``{}`` give no property (Neo4j stores no null, and neo4j-admin no empty list).

``unflatten`` reads such properties back into the attributes (under their sanitised names), for
an RDF export from Neo4j.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from kgload.fingerprint import canonical_json

PREFIX = "attr_"
SEPARATOR = "__"
_UNSAFE = re.compile(r"[^A-Za-z0-9_]")
_SAFE = re.compile(r"[A-Za-z0-9_]+")
NEO4J_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")  # a property name Cypher takes without backticks


def flatten_attributes(text: str) -> dict[str, Any]:
    """The ``kg:attributes`` JSON text as Neo4j properties; text that is not a JSON object gives
    one ``attr_value`` property holding it (an RDF file loaded as kgload's may carry anything).
    The result is shared between calls with one text: copy it (``fields.update``), never change it."""
    return _flattened(text)


@lru_cache(maxsize=4096)  # a source's constant attributes recur on every claim of a feed
def _flattened(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError:
        return {PREFIX + "value": text}
    if not isinstance(data, dict):
        data = {"value": data}
    out: dict[str, Any] = {}
    _flatten(data, PREFIX, out, set())
    return out


def _flatten(data: dict[str, Any], prefix: str, out: dict[str, Any], taken: set[str]) -> None:
    """``taken``: every name given so far, a nested one's parents too, so that no two collide."""
    for key in sorted(data):
        item = data[key]
        name = prefix + (key if _SAFE.fullmatch(key) else _UNSAFE.sub("_", key) or "_")
        if name in taken:
            n = 2
            while f"{name}_{n}" in taken:
                n += 1
            name = f"{name}_{n}"
        taken.add(name)
        kind = type(item)
        if kind is dict:
            _flatten(item, name + SEPARATOR, out, taken)
        elif kind is list:
            if item:
                out[name] = _list(item)
        elif item is not None:
            out[name] = item


def _list(items: list[Any]) -> Any:
    kinds = {type(item) for item in items}
    if len(kinds) == 1 and kinds <= {str, int, float, bool}:
        return list(items)
    if kinds <= {int, float}:  # bool is not among them: True is no number to an analyst
        return [float(item) for item in items]
    return canonical_json(items)


def unflatten(props: dict[str, Any]) -> dict[str, Any]:
    """The ``attr_`` properties of ``props`` back as nested attributes (their names sanitised)."""
    out: dict[str, Any] = {}
    for key in sorted(props):
        if not key.startswith(PREFIX) or props[key] is None:
            continue
        *parents, last = key[len(PREFIX) :].split(SEPARATOR)
        node = out
        for part in parents:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                child = node[part + "_"] = {}
            node = child
        node[last] = props[key]
    return out
