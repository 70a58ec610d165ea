"""Who an entity is: the canonical entry its names and codes resolve to, whatever type the source gave.

The mapper asks ``identify`` once per group of names; the answer's entry key (a Wikidata QID, an ISO
3166 code, a CAMEO sector key, a dictionary key) is what the entity's IRI is made from, so an actor
typed ``Actor`` in ICEWS and ``Person`` in a news extraction is one node. Resolution never merges two
canonical entries: a name either resolves to one entry, or it stays a name of its own (ambiguous
names and type contradictions are kept apart, and said so in ``problem``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from kgload.mapping.layered import LayeredGazetteer
from kgload.mapping.resolve import normalise
from kgload.mapping.world import WorldGazetteer
from kgload.mapping.world_entries import Resolution, WorldEntry
from kgload.model import How


@dataclass(frozen=True, slots=True)
class Identity:
    """What a group of names is: an entry (None: a name no gazetteer knows), how it was found, the
    rule that found it, an ambiguity or contradiction met on the way, whether the answer depends
    on the document's date (a role phrase), and whether the names name no one actor beyond their
    document (``scoped``: a generic agent whose country is not given, an actor the source calls
    unidentified), so that its node is the document's own."""

    entry: WorldEntry | None
    how: How
    rule: str | None = None
    problem: Resolution | None = None
    dated: bool = False
    scoped: bool = False


def identify(
    gazetteer: LayeredGazetteer,
    names: Sequence[str],
    type_name: str | None,
    day: str | None = None,
    *,
    wikidata: str | None = None,
    iso: str | None = None,
    cameo: str | None = None,
    country: str | None = None,
) -> Identity:
    """The entry ``names`` (a mention typed ``type_name`` on ``day``) and the source's codes resolve to.

    In order: a QID the source gives; the names (the user's gazetteer, then the world's, role phrases
    by date); an ISO code the source gives the entity itself; a CAMEO actor code when a name is the
    code's generic agent ("POLICE" coded INDCOP, never "John Smith" coded USAGOV); a bare agent name
    with the country the source gives ("Police" of IN). A category sector (farmers, protesters: CAMEO
    codes many different actors so) gives the group its name names, never the sector as a whole.

    Names that are only a generic agent with no owner given ("PRESIDENT" coded ``GOV``, "Civilians")
    and names of an actor the source says it could not identify ("Unidentified Armed Group (Benin)")
    stay unresolved and ``scoped``: whose president, which armed group, is not said, so two documents'
    are not known to be one actor."""
    world = gazetteer.world
    dated = bool(day) and any(world.office(n) is not None for n in names)
    by_name = gazetteer.resolve_any(names, type_name, day)
    if wikidata:
        qid = wikidata.strip().upper()
        found = gazetteer.by_wikidata(qid).entry
        if found is not None:
            return Identity(found, "code", "qid", dated=dated)
        named = by_name.entry
        if named is not None and not named.wikidata:  # the dictionaries' entry lacks the QID the source gives
            return Identity(replace(named, wikidata=qid), "code", "qid and name", dated=dated)
        return Identity(WorldEntry(key=qid, name="", cls="", wikidata=qid), "code", "qid", dated=dated)
    if all(_unidentified(n) for n in names):
        return Identity(None, "unresolved", "unidentified", dated=dated, scoped=True)
    if by_name.entry is not None:
        rule = by_name.rule or "name"
        return Identity(by_name.entry, "role" if rule.startswith("role") else "gazetteer", rule, dated=dated)
    owner = world.country(country).entry if country else None
    if by_name.status == "ambiguous" and owner is not None:
        # the source's country tells two namesakes apart ("Assad" of SY), never a third person
        ours = [c for c in by_name.candidates if c.country == owner.iso]
        if len(ours) == 1:
            return Identity(ours[0], "code", "name and country", dated=dated)
    problem = by_name if by_name.status in ("ambiguous", "contradicts") else None
    if iso:
        found = world.by_iso(iso)
        if found.entry is not None:
            return Identity(found.entry, "code", "iso-code", problem, dated)
    agents = [(n, code) for n in names if (code := world.agent_code(n)) is not None]
    if cameo and agents:
        found = world.by_cameo(cameo)
        if found.entry is not None and found.entry.agent is not None and found.entry.parent is not None:
            agent = found.entry.agent.replace(".", "")
            for name, code in agents:
                if not agent.startswith(code):
                    continue
                if world.institution(agent):  # the body itself: "POLICE" coded INDCOP is India's police
                    return Identity(found.entry, "code", "cameo-code", problem, dated)
                # a category: "FARMER" coded BENAGR is Benin's farmers, not every actor CAMEO codes AGR
                group = world.sector(found.entry.parent, name).entry
                if group is not None:
                    return Identity(group, "code", "cameo-code", problem, dated)
    if owner is not None and agents:
        found = world.sector(owner.key, agents[0][0])
        if found.entry is not None:
            return Identity(found.entry, "code", "sector", problem, dated)
    if names and len(agents) == len(names) and owner is None and not _coded(world, cameo):
        return Identity(None, "unresolved", "generic agent", problem, dated, scoped=True)
    if names and not (country or iso) and _agent_only(world, cameo) and all(map(world.common_words, names)):
        # words the agent phrases lack ("BANK" coded BUS, "NATIONALS" coded CVL): whose, not said either
        return Identity(None, "unresolved", "generic words", problem, dated, scoped=True)
    return Identity(None, "unresolved", None, problem, dated)


