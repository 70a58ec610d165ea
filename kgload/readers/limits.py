"""Safety limits every reader applies, so hostile input is rejected instead of exhausting memory."""

from __future__ import annotations

from typing import Any

MAX_RECORD_BYTES = 16 * 1024 * 1024  # one document (a JSONL line, a JSON file's element)
MAX_DEPTH = 32  # nesting of objects and lists within one record


def check_depth(value: Any, limit: int = MAX_DEPTH) -> bool:
    """True when ``value`` nests no deeper than ``limit`` (iterative: no recursion to exhaust)."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return False
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return True


# RDF files are parsed whole, as one document. The parser (pyoxigraph) holds a token (a literal, an
# IRI) in a buffer that stops at 16 MiB with a MemoryError; kgload sets its own, lower limit so that a
# long token is a reject with a reason, whichever the syntax.
MAX_RDF_FILE_BYTES = 256 * 1024 * 1024  # one RDF file, one document (split larger ones)
MAX_RDF_TOKEN_BYTES = 8 * 1024 * 1024  # one literal or IRI
# RDF/XML may declare internal entities (OWL files abbreviate namespaces so). Declarations are allowed
# only when no entity refers to another and the text their references add stays within this budget:
# a "billion laughs" file nests them, a quadratic blow-up repeats a large one.
MAX_XML_ENTITY_EXPANSION = 1024 * 1024  # characters all entity references of a file may add
