"""The one rule for numbers, whatever the target: an integer fits in 64 bits and a number is finite.

Neo4j stores integers as 64-bit and its driver cannot send a larger one; JSON has no Infinity or NaN
(an ``rdf:JSON`` literal holding one is not JSON). So a value outside that range is rejected with a
reason at reading (or mapping) for every target alike, rather than loading into one and crashing another;
a number that needs more belongs in a string.
"""

from __future__ import annotations

import math
from typing import Any

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


def number_problem(value: Any) -> str | None:
    """Why ``value`` cannot be stored as a number, or None when it can (or is no number)."""
    kind = type(value)
    if kind is str or kind is bool or value is None:  # the common values first: this runs for every attribute
        return None
    if kind is int and INT64_MIN <= value <= INT64_MAX:
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        if INT64_MIN <= value <= INT64_MAX:
            return None
        return f"integer {_short(value)} is outside the 64-bit range (-2**63 to 2**63-1); give it as a string"
    if isinstance(value, float) and not math.isfinite(value):
        return "a number too large for a 64-bit float (or not finite); give it as a string"
    return None


def integer_value(value: Any) -> int | None:
    """A count or index as an int: JSON Schema's "integer" takes 3.0 (and 1e308), the stores want 3."""
    if value is None or isinstance(value, int):
        return value
    return int(value)


def integer_problem(value: Any) -> str | None:
    """Why a field the schema types as integer cannot be stored, or None (1e308 passes the schema)."""
    if type(value) is int and INT64_MIN <= value <= INT64_MAX:
        return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return number_problem(value)
        value = int(value)
    return number_problem(value)


def _short(value: int) -> str:
    digits = str(abs(value)) if value.bit_length() < 10_000 else ""
    sign = "-" if value < 0 else ""
    if not digits or len(digits) > 40:
        return f"{sign}{digits[:12]}… ({len(digits) or 'thousands of'} digits)"
    return sign + digits
