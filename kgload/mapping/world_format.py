"""The compiled world gazetteer's file format, shared by its builder and its reader.

``gazetteer/world.json.gz`` is gzip'd JSON (UTF-8, sorted keys) with:

- ``format``: this module's ``FORMAT``; ``sources``: what it was compiled from (checksums, versions);
- ``entries``: the canonical entries, sorted by key, as columns (one list per field of ``COLUMNS``,
  all strings, "" for none): lists inside a cell are joined with ``SEP``; a role is
  ``code,start,end,office`` and roles are joined with ``;``. Columns parse fast (no object per entry);
  an entry is assembled when first asked for;
- ``names``: normalised name -> posting or list of postings; a posting packs the entry index and the
  rank as ``index * RANKS + rank``; a rank packs the rule (``RULES``) and the source (``SOURCES``) as
  ``rule * len(SOURCES) + source``, lower is better;
- ``shared_names``: a bare first or last name -> the people who share it (two or more): such a name
  is ambiguous, whatever aliases say;
- ``cameo``: CAMEO actor code -> entry indexes that carry it as their own code;
- ``iso``: ISO 3166 code (alpha-2, alpha-3, numeric, 3166-2) -> entry index;
- ``offices``: offices whose holders role phrases name ("the Russian President"), with their terms;
- ``agents``: CAMEO agent phrases (``police`` -> ``COP``), their labels and the class of a sector.
"""

from __future__ import annotations

FORMAT = 1

# The entry columns, in order.
COLUMNS = ("key", "name", "class", "wikidata", "iso", "cameo", "country", "aliases", "roles", "source")
SEP = "\x1f"
RANKS = 64  # postings: index * RANKS + rank

# How a name designates an entry, best first. The last three apply only to mentions typed as an actor
# (a capital, a demonym or a city standing for a country's government; see source_types.ACTOR_TYPES).
RULES = ("name", "alias", "iso-code", "capital-as-government", "demonym", "place-as-country")
ACTOR_ONLY_RULES = frozenset({"capital-as-government", "demonym", "place-as-country"})

# Where a name comes from, most trusted first: the curated file, ISO 3166 (pycountry), the Phoenix
# dictionaries, capital cities, ISO 3166-2 subdivisions. A place named like a country is the country
# ("Djibouti", "Luxembourg"), a capital beats a subdivision of its name ("Berlin" the city, not the Land).
SOURCES = ("curated", "iso3166", "phoenix", "capitals", "iso3166-2")


def rank(rule: str, source: str) -> int:
    return RULES.index(rule) * len(SOURCES) + SOURCES.index(source)


def rule_of(rank_: int) -> str:
    return RULES[rank_ // len(SOURCES)]


assert len(RULES) * len(SOURCES) <= RANKS


# The classes an entry can have; they are the ontology's (kg:ArmedGroup is a kg:Organization).
CLASSES = ("Person", "Country", "Region", "City", "Location", "Organization", "ArmedGroup", "Actor")
