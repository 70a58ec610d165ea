"""Content hashes: the same content always gives the same fingerprint, whatever its layout."""

from __future__ import annotations

import hashlib
import json
from typing import Any

# One encoder for every call: json.dumps with options builds a new one each time, which costs
# more than encoding a claim key. Same settings, so the same text (and fingerprints) as before.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no insignificant white space (RFC 8785 in spirit)."""
    return _ENCODER.encode(value)


def fingerprint(value: Any) -> str:
    return "sha256:" + hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


def combine(*parts: str) -> str:
    """One fingerprint standing for several (e.g. a record's and the mapping's)."""
    return "sha256:" + hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
