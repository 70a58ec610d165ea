"""Sectors in the world gazetteer: a country's or organisation's institution or group of people that
a CAMEO agent code or phrase names ("Police (India)", ``IND.COP``; "Farmers (Benin)", ``BEN.AGR/farmer``),
made on demand and linked to their owner."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from kgload.mapping.resolve import normalise
from kgload.mapping.world_entries import UNRESOLVED, Resolution, WorldEntry

_YEARS = re.compile(r"\(\s*\d{4}\s*-\s*(?:\d{4})?\s*\)")
_PARENS = re.compile(r"^(?P<left>.+?)\s*\((?P<inner>[^()]+)\)\s*(?P<rest>.*)$")


class Sectors:
    """The dictionaries' agent phrases and codes (``agents`` of the gazetteer file), and the sector
    entries made from them so far (each once per process)."""

    def __init__(self, agents: dict[str, Any]) -> None:
        self._agents: dict[str, str] = agents["phrases"]
        self._labels: dict[str, str] = agents["labels"]
        self._classes: dict[str, str] = agents["classes"]
        self._written: dict[str, str] = agents.get("written", {})
        self._codes = frozenset(c[i : i + 3] for c in self._agents.values() for i in range(0, len(c), 3))
        self._words = frozenset(w for phrase in self._agents for w in phrase.split() if w.isalpha())
        self._made: dict[str, WorldEntry] = {}

    def is_agent(self, text: str) -> bool:
        """Whether ``text`` is a run of CAMEO agent codes ("GOV", "GOVMED")."""
        return bool(text) and len(text) % 3 == 0 and all(text[i : i + 3] in self._codes for i in range(0, len(text), 3))

    def common(self, phrase: str) -> bool:
        """Whether every word of ``phrase`` is a word of the agent phrases, or its plural ("BANK",
        "FOREIGN MINIST", "NATIONALS"): a description of someone, never a proper name ("John Smith",
        "Reuters"), whose words the dictionaries of generic actors do not hold."""
        words = normalise(phrase).split()
        return any(len(w) > 2 for w in words) and all(
            w in self._words or (w.endswith("s") and w[:-1] in self._words) for w in words
        )

    def institution(self, agent: str) -> bool:
        """Whether a CAMEO agent code names a body a country has one of (government, military, police,
        judiciary, legislature, intelligence: the curated ``agent_classes``) rather than a category
        of people (farmers, protesters, armed groups) that many different actors belong to."""
        return agent[:3] in self._classes

    def entry(self, parent: WorldEntry, agent: str) -> WorldEntry:
        """India's police: ``IND.COP``, named "Police (India)", linked to India."""
        prefix = parent.cameo[0] if parent.cameo else parent.key
        blocks = [agent[i : i + 3] for i in range(0, len(agent), 3)]
        key = f"{prefix}.{'.'.join(blocks)}"
        found = self._made.get(key)
        if found is None:
            label = " ".join(self._labels.get(b, b) for b in blocks)
            found = self._made[key] = WorldEntry(
                key=key,
                name=f"{label} ({parent.name})",
                cls=self._classes.get(blocks[0], "Actor"),
                cameo=(prefix + agent,) if parent.cameo else (),
                country=parent.iso if parent.cls == "Country" else parent.country,
                parent=parent.key,
                agent=".".join(blocks),
                source="sector",
            )
        return found

    def group(self, parent: WorldEntry, agent: str, phrase: str) -> WorldEntry:
        """The people of a category sector that one agent phrase names: "Farmers (Benin)",
        ``BEN.AGR/farmer``, linked to Benin and apart from "Pastoralists (Benin)", ``BEN.AGR/pastoralists``."""
        sector = self.entry(parent, agent)
        key = f"{sector.key}/{phrase.replace(' ', '-')}"
        found = self._made.get(key)
        if found is None:
            found = self._made[key] = replace(
                sector, key=key, name=f"{self._display(phrase, agent)} ({parent.name})", cls="Actor"
            )
        return found

    def unit(self, body: WorldEntry, unit: str) -> WorldEntry:
        """A unit of a state body, as ACLED names it after the body's years: "Police Forces of Benin
        (2016-) Customs" -> ``BEN.COP/customs``, "Police (Benin): Customs", linked to Benin."""
        phrase = normalise(unit)
        key = f"{body.key}/{phrase.replace(' ', '-')}"
        found = self._made.get(key)
        if found is None:
            title = " ".join(w[:1].upper() + w[1:] for w in phrase.split())
            found = self._made[key] = replace(body, key=key, name=f"{body.name}: {title}", cameo=())
        return found

    def _display(self, phrase: str, agent: str) -> str:
        """A group's name from its phrase alone (never from the surface a document used, so that
        every document labels the node alike): the plural the dictionaries know, capitalised."""
        plural = phrase + "s"
        if self._agents.get(plural) == agent and not phrase.endswith(("s", "men", "ren", "people")):
            phrase = plural
        if phrase in self._written:
            return self._written[phrase]
        return " ".join(w[:1].upper() + w[1:] for w in phrase.split())

    def of(self, owner: WorldEntry, agent: str, matched: str) -> Resolution:
        """The sector of ``owner`` an agent code or phrase names: a code names the sector as a whole; a
        phrase of a category sector names its own group."""
        if self.is_agent(agent.upper()):
            entry = self.entry(owner, agent.upper())
        else:
            found = self.agent_phrase(agent)
            if found is None:
                return UNRESOLVED
            phrase, code = found
            entry = self.entry(owner, code) if self.institution(code) else self.group(owner, code, phrase)
        return Resolution("resolved", entry, "sector", matched)

    def agent_code(self, phrase: str) -> str | None:
        """The CAMEO agent code a generic actor phrase names ("POLICE", "troops" -> COP, MIL), if any."""
        found = self.agent_phrase(phrase)
        return found[1] if found is not None else None

    def agent_phrase(self, phrase: str) -> tuple[str, str] | None:
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

    def parse(self, name: str, sector: Callable[[str, str], Resolution]) -> Resolution:
        """The sector a name written as one designates ("Police (India)", "Military Forces of Russia
        (2000-)", "Indian police"), ``sector(owner text, agent text)`` answering each reading."""
        head, *tail = _YEARS.split(name)
        unit = " ".join(t.strip() for t in tail if t.strip())
        if unit:  # "Police Forces of Benin (2016-) Customs": a unit of the police, not the police
            body = self.parse(head.strip(), sector)
            if body.entry is None or body.entry.agent is None or not self.institution(body.entry.agent):
                return UNRESOLVED
            return Resolution("resolved", self.unit(body.entry, unit), "sector", name)
        text = _YEARS.sub(" ", name).strip()
        match = _PARENS.match(text)
        if match and not match.group("rest"):  # Police (India), Military Personnel (France)
            found = sector(match.group("inner"), match.group("left"))
            if found:
                return replace(found, matched=name)
        of = re.match(r"^(?P<agent>.+?)\s+of\s+(?:the\s+)?(?P<parent>.+)$", head.strip(), re.I)
        if of:  # Military Forces of Russia (2000-), Government of Benin (2016-)
            found = sector(of.group("parent"), of.group("agent"))
            if found:
                return replace(found, matched=name)
        words = normalise(text).split()
        for cut in range(1, len(words)):  # Indian police, NATO peacekeeping troops, Russian forces
            agent = " ".join(words[cut:])
            if self.agent_code(agent) is None:
                continue
            found = sector(" ".join(words[:cut]), agent)
            if found:
                return replace(found, matched=name)
        return UNRESOLVED
