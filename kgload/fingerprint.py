"""Content hashes: the same content always gives the same fingerprint, whatever its layout."""

from __future__ import annotations

import hashlib
import json
import math
from json.encoder import encode_basestring
from typing import Any

import orjson

# One encoder for every call: json.dumps with options builds a new one each time, which costs
# more than encoding a claim key. Same settings, so the same text (and fingerprints) as before.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
# orjson writes what json writes for JSON values (sorted keys, no spaces, UTF-8) in a sixth of the
# time; dates, dataclasses and subclasses are left to the json module, which refuses them as before.
_FAST = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
_FAST |= orjson.OPT_PASSTHROUGH_SUBCLASS


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no insignificant white space (RFC 8785 in spirit)."""
    return _ENCODER.encode(value)


def key_json(items: list[Any]) -> str:
    """canonical_json of a list of strings, None and integers (a claim key, a relationship key), the
    same text, without the general encoder's set-up per call; anything else takes the general path.
    """
    parts = []
    for item in items:
        kind = type(item)
        if kind is str:
            parts.append(encode_basestring(item))
        elif item is None:
            parts.append("null")
        elif kind is int:
            parts.append(int.__repr__(item))
        else:
            return canonical_json(items)
    return "[" + ",".join(parts) + "]"


def canonical_bytes(value: Any) -> bytes:
    """The text ``canonical_json`` stands for, as UTF-8, made faster. It differs from ``canonical_json``
    only in how a float with an exponent is spelt (``1e-8`` for ``1e-08``): the same value always gives
    the same bytes, and two values never share them."""
    try:
        data = orjson.dumps(value, option=_FAST)
    except (orjson.JSONEncodeError, TypeError):  # an int past 64 bits, a non-str key, a date: the json module
        return _utf8(canonical_json(value))
    if b"null" in data and _non_finite(value):  # orjson writes NaN and Infinity as null; json tells them apart
        return _utf8(canonical_json(value))
    return data


def _utf8(text: str) -> bytes:
    # a lone surrogate has no UTF-8 form; "surrogatepass" still gives every text its own bytes, so a
    # hostile value gets a fingerprint instead of ending the run (readers reject it on their own)
    return text.encode("utf-8", "surrogatepass")


def _non_finite(value: Any) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, dict):
        return any(_non_finite(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_non_finite(v) for v in value)
    return False


def fingerprint(value: Any) -> str:
    return "sha256:" + hashlib.sha256(canonical_bytes(value)).hexdigest()


def combine(*parts: str) -> str:
    """One fingerprint standing for several (e.g. a record's and the mapping's)."""
    return "sha256:" + hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
