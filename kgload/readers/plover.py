"""PLOVER event records (Political Language Ontology for Verifiable Event Records), JSON array or JSONL.

A record is one coded event: ``id``, ``date``, ``source`` and ``target`` (lists of actors
``{actorText, code, sector}``, optionally ``wikidata_id``), ``event`` (AGREE, CONSULT...), ``mode``,
``context``, ``eventText``, the sentence ``text``, ``eventLoc``, ``language``, ``publication``.
Each record becomes one document ``plover-<id>`` with one relation per source-target pair, of type
``<event>/<mode>`` (lower case) when the record has a mode, else ``<event>``: the mapping decides the
property (mappings/events.yaml); the claim keeps the PLOVER event as its code.

Quirks handled (seen in the OEDA gold-standard records):
- a record whose event is ``DOCUMENT`` is file metadata, not an event: rejected as such;
- ``target`` may be a list, absent or ``""``. With no target, a record whose markup codes its
  sources as ``SRC/TAR`` ("reciprocal source/target in the CAMEO system", PLOVER GSR readme) is a
  reciprocal event between its sources: one relation each way for every pair. Any other record
  without a target is a one-sided event (a ceasefire declared, a surrender): each source acts on the
  event's place (eventLoc), with the type ``one-sided/<type>`` (mappings/kgload.yaml decides the
  property); without a place it is rejected with that reason;
- ``mode`` may be ``""`` (no mode).
Actor types come from the CAMEO actor code and sector, as for GDELT (mappings/sources/gdelt.yaml): see
``actor_type``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from itertools import permutations
from pathlib import Path
from typing import Any

from kgload.readers.common import (
    BadValue,
    Draft,
    all_or_nothing,
    assemble,
    clean,
    date_value,
    missing,
    scalar_attributes,
)
from kgload.readers.json_input import json_values
from kgload.records import Extraction, Origin, Reject

# CAMEO actor codes that always name an organization (CAMEO manual, chapter 3). Sectors such as GOV
# or MIL do not: they code a government's officials as well as the government.
ORGANIZATION_CODES = frozenset({"IGO", "NGO"})
# Record keys that go to the relation's attributes as given (when scalar).
ATTRIBUTE_KEYS = ("mode", "context", "eventText", "comment", "coder", "version", "dateCoded")


def read(path: Path) -> Iterator[Extraction | Reject]:
    """One Extraction per event record; a Reject per record that is not a usable event."""
    for item in json_values(path):
        if isinstance(item, Reject):
            yield item
            continue
        origin, raw = item
        yield from from_record(raw, origin)


def from_record(raw: Any, origin: Origin) -> Iterator[Extraction | Reject]:
    try:
        draft = _draft(raw, origin)
    except BadValue as exc:
        yield Reject(origin, str(exc), raw)
        return
    yield from all_or_nothing(assemble(draft), origin, raw)


def _draft(raw: Any, origin: Origin) -> Draft:
    if not isinstance(raw, dict):
        raise BadValue(f"expected an event record (JSON object), got {type(raw).__name__}")
    record_id, event = clean(raw.get("id")), clean(raw.get("event"))
    if record_id is None:
        raise BadValue("id is missing")
    if not isinstance(event, str):
        raise BadValue("event is missing" if event is None else f"event {event!r} is not a PLOVER event name")
    if event.upper() == "DOCUMENT":
        raise BadValue("a DOCUMENT record is file metadata (licence, coder, version), not an event")
    date = date_value(raw.get("date"), "date")
    draft = Draft(
        origin,
        raw,
        {
            "id": f"plover-{record_id}",
            "title": str(record_id),
            "publisher": clean(raw.get("publication")),
            "published": date,
            "language": clean(raw.get("language")),
        },
    )
    sources = _actors(raw, "source", draft, origin)
    targets = _actors(raw, "target", draft, origin)
    location = _location(raw, draft, origin)
    relation = _relation(raw, event, date, location)
    pairs = _pairs(raw, sources, targets)
    if pairs is None:  # one-sided: each source acts on the place
        if location is None:
            raise BadValue(
                "target is absent or empty and the sources are not coded as reciprocal (SRC/TAR): "
                "a one-sided event without a place (eventLoc), so no relation"
            )
        relation["type"] = f"one-sided/{relation['type']}"
        pairs = [(source, location) for source in sources]
    for head, tail in pairs:
        draft.relation({**relation, "head": head, "tail": tail}, origin.at("event"), raw)
    return draft


def _actors(raw: dict[str, Any], role: str, draft: Draft, origin: Origin) -> list[str]:
    """Add a role's actors to the draft; return their entity ids. Absent or "" means none."""
    value = raw.get(role)
    if missing(value):
        return []
    if not isinstance(value, list):
        raise BadValue(f'{role} is {value!r}: expected a list of actors, absent or ""')
    ids = []
    for index, actor in enumerate(value):
        where = origin.at(f"{role}[{index}]")
        entity = _entity(actor, f"{role}-{index + 1}", f"{role}[{index}]")
        draft.entity(entity, where, actor)
        ids.append(entity["id"])
    return ids


