"""The world gazetteer that ships with kgload: one canonical entry per real-world actor or place.

Compiled by ``tools/build_gazetteer.py`` from the CAMEO/Phoenix dictionaries, ISO 3166 (pycountry)
and a curated file (see gazetteer/README.md); read once per process, lazily, from the bundled
``world.json.gz`` (``WorldGazetteer.bundled()``). Every answer is a ``Resolution``
(``kgload.mapping.world_entries``) that says what a name or code resolved to, by which rule, or why
it did not: ``ambiguous`` (a bare name two people share: never pick one), ``contradicts`` (a City
named "Georgia" against the country), ``unresolved``. Lookups are pure and memoised; the gazetteer
never changes once loaded.

This module reads the file, answers by key and code and puts the lookups together; names
(``world_names``), sectors (``world_sectors``) and offices (``world_offices``) have their own
modules. ``kgload.mapping.layered.LayeredGazetteer`` puts a mapping's own gazetteer YAML in front.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from kgload.mapping.memo import Memo
from kgload.mapping.resolve import normalise
from kgload.mapping.source_types import accepts, type_key
from kgload.mapping.world_entries import UNRESOLVED, Office, Resolution, Role, WorldEntry, day_of, first_resolved
from kgload.mapping.world_format import COLUMNS, FORMAT, SEP
from kgload.mapping.world_names import NameIndex
from kgload.mapping.world_offices import Offices
from kgload.mapping.world_sectors import Sectors

# ICEWS names an unnamed leader by role and country ("Head of Government (Thailand)")
_GENERIC_HEAD = re.compile(r"^\s*(?P<head>head of (?:government|state))\s*\((?P<of>[^()]+)\)\s*$", re.IGNORECASE)


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
        self._cameo: dict[str, list[int]] = data["cameo"]
        self._iso: dict[str, int] = data["iso"]
        self._key_index: dict[str, int] | None = None
        self._qid_index: dict[str, int] | None = None
        self._names = NameIndex(data["names"], data["shared_names"], self._entry)
        self._offices = Offices(data["offices"], self._entry, self.complete_until)
        self._sectors = Sectors(data["agents"])
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
                return self._sectors.unit(sector, phrase.replace("-", " "))
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
            if parent is not None and parent.entry is not None and self._sectors.is_agent(agent):
                return Resolution("resolved", self._sectors.entry(parent.entry, agent), "cameo-code", code)
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

    def country(self, code_or_name: str) -> Resolution:
        """A country by ISO code, CAMEO country code or name ("RUS", "643", "Russian Federation")."""
        for found in (self.by_iso(code_or_name), self.by_cameo(code_or_name)):
            if found.entry is not None and found.entry.cls == "Country":
                return found
        return self.resolve(code_or_name, "Country")

    # -- sectors (kgload.mapping.world_sectors) --------------------------------------------------

    def institution(self, agent: str) -> bool:
        """Whether a CAMEO agent code names a body a country has one of (government, military, police,
        judiciary, legislature, intelligence) rather than a category of people."""
        return self._sectors.institution(agent)

    def sector(self, parent: str, agent: str) -> Resolution:
        """The sector of a country or organisation (a name, key or code) named by an agent phrase or
        code: ``sector("India", "police")`` -> Police (India), ``IND.COP``. A code names the sector as
        a whole; a phrase of a category sector names its own group: ``sector("Benin", "farmers")`` ->
        Farmers (Benin), ``BEN.AGR/farmer``, never the same actor as the pastoralists CAMEO also codes AGR."""
        owner = self._owner(parent)
        if owner is None:
            return UNRESOLVED
        return self._sectors.of(owner, agent, f"{parent} / {agent}")

    def is_agent(self, code: str) -> bool:
        """Whether a CAMEO code is only agent codes ("BUS", "GOVMED"): no country, no actor."""
        return self._sectors.is_agent(code)

    def common_words(self, phrase: str) -> bool:
        """Whether a phrase is only words of generic actor phrases ("BANK", "FOREIGN MINIST"), not a
        proper name ("John Smith")."""
        return self._memo.get("common", phrase, self._sectors.common, phrase)

    def agent_code(self, phrase: str) -> str | None:
        """The CAMEO agent code a generic actor phrase names ("POLICE", "troops" -> COP, MIL), if any."""
        return self._memo.get("agent", phrase, self._sectors.agent_code, phrase)

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

    # -- offices (kgload.mapping.world_offices) --------------------------------------------------

    @property
    def offices(self) -> dict[str, Office]:
        return self._offices.by_id

    def office(self, phrase: str) -> Office | None:
        """The office a role phrase names ("the US President" -> US.president, ICEWS's "Head of
        Government (Russia)" -> RU.prime-minister), if it is one."""
        return self._memo.get("office", phrase, self._office, phrase)

    def _office(self, phrase: str) -> Office | None:
        found = self._offices.office(phrase)
        generic = _GENERIC_HEAD.match(phrase) if found is None else None
        if generic is not None and (owner := self._owner(generic["of"])) is not None:
            found = self._offices.head(owner.key, generic["head"].lower())
        return found

    def holder(self, office: Office, on: str | date) -> Resolution:
        """Who held ``office`` on a day (``2024-12-01``), or through a whole month or year; on a
        handover day the newcomer. Dates after the curated terms' ``complete_until`` are not answered."""
        return self._offices.holder(office, on)

    def tenures(self) -> Iterator[tuple[Office, WorldEntry, str, str | None]]:
        """Every (office, holder, start, end): reference tenures for a run's tenure index."""
        return self._offices.tenures()

    # -- by name (kgload.mapping.world_names) ----------------------------------------------------

    def resolve(self, name: str, type: str | None = None, on: str | date | None = None) -> Resolution:
        """What ``name``, mentioned as ``type`` (any source type: Actor, PER, GPE, Country, City…) on
        the day ``on`` (only role phrases depend on it), resolves to."""
        day = day_of(on)
        return self._memo.get("resolve", (name, type, day), self._resolve, name, type_key(type), day)

    def resolve_any(self, names: Iterable[str], type: str | None = None, on: str | date | None = None) -> Resolution:
        """The first of ``names`` that resolves; else the first ambiguity or contradiction found."""
        return first_resolved(self.resolve, names, type, on)

    def _resolve(self, name: str, key_of_type: str | None, day: str | None) -> Resolution:
        key = normalise(name)
        if not key:
            return UNRESOLVED
        classes = accepts(key_of_type)
        office = self.office(name)
        role: Resolution | None = None
        if office is not None and day and (classes is None or "Person" in classes):
            role = replace(self.holder(office, day), matched=name)
            if role.status != "unresolved":
                return role
        found = self._names.lookup(key, name, key_of_type, classes)
        if found.status == "unresolved" and classes != frozenset():
            for tried in (
                self._names.titled(name, classes),
                self._names.reordered(name, classes),
                self._sectors.parse(name, self.sector),
            ):
                if tried.entry is not None and (classes is None or tried.entry.cls in classes):
                    found = tried
                    break
        if role is not None and found.status == "unresolved":
            return role  # says why the role phrase was not answered
        if office is not None and found.office is None:
            found = replace(found, office=office)
        return found


def _role(text: str) -> Role:
    code, start, end, office = text.split(",")
    return Role(code, start or None, end or None, office or None)


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
