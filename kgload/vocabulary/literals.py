"""Typed literals from plain values, checked against their datatype before they are written."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from pyoxigraph import Literal, NamedNode

from kgload.vocabulary.namespaces import XSD
from kgload.vocabulary.numbers import number_problem


class LiteralError(ValueError):
    pass


def _integer(text: str) -> bool:
    return re.fullmatch(r"[+-]?\d+", text) is not None


def _decimal(text: str) -> bool:
    try:
        Decimal(text)
    except InvalidOperation:
        return False
    return re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text) is not None


def _double(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def _datetime(text: str) -> bool:
    try:
        dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return "T" in text


CHECKS = {
    "string": lambda t: True,
    "integer": _integer,
    "nonNegativeInteger": lambda t: _integer(t) and not t.startswith("-"),
    "positiveInteger": lambda t: _integer(t) and int(t) > 0,
    "decimal": _decimal,
    "double": _double,
    "float": _double,
    "boolean": lambda t: t in ("true", "false", "1", "0"),
    "date": _date,
    "dateTime": _datetime,
    "gYear": lambda t: re.fullmatch(r"-?\d{4}", t) is not None,
    "gYearMonth": lambda t: re.fullmatch(r"-?\d{4}-(0[1-9]|1[0-2])", t) is not None,
    "anyURI": lambda t: " " not in t,
}
SUPPORTED = frozenset(XSD + name for name in CHECKS)


def lexical(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def typed(value: Any, datatype: str | None = None, language: str | None = None) -> Literal:
    """A literal of ``value``; raises LiteralError when the value does not fit the datatype."""
    text = lexical(value)
    if language:
        return Literal(text, language=language)
    if datatype is None:
        if isinstance(value, bool):
            datatype = XSD + "boolean"
        elif isinstance(value, int):
            datatype = XSD + "integer"
        elif isinstance(value, float):
            datatype = XSD + "double"
        else:
            return Literal(text)
    check = CHECKS.get(datatype[len(XSD) :]) if datatype.startswith(XSD) else None
    if check is not None and not check(text):
        raise LiteralError(f"{text!r} is not a valid xsd:{datatype[len(XSD) :]}")
    if (problem := _number(text, datatype)) is not None:
        raise LiteralError(problem)
    return Literal(text, datatype=NamedNode(datatype))


_INTEGERS = frozenset(XSD + n for n in ("integer", "nonNegativeInteger", "positiveInteger"))
_FLOATS = frozenset(XSD + n for n in ("double", "float", "decimal"))


def _number(text: str, datatype: str) -> str | None:
    """The one rule for numbers (kgload.vocabulary.numbers), for a value a mapping types from text."""
    if datatype in _INTEGERS:
        return number_problem(int(text)) if len(text) > 18 else None
    if datatype in _FLOATS:
        return number_problem(float(text))
    return None


# The datatypes of the literals kgload writes itself, each node made once.
DATATYPE = {
    name: NamedNode(XSD + name)
    for name in ("date", "gYearMonth", "gYear", "dateTime", "decimal", "nonNegativeInteger", "anyURI")
}
_DATE_TYPES = {10: DATATYPE["date"], 7: DATATYPE["gYearMonth"], 4: DATATYPE["gYear"]}
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T")


@lru_cache(maxsize=16_384)  # dates repeat across a corpus; a Literal is immutable, so one serves all
def temporal_literal(value: str) -> Literal:
    """An ISO 8601 date, year-month, year or date-time with its XSD datatype (plain text otherwise)."""
    if _DATETIME.match(value):
        return Literal(value, datatype=DATATYPE["dateTime"])
    datatype = _DATE_TYPES.get(len(value.lstrip("-")))
    return Literal(value, datatype=datatype) if datatype else Literal(value)


@lru_cache(maxsize=4096, typed=True)
def sentence_literal(value: int) -> Literal:
    return Literal(str(value), datatype=DATATYPE["nonNegativeInteger"])


@lru_cache(maxsize=4096, typed=True)
def confidence_literal(value: float) -> Literal:
    return Literal(decimal_text(value), datatype=DATATYPE["decimal"])


def decimal_text(value: float) -> str:
    """A float as an xsd:decimal lexical form, to six places, without trailing zeros."""
    text = f"{value:.6f}".rstrip("0")
    return text + "0" if text.endswith(".") else text