# how a source names an actor it could not identify: ACLED's "Unidentified Armed Group (Benin)"
_UNIDENTIFIED = "unidentified "


def _unidentified(name: str) -> bool:
    """Whether the name says its actor is unknown ("Unidentified Communal Militia (Benin)")."""
    return normalise(name).startswith(_UNIDENTIFIED)


def _coded(world: WorldGazetteer, cameo: str | None) -> bool:
    """Whether a CAMEO code names some actor ("USAGOV"), not only an agent ("GOV"; "MED", which
    every news agency the dictionaries list shares, names none of them)."""
    return bool(cameo) and world.by_cameo(cameo).entry is not None


def _agent_only(world: WorldGazetteer, cameo: str | None) -> bool:
    """Whether a CAMEO code is only a sector ("BUS", "CVL", "GOV"), with no country and naming no actor."""
    return bool(cameo) and world.is_agent(cameo) and not _coded(world, cameo)


@dataclass(frozen=True, slots=True)
class Answer:
    """What ``kgload resolve NAME`` prints: a name's resolution, with why, and the IRI it gets."""

    name: str
    type: str | None
    on: str | None
    identity: Identity
    iri: str
    candidates: tuple[WorldEntry, ...] = ()  # an ambiguity's or a contradiction's entries
    office: str | None = None  # the office a role phrase names
    note: str | None = None

    @property
    def status(self) -> str:
        if self.identity.entry is not None:
            return "resolved"
        problem = self.identity.problem
        return problem.status if problem is not None else "unresolved"

    def as_json(self) -> dict[str, object]:
        entry = self.identity.entry
        return {
            "name": self.name,
            "type": self.type,
            "on": self.on,
            "status": self.status,
            "by": self.identity.how,
            "rule": self.identity.rule,
            "iri": self.iri,
            "entry": _entry_json(entry) if entry is not None else None,
            "candidates": [_entry_json(c) for c in self.candidates],
            "office": self.office,
            "note": self.note,
        }


def _entry_json(entry: WorldEntry) -> dict[str, object]:
    return {
        "key": entry.key,
        "name": entry.name,
        "class": entry.cls,
        "wikidata": entry.wikidata,
        "iso": entry.iso,
        "cameo": list(entry.cameo),
        "country": entry.country,
        "parent": entry.parent,
        "source": entry.source,
    }


def explain(
    gazetteer: LayeredGazetteer, name: str, type_name: str | None = None, on: str | None = None
) -> tuple[Identity, Resolution]:
    """The identity of one name, and the gazetteer's own answer (its candidates, office and note)."""
    identity = identify(gazetteer, [name], type_name, on)
    return identity, gazetteer.resolve(name, type_name, on)


def identifying_code(gazetteer: LayeredGazetteer, entry: WorldEntry) -> str | None:
    """The entry's CAMEO code when it identifies the entry (the code resolves back to it): a sector's
    ``INDCOP``, a country's ``RUS``; never a code many entries share (news agencies are all ``MED``)."""
    for code in entry.cameo:
        found = gazetteer.by_cameo(code).entry
        if found is not None and found.key == entry.key:
            return code
    return None
