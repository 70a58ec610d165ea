"""Typed literals from plain values, checked against their datatype before they are written."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from pyoxigraph import Literal, NamedNode

from kgload.vocabulary.namespaces import XSD


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
    return Literal(text, datatype=NamedNode(datatype))
