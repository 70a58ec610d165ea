"""The world gazetteer's lookup by name: the ranked name postings, shared bare names, titles and
family-name-first order."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from kgload.mapping.resolve import normalise
from kgload.mapping.source_types import ACTOR_TYPES, PERSONS, TYPES, contradicts
from kgload.mapping.world_entries import UNRESOLVED, Resolution, WorldEntry, distinct
from kgload.mapping.world_format import ACTOR_ONLY_RULES, RANKS, rule_of

# Words that may precede a name as a title ("Iraqi President Saddam Hussein", "Gen. Burhan").
_TITLE_WORDS = frozenset(
    """president vice prime minister premier chancellor foreign defence defense interior finance
    minister secretary general gen lt col colonel marshal field admiral commander chief king queen
    prince crown emir amir sheikh sultan ayatollah grand supreme leader former ex acting interim
    senator sen rep representative governor mayor mr mrs ms dr sir lord lady dame pope patriarch
    spokesman spokeswoman spokesperson ambassador envoy opposition party head of state the de facto
    military junta ruler strongman deputy first lieutenant major captain""".split()  # noqa: SIM905 (a word list reads better as text)
)


class NameIndex:
    """Names (normalised) to entries: ``names`` holds each name's postings (entry index * RANKS +
    the rank of the rule that gave the name), ``shared`` the bare names several people share."""

    def __init__(
        self, names: dict[str, int | list[int]], shared: dict[str, list[int]], entry: Callable[[int], WorldEntry]
    ) -> None:
        self._names = names
        self._shared = shared
        self._entry = entry

    def lookup(self, key: str, name: str, type_key: str | None, accepts: frozenset[str] | None) -> Resolution:
        """What the normalised name ``key`` (written ``name``) names for a mention so typed."""
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
            elif rule in ("name", "alias") and contradicts(type_key, entry.cls):
                other.append((rank, entry))
        if not compatible:
            shared = self._shared.get(key) if " " not in key and (accepts is None or "Person" in accepts) else None
            if shared:
                return Resolution("ambiguous", None, "name", name, tuple(self._entry(i) for i in shared))
            if other and accepts:
                best = min(r for r, _e in other)
                return Resolution("contradicts", None, rule_of(best), name, distinct(e for r, e in other if r == best))
            return UNRESOLVED
        best = min(r for r, _e in compatible)
        winners = distinct(e for r, e in compatible if r == best)
        if " " not in key and any(e.cls in PERSONS for e in winners):
            people = distinct(
                [e for _r, e in compatible if e.cls in PERSONS] + [self._entry(i) for i in self._shared.get(key, ())]
            )
            if len(people) > 1:  # a bare first or last name two people share: never pick one
                return Resolution("ambiguous", None, "name", name, people)
        if len(winners) == 1:
            return Resolution("resolved", winners[0], rule_of(best), name)
        return Resolution("ambiguous", None, rule_of(best), name, winners)

    def titled(self, name: str, accepts: frozenset[str] | None) -> Resolution:
        """'Iraqi President Saddam Hussein' -> Saddam Hussein, if the title's country is his."""
        if accepts is not None and "Person" not in accepts:
            return UNRESOLVED
        words = normalise(name).split()
        for cut in range(1, len(words) - 1):
            head, rest = words[:cut], " ".join(words[cut:])
            country = self._title_country(head)
            if country is False:
                continue
            found = self.lookup(rest, rest, "person", TYPES["person"])
            if not found or found.entry is None:
                continue
            if country is not None and found.entry.country not in (None, country):
                continue
            return Resolution("resolved", found.entry, "titled-name", name)
        return UNRESOLVED

    def reordered(self, name: str, accepts: frozenset[str] | None) -> Resolution:
        """'Aso Taro' (family name first, as ICEWS writes East Asian names) -> Taro Aso."""
        words = normalise(name).split()
        if len(words) != 2 or (accepts is not None and "Person" not in accepts):
            return UNRESOLVED
        swapped = f"{words[1]} {words[0]}"
        found = self.lookup(swapped, swapped, "person", TYPES["person"])
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
        found = self.lookup(" ".join(rest), " ".join(rest), "actor", TYPES["actor"])
        if found.entry is None or found.entry.cls != "Country":
            return False
        return found.entry.iso
