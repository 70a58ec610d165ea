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
