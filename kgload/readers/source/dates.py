"""Declared date formats of a source mapping: ``28 December 2022`` is ``%d %B %Y``.

A format uses the ``strptime`` directives a dataset needs (``%Y %y %m %d %B %b %H %I %M %S %p %f %z``),
compiled once into a regular expression, so a cell is parsed without ``strptime``'s per-call cost and
with exactly the leniency declared: a cell matches a whole format or is not a date. ``iso`` stands for
the forms every kgload reader accepts (``2025-06-14``, ``20250614``, ``2025-06``, ``2025``, with or
without a time). Only the day is kept: kgload's dates are days, months or years.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from kgload.vocabulary.dates import iso_date

MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTH_NUMBER = {name: i for i, name in enumerate(MONTHS, start=1)} | {
    name[:3]: i for i, name in enumerate(MONTHS, start=1)
}
_MONTH_NUMBER["sept"] = 9
# directive -> (regular expression, group name or None when the part is matched but not kept)
_DIRECTIVES: dict[str, tuple[str, str | None]] = {
    "Y": (r"(?P<Y>\d{4})", "Y"),
    "y": (r"(?P<y>\d{2})", "y"),
    "m": (r"(?P<m>\d{1,2})", "m"),
    "d": (r"(?P<d>\d{1,2})", "d"),
    "B": (r"(?P<B>[A-Za-z]+)", "B"),
    "b": (r"(?P<b>[A-Za-z]{3,4})\.?", "b"),
    "H": (r"\d{1,2}", None),
    "I": (r"\d{1,2}", None),
    "M": (r"\d{2}", None),
    "S": (r"\d{2}", None),
    "f": (r"\d{1,9}", None),
    "p": (r"(?:[AaPp]\.?[Mm]\.?)", None),
    "z": (r"(?:Z|[+-]\d{2}:?\d{2})", None),
    "%": (r"%", None),
}
PRECISIONS = ("day", "month", "year")
_PRECISION_LENGTH = {"day": 10, "month": 7, "year": 4}

DateParser = Callable[[str], str | None]  # the ISO date of a cell, or None when no format matches


class FormatError(ValueError):
    """A date format the mapping declares that cannot be compiled."""


def compile_format(text: str) -> re.Pattern[str]:
    """A ``strptime``-style format as a regular expression with named groups for the kept parts."""
    if text == "iso":
        raise FormatError("'iso' is a keyword, not a pattern")
    out: list[str] = []
    seen: set[str] = set()
    position = 0
    while position < len(text):
        char = text[position]
        if char != "%":
            out.append(r"\s+" if char == " " else re.escape(char))
            position += 1
            continue
        directive = text[position + 1 : position + 2]
        if directive not in _DIRECTIVES:
            known = " ".join(f"%{d}" for d in _DIRECTIVES)
            raise FormatError(f"unknown directive %{directive} in {text!r} (known: {known})")
        pattern, group = _DIRECTIVES[directive]
        if group is not None:
            if group in seen:
                raise FormatError(f"%{directive} appears twice in {text!r}")
            seen.add(group)
        out.append(pattern)
        position += 2
    if not seen & {"Y", "y"}:
        raise FormatError(f"format {text!r} has no year (%Y or %y)")
    if "d" in seen and not seen & {"m", "B", "b"}:
        raise FormatError(f"format {text!r} has a day but no month")
    return re.compile("".join(out))


def date_parser(formats: list[str]) -> DateParser:
    """A parser trying ``formats`` in order; raises ValueError for a matched but impossible day."""
    patterns = [None if f == "iso" else compile_format(f) for f in formats]

    def parse(text: str) -> str | None:
        for pattern in patterns:
            if pattern is None:
                if len(text) == 10 and text[4] == "-" and text[7] == "-":  # YYYY-MM-DD, the usual case
                    try:
                        return date.fromisoformat(text).isoformat()
                    except ValueError:
                        pass
                try:
                    value = iso_date(text)
                except ValueError:
                    continue
                return _checked(value)
            match = pattern.fullmatch(text)
            if match is not None:
                return _from_match(match.groupdict())
        return None

    return parse


def _from_match(parts: dict[str, str]) -> str:
    if "Y" in parts:
        year = int(parts["Y"])
    else:
        short = int(parts["y"])
        year = short + (1900 if short >= 69 else 2000)  # strptime's pivot
    month_name = parts.get("B") or parts.get("b")
    if month_name is not None:
        month = _MONTH_NUMBER.get(month_name.lower())
        if month is None:
            raise ValueError(f"{month_name!r} is not a month name")
    elif "m" in parts:
        month = int(parts["m"])
    else:
        return f"{year:04d}"
    if "d" not in parts:
        if not 1 <= month <= 12:
            raise ValueError(f"month {month} does not exist")
        return f"{year:04d}-{month:02d}"
    day = int(parts["d"])
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        raise ValueError(f"{year:04d}-{month:02d}-{day:02d} is not a real day") from None


def _checked(value: str) -> str:
    if len(value) == 10:
        try:
            date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value} is not a real day") from None
    elif len(value) == 7 and not 1 <= int(value[5:]) <= 12:
        raise ValueError(f"month {value[5:]} does not exist")
    return value


def truncate(value: str, precision: str) -> str:
    """A date cut to the precision the source gives it (``2022-12-28`` at ``month`` is ``2022-12``)."""
    return value[: _PRECISION_LENGTH[precision]]
