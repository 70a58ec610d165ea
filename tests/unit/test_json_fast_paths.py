"""The orjson fast paths stand in for the json module: ``loads`` must give json's values (or json's error)
for any bytes, and ``fingerprint`` must tell apart exactly the values json's canonical text tells apart."""

import copy
import json
import math

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kgload.fingerprint import canonical_bytes, canonical_json, fingerprint, key_json
from kgload.readers.json_input import _no_constant, loads

TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | TEXT
)
JSON = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4), max_leaves=25
)


def reference_loads(raw: bytes):
    """What ``loads`` did before it had a fast path (the slow path kept for json's own messages)."""
    value = json.loads(raw, parse_constant=_no_constant)
    json.dumps(value, ensure_ascii=False).encode("utf-8")  # a lone surrogate raises UnicodeEncodeError
    return value


def outcome(parse, raw: bytes):
    try:
        value = parse(raw)
    except (ValueError, RecursionError):  # UnicodeEncodeError is a ValueError
        return "refused"
    return ("value", repr(value), [list(v) for v in _dicts(value)])  # repr: -0.0 and 0.0, 1 and 1.0 differ


def _dicts(value):
    if isinstance(value, dict):
        yield value
        for v in value.values():
            yield from _dicts(v)
    elif isinstance(value, list):
        for v in value:
            yield from _dicts(v)


@settings(max_examples=400, deadline=None)
@given(JSON, st.sampled_from([{}, {"indent": 1}, {"ensure_ascii": False}, {"separators": (",", ":")}]))
def test_loads_gives_the_json_modules_values(value, layout):
    raw = json.dumps(value, **layout).encode("utf-8")
    assert outcome(loads, raw) == outcome(reference_loads, raw)


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=40) | st.text(alphabet='{}[]":,.-+0123456789eE \t\n\\ua\ud7ff\x00tfrulsN', max_size=30))
@example(b'{"a":1,"b":2,"a":3}')  # a repeated key: the last one wins, in the first one's place
@example(b"123456789012345678901")  # past 64 bits: orjson would make it a float
@example(b"1e400")  # past a double's range: json gives inf
@example(b'"\\ud800"')  # a lone surrogate: refused
@example(b"\xef\xbb\xbf{}")  # a byte-order mark: json accepts it
@example(b"[NaN]")
@example('"\u00e9"'.encode("utf-16"))
def test_loads_accepts_and_refuses_what_the_json_module_does(raw):
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogatepass")
    assert outcome(loads, raw) == outcome(reference_loads, raw)


@settings(max_examples=400, deadline=None)
@given(JSON, JSON)
def test_fingerprints_differ_exactly_when_the_canonical_texts_do(first, second):
    assert (fingerprint(first) == fingerprint(second)) == (canonical_json(first) == canonical_json(second))


@given(JSON)
def test_the_fast_text_is_the_canonical_text_but_for_exponents(value):
    fast, slow = canonical_bytes(value), canonical_json(value).encode("utf-8")
    assert json.loads(fast) == json.loads(slow)
    if "e" not in slow.decode().replace("true", "").replace("false", ""):  # no exponent, no difference
        assert fast == slow


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ({"x": math.nan}, {"x": None}),  # orjson alone writes both as null
        ({"x": math.inf}, {"x": None}),
        ([-math.inf], [None]),
        ({"x": 2**80}, {"x": float(2**80)}),
        ({1: "a"}, {"2": "a"}),
    ],
)
def test_values_orjson_cannot_tell_apart_still_differ(one, other):
    assert fingerprint(one) != fingerprint(other)
    assert fingerprint(one) == fingerprint(copy.deepcopy(one))


def test_what_json_refuses_is_still_refused():
    import datetime as dt

    with pytest.raises(TypeError):
        fingerprint({"day": dt.date(2025, 6, 14)})
    # a lone surrogate is no text a reader keeps, but its fingerprint must not end the run (issue 26)
    assert fingerprint({"x": "\ud800"}) != fingerprint({"x": "\udc00"})


@given(st.lists(st.one_of(st.text(), st.none(), st.integers(), st.booleans(), st.floats(allow_nan=False))))
@example(["Ça\u2028va", "\ud800", None, -0, '\x00\x1f"\\'])
def test_a_key_is_written_as_canonical_json_writes_it(items):
    """Claim and relationship keys are hashed from ``key_json``'s text: it must be canonical_json's."""
    assert key_json(items) == canonical_json(items)
