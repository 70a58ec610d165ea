"""The world gazetteer that ships with kgload: one canonical entry per real-world actor or place.

Compiled by ``tools/build_gazetteer.py`` from the CAMEO/Phoenix dictionaries, ISO 3166 (pycountry)
and a curated file (see gazetteer/README.md); read once per process, lazily, from the bundled
``world.json.gz`` (``WorldGazetteer.bundled()``). Every answer is a ``Resolution`` that says what a
name or code resolved to, by which rule, or why it did not: ``ambiguous`` (a bare name two people
share: never pick one), ``contradicts`` (a City named "Georgia" against the country), ``unresolved``.
Lookups are pure and memoised; the gazetteer never changes once loaded.

``LayeredGazetteer`` puts a mapping's own gazetteer YAML in front: its entries win.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from kgload.mapping.memo import Memo
from kgload.mapping.resolve import normalise
from kgload.mapping.world_format import ACTOR_ONLY_RULES, COLUMNS, FORMAT, RANKS, SEP, rule_of

if TYPE_CHECKING:
    from kgload.mapping.resolve import Gazetteer, GazetteerEntry

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

# Source types (any case; the mapping's type names and common NER labels) -> the entry classes a
# mention so typed may resolve to. An actor type also takes the actor-only rules (a demonym, a
# capital or a city standing for a country's government); a place type never does.
_TYPES: dict[str, frozenset[str]] = {
    "actor": frozenset({"Person", "Organization", "ArmedGroup", "Country", "Actor"}),
    "person": frozenset({"Person", "Actor"}),
    "organization": frozenset({"Organization", "ArmedGroup", "Country", "Actor"}),
    "armedgroup": frozenset({"ArmedGroup", "Organization"}),
    "country": frozenset({"Country"}),
    "gpe": frozenset({"Country", "Region", "City"}),
    "location": frozenset({"Country", "Region", "City", "Location"}),
    "region": frozenset({"Region"}),
    "city": frozenset({"City"}),
    "norp": frozenset({"Country"}),
    "event": frozenset(),
}
_TYPE_ALIASES = {
    "per": "person",
    "human": "person",
    "people": "person",
    "org": "organization",
    "organisation": "organization",
    "government": "organization",
    "party": "organization",
    "media": "organization",
    "company": "organization",
    "igo": "organization",
    "ngo": "organization",
    "armed group": "armedgroup",
    "armed_group": "armedgroup",
    "militia": "armedgroup",
    "rebel group": "armedgroup",
    "state": "country",
    "nation": "country",
    "loc": "location",
    "place": "location",
    "province": "region",
    "oblast": "region",
    "state-region": "region",
    "town": "city",
    "capital": "city",
    "village": "city",
    "evt": "event",
}
ACTOR_TYPES = frozenset({"actor", "country", "organization", "norp", "armedgroup"})
_PERSONS = frozenset({"Person"})


def _type_key(type_name: str | None) -> str | None:
    if type_name is None:
        return None
    key = type_name.strip().lower()
    return _TYPE_ALIASES.get(key, key)


def _accepts(type_key: str | None) -> frozenset[str] | None:
    """The classes a mention of this type may resolve to; None: any (no type given)."""
    if type_key is None:
        return None
    found = _TYPES.get(type_key)
    if found is not None:
        return found
    return frozenset(c for c in _CLASS_NAMES if c.lower() == type_key)


_CLASS_NAMES = ("Person", "Country", "Region", "City", "Location", "Organization", "ArmedGroup", "Actor")

# Words that may precede a name as a title ("Iraqi President Saddam Hussein", "Gen. Burhan").
_TITLE_WORDS = frozenset(
    """president vice prime minister premier chancellor foreign defence defense interior finance
    minister secretary general gen lt col colonel marshal field admiral commander chief king queen
    prince crown emir amir sheikh sultan ayatollah grand supreme leader former ex acting interim
    senator sen rep representative governor mayor mr mrs ms dr sir lord lady dame pope patriarch
    spokesman spokeswoman spokesperson ambassador envoy opposition party head of state the de facto
    military junta ruler strongman deputy first lieutenant major captain""".split()  # noqa: SIM905 (a word list reads better as text)
)
_YEARS = re.compile(r"\(\s*\d{4}\s*-\s*(?:\d{4})?\s*\)")
_PARENS = re.compile(r"^(?P<left>.+?)\s*\((?P<inner>[^()]+)\)\s*(?P<rest>.*)$")


class WorldGazetteer:
    """The compiled world gazetteer. Build with ``load(path)`` or ``bundled()``; lookups are pure."""

    def __init__(self, data: dict[str, Any]) -> None:
        if data.get("format") != FORMAT:
            raise ValueError(f"world gazetteer format {data.get('format')!r}, this kgload reads {FORMAT}")
        self.sources: dict[str, Any] = data["sources"]
        self.complete_until: str = str(data.get("complete_until") or "")
        columns: dict[str, list[str]] = data["entries"]
        self._columns = [columns[c] for c in COLUMNS]
        self._size = len(columns["key"])
        self._entries: list[WorldEntry | None] = [None] * self._size
        self._names: dict[str, int | list[int]] = data["names"]
        self._cameo: dict[str, list[int]] = data["cameo"]
        self._shared: dict[str, list[int]] = data["shared_names"]
        self._iso: dict[str, int] = data["iso"]
        self._key_index: dict[str, int] | None = None
        self._qid_index: dict[str, int] | None = None
        self._office_rows: list[dict[str, Any]] = data["offices"]
        self._offices: dict[str, Office] | None = None
        self._office_phrases = {p: o["id"] for o in self._office_rows for p in o["phrases"]}
        agents = data["agents"]
        self._agents: dict[str, str] = agents["phrases"]
        self._agent_labels: dict[str, str] = agents["labels"]
        self._agent_classes: dict[str, str] = agents["classes"]
        self._agent_written: dict[str, str] = agents.get("written", {})
        self._agent_codes = frozenset(c[i : i + 3] for c in self._agents.values() for i in range(0, len(c), 3))
        self._sectors: dict[str, WorldEntry] = {}
        self._memo = Memo()
        self._data = data
        self._path: str | None = None

    # -- construction ----------------------------------------------------------------------------

    @classmethod
    def load(cls, path: Path) -> WorldGazetteer:
        """The gazetteer in ``path``, read once per process (a second load of the same file, or an
        unpickled copy, is the same object)."""
        return _load(str(Path(path).resolve()))

    @staticmethod
    def bundled() -> WorldGazetteer:
        """The gazetteer shipped with kgload, read on first use and shared by the whole process
        (forked workers inherit it; a worker that unpickles it reads its own once)."""
        from kgload.resources import default_world_gazetteer

        return WorldGazetteer.load(default_world_gazetteer())

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # a pickle names the file, not its 30,000 entries: cheap to send to a worker
        return (_load, (self._path,)) if self._path else (WorldGazetteer, (self._data,))

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator[WorldEntry]:
        return (self._entry(i) for i in range(self._size))

    # -- entries ---------------------------------------------------------------------------------

    def _entry(self, index: int) -> WorldEntry:
        found = self._entries[index]
        if found is None:
            key, name, cls, qid, iso, cameo, country, aliases, roles, source = (c[index] for c in self._columns)
            found = self._entries[index] = WorldEntry(
                key=key,
                name=name,
                cls=cls,
                wikidata=qid or None,
                iso=iso or None,
                cameo=tuple(cameo.split(SEP)) if cameo else (),
                country=country or None,
                aliases=tuple(aliases.split(SEP)) if aliases else (),
                roles=tuple(_role(r) for r in roles.split(";")) if roles else (),
                source=source,
            )
        return found

    def get(self, key: str) -> WorldEntry | None:
        """The entry with this canonical key (a sector key such as ``IND.COP`` included)."""
        if self._key_index is None:
            self._key_index = {k: i for i, k in enumerate(self._columns[0])}
        index = self._key_index.get(key)
        if index is not None:
            return self._entry(index)
        sector_key, _, phrase = key.partition("/")
        if phrase:  # a category sector's group: BEN.AGR/farmer
            sector = self.get(sector_key)
            if sector is None or sector.agent is None or sector.parent is None:
                return None
            if self.institution(sector.agent.replace(".", "")):
                return self._unit(sector, phrase.replace("-", " "))
            found = self.sector(sector.parent, phrase.replace("-", " "))
            return found.entry if found.entry is not None and found.entry.key == key else None
        parent_code, _, agent = key.partition(".")
        if agent:
            found = self.by_cameo(parent_code + agent.replace(".", ""))
            if found.entry is not None and found.entry.key == key:
                return found.entry
        return None

    # -- by code ---------------------------------------------------------------------------------

    def by_wikidata(self, qid: str) -> Resolution:
        if self._qid_index is None:
            self._qid_index = {q: i for i, q in enumerate(self._columns[3]) if q}
        index = self._qid_index.get(qid.strip().upper())
        return Resolution("resolved", self._entry(index), "qid", qid) if index is not None else UNRESOLVED

    def by_iso(self, code: str) -> Resolution:
        """An ISO 3166 code: alpha-2, alpha-3, numeric (ACLED's ``iso``: "204", "4") or 3166-2."""
        text = code.strip().upper()
        if text.isdigit():
            text = text.zfill(3)
        index = self._iso.get(text)
        return Resolution("resolved", self._entry(index), "iso-code", code) if index is not None else UNRESOLVED

    def by_cameo(self, code: str) -> Resolution:
        """A CAMEO actor code: a country (``RUS``), an organisation (``IGOUNO``), a sector of either
        (``RUSGOV``, ``INDCOP``, ``IGOWSTNATMIL``: the institution the code names, not who led it)."""
        code = code.strip().upper()
        return self._memo.get("cameo", code, self._by_cameo, code)

    def _by_cameo(self, code: str) -> Resolution:
        declared = self._exact_code(code, curated_only=True)
        if declared is not None:
            return declared
        for cut in range(len(code) - 3, 2, -3):  # RUSGOV: Russia's government, not a record coded so
            parent = self._exact_code(code[:cut])
            agent = code[cut:]
            if parent is not None and parent.entry is not None and self._is_agent(agent):
                return Resolution("resolved", self._sector(parent.entry, agent), "cameo-code", code)
        found = self._exact_code(code)
        return found if found is not None else UNRESOLVED

    def _exact_code(self, code: str, curated_only: bool = False) -> Resolution | None:
        """The entry whose own code this is: the curated or ISO one if there is exactly one, else
        the dictionary's (ambiguous when several dictionary records share it)."""
        entries = [self._entry(i) for i in self._cameo.get(code, ())]
        curated = [e for e in entries if e.source in ("curated", "iso3166")]
        if len(curated) == 1:
            return Resolution("resolved", curated[0], "cameo-code", code)
        if curated_only or not entries:
            return None
        if len(entries) == 1:
            return Resolution("resolved", entries[0], "cameo-code", code)
        return Resolution("ambiguous", None, "cameo-code", code, tuple(entries))

    def _is_agent(self, text: str) -> bool:
        return (
            bool(text)
            and len(text) % 3 == 0
            and all(text[i : i + 3] in self._agent_codes for i in range(0, len(text), 3))
        )

    def country(self, code_or_name: str) -> Resolution:
        """A country by ISO code, CAMEO country code or name ("RUS", "643", "Russian Federation")."""
        for found in (self.by_iso(code_or_name), self.by_cameo(code_or_name)):
            if found.entry is not None and found.entry.cls == "Country":
                return found
        return self.resolve(code_or_name, "Country")

    # -- sectors ---------------------------------------------------------------------------------

    def _sector(self, parent: WorldEntry, agent: str) -> WorldEntry:
        """India's police: ``IND.COP``, named "Police (India)", linked to India."""
        prefix = parent.cameo[0] if parent.cameo else parent.key
        blocks = [agent[i : i + 3] for i in range(0, len(agent), 3)]
        key = f"{prefix}.{'.'.join(blocks)}"
        found = self._sectors.get(key)
        if found is None:
            label = " ".join(self._agent_labels.get(b, b) for b in blocks)
            found = self._sectors[key] = WorldEntry(
                key=key,
                name=f"{label} ({parent.name})",
                cls=self._agent_classes.get(blocks[0], "Actor"),
                cameo=(prefix + agent,) if parent.cameo else (),
                country=parent.iso if parent.cls == "Country" else parent.country,
                parent=parent.key,
                agent=".".join(blocks),
                source="sector",
            )
        return found

    def _group(self, parent: WorldEntry, agent: str, phrase: str) -> WorldEntry:
        """The people of a category sector that one agent phrase names: "Farmers (Benin)",
        ``BEN.AGR/farmer``, linked to Benin and apart from "Pastoralists (Benin)", ``BEN.AGR/pastoralists``."""
        sector = self._sector(parent, agent)
        key = f"{sector.key}/{phrase.replace(' ', '-')}"
        found = self._sectors.get(key)
        if found is None:
            found = self._sectors[key] = replace(
                sector, key=key, name=f"{self._display(phrase, agent)} ({parent.name})", cls="Actor"
            )
        return found

    def _unit(self, body: WorldEntry, unit: str) -> WorldEntry:
        """A unit of a state body, as ACLED names it after the body's years: "Police Forces of Benin
        (2016-) Customs" -> ``BEN.COP/customs``, "Police (Benin): Customs", linked to Benin."""
        phrase = normalise(unit)
        key = f"{body.key}/{phrase.replace(' ', '-')}"
        found = self._sectors.get(key)
        if found is None:
            title = " ".join(w[:1].upper() + w[1:] for w in phrase.split())
            found = self._sectors[key] = replace(body, key=key, name=f"{body.name}: {title}", cameo=())
        return found

    def _display(self, phrase: str, agent: str) -> str:
        """A group's name from its phrase alone (never from the surface a document used, so that
        every document labels the node alike): the plural the dictionaries know, capitalised."""
        plural = phrase + "s"
        if self._agents.get(plural) == agent and not phrase.endswith(("s", "men", "ren", "people")):
            phrase = plural
        if phrase in self._agent_written:
            return self._agent_written[phrase]
        return " ".join(w[:1].upper() + w[1:] for w in phrase.split())

    def institution(self, agent: str) -> bool:
        """Whether a CAMEO agent code names a body a country has one of (government, military, police,
        judiciary, legislature, intelligence: the curated ``agent_classes``) rather than a category
        of people (farmers, protesters, armed groups) that many different actors belong to."""
        return agent[:3] in self._agent_classes

    def sector(self, parent: str, agent: str) -> Resolution:
        """The sector of a country or organisation (a name, key or code) named by an agent phrase or
        code: ``sector("India", "police")`` -> Police (India), ``IND.COP``. A code names the sector as
        a whole; a phrase of a category sector names its own group: ``sector("Benin", "farmers")`` ->
        Farmers (Benin), ``BEN.AGR/farmer``, never the same actor as the pastoralists CAMEO also codes AGR."""
        owner = self._owner(parent)
        if owner is None:
            return UNRESOLVED
        if self._is_agent(agent.upper()):
            entry = self._sector(owner, agent.upper())
        else:
            found = self._agent_phrase(agent)
            if found is None:
                return UNRESOLVED
            phrase, code = found
            entry = self._sector(owner, code) if self.institution(code) else self._group(owner, code, phrase)
        return Resolution("resolved", entry, "sector", f"{parent} / {agent}")

    def agent_code(self, phrase: str) -> str | None:
        """The CAMEO agent code a generic actor phrase names ("POLICE", "troops" -> COP, MIL), if any."""
        return self._memo.get("agent", phrase, self._agent_code, phrase)

    def _agent_code(self, phrase: str) -> str | None:
        found = self._agent_phrase(phrase)
        return found[1] if found is not None else None

    def _agent_phrase(self, phrase: str) -> tuple[str, str] | None:
        """(the phrase as the dictionaries list it, singular where they list both; its agent code)."""
        key = normalise(phrase)
        found = self._agents.get(key)
        if found is None and key.endswith("s"):
            key = key[:-1]
            found = self._agents.get(key)
        if found is None:
            return None
        if key.endswith("s") and self._agents.get(key[:-1]) == found:
            key = key[:-1]
        return key, found

    def _owner(self, text: str) -> WorldEntry | None:
        """The country or organisation a sector belongs to, from a name, demonym, code or key."""
        entry = self.get(text)
        if entry is None:
            found = self.resolve(text, "Actor")
            entry = found.entry
            if entry is None:
                coded = self.by_cameo(text) if len(text) == 3 and text.isalpha() else UNRESOLVED
                entry = coded.entry
        if entry is None or entry.cls not in ("Country", "Organization", "ArmedGroup"):
            return None
        return entry

    def _parse_sector(self, name: str) -> Resolution:
        head, *tail = _YEARS.split(name)
        unit = " ".join(t.strip() for t in tail if t.strip())
        if unit:  # "Police Forces of Benin (2016-) Customs": a unit of the police, not the police
            body = self._parse_sector(head.strip())
            if body.entry is None or body.entry.agent is None or not self.institution(body.entry.agent):
                return UNRESOLVED
            return Resolution("resolved", self._unit(body.entry, unit), "sector", name)
        text = _YEARS.sub(" ", name).strip()
        match = _PARENS.match(text)
        if match and not match.group("rest"):  # Police (India), Military Personnel (France)
            found = self.sector(match.group("inner"), match.group("left"))
            if found:
                return replace(found, matched=name)
        of = re.match(r"^(?P<agent>.+?)\s+of\s+(?:the\s+)?(?P<parent>.+)$", head.strip(), re.I)
        if of:  # Military Forces of Russia (2000-), Government of Benin (2016-)
            found = self.sector(of.group("parent"), of.group("agent"))
            if found:
                return replace(found, matched=name)
        words = normalise(text).split()
        for cut in range(1, len(words)):  # Indian police, NATO peacekeeping troops, Russian forces
            agent = " ".join(words[cut:])
            if self._agent_code(agent) is None:
                continue
            found = self.sector(" ".join(words[:cut]), agent)
            if found:
                return replace(found, matched=name)
        return UNRESOLVED

    # -- offices ---------------------------------------------------------------------------------

    @property
    def offices(self) -> dict[str, Office]:
        if self._offices is None:
            self._offices = {
                o["id"]: Office(
                    o["id"],
                    self._entry(o["of"]),
                    o["title"],
                    o["kind"],
                    tuple((self._entry(h), s, e) for h, s, e in o["holders"]),
                )
                for o in self._office_rows
            }
        return self._offices

    def office(self, phrase: str) -> Office | None:
        """The office a role phrase names ("the US President" -> US.president), if it is one."""
        found = self._office_phrases.get(normalise(phrase))
        return self.offices[found] if found else None

    def holder(self, office: Office, on: str | date) -> Resolution:
        """Who held ``office`` on a day (``2024-12-01``), or through a whole month or year; on a
        handover day the newcomer. Dates after the curated terms' ``complete_until`` are not answered."""
        day = on.isoformat() if isinstance(on, date) else str(on)
        first, last = _period(day)
        if self.complete_until and last > self.complete_until and first > self.complete_until:
            return Resolution(
                "unresolved", None, None, day, office=office, note=f"terms known until {self.complete_until}"
            )
        current = [(h, s, e) for h, s, e in office.holders if s <= last and (e is None or first <= e)]
        if first != last:  # a month or a year: answer only if one person held it throughout
            people = {h.key: h for h, _s, _e in current}
            if len(people) == 1 and all(s <= first and (e is None or last <= e) for _h, s, e in current):
                return Resolution("resolved", next(iter(people.values())), f"role on {day}", day, office=office)
            if people:
                return Resolution("ambiguous", None, f"role on {day}", day, tuple(people.values()), office)
            return Resolution("unresolved", None, None, day, office=office)
        if not current:
            return Resolution("unresolved", None, None, day, office=office, note="no holder known that day")
        holder = max(current, key=lambda t: (t[1], t[0].key))[0]
        return Resolution("resolved", holder, f"role on {day}", day, office=office)

    def tenures(self) -> Iterator[tuple[Office, WorldEntry, str, str | None]]:
        """Every (office, holder, start, end): reference tenures for a run's tenure index."""
        for office in self.offices.values():
            for holder, start, end in office.holders:
                yield office, holder, start, end

    # -- by name ---------------------------------------------------------------------------------

    def resolve(self, name: str, type: str | None = None, on: str | date | None = None) -> Resolution:
        """What ``name``, mentioned as ``type`` (any source type: Actor, PER, GPE, Country, City…) on
        the day ``on`` (only role phrases depend on it), resolves to."""
        day = on.isoformat() if isinstance(on, date) else (str(on) if on else None)
        return self._memo.get("resolve", (name, type, day), self._resolve, name, _type_key(type), day)

    def resolve_any(self, names: Iterable[str], type: str | None = None, on: str | date | None = None) -> Resolution:
        """The first of ``names`` that resolves; else the first ambiguity or contradiction found."""
        return _first(self.resolve, names, type, on)

    def _resolve(self, name: str, type_key: str | None, day: str | None) -> Resolution:
        key = normalise(name)
        if not key:
            return UNRESOLVED
        accepts = _accepts(type_key)
        office = self.office(name)
        role: Resolution | None = None
        if office is not None and day and (accepts is None or "Person" in accepts):
            role = replace(self.holder(office, day), matched=name)
            if role.status != "unresolved":
                return role
        found = self._by_name(key, name, type_key, accepts)
        if found.status == "unresolved" and accepts != frozenset():
            for tried in (self._titled(name, accepts), self._reordered(name, accepts), self._parse_sector(name)):
                if tried.entry is not None and (accepts is None or tried.entry.cls in accepts):
                    found = tried
                    break
        if role is not None and found.status == "unresolved":
            return role  # says why the role phrase was not answered
        if office is not None and found.office is None:
            found = replace(found, office=office)
        return found

    def _by_name(self, key: str, name: str, type_key: str | None, accepts: frozenset[str] | None) -> Resolution:
        packed = self._names.get(key)
        if packed is None:
            shared = self._shared.get(key) if accepts is None or "Person" in accepts else None
            if shared:
                return Resolution("ambiguous", None, "name", name, tuple(self._entry(i) for i in shared))
            return UNRESOLVED
        postings = [divmod(p, RANKS) for p in ([packed] if isinstance(packed, int) else packed)]
        actor = type_key is None or type_key in ACTOR_TYPES
        compatible: list[tuple[int, WorldEntry]] = []
        other: list[tuple[int, WorldEntry]] = []
        for index, rank in postings:
            entry = self._entry(index)
            rule = rule_of(rank)
            if rule in ACTOR_ONLY_RULES and not actor:
                continue
            if rule == "demonym" and accepts is not None and "Country" not in accepts:
                continue
            if accepts is None or entry.cls in accepts:
                compatible.append((rank, entry))
            elif rule in ("name", "alias") and _contradicts(type_key, entry.cls):
                other.append((rank, entry))
        if not compatible:
            shared = self._shared.get(key) if " " not in key and (accepts is None or "Person" in accepts) else None
            if shared:
                return Resolution("ambiguous", None, "name", name, tuple(self._entry(i) for i in shared))
            if other and accepts:
                best = min(r for r, _e in other)
                return Resolution("contradicts", None, rule_of(best), name, _distinct(e for r, e in other if r == best))
            return UNRESOLVED
        best = min(r for r, _e in compatible)
        winners = _distinct(e for r, e in compatible if r == best)
        if " " not in key and any(e.cls in _PERSONS for e in winners):
            people = _distinct(
                [e for _r, e in compatible if e.cls in _PERSONS] + [self._entry(i) for i in self._shared.get(key, ())]
            )
            if len(people) > 1:  # a bare first or last name two people share: never pick one
                return Resolution("ambiguous", None, "name", name, people)
        if len(winners) == 1:
            return Resolution("resolved", winners[0], rule_of(best), name)
        return Resolution("ambiguous", None, rule_of(best), name, winners)

    def _titled(self, name: str, accepts: frozenset[str] | None) -> Resolution:
        """'Iraqi President Saddam Hussein' -> Saddam Hussein, if the title's country is his."""
        if accepts is not None and "Person" not in accepts:
            return UNRESOLVED
        words = normalise(name).split()
        for cut in range(1, len(words) - 1):
            head, rest = words[:cut], " ".join(words[cut:])
            country = self._title_country(head)
            if country is False:
                continue
            found = self._by_name(rest, rest, "person", _TYPES["person"])
            if not found or found.entry is None:
                continue
            if country is not None and found.entry.country not in (None, country):
                continue
            return Resolution("resolved", found.entry, "titled-name", name)
        return UNRESOLVED

    def _reordered(self, name: str, accepts: frozenset[str] | None) -> Resolution:
        """'Aso Taro' (family name first, as ICEWS writes East Asian names) -> Taro Aso."""
        words = normalise(name).split()
        if len(words) != 2 or (accepts is not None and "Person" not in accepts):
            return UNRESOLVED
        swapped = f"{words[1]} {words[0]}"
        found = self._by_name(swapped, swapped, "person", _TYPES["person"])
        if found.entry is None or found.entry.cls != "Person":
            return UNRESOLVED
        return Resolution("resolved", found.entry, "reordered-name", name)

    def _title_country(self, words: list[str]) -> str | Literal[False] | None:
        """The country a title names ('iraqi president' -> IQ), None for a bare title, False when
        the words are not a title."""
        titles = [w for w in words if w in _TITLE_WORDS]
        if not titles or words[-1] not in _TITLE_WORDS:
            return False
        rest = [w for w in words if w not in _TITLE_WORDS]
        if not rest:
            return None
        found = self._by_name(" ".join(rest), " ".join(rest), "actor", _TYPES["actor"])
        if found.entry is None or found.entry.cls != "Country":
            return False
        return found.entry.iso


def _first(resolve: Any, names: Iterable[str], type_name: str | None, on: str | date | None) -> Resolution:
    problem: Resolution | None = None
    for name in names:
        found = resolve(name, type_name, on)
        if found:
            return found
        if found.status != "unresolved" and problem is None:
            problem = found
    return problem if problem is not None else UNRESOLVED


def _role(text: str) -> Role:
    code, start, end, office = text.split(",")
    return Role(code, start or None, end or None, office or None)


# What a source type and an entry class are, to tell a contradiction (a City named like a country,
# a Person named like a country) from a mere miss (a City named like a Region is just another place).
_KINDS = {
    "person": "person",
    "organization": "organization",
    "armedgroup": "organization",
    "country": "country",
    "city": "place",
    "region": "place",
    "location": "place",
    "gpe": "place",
}
_CLASS_KINDS = {
    "Person": "person",
    "Organization": "organization",
    "ArmedGroup": "organization",
    "Country": "country",
    "Region": "place",
    "City": "place",
    "Location": "place",
}


def _contradicts(type_key: str | None, cls: str) -> bool:
    kind, other = _KINDS.get(type_key or ""), _CLASS_KINDS.get(cls)
    return kind is not None and other is not None and kind != other


def _distinct(entries: Iterable[WorldEntry]) -> tuple[WorldEntry, ...]:
    return tuple({e.key: e for e in entries}.values())


def _period(day: str) -> tuple[str, str]:
    """The first and last ISO day of a date, month or year."""
    if len(day) == 4:
        return f"{day}-01-01", f"{day}-12-31"
    if len(day) == 7:
        return f"{day}-01", f"{day}-31"
    return day[:10], day[:10]


@cache
def _load(path: str) -> WorldGazetteer:
    import gc

    import orjson

    payload = gzip.decompress(Path(path).read_bytes())
    enabled = gc.isenabled()
    gc.disable()  # a few hundred thousand strings and ints, no cycles: collecting them is waste
    try:
        world = WorldGazetteer(orjson.loads(payload))
    finally:
        gc.freeze()  # and out of every later full collection, which would walk them all again, for nothing
        if enabled:
            gc.enable()
    world._path = path
    return world


# ---------------------------------------------------------------------------------------------
# A mapping's own gazetteer in front of the world one
# ---------------------------------------------------------------------------------------------


@dataclass
class LayeredGazetteer:
    """A mapping's gazetteer YAML (``gazetteer:`` key) in front of the world gazetteer: a name the
    user's file knows resolves to the user's entry (same name, QID, ISO code as before), carrying
    the world entry's key, codes and roles when the two share a QID or ISO code."""

    user: Gazetteer | None
    world: WorldGazetteer = field(default_factory=WorldGazetteer.bundled)
    _memo: Memo = field(default_factory=Memo, repr=False)

    def resolve(self, name: str, type: str | None = None, on: str | date | None = None) -> Resolution:
        day = on.isoformat() if isinstance(on, date) else (str(on) if on else None)
        return self._memo.get("resolve", (name, type, day), self._resolve, name, type, day)

    def resolve_any(self, names: Iterable[str], type: str | None = None, on: str | date | None = None) -> Resolution:
        """The first of ``names`` that resolves; else the first ambiguity or contradiction found."""
        return _first(self.resolve, names, type, on)

    def _resolve(self, name: str, type_name: str | None, day: str | None) -> Resolution:
        user = self._user(name, type_name)
        if user is not None:
            return user
        return self.world.resolve(name, type_name, day)

    def _user(self, name: str, type_name: str | None) -> Resolution | None:
        if self.user is None:
            return None
        type_key = _type_key(type_name)
        accepts = _accepts(type_key)
        key = normalise(name)
        for entry, only_as in self.user.candidates(key):
            if only_as:
                if type_name not in only_as and (type_key or "") not in {t.lower() for t in only_as}:
                    continue
            elif not (
                type_name is None
                or entry.type == type_name
                or type_name in _USER_COMPATIBLE.get(entry.type, ())
                or (accepts is not None and _user_class(entry.type) in accepts)
            ):
                continue
            rule = "name" if normalise(entry.name) == key else "alias"
            return Resolution("resolved", self.user_entry(entry), rule, name, note="user gazetteer")
        return None

    def user_entry(self, entry: GazetteerEntry) -> WorldEntry:
        """The user's entry as a world entry: the world's, renamed, when they share a QID or code."""
        return self._memo.get("user entry", entry, self._user_entry, entry)

    def _user_entry(self, entry: GazetteerEntry) -> WorldEntry:
        world = None
        if entry.wikidata:
            world = self.world.by_wikidata(entry.wikidata).entry
        if world is None and entry.iso_code:
            world = self.world.by_iso(entry.iso_code).entry
        aliases = tuple(dict.fromkeys(entry.aliases))
        if world is not None:
            extra = tuple(a for a in world.aliases if a not in aliases and a != entry.name)
            return replace(world, name=entry.name, cls=_user_class(entry.type), aliases=aliases + extra, source="user")
        key = entry.wikidata or entry.iso_code or f"user:{entry.name}"
        return WorldEntry(
            key=key,
            name=entry.name,
            cls=_user_class(entry.type),
            wikidata=entry.wikidata,
            iso=entry.iso_code,
            aliases=aliases,
            source="user",
        )

    # codes, offices and sectors are the world's
    def by_cameo(self, code: str) -> Resolution:
        return self.world.by_cameo(code)

    def by_iso(self, code: str) -> Resolution:
        return self.world.by_iso(code)

    def by_wikidata(self, qid: str) -> Resolution:
        return self.world.by_wikidata(qid)


# The existing gazetteer's looser-type rule (resolve._COMPATIBLE), kept so user entries resolve as before.
_USER_COMPATIBLE: dict[str, frozenset[str]] = {
    "Country": frozenset({"Location", "Organization", "GPE"}),
    "Region": frozenset({"Location"}),
    "City": frozenset({"Location"}),
}


def _user_class(type_name: str) -> str:
    return next((c for c in _CLASS_NAMES if c.lower() == _type_key(type_name)), type_name)


__all__ = [
    "ACTOR_TYPES",
    "LayeredGazetteer",
    "Office",
    "Resolution",
    "Role",
    "WorldEntry",
    "WorldGazetteer",
]
