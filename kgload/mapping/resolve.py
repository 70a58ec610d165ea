"""Deterministic entity resolution: the same actor, however named, gets one IRI.

Two mechanisms, both pure:
- a gazetteer (YAML alias table) of canonical entities with Wikidata QIDs and ISO codes;
- within one document, entities of one type that share a name or alias are merged.
No fuzzy matching: a name either normalises to a known key or it does not.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from kgload.errors import MappingError
from kgload.mapping.yamlsource import YamlSource

_POSSESSIVE = re.compile(r"['’]s$")
_PUNCT = re.compile(r"[^\w\s-]+", re.UNICODE)
_SPACE = re.compile(r"[\s_-]+")


def normalise(name: str) -> str:
    """The lookup key of a name: case, accents, dots, possessives and a leading 'the' ignored."""
    text = unicodedata.normalize("NFKD", name.casefold().strip())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _POSSESSIVE.sub("", text)
    text = _PUNCT.sub("", text)
    text = _SPACE.sub(" ", text).strip()
    return text[4:] if text.startswith("the ") else text


@dataclass(frozen=True)
class GazetteerEntry:
    name: str
    type: str
    wikidata: str | None = None
    iso_code: str | None = None
    aliases: tuple[str, ...] = ()


class Gazetteer:
    """Canonical entities, looked up by any normalised name, optionally restricted by type."""

    def __init__(self, entries: Iterable[tuple[GazetteerEntry, Sequence[tuple[str, frozenset[str]]]]] = ()) -> None:
        self._index: dict[str, list[tuple[GazetteerEntry, frozenset[str]]]] = {}
        self.entries: list[GazetteerEntry] = []
        for entry, names in entries:
            self.entries.append(entry)
            for name, only_as in names:
                self._index.setdefault(normalise(name), []).append((entry, only_as))

    def __len__(self) -> int:
        return len(self.entries)

    def lookup(self, names: Iterable[str], type_name: str) -> GazetteerEntry | None:
        for name in names:
            for entry, only_as in self._index.get(normalise(name), ()):
                if only_as and type_name not in only_as:
                    continue
                if not only_as and entry.type != type_name and type_name not in _COMPATIBLE.get(entry.type, ()):
                    continue
                return entry
        return None


# A canonical entity may be named under a looser type by an extractor: a country reported as
# a generic location or as an organisation (its government), a city as a location.
_COMPATIBLE: dict[str, frozenset[str]] = {
    "Country": frozenset({"Location", "Organization", "GPE"}),
    "Region": frozenset({"Location"}),
    "City": frozenset({"Location"}),
    "Organization": frozenset(),
    "Person": frozenset(),
}


def load_gazetteer(paths: Sequence[Path]) -> Gazetteer:
    items: list[tuple[GazetteerEntry, list[tuple[str, frozenset[str]]]]] = []
    problems = []
    for path in paths:
        source = YamlSource(path)
        data = source.data
        if not isinstance(data, dict) or not isinstance(data.get("entities"), list):
            problems.append(source.problem((), "a gazetteer needs a top-level 'entities:' list"))
            continue
        for i, raw in enumerate(data["entities"]):
            where = ("entities", i)
            if not isinstance(raw, dict) or not isinstance(raw.get("name"), str) or not isinstance(raw.get("type"), str):
                problems.append(source.problem(where, "each entity needs a 'name' and a 'type' (strings)"))
                continue
            names: list[tuple[str, frozenset[str]]] = [(raw["name"], frozenset())]
            plain_aliases: list[str] = []
            for j, alias in enumerate(raw.get("aliases") or []):
                if isinstance(alias, str):
                    names.append((alias, frozenset()))
                    plain_aliases.append(alias)
                elif isinstance(alias, dict) and isinstance(alias.get("name"), str):
                    names.append((alias["name"], frozenset(alias.get("as") or ())))
                    plain_aliases.append(alias["name"])
                else:
                    problems.append(source.problem((*where, "aliases", j), "an alias is a string or {name, as: [types]}"))
            entry = GazetteerEntry(
                name=raw["name"],
                type=raw["type"],
                wikidata=raw.get("wikidata"),
                iso_code=raw.get("iso_code"),
                aliases=tuple(plain_aliases),
            )
            items.append((entry, names))
    if problems:
        raise MappingError(problems)
    return Gazetteer(items)
