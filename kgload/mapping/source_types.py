"""Which world-gazetteer entry classes a mention typed by a source may resolve to.

Source types are any case: the mapping's type names and common NER labels (PER, GPE, NORP). An actor
type also takes the actor-only rules (a demonym, a capital or a city standing for a country's
government); a place type never does.
"""

from __future__ import annotations

CLASS_NAMES = ("Person", "Country", "Region", "City", "Location", "Organization", "ArmedGroup", "Actor")
PERSONS = frozenset({"Person"})
ACTOR_TYPES = frozenset({"actor", "country", "organization", "norp", "armedgroup"})

TYPES: dict[str, frozenset[str]] = {
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


def type_key(type_name: str | None) -> str | None:
    """A source type in lower case, its alias resolved ("PER" -> "person")."""
    if type_name is None:
        return None
    key = type_name.strip().lower()
    return _TYPE_ALIASES.get(key, key)


def accepts(key: str | None) -> frozenset[str] | None:
    """The classes a mention of this type key may resolve to; None: any (no type given)."""
    if key is None:
        return None
    found = TYPES.get(key)
    if found is not None:
        return found
    return frozenset(c for c in CLASS_NAMES if c.lower() == key)


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


def contradicts(key: str | None, cls: str) -> bool:
    """Whether an entry of class ``cls`` is another kind of thing than a mention typed ``key``."""
    kind, other = _KINDS.get(key or ""), _CLASS_KINDS.get(cls)
    return kind is not None and other is not None and kind != other


def entry_class(type_name: str) -> str:
    """The entry class a type name stands for ("person" -> Person); an unknown one as written."""
    return next((c for c in CLASS_NAMES if c.lower() == type_key(type_name)), type_name)
