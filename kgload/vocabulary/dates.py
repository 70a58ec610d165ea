"""Dates as the sources write them, to ISO 8601 (what readers and mapping templates both need)."""

from __future__ import annotations

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
