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
from datetime import date
from functools import lru_cache
from pathlib import Path

from kgload.errors import MappingError
from kgload.mapping.memo import Memo
from kgload.yamlsource import YamlSource

_POSSESSIVE = re.compile(r"['’]s$")
_PUNCT = re.compile(r"[^\w\s-]+", re.UNICODE)
_SPACE = re.compile(r"[\s_-]+")


@lru_cache(maxsize=65_536)  # pure, and called for every name of every document
def normalise(name: str) -> str:
    """The lookup key of a name: case, accents, dots, possessives and a leading 'the' ignored.
    Idempotent: the key of a key is itself (compatibility forms are folded before and after case)."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", name).casefold().strip())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _POSSESSIVE.sub("", text)
    text = _PUNCT.sub("", text)
    text = _SPACE.sub(" ", text).strip()
    while text.startswith("the "):
        text = text[4:]
    return text


@dataclass(frozen=True)
class GazetteerEntry:
    name: str
    type: str
    wikidata: str | None = None
    iso_code: str | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Role:
    """A role phrase ("the US President") that names whoever holds an office on a given day."""

    names: tuple[str, ...]
    office: str  # a relation type of the mapping, e.g. "leader-of"
    of: str  # the gazetteer name of what the office is of, e.g. "United States"


@dataclass(frozen=True)
class Tenure:
    """Reference data: someone held an office over a period (ISO dates; end None = still)."""

    holder: str
    office: str
    of: str
    start: str
    end: str | None = None


class Gazetteer:
    """Canonical entities, looked up by any normalised name, optionally restricted by type.

    Countries not listed are still resolved through ISO 3166 (pycountry), by exact name or code.
    """

    def __init__(
        self,
        entries: Iterable[tuple[GazetteerEntry, Sequence[tuple[str, frozenset[str]]]]] = (),
        roles: Sequence[Role] = (),
        tenures: Sequence[Tenure] = (),
    ) -> None:
        self._index: dict[str, list[tuple[GazetteerEntry, frozenset[str]]]] = {}
        self.entries: list[GazetteerEntry] = []
        self.roles = list(roles)
        self.tenures = list(tenures)
        self._role_index = {normalise(n): role for role in roles for n in role.names}
        self._memo = Memo()
        for entry, names in entries:
            self.entries.append(entry)
            extra = _iso_names(entry.iso_code) if entry.type == "Country" else []
            for name, only_as in [*names, *((n, frozenset()) for n in extra)]:
                self._index.setdefault(normalise(name), []).append((entry, only_as))

    def role(self, names: Iterable[str]) -> Role | None:
        names = tuple(names)
        return self._memo.get("role", names, lambda: self._role(names))

    def _role(self, names: tuple[str, ...]) -> Role | None:
        for name in names:
            role = self._role_index.get(normalise(name))
            if role is not None:
                return role
        return None

    def __len__(self) -> int:
        return len(self.entries)

    def candidates(self, key: str) -> list[tuple[GazetteerEntry, frozenset[str]]]:
        """The entries a normalised name is a name or alias of, each with the types its alias is
        restricted to (empty: any type the entry's own is compatible with), in file order."""
        return list(self._index.get(key, ()))

    def lookup(self, names: Iterable[str], type_name: str) -> GazetteerEntry | None:
        names = tuple(names)
        return self._memo.get("lookup", (names, type_name), lambda: self._lookup(names, type_name))

    def _lookup(self, names: tuple[str, ...], type_name: str) -> GazetteerEntry | None:
        for name in names:
            for entry, only_as in self._index.get(normalise(name), ()):
                if only_as and type_name not in only_as:
                    continue
                if not only_as and entry.type != type_name and type_name not in _COMPATIBLE.get(entry.type, ()):
                    continue
                return entry
        if type_name in ("Country", "GPE"):
            return _iso_country(names)
        return None


def _iso_names(code: str | None) -> list[str]:
    """The names ISO 3166 gives a country, so 'Russian Federation' or 'RUS' find 'Russia'."""
    if not code:
        return []
    import pycountry

    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return []
    return [
        n
        for n in (
            country.name,
            getattr(country, "official_name", None),
            getattr(country, "common_name", None),
            country.alpha_3,
        )
        if n
    ]


def _iso_country(names: Iterable[str]) -> GazetteerEntry | None:
    import pycountry

    for name in names:
        try:
            country = pycountry.countries.lookup(name.strip())
        except LookupError:
            continue
        canonical = getattr(country, "common_name", None) or country.name
        return GazetteerEntry(name=canonical, type="Country", iso_code=country.alpha_2)
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
    roles: list[Role] = []
    tenures: list[Tenure] = []
    problems = []
    for path in paths:
        source = YamlSource(path)
        data = source.data
        if not isinstance(data, dict) or not isinstance(data.get("entities"), list):
            problems.append(source.problem((), "a gazetteer needs a top-level 'entities:' list"))
            continue
        for i, raw in enumerate(data["entities"]):
            where = ("entities", i)
            if (
                not isinstance(raw, dict)
                or not isinstance(raw.get("name"), str)
                or not isinstance(raw.get("type"), str)
            ):
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
                    problems.append(
                        source.problem((*where, "aliases", j), "an alias is a string or {name, as: [types]}")
                    )
            entry = GazetteerEntry(
                name=raw["name"],
                type=raw["type"],
                wikidata=raw.get("wikidata"),
                iso_code=raw.get("iso_code"),
                aliases=tuple(plain_aliases),
            )
            items.append((entry, names))
        for i, raw in enumerate(data.get("roles") or []):
            if (
                not isinstance(raw, dict)
                or not all(isinstance(raw.get(k), str) for k in ("office", "of"))
                or not isinstance(raw.get("names"), list)
            ):
                problems.append(source.problem(("roles", i), "a role needs 'names' (a list), 'office' and 'of'"))
                continue
            roles.append(Role(tuple(str(n) for n in raw["names"]), raw["office"], raw["of"]))
        for i, raw in enumerate(data.get("tenures") or []):
            if (
                not isinstance(raw, dict)
                or not all(isinstance(raw.get(k), str) for k in ("holder", "office", "of"))
                or not isinstance(raw.get("start"), str | date)
            ):
                problems.append(source.problem(("tenures", i), "a tenure needs 'holder', 'office', 'of' and 'start'"))
                continue
            end = raw.get("end")
            tenures.append(
                Tenure(raw["holder"], raw["office"], raw["of"], str(raw["start"]), str(end) if end else None)
            )
    if problems:
        raise MappingError(problems)
    return Gazetteer(items, roles, tenures)