def _entity(actor: Any, entity_id: str, where: str) -> dict[str, Any]:
    if not isinstance(actor, dict):
        raise BadValue(f"{where}: expected an actor object, got {type(actor).__name__}")
    name = clean(actor.get("actorText")) or clean(actor.get("name"))
    if not isinstance(name, str):
        raise BadValue(f"{where}: actor has no actorText")
    code, sector = clean(actor.get("code")), clean(actor.get("sector"))
    code = code.strip().upper() if isinstance(code, str) else None
    kind = actor_type(code, code if code and not sector else None, [sector] if isinstance(sector, str) else [])
    return {
        "id": entity_id,
        "name": name,
        "type": kind,
        "wikidata": clean(actor.get("wikidata_id")) or clean(actor.get("wikidata")),
        "iso_code": alpha2(code) if kind == "Country" and code else None,
        "attributes": scalar_attributes({"code": actor.get("code"), "sector": sector}),
    }


def _pairs(raw: dict[str, Any], sources: list[str], targets: list[str]) -> list[tuple[str, str]] | None:
    """The (source, target) pairs of an event; None for a one-sided one (no target, not reciprocal)."""
    if not sources:
        raise BadValue("source is missing: an event needs a source actor")
    if targets:
        return [(s, t) for s in sources for t in targets]
    markup = (raw.get("textInfo") or {}).get("markup") if isinstance(raw.get("textInfo"), dict) else None
    if len(sources) >= 2 and isinstance(markup, str) and "SRC/TAR" in markup:
        return list(permutations(sources, 2))
    return None


def _relation(raw: dict[str, Any], event: str, date: str | None, location: str | None) -> dict[str, Any]:
    mode = clean(raw.get("mode"))
    kind = f"{event}/{mode}".lower() if isinstance(mode, str) and mode.strip() else event.lower()
    relation: dict[str, Any] = {
        "type": kind,
        "event_code": event,
        "event_code_scheme": "PLOVER",
        "attributes": scalar_attributes(
            {k: raw.get(k) for k in ATTRIBUTE_KEYS if not isinstance(raw.get(k), dict | list)}
        ),
    }
    if date:
        relation["date"] = date
    if isinstance(raw.get("text"), str) and raw["text"].strip():
        relation["evidence"] = raw["text"]
    if location:
        relation["location"] = location
    return relation


def _location(raw: dict[str, Any], draft: Draft, origin: Origin) -> str | None:
    """eventLoc {name, "country code"} becomes the claim's location (a Location: its kind is not coded)."""
    place = raw.get("eventLoc")
    if not isinstance(place, dict) or missing(place.get("name")):
        return None
    entity = {
        "id": "event-location",
        "name": place["name"],
        "type": "Location",
        "attributes": scalar_attributes({"country_code": place.get("country code")}),
    }
    draft.entity(entity, origin.at("eventLoc"), place)
    return entity["id"]


@lru_cache(maxsize=1024)
def alpha2(code: str) -> str | None:
    """ISO 3166 alpha-2 for a CAMEO country code that is an ISO alpha-3 one; None for regions ("EUR") and others."""
    import pycountry  # lazily: only event readers need it

    if not re.fullmatch(r"[A-Z]{3}", code):
        return None
    country = pycountry.countries.get(alpha_3=code)
    return str(country.alpha_2) if country else None


def actor_type(code: str | None, country: str | None, types: list[str]) -> str:
    """Entity type of a CAMEO-coded actor: an IGO or NGO is an Organization, an actor coded only with
    its ISO country is that Country, anyone else an Actor (the codes cannot tell a person from an
    organization: Vladimir Putin and the Russian government are both RUSGOV)."""
    kinds = {t[:3].upper() for t in types if t}
    if kinds & ORGANIZATION_CODES or (code or "")[:3] in ORGANIZATION_CODES:
        return "Organization"
    if country and not kinds and code in (None, country) and alpha2(country):
        return "Country"
    return "Actor"  # including CAMEO region codes (EUR, AFR, MEA...) acting as one
