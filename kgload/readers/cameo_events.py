"""CAMEO-coded event files: GDELT 2.0 event exports and ICEWS coded-event files.

Both are tab-separated tables with one event per row: two actors, a CAMEO event code, a date and
where it happened. Each row becomes one document (``gdelt-<GLOBALEVENTID>``, ``icews-<Event ID>``)
holding the two actors, the place (as the claim's location) and one relation of type
``cameo:<code>``: the code is kept as a string with its leading zeros ("041"), and the mapping
decides the property (mappings/events.yaml). A row without both actors cannot be a relation and is
rejected, as is a row with a malformed code or date.

GDELT 2.0 exports have no header row and 61 columns (``GDELT_COLUMNS``, in the codebook's order);
ICEWS files (Harvard Dataverse) have a header and write ``NA`` for missing values. Both are read
line by line, without CSV quoting: GDELT and ICEWS do not quote, and quote characters occur in names.

Actor types, from the codes (see ``actor_type``): an actor coded only with an ISO country code is a
Country (ISO 3166 alpha-2 in iso_code); a known IGO/NGO/group is an Organization; anything else is an
"Actor": the codes cannot tell a person from an organization (GDELT codes both Vladimir Putin and the
Russian government RUSGOV), so the mapping decides (mappings/events.yaml). The name stays as given.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from kgload.readers.common import BadValue, Draft, all_or_nothing, assemble, clean, date_value, http_url, missing
from kgload.readers.limits import MAX_RECORD_BYTES
from kgload.records import Extraction, Origin, Reject

_ACTOR_COLUMNS = (
    "Code",
    "Name",
    "CountryCode",
    "KnownGroupCode",
    "EthnicCode",
    "Religion1Code",
    "Religion2Code",
    "Type1Code",
    "Type2Code",
    "Type3Code",
)
# GDELT 2.0 event table, in file order (the GDELT 2.0 Event codebook; gdelt2_events_codebook_columns.csv).
GDELT_COLUMNS: tuple[str, ...] = (
    "GLOBALEVENTID",
    "SQLDATE",
    "MonthYear",
    "Year",
    "FractionDate",
    *(f"{actor}{c}" for actor in ("Actor1", "Actor2") for c in _ACTOR_COLUMNS),
    "IsRootEvent",
    "EventCode",
    "EventBaseCode",
    "EventRootCode",
    "QuadClass",
    "GoldsteinScale",
    "NumMentions",
    "NumSources",
    "NumArticles",
    "AvgTone",
    *(
        f"{g}_{c}"
        for g in ("Actor1Geo", "Actor2Geo", "ActionGeo")
        for c in ("Type", "FullName", "CountryCode", "ADM1Code", "ADM2Code", "Lat", "Long", "FeatureID")
    ),
    "DATEADDED",
    "SOURCEURL",
)
ICEWS_REQUIRED = ("Event ID", "Event Date", "Source Name", "Target Name", "CAMEO Code")
# CAMEO event codes: two to four digits, leading zeros significant ("04", "041", "0841").
_CAMEO_CODE = re.compile(r"^\d{2,4}$")
# CAMEO actor codes that always name an organization (CAMEO manual, chapter 3). Sectors such as GOV
# or MIL do not: they code a government's officials as well as the government.
ORGANIZATION_CODES = frozenset({"IGO", "NGO"})
# GDELT geography types (codebook: ActionGeo_Type) -> entity type.
GEO_TYPES = {"1": "Country", "2": "Region", "3": "City", "4": "City", "5": "Region"}


# ----------------------------------------------------------------------------------------------
# Shared CAMEO logic (also used by the PLOVER reader for its CAMEO actor codes).


def cameo_code(value: Any, what: str = "CAMEO code") -> str:
    """The event code as given, checked: it must stay a string of digits with its leading zeros."""
    if missing(value):
        raise BadValue(f"{what} is missing")
    text = str(value).strip()
    if not _CAMEO_CODE.match(text):
        raise BadValue(f"{what} {value!r} is not a CAMEO event code (2 to 4 digits, e.g. 041)")
    return text


@lru_cache(maxsize=1024)
def alpha2(code: str) -> str | None:
    """ISO 3166 alpha-2 for a CAMEO country code that is an ISO alpha-3 one; None for regions ("EUR") and others."""
    import pycountry  # lazily: only event readers need it

    if not re.fullmatch(r"[A-Z]{3}", code):
        return None
    country = pycountry.countries.get(alpha_3=code)
    return str(country.alpha_2) if country else None


@lru_cache(maxsize=1024)
def country_name_alpha2(name: str) -> str | None:
    """ISO alpha-2 for an exact country name ("Russian Federation"); no fuzzy guess ("Kosovo" is not Serbia)."""
    import pycountry

    try:
        return str(pycountry.countries.lookup(name.strip()).alpha_2)
    except LookupError:
        return None


def actor_type(code: str | None, country: str | None, types: list[str], known_group: str | None = None) -> str:
    """Entity type of a CAMEO actor from its codes; see the module docstring."""
    kinds = {t[:3].upper() for t in types if t}
    if known_group or kinds & ORGANIZATION_CODES or (code or "")[:3] in ("IGO", "NGO"):
        return "Organization"
    if country and not kinds and code in (None, country) and alpha2(country):
        return "Country"
    return "Actor"  # including CAMEO region codes (EUR, AFR, MEA...) acting as one


def number(value: Any) -> int | float | str | None:
    """A numeric column as a number, so attributes compare and sort; other text as given."""
    if missing(value):
        return None
    text = str(value).strip()
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def attributes(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if not missing(v)}


def tab_rows(path: Path) -> Iterator[tuple[int, list[str]] | Reject]:
    """(line number, fields) per non-empty line of a tab-separated file, streamed; a Reject for an unreadable line."""
    name = str(path)
    with path.open("rb") as lines:
        for number_, raw in enumerate(lines, start=1):
            if len(raw) > MAX_RECORD_BYTES:
                yield Reject(Origin(name, number_), f"line is {len(raw)} bytes, over the {MAX_RECORD_BYTES}-byte limit")
                continue
            try:
                text = raw.decode("utf-8-sig" if number_ == 1 else "utf-8").rstrip("\r\n")
            except UnicodeDecodeError as exc:
                yield Reject(Origin(name, number_), f"not UTF-8: {exc}", raw.decode("utf-8", "replace")[:2000])
                continue
            if not text.strip():
                continue
            yield number_, next(csv.reader([text], delimiter="\t", quoting=csv.QUOTE_NONE))


# ----------------------------------------------------------------------------------------------
# GDELT 2.0


def read_gdelt(path: Path) -> Iterator[Extraction | Reject]:
    """One Extraction per event row of a GDELT 2.0 export; a Reject per row that cannot be an event."""
    for item in tab_rows(path):
        if isinstance(item, Reject):
            yield item
            continue
        line, fields = item
        origin = Origin(str(path), line)
        if len(fields) != len(GDELT_COLUMNS):
            yield Reject(
                origin,
                f"expected {len(GDELT_COLUMNS)} tab-separated fields (GDELT 2.0 events), got {len(fields)}",
                "\t".join(fields)[:2000],
            )
            continue
        row = dict(zip(GDELT_COLUMNS, fields, strict=True))
        yield from gdelt_event(row, origin)


def gdelt_event(row: dict[str, str], origin: Origin) -> Iterator[Extraction | Reject]:
    try:
        draft = _gdelt_draft(row, origin)
    except BadValue as exc:
        yield Reject(origin, str(exc), row)
        return
    yield from all_or_nothing(assemble(draft), origin, row)


def _gdelt_draft(row: dict[str, str], origin: Origin) -> Draft:
    event_id = clean(row["GLOBALEVENTID"])
    if event_id is None or not event_id.isdigit():
        raise BadValue(f"GLOBALEVENTID {row['GLOBALEVENTID']!r} is not an event number")
    code = cameo_code(row["EventCode"], "EventCode")
    url = clean(row["SOURCEURL"])
    draft = Draft(
        origin,
        row,
        {
            "id": f"gdelt-{event_id}",
            "title": url or f"GDELT event {event_id}",
            "published": date_value(row["DATEADDED"], "DATEADDED"),
            "url": http_url(url),
        },
    )
    for n in ("1", "2"):
        draft.entity(_gdelt_actor(row, n), origin.at(f"Actor{n}Code"), _columns(row, f"Actor{n}"))
    relation: dict[str, Any] = {
        "type": f"cameo:{code}",
        "head": "actor1",
        "tail": "actor2",
        "date": date_value(row["SQLDATE"], "SQLDATE"),
        "event_code": code,
        "event_code_scheme": "CAMEO",
        "attributes": attributes(
            {
                "EventBaseCode": clean(row["EventBaseCode"]),
                "EventRootCode": clean(row["EventRootCode"]),
                "QuadClass": number(row["QuadClass"]),
                "GoldsteinScale": number(row["GoldsteinScale"]),
                "NumMentions": number(row["NumMentions"]),
                "NumSources": number(row["NumSources"]),
                "NumArticles": number(row["NumArticles"]),
                "AvgTone": number(row["AvgTone"]),
                "IsRootEvent": number(row["IsRootEvent"]),
            }
        ),
    }
    place = _gdelt_place(row)
    if place is not None:
        draft.entity(place, origin.at("ActionGeo_FullName"), _columns(row, "ActionGeo"))
        relation["location"] = place["id"]
    draft.relation({k: v for k, v in relation.items() if v is not None}, origin.at("EventCode"), row)
    return draft


def _columns(row: dict[str, str], prefix: str) -> dict[str, str]:
    return {k: v for k, v in row.items() if k.startswith(prefix) and v}


def _gdelt_actor(row: dict[str, str], n: str) -> dict[str, Any]:
    code, name = clean(row[f"Actor{n}Code"]), clean(row[f"Actor{n}Name"])
    if code is None and name is None:
        raise BadValue(
            f"Actor{n} is blank (GDELT identified no {'first' if n == '1' else 'second'} actor); "
            "a relation needs both actors"
        )
    country = clean(row[f"Actor{n}CountryCode"])
    types = [t for t in (clean(row[f"Actor{n}Type{i}Code"]) for i in (1, 2, 3)) if t]
    known = clean(row[f"Actor{n}KnownGroupCode"])
    kind = actor_type(code, country, types, known)
    return {
        "id": f"actor{n}",
        "name": name or code,
        "type": kind,
        "iso_code": alpha2(country) if kind == "Country" and country else None,
        "attributes": attributes(
            {
                "cameo_code": code,
                "country_code": country,
                "known_group_code": known,
                "ethnic_code": clean(row[f"Actor{n}EthnicCode"]),
                "religion1_code": clean(row[f"Actor{n}Religion1Code"]),
                "religion2_code": clean(row[f"Actor{n}Religion2Code"]),
                "type_codes": types or None,
            }
        ),
    }


def _gdelt_place(row: dict[str, str]) -> dict[str, Any] | None:
    name = clean(row["ActionGeo_FullName"])
    if name is None:
        return None
    return {
        "id": "action-geo",
        "name": name,
        "type": GEO_TYPES.get(row["ActionGeo_Type"], "Location"),
        "attributes": attributes(
            {
                # FIPS 10-4 codes, not ISO 3166: kept as attributes, never as iso_code
                "fips_country_code": clean(row["ActionGeo_CountryCode"]),
                "adm1_code": clean(row["ActionGeo_ADM1Code"]),
                "adm2_code": clean(row["ActionGeo_ADM2Code"]),
                "latitude": number(row["ActionGeo_Lat"]),
                "longitude": number(row["ActionGeo_Long"]),
                "feature_id": clean(row["ActionGeo_FeatureID"]),
            }
        ),
    }


# ----------------------------------------------------------------------------------------------
# ICEWS


def read_icews(path: Path) -> Iterator[Extraction | Reject]:
    """One Extraction per event row of an ICEWS coded-event file; a Reject per row that cannot be an event."""
    header: list[str] | None = None
    lacking: list[str] = []
    for item in tab_rows(path):
        if isinstance(item, Reject):
            yield item
            continue
        line, fields = item
        if header is None:
            header = [f.strip() for f in fields]
            lacking = [c for c in ICEWS_REQUIRED if c not in header]
            continue
        origin = Origin(str(path), line)
        if lacking:  # every row is still accounted for, each with the reason
            yield Reject(origin, f"the header lacks column(s) {', '.join(lacking)}", "\t".join(fields)[:2000])
        elif len(fields) != len(header):
            yield Reject(
                origin,
                f"expected {len(header)} tab-separated fields as in the header, got {len(fields)}",
                "\t".join(fields)[:2000],
            )
        else:
            yield from icews_event(dict(zip(header, fields, strict=True)), origin)


def icews_event(row: dict[str, str], origin: Origin) -> Iterator[Extraction | Reject]:
    try:
        draft = _icews_draft(row, origin)
    except BadValue as exc:
        yield Reject(origin, str(exc), row)
        return
    yield from all_or_nothing(assemble(draft), origin, row)


def _icews_draft(row: dict[str, str], origin: Origin) -> Draft:
    event_id = clean(row["Event ID"])
    if event_id is None:
        raise BadValue("Event ID is missing")
    code = cameo_code(row["CAMEO Code"])
    date = date_value(row["Event Date"], "Event Date")
    publisher, story = clean(row.get("Publisher")), clean(row.get("Story ID"))
    title = f"{publisher or 'ICEWS'}, story {story}" if story else f"ICEWS event {event_id}"
    draft = Draft(origin, row, {"id": f"icews-{event_id}", "title": title, "publisher": publisher, "published": date})
    for role in ("Source", "Target"):
        draft.entity(
            _icews_actor(row, role), origin.at(f"{role} Name"), {k: v for k, v in row.items() if k.startswith(role)}
        )
    relation: dict[str, Any] = {
        "type": f"cameo:{code}",
        "head": "source",
        "tail": "target",
        "date": date,
        "event_code": code,
        "event_code_scheme": "CAMEO",
        "attributes": attributes(
            {
                "Event Text": clean(row.get("Event Text")),
                "Intensity": number(row.get("Intensity")),
                "Story ID": story,
                "Sentence Number": number(row.get("Sentence Number")),
            }
        ),
    }
    place = _icews_place(row)
    if place is not None:
        draft.entity(place, origin.at("City" if place["type"] == "City" else "Province"), place["attributes"])
        relation["location"] = place["id"]
    draft.relation({k: v for k, v in relation.items() if v is not None}, origin.at("CAMEO Code"), row)
    return draft


def _icews_actor(row: dict[str, str], role: str) -> dict[str, Any]:
    name = clean(row.get(f"{role} Name"))
    if name is None:
        raise BadValue(f"{role} Name is missing; a relation needs both actors")
    sectors = [s.strip() for s in (clean(row.get(f"{role} Sectors")) or "").split(",") if s.strip()]
    country = clean(row.get(f"{role} Country"))
    iso = country_name_alpha2(country) if country else None
    # A country is named as its own country and has no sectors; anyone else, from "Donald Trump" to
    # "Ministry (Japan)" or "Citizen (India)", may be a person or a group: an Actor.
    same = name == country or (iso is not None and country_name_alpha2(name) == iso)
    kind = "Country" if not sectors and same else "Actor"
    return {
        "id": role.lower(),
        "name": name,
        "type": kind,
        "iso_code": iso if kind == "Country" else None,
        "attributes": attributes({"sectors": sectors or None, "country": country}),
    }


def _icews_place(row: dict[str, str]) -> dict[str, Any] | None:
    """The most precise place the row names: its city, else its province, else its country."""
    for column, kind in (("City", "City"), ("Province", "Region"), ("Country", "Country")):
        name = clean(row.get(column))
        if name is not None:
            return {
                "id": "place",
                "name": name,
                "type": kind,
                "iso_code": country_name_alpha2(name) if kind == "Country" else None,
                "attributes": attributes(
                    {
                        "district": clean(row.get("District")),
                        "province": clean(row.get("Province")),
                        "country": clean(row.get("Country")),
                        "latitude": number(row.get("Latitude")),
                        "longitude": number(row.get("Longitude")),
                    }
                ),
            }
    return None


def read(path: Path) -> Iterator[Extraction | Reject]:
    """Either table: an ICEWS file starts with its "Event ID" header, a GDELT export has none."""
    with path.open("rb") as handle:
        first = handle.readline(4096).lstrip(b"\xef\xbb\xbf")
    return read_icews(path) if first.startswith(b"Event ID\t") else read_gdelt(path)
