"""A mapping's own gazetteer (its ``gazetteer:`` YAML) in front of the world gazetteer: its entries win."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date

from kgload.mapping.memo import Memo
from kgload.mapping.resolve import Gazetteer, GazetteerEntry, normalise
from kgload.mapping.source_types import accepts, entry_class, type_key
from kgload.mapping.world import WorldGazetteer
from kgload.mapping.world_entries import Resolution, WorldEntry, day_of, first_resolved

# The user gazetteer's looser-type rule (resolve._COMPATIBLE), kept so user entries resolve as before.
_USER_COMPATIBLE: dict[str, frozenset[str]] = {
    "Country": frozenset({"Location", "Organization", "GPE"}),
    "Region": frozenset({"Location"}),
    "City": frozenset({"Location"}),
}


@dataclass
class LayeredGazetteer:
    """A mapping's gazetteer YAML (``gazetteer:`` key) in front of the world gazetteer: a name the
    user's file knows resolves to the user's entry (same name, QID, ISO code as before), carrying
    the world entry's key, codes and roles when the two share a QID or ISO code."""

    user: Gazetteer | None
    world: WorldGazetteer = field(default_factory=WorldGazetteer.bundled)
    _memo: Memo = field(default_factory=Memo, repr=False)

    def resolve(self, name: str, type: str | None = None, on: str | date | None = None) -> Resolution:
        day = day_of(on)
        return self._memo.get("resolve", (name, type, day), self._resolve, name, type, day)

    def resolve_any(self, names: Iterable[str], type: str | None = None, on: str | date | None = None) -> Resolution:
        """The first of ``names`` that resolves; else the first ambiguity or contradiction found."""
        return first_resolved(self.resolve, names, type, on)

    def _resolve(self, name: str, type_name: str | None, day: str | None) -> Resolution:
        user = self._user(name, type_name)
        if user is not None:
            return user
        return self.world.resolve(name, type_name, day)

    def _user(self, name: str, type_name: str | None) -> Resolution | None:
        if self.user is None:
            return None
        key_of_type = type_key(type_name)
        classes = accepts(key_of_type)
        key = normalise(name)
        for entry, only_as in self.user.candidates(key):
            if only_as:
                if type_name not in only_as and (key_of_type or "") not in {t.lower() for t in only_as}:
                    continue
            elif not (
                type_name is None
                or entry.type == type_name
                or type_name in _USER_COMPATIBLE.get(entry.type, ())
                or (classes is not None and entry_class(entry.type) in classes)
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
            return replace(world, name=entry.name, cls=entry_class(entry.type), aliases=aliases + extra, source="user")
        key = entry.wikidata or entry.iso_code or f"user:{entry.name}"
        return WorldEntry(
            key=key,
            name=entry.name,
            cls=entry_class(entry.type),
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
