"""Dates as the sources write them, to ISO 8601 (what readers and mapping templates both need)."""

from __future__ import annotations

import datetime as dt
import re


def iso_date(value: str) -> str:
    """Normalise '2025/6/14', '14.06.2025', '20250614' or '2025-06-14T10:00Z' to '2025-06-14'."""
    text = value.strip()
    if m := re.fullmatch(r"(\d{4})(\d{2})(\d{2})(\d{6})?", text):
        return f"{m[1]}-{m[2]}-{m[3]}"
    if m := re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ].*)?", text):
        return f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}"
    if m := re.fullmatch(r"(\d{1,2})[./](\d{1,2})[./](\d{4})", text):
        return f"{m[3]}-{int(m[2]):02d}-{int(m[1]):02d}"
    if m := re.fullmatch(r"(\d{4})[-/](\d{1,2})", text):
        return f"{m[1]}-{int(m[2]):02d}"
    if re.fullmatch(r"\d{4}", text):
        return text
    raise ValueError(f"{value!r} is not a date kgload understands")


def date_problem(text: str) -> str | None:
    """Why an ISO date or date-time already in the schema's form (-?YYYY[-MM[-DD[Thh:mm...]]]) is no real one.

    The schema checks the form only; a day or time that does not exist, or a day before year 1 (which
    neither Python's calendar nor rdflib's, and so not SHACL validation, can check), is refused here
    with a reason instead of failing later inside the validator.
    """
    if len(text) <= 8:  # a year or a month: -0044, -0044-03, 2025-06 are all real
        return None
    if text.startswith("-"):
        return f"{text} is a day before year 1; give its month or year (e.g. {text[:8]})"
    try:
        if "T" in text:
            dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        else:
            dt.date.fromisoformat(text)
    except ValueError:
        return f"{text} is not a real {'date-time' if 'T' in text else 'day'}"
    return None
