"""What the world gazetteer answers with: its entries, offices and the ``Resolution`` of a lookup."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Literal

Status = Literal["resolved", "ambiguous", "contradicts", "unresolved"]


@dataclass(frozen=True, slots=True)
class Role:
    """A dated role: a CAMEO code the person was coded with (``RUSGOV``), or an office they held."""

    code: str
    start: str | None = None  # ISO date, inclusive; None: since always (or undated)
    end: str | None = None  # ISO date, inclusive (the last day); None: still, or undated
    office: str | None = None  # a curated office id ("RU.president"), when the role is that office

    def on(self, day: str) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(frozen=True, slots=True)
class WorldEntry:
    """A canonical entry. ``key`` is stable across builds and is what an IRI is made from: the
    Wikidata QID when known, else the ISO 3166 code (``UA-59``), else a CAMEO sector key (``IND.COP``),
    else the dictionary key (``phoenix:ABU_NIDAL_ORGANIZATION``, ``curated:Name``, ``capital:XK``)."""

    key: str
    name: str
    cls: str  # Person, Country, Region, City, Location, Organization, ArmedGroup, Actor
    wikidata: str | None = None
    iso: str | None = None  # ISO 3166-1 alpha-2 (countries) or ISO 3166-2 (subdivisions)
    cameo: tuple[str, ...] = ()  # the entry's own CAMEO actor codes (a country: its alpha-3)
    country: str | None = None  # ISO alpha-2 of the country it is or belongs to
    parent: str | None = None  # a sector's entry key: IND.COP -> India's key
    agent: str | None = None  # a sector's CAMEO agent code: "COP", "GOV.MED"
    aliases: tuple[str, ...] = ()
    roles: tuple[Role, ...] = ()
    source: str = ""  # curated, iso3166, iso3166-2, phoenix, sector, user

    def roles_on(self, day: str) -> tuple[Role, ...]:
        """The roles the entry held on ``day`` (ISO date)."""
        return tuple(r for r in self.roles if (r.start or r.end) and r.on(day[:10]))


@dataclass(frozen=True, slots=True)
class Office:
    """An office whose holder a role phrase names on a date ("the Russian President")."""

    id: str
    of: WorldEntry
    title: str
    kind: str
    holders: tuple[tuple[WorldEntry, str, str | None], ...]  # (holder, start, end or None), by start


@dataclass(frozen=True, slots=True)
class Resolution:
    """What a name or code resolved to, and why; truthy when resolved."""

    status: Status
    entry: WorldEntry | None = None
    rule: str | None = None  # name, alias, demonym, capital-as-government, place-as-country, iso-code,
    # cameo-code, qid, sector, titled-name, "role on YYYY-MM-DD", user
    matched: str | None = None  # the name or code that matched
    candidates: tuple[WorldEntry, ...] = ()  # ambiguous: the entries; contradicts: the other-class entries
    office: Office | None = None  # the office a role phrase names (set even when no date was given)
    note: str | None = None

    def __bool__(self) -> bool:
        return self.status == "resolved"


UNRESOLVED = Resolution("unresolved")


def day_of(on: str | date | None) -> str | None:
    """A lookup's day as ISO text (a date, a string as given, or None)."""
    return on.isoformat() if isinstance(on, date) else (str(on) if on else None)


def first_resolved(
    resolve: Callable[[str, str | None, str | date | None], Resolution],
    names: Iterable[str],
    type_name: str | None,
    on: str | date | None,
) -> Resolution:
    """The first of ``names`` that resolves; else the first ambiguity or contradiction found."""
    problem: Resolution | None = None
    for name in names:
        found = resolve(name, type_name, on)
        if found:
            return found
        if found.status != "unresolved" and problem is None:
            problem = found
    return problem if problem is not None else UNRESOLVED


def distinct(entries: Iterable[WorldEntry]) -> tuple[WorldEntry, ...]:
    """The entries, each key once, in first-seen order."""
    return tuple({e.key: e for e in entries}.values())
