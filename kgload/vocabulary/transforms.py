"""The small, closed set of value transforms that mapping templates may use.

Transforms are pure string functions. Nothing here evaluates code from a mapping: a template
names transforms from this table and nothing else.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

from kgload.vocabulary.dates import iso_date

_NOT_WORD = re.compile(r"[^\w]+", re.UNICODE)


def slug(value: str) -> str:
    """'Russian President Vladimir Putin' -> 'russian-president-vladimir-putin'.

    Accents are dropped, other scripts are kept (IRIs allow them), so no name slugs to empty.
    """
    text = unicodedata.normalize("NFKD", value.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _NOT_WORD.sub("-", text.replace("_", "-")).strip("-")
    return text or "x-" + short_hash(value)


def short_hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:16]


@lru_cache(maxsize=4096)
def iso3166(value: str) -> str:
    """A country's name or code -> its ISO 3166-1 alpha-2 code ('Russia' -> 'RU').

    Exact names and codes first; else a name that begins one word of exactly one country's
    names ("Russia" → Russian Federation). Never a city or a subdivision: pycountry's fuzzy
    search would turn "Kyiv" into UA and "Korea" into KP.
    """
    import pycountry  # imported lazily: only mappings that use the transform pay for it

    text = value.strip()
    try:
        return str(pycountry.countries.lookup(text).alpha_2)
    except LookupError:
        pass
    key = text.casefold()
    if len(key) >= 4:
        found = {
            country.alpha_2
            for country in pycountry.countries
            for name in (country.name, getattr(country, "official_name", ""), getattr(country, "common_name", ""))
            if name and any(word.startswith(key) for word in _words(name.casefold()))
        }
        if len(found) == 1:
            return str(found.pop())
    raise ValueError(f"{value!r} is not a country name or code ISO 3166 knows")


def iso3166_exact(value: str) -> str:
    """A country's exact ISO 3166 name or code -> its alpha-2 code ('Russian Federation', 'RUS' -> 'RU').

    No guess at all: a name ISO does not spell exactly ('Russia', 'Kosovo') is an error. Event data
    uses it to tell a country actor from anything else named after one. A numeric code may lose its
    leading zeros in a spreadsheet ('24' is Angola, 024).
    """
    found = _exact_country(value.strip())
    if found is None:
        raise ValueError(f"{value!r} is not a country name or code in ISO 3166")
    return found


@lru_cache(maxsize=8192)
def _exact_country(text: str) -> str | None:
    """The lookup behind iso3166_exact, cached misses included (most actor names are no country)."""
    import pycountry

    if text.isdigit() and len(text) < 3:
        text = text.zfill(3)
    try:
        return str(pycountry.countries.lookup(text).alpha_2)
    except LookupError:
        return None


def _words(name: str) -> list[str]:
    """Every word-start suffix of a name: 'great britain' -> ['great britain', 'britain']."""
    parts = re.split(r"[\s,()-]+", name)
    return [" ".join(parts[i:]) for i in range(len(parts)) if parts[i]]


TRANSFORMS: dict[str, Callable[[str], str]] = {
    "slug": slug,
    "lower": str.lower,
    "upper": str.upper,
    "trim": str.strip,
    "hash": short_hash,
    "iso_date": iso_date,
    "iso3166": iso3166,
    "iso3166_exact": iso3166_exact,
}
