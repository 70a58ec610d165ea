"""Compile kgload's world gazetteer (gazetteer/world.json.gz) from its three sources.

    python tools/build_gazetteer.py --phoenix ../shared/reference/phoenix --out gazetteer/world.json.gz

Sources: the CAMEO/Phoenix actor dictionaries (TABARI syntax, MIT), pycountry's ISO 3166 data and
translations (LGPL-2.1, a dependency), and the reviewed ``gazetteer/curated.yaml``. The output is a
pure function of those inputs (and of kgload's ``normalise``, which makes the names' keys): same
inputs, same bytes (``--check`` compares instead of writing).
The file format is described in ``kgload/mapping/world_format.py``; gazetteer/README.md says what
each source contributes.
"""

from __future__ import annotations

import argparse
import difflib
import gettext
import gzip
import hashlib
import json
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pycountry
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kgload.mapping.resolve import normalise  # noqa: E402
from kgload.mapping.world_format import CLASSES, COLUMNS, FORMAT, RANKS, SEP, rank  # noqa: E402

PHOENIX_FILES = {
    "countries": "Phoenix.Countries.actors.txt",
    "international": "Phoenix.International.actors.txt",
    "nonstate": "Phoenix.MilNonState.actors.txt",
    "agents": "Phoenix.agents.txt",
}

# ---------------------------------------------------------------------------------------------
# TABARI actor dictionaries
# ---------------------------------------------------------------------------------------------

_CODE = re.compile(r"\[([^\]]*)\]")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)


@dataclass
class Restriction:
    code: str
    start: str | None = None  # ISO date, inclusive
    end: str | None = None  # ISO date, inclusive

    @property
    def dated(self) -> bool:
        return self.start is not None or self.end is not None


@dataclass
class Record:
    """One actor record: a primary phrase, its '+' synonyms and its (dated) codes."""

    file: str
    line: int
    phrase: str
    synonyms: list[str] = field(default_factory=list)
    codes: list[Restriction] = field(default_factory=list)
    comment: str = ""

    def current(self) -> str | None:
        """The code that applies now: the open-ended restriction that started last, else the
        default (undated) code, else the restriction that ended last."""
        open_ended = [r for r in self.codes if r.start and not r.end]
        if open_ended:
            return max(open_ended, key=lambda r: r.start or "").code
        default = [r for r in self.codes if not r.dated]
        if default:
            return default[-1].code
        ended = [r for r in self.codes if r.end]
        return max(ended, key=lambda r: r.end or "").code if ended else None


def tabari_date(text: str) -> str | None:
    """A TABARI date (YYMMDD, or YYYYMMDD when longer than 7 characters) as ISO, or None when it
    is not a valid date. YY 00-30 is 20YY, else 19YY (PETRARCH's dstr_to_ordate rule)."""
    if not text.isdigit():
        return None
    if len(text) <= 7:
        if len(text) != 6:
            return None
        yy = int(text[:2])
        year = 2000 + yy if yy <= 30 else 1900 + yy
        month, day = int(text[2:4]), int(text[4:6])
    else:
        if len(text) != 8:
            return None
        year, month, day = int(text[:4]), int(text[4:6]), int(text[6:8])
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def parse_restriction(body: str, anomalies: Counter) -> Restriction | None:
    parts = body.split()
    if not parts or parts[0] == "---":
        return None
    code = parts[0].upper()
    if not re.fullmatch(r"[A-Z0-9]+", code):
        anomalies["bad code"] += 1
        return None
    if len(parts) == 1:
        return Restriction(code)
    spec = "".join(parts[1:])
    if spec.startswith("<"):
        end = tabari_date(spec[1:])
        if end is None:
            anomalies["bad date"] += 1
            return None
        return Restriction(code, None, end)
    if spec.startswith(">"):
        start = tabari_date(spec[1:])
        if start is None:
            anomalies["bad date"] += 1
            return None
        return Restriction(code, start, None)
    if "-" in spec:
        a, _, b = spec.partition("-")
        start, end = tabari_date(a), tabari_date(b)
        if start is None or end is None or end < start:
            anomalies["bad date"] += 1
            return None
        return Restriction(code, start, end)
    anomalies["bad date"] += 1
    return None


def phrase_text(raw: str) -> str:
    """A dictionary phrase as text: underscores are spaces."""
    return re.sub(r"\s+", " ", raw.replace("_", " ")).strip()


def parse_actors(path: Path, anomalies: Counter) -> list[Record]:
    text = _HTML_COMMENT.sub("", path.read_text("utf-8", errors="replace"))
    records: list[Record] = []
    current: Record | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        body, _, comment = raw.partition("#")
        body = body.split(";", 1)[0].rstrip()  # ';' starts a comment in legacy TABARI files
        if not body.strip():
            if comment.strip() and current is not None and not body:
                pass
            continue
        codes = [r for r in (parse_restriction(m, anomalies) for m in _CODE.findall(body)) if r]
        phrase = phrase_text(_CODE.sub(" ", body).lstrip("+").strip())
        indented = body[:1] in (" ", "\t")
        if body.lstrip().startswith("+"):
            if current is None:
                anomalies["synonym without record"] += 1
                continue
            if phrase:
                current.synonyms.append(phrase)
            current.codes.extend(codes)
        elif indented and not phrase:
            if current is None:
                anomalies["codes without record"] += 1
                continue
            current.codes.extend(codes)
        elif indented:  # a phrase on an indented line: read as a synonym, as the lenient readers do
            anomalies["indented phrase"] += 1
            if current is not None:
                current.synonyms.append(phrase)
                current.codes.extend(codes)
        else:
            current = Record(path.name, number, phrase, [], codes, comment.strip())
            records.append(current)
            continue
        if comment.strip() and current is not None:
            current.comment = (current.comment + " " + comment.strip()).strip()
    return [r for r in records if r.phrase]


_SUBSTITUTION = re.compile(r"^(![A-Z]+!)\s*=\s*(.+)$")
_AGENT = re.compile(r"^(?P<phrase>[^{\[]+?)\s*(?:\{(?P<plural>[^}]*)\})?\s*\[(?P<code>[^\]]+)\]")


def parse_agents(path: Path, anomalies: Counter) -> dict[str, str]:
    """Agent phrases (normalised, plurals included) -> the CAMEO code appended to an actor code."""
    text = _HTML_COMMENT.sub("", path.read_text("utf-8", errors="replace"))
    substitutions: dict[str, list[str]] = {}
    agents: dict[str, str] = {}
    for raw in text.splitlines():
        body = raw.split("#", 1)[0].strip()
        if not body:
            continue
        sub = _SUBSTITUTION.match(body)
        if sub:
            substitutions[sub.group(1)] = [s.strip() for s in sub.group(2).split(",") if s.strip()]
            continue
        match = _AGENT.match(body)
        if not match:
            anomalies["bad agent line"] += 1
            continue
        code = match.group("code").strip()
        if not code.startswith("~"):  # 'IGO~' prefixes the actor code: not a sector of it
            continue
        code = code[1:]
        phrases = [match.group("phrase")]
        for marker, words in substitutions.items():
            if marker in phrases[0]:
                phrases = [phrases[0].replace(marker, w) for w in words]
        forms = []
        for phrase in phrases:
            forms.append(phrase)
            plural = match.group("plural")
            if plural is None and "!" not in match.group("phrase"):
                forms.append(_plural(phrase.rstrip("_")))
            elif plural:
                forms.append(plural)
        for form in forms:
            key = normalise(phrase_text(form))
            if not key:
                continue
            if key in agents and agents[key] != code:
                anomalies["agent phrase with two codes (first kept)"] += 1
                continue
            agents.setdefault(key, code)
    return agents


def _plural(word: str) -> str:
    if word.endswith("Y") and not word.endswith(("AY", "EY", "OY", "UY")):
        return word[:-1] + "IES"
    if word.endswith(("SS", "SH", "CH", "X")):
        return word + "ES"
    return word + "S"


# ---------------------------------------------------------------------------------------------
# Entries
# ---------------------------------------------------------------------------------------------


@dataclass
class Entry:
    key: str
    name: str
    cls: str
    source: str
    wikidata: str | None = None
    iso: str | None = None
    cameo: list[str] = field(default_factory=list)
    country: str | None = None
    parent: str | None = None
    agent: str | None = None
    roles: list[tuple[str, str | None, str | None, str | None]] = field(default_factory=list)
    names: list[tuple[str, str, str]] = field(default_factory=list)  # (text, rule, source)

    def add(self, text: str, rule: str, source: str) -> None:
        text = text.strip()
        if text:
            self.names.append((text, rule, source))


class Problems(list):
    def add(self, message: str) -> None:
        self.append(message)


# Words that mark a phrase as an institution rather than a person.
ORG_WORDS = frozenset(
    """agency army assembly association authority bank board brigade brigades bureau cabinet camp
    center centre chamber church coalition college command commission committee company congress
    corporation corps council court department directorate division embassy faction federation force
    forces foundation front fund group guard guards government inc institute international league
    ltd media ministry mission movement network office organisation organization parliament party
    police programme program regime school secretariat senate service society squad staff tribunal
    union unit university""".split()  # noqa: SIM905 (a word list reads better as text)
)
# Words that mark a country-block variant as a title or an institution (not a place name).
TITLE_WORDS = frozenset(
    """president presidential prime minister ministry chancellor king queen prince emir sultan
    government administration cabinet parliament army military police leader regime official
    officials embassy""".split()  # noqa: SIM905 (a word list reads better as text)
)
ARMED_AGENTS = ("REB", "INS", "SEP", "UAF", "IMG")


def looks_like_person(record: Record) -> bool:
    if "CountryInfo" in record.comment or "IGOrulers" in record.comment:
        return True
    words = normalise(record.phrase).split()
    if len(words) < 2 or ORG_WORDS.intersection(words):
        return False
    return any(r.dated for r in record.codes)


def phoenix_key(phrase: str) -> str:
    return "phoenix:" + re.sub(r"[^A-Z0-9]+", "_", normalise(phrase).upper()).strip("_")


class Builder:
    def __init__(self, phoenix: Path, curated_path: Path) -> None:
        self.phoenix = phoenix
        self.curated_path = curated_path
        self.curated = yaml.safe_load(curated_path.read_text("utf-8"))
        self.anomalies: Counter = Counter()
        self.problems = Problems()
        self.entries: dict[str, Entry] = {}
        self.by_alpha2: dict[str, Entry] = {}
        self.by_cameo_country: dict[str, Entry] = {}
        self.offices: list[dict] = []
        self.iso_codes: dict[str, str] = {}  # code -> key
        self.counts: Counter = Counter()

    # -- helpers --------------------------------------------------------------------------------

    def put(self, entry: Entry) -> Entry:
        if entry.key in self.entries:
            raise SystemExit(f"duplicate gazetteer key {entry.key!r} ({entry.name})")
        self.entries[entry.key] = entry
        return entry

    def country_key(self, code: str | None) -> str | None:
        """The key of the country an ISO alpha-2/alpha-3 or CAMEO country code names."""
        if not code:
            return None
        entry = self.by_alpha2.get(code.upper()) or self.by_cameo_country.get(code.upper())
        return entry.key if entry else None

    # -- countries ------------------------------------------------------------------------------

    def countries(self) -> None:
        curated = self.curated.get("countries") or {}
        translations = _translations()
        for country in sorted(pycountry.countries, key=lambda c: c.alpha_2):
            info = curated.get(country.alpha_2) or {}
            qid = info.get("wikidata")
            english = info.get("name") or getattr(country, "common_name", None) or country.name
            entry = Entry(
                key=qid or country.alpha_2,
                name=english,
                cls="Country",
                source="iso3166",
                wikidata=qid,
                iso=country.alpha_2,
                cameo=[country.alpha_3],
            )
            entry.country = country.alpha_2
            for text in (country.name, getattr(country, "official_name", None), getattr(country, "common_name", None)):
                if text:
                    entry.add(text, "name", "iso3166")
                    for variant in _comma_forms(text):
                        entry.add(variant, "alias", "iso3166")
            entry.add(english, "name", "curated" if info.get("name") else "iso3166")
            entry.add(country.alpha_3, "iso-code", "iso3166")
            for text in translations.get(country.alpha_2, ()):
                entry.add(text, "alias", "iso3166")
                for variant in _comma_forms(text):
                    entry.add(variant, "alias", "iso3166")
            self._curated_country_names(entry, info)
            self.put(entry)
            self.by_alpha2[country.alpha_2] = entry
            self.by_cameo_country[country.alpha_3] = entry
            for code in (country.alpha_2, country.alpha_3, country.numeric):
                self.iso_codes[code] = entry.key
        for code, info in sorted(curated.items()):  # states ISO 3166-1 does not list (Kosovo)
            if code in self.by_alpha2:
                continue
            entry = Entry(key=info.get("wikidata") or code, name=info["name"], cls="Country", source="curated")
            entry.wikidata = info.get("wikidata")
            entry.iso = code
            entry.country = code
            entry.add(info["name"], "name", "curated")
            self._curated_country_names(entry, info)
            self.put(entry)
            self.by_alpha2[code] = entry
            self.iso_codes[code] = entry.key
        for code, info in sorted(curated.items()):
            entry = self.by_alpha2[code]
            for cameo in info.get("cameo") or ():
                entry.cameo.append(cameo)
                self.by_cameo_country[cameo] = entry

    def _curated_country_names(self, entry: Entry, info: dict) -> None:
        for alias in info.get("aliases") or ():
            entry.add(alias, "alias", "curated")
        for names in (info.get("names") or {}).values():
            for alias in [names] if isinstance(names, str) else names:
                entry.add(alias, "alias", "curated")
        for demonym in info.get("demonyms") or ():
            entry.add(demonym, "demonym", "curated")
            for plural in _demonym_plurals(demonym):
                entry.add(plural, "demonym", "curated")
        capitals = info.get("capital") or []
        capitals = [capitals] if isinstance(capitals, str) else list(capitals)
        if info.get("capital_as_government", True):
            for capital in [*capitals, *(info.get("capital_aliases") or ())]:  # Kyiv and Kiev
                entry.add(capital, "capital-as-government", "curated")
        for seat in info.get("seat") or ():
            entry.add(seat, "capital-as-government", "curated")
        if not capitals or info.get("city_state"):
            return
        city = Entry(
            key=info.get("capital_wikidata") or f"capital:{entry.iso}",
            name=capitals[0],
            cls="City",
            source="curated",
            wikidata=info.get("capital_wikidata"),
            country=entry.iso,
        )
        for capital in capitals:
            city.add(capital, "name" if capital == capitals[0] else "alias", "capitals")
        for alias in info.get("capital_aliases") or ():
            city.add(alias, "alias", "capitals")
        self.put(city)

    def subdivisions(self) -> None:
        curated = self.curated.get("regions") or {}
        for sub in sorted(pycountry.subdivisions, key=lambda s: s.code):
            info = curated.get(sub.code) or {}
            entry = Entry(
                key=info.get("wikidata") or sub.code,
                name=info.get("name") or sub.name,
                cls="Region",
                source="iso3166-2",
                wikidata=info.get("wikidata"),
                iso=sub.code,
                country=sub.country_code,
            )
            entry.add(sub.name, "name", "iso3166-2")
            if info.get("name"):
                entry.add(info["name"], "name", "curated")
            for alias in info.get("aliases") or ():
                entry.add(alias, "alias", "curated")
            self.put(entry)
            self.iso_codes[sub.code] = entry.key

    def places(self) -> None:
        for place in self.curated.get("places") or ():
            entry = Entry(
                key=place.get("wikidata") or f"place:{place['name']}",
                name=place["name"],
                cls=place.get("class", "Location"),
                source="curated",
                wikidata=place.get("wikidata"),
                cameo=list(place.get("cameo") or ()),
                country=place.get("country"),
            )
            entry.add(place["name"], "name", "curated")
            for alias in place.get("aliases") or ():
                entry.add(alias, "alias", "curated")
            self.put(entry)

    # -- organisations, armed groups, people ---------------------------------------------------

    def curated_actors(self) -> None:
        for section, cls in (("organizations", "Organization"), ("armed_groups", "ArmedGroup"), ("people", "Person")):
            for item in self.curated.get(section) or ():
                qid = item.get("wikidata")
                entry = Entry(
                    key=qid or f"curated:{item['name']}",
                    name=item["name"],
                    cls=cls,
                    source="curated",
                    wikidata=qid,
                    cameo=list(item.get("cameo") or ()),
                    country=item.get("country"),
                )
                entry.add(item["name"], "name", "curated")
                for alias in item.get("aliases") or ():
                    entry.add(alias, "alias", "curated")
                for seat in item.get("seat") or ():  # "Brussels" said: the EU
                    entry.add(seat, "capital-as-government", "curated")
                self.put(entry)
                self.counts[f"curated {section}"] += 1

    def phoenix_records(self) -> None:
        files = {kind: self.phoenix / name for kind, name in PHOENIX_FILES.items()}
        curated_names = self._curated_name_index()
        taken: dict[str, Record] = {}
        for kind in ("countries", "international", "nonstate"):
            records = parse_actors(files[kind], self.anomalies)
            self.counts[f"phoenix {kind} records"] = len(records)
            seen_country_codes: set[str] = set()
            for record in records:
                current = record.current()
                if kind == "countries" and current and len(current) == 3 and not current.isdigit():
                    self._country_record(record, current, seen_country_codes)
                    continue
                self._actor_record(kind, record, current, curated_names, taken)

    def _curated_name_index(self) -> dict[str, list[Entry]]:
        index: dict[str, list[Entry]] = defaultdict(list)
        for entry in self.entries.values():
            if entry.source != "curated" or entry.cls not in ("Person", "Organization", "ArmedGroup"):
                continue
            for text, _rule, _source in entry.names:
                index[normalise(text)].append(entry)
        return index

    def _country_record(self, record: Record, code: str, seen: set[str]) -> None:
        country = self.by_cameo_country.get(code)
        if country is None:
            self.anomalies[f"country code not in ISO 3166 or curated: {code}"] += 1
            return
        first = code not in seen
        seen.add(code)
        names = [record.phrase, *record.synonyms]
        english = sorted(
            {normalise(n) for n, r, s in country.names if r == "name" or (s == "curated" and r == "alias")}
        )
        known = {normalise(n) for n, _r, _s in country.names}
        for i, text in enumerate(names):
            key = normalise(text)
            if not key or key in known:
                continue
            known.add(key)
            if TITLE_WORDS.intersection(key.split()):
                self.anomalies["country variant that is a title or institution (dropped)"] += 1
                continue
            if first and i == 0:
                country.add(text, "name", "phoenix")
            elif first and _similar(key, english):
                country.add(text, "alias", "phoenix")
            else:
                country.add(text, "place-as-country", "phoenix")
        self.counts["phoenix country records"] += 1

    def _actor_record(
        self, kind: str, record: Record, current: str | None, curated: dict[str, list[Entry]], taken: dict
    ) -> None:
        person = looks_like_person(record)
        words = normalise(record.phrase).split()
        institution = len(words) < 2 or bool(ORG_WORDS.intersection(words))
        if person:
            cls = "Person"
        elif kind == "nonstate" or (current and any(current[3:].startswith(a) for a in ARMED_AGENTS)):
            cls = "ArmedGroup"
        elif institution:
            cls = "Organization"
        else:  # two to a few words, no date, no institution word: a person or a body, we cannot tell
            cls = "Actor"
        target = self._curated_match(record, cls, curated) or self._territory(record, cls)
        if target is None:
            key = phoenix_key(record.phrase)
            existing = self.entries.get(key)
            country = self._country_of(record)
            merged = _merged_class(existing.cls, cls) if existing is not None else None
            if existing is not None and merged is not None:
                # the dictionaries key an actor by its name: one key in two files (Leo Tindemans in
                # Belgium's and the EU's lists, the SPLM in Sudan's and South Sudan's) is one actor
                existing.cls, existing.country = merged, existing.country or country
            elif existing is not None:  # a person and a body of one name: two actors
                key = f"{key}~{country or kind}"
                existing = self.entries.get(key)
                self.anomalies["dictionary name of a person and of a body (kept apart)"] += 1
            if existing is None:
                target = self.put(Entry(key=key, name=_display(record.phrase, cls), cls=cls, source="phoenix"))
                target.country = country
                target.add(record.phrase, "name", "phoenix")
                self.counts[f"phoenix {cls}"] += 1
            else:
                target = existing
                self.counts["phoenix duplicate records merged"] += 1
        else:
            self.counts["phoenix records folded into curated entries"] += 1
            target.add(record.phrase, "alias", "phoenix")
        for synonym in record.synonyms:
            target.add(synonym, "alias", "phoenix")
        if target.cls == "Person":
            for r in record.codes:
                target.roles.append((r.code, r.start, r.end, None))
        elif current and current not in target.cameo and target.source in ("phoenix", "iso3166"):
            target.cameo.append(current)  # a curated entry's codes are the ones it declares

    def _territory(self, record: Record, cls: str) -> Entry | None:
        """The ISO 3166 entry a dictionary actor is ("PUERTO_RICO" coded USAPRI is Puerto Rico, Q1183)."""
        if cls == "Person":
            return None
        if not hasattr(self, "_countries_by_name"):
            self._countries_by_name = {normalise(e.name): e for e in self.entries.values() if e.cls == "Country"}
        found = self._countries_by_name.get(normalise(record.phrase))
        if found is not None:
            self.counts["phoenix records folded into countries"] += 1
        return found

    def _curated_match(self, record: Record, cls: str, curated: dict[str, list[Entry]]) -> Entry | None:
        compatible = {"Person": {"Person"}, "Organization": {"Organization", "ArmedGroup"}}
        wanted = compatible.get(cls, {"Person", "Organization", "ArmedGroup"})
        if cls == "ArmedGroup":
            wanted = {"ArmedGroup", "Organization"}
        names = [record.phrase] + [s for s in record.synonyms if len(normalise(s).split()) >= 2]
        for text in names:
            found = {e.key: e for e in curated.get(normalise(text), ()) if e.cls in wanted}
            if len(found) == 1:
                return next(iter(found.values()))
        if cls == "Person" and not ("CountryInfo" in record.comment or "IGOrulers" in record.comment):
            # a "person" only by its dated codes, whose name a reviewed entry of a body bears ("THE
            # ISLAMIC STATE", coded IMGMUSISI since 2013): that body
            found = {
                e.key: e
                for e in curated.get(normalise(record.phrase), ())
                if normalise(e.name) == normalise(record.phrase)
            }
            if len(found) == 1:
                return next(iter(found.values()))
        return None

    def _country_of(self, record: Record) -> str | None:
        codes = [record.current(), *(r.code for r in reversed(record.codes))]
        for code in codes:
            if code and len(code) >= 3:
                entry = self.by_cameo_country.get(code[:3])
                if entry is not None:
                    return entry.iso
        return None

    # -- offices -------------------------------------------------------------------------------

    def offices_(self) -> None:
        people = {e.wikidata: e for e in self.entries.values() if e.cls == "Person" and e.wikidata}
        by_name = {normalise(e.name): e for e in self.entries.values() if e.source == "curated"}
        phrases: dict[str, str] = {}
        for office in self.curated.get("offices") or ():
            of = self.country_key(office["of"]) if len(office["of"]) == 2 else None
            of_entry = (
                self.entries.get(of) if of else self.entries.get(office["of"]) or by_name.get(normalise(office["of"]))
            )
            if of_entry is None:
                self.problems.add(f"office {office['id']}: unknown 'of' {office['of']!r}")
                continue
            holders = []
            for term in office.get("holders") or ():
                person = people.get(term["who"]) or by_name.get(normalise(term["who"]))
                if person is None:
                    self.problems.add(f"office {office['id']}: holder {term['who']!r} is not in people:")
                    continue
                start, end = str(term["from"]), str(term["to"]) if term.get("to") else None
                holders.append([person.key, start, end])
                code = (of_entry.cameo or [None])[0]
                person.roles.append((code or "", start, end, office["id"]))
            texts = self._office_phrases(office, of_entry)
            for text in texts:
                key = normalise(text)
                if key in phrases and phrases[key] != office["id"]:
                    self.problems.add(f"role phrase {text!r} names {phrases[key]} and {office['id']}")
                phrases[key] = office["id"]
            self.offices.append(
                {
                    "id": office["id"],
                    "of": of_entry.key,
                    "title": office["title"],
                    "kind": office.get("kind", ""),
                    "phrases": sorted({normalise(t) for t in texts}),
                    "holders": sorted(holders, key=lambda h: (h[1], h[0])),
                }
            )

    def _office_phrases(self, office: dict, of: Entry) -> list[str]:
        titles = [office["title"], *(office.get("titles") or ())]
        names = [of.name] + [n for n, r, s in of.names if r == "alias" and s == "curated" and n.isascii()]
        demonyms = [n for n, r, s in of.names if r == "demonym" and s == "curated" and not n.endswith("s")]
        demonyms += office.get("demonyms") or ()
        out = list(office.get("also") or ())
        for title in titles:
            for d in demonyms:
                out.append(f"{d} {title}")
            for n in names:
                out.append(f"{title} of {n}")
                out.append(f"{title} of the {n}")
                out.append(f"{n}'s {title}")
                out.append(f"{n} {title}")
        return out

    def spelled_out(self) -> None:
        """An organisation the dictionaries name by its acronym ("AFP") is named by the synonym the
        acronym abbreviates ("Agence France-Presse"); the acronym stays an alias, the key is unchanged."""
        for entry in self.entries.values():
            if entry.source != "phoenix" or entry.cls == "Person" or not _acronym(entry.name):
                continue
            for text, rule, _source in entry.names:
                if rule == "alias" and _initials(text) == entry.name.upper():
                    entry.name = _display(text, entry.cls)
                    self.counts["acronyms spelled out"] += 1
                    break

    def check_unique(self) -> None:
        """No two entries for one real-world actor: none share a Wikidata QID, and no two actors
        (people, organisations, armed groups, countries) share a name, a class and a country."""
        by_qid: dict[str, list[str]] = defaultdict(list)
        by_name: dict[tuple[str, str, str], list[str]] = defaultdict(list)
        for entry in self.entries.values():
            if entry.wikidata:
                by_qid[entry.wikidata].append(entry.key)
            if entry.cls not in ("Region", "City", "Location"):  # ISO lists places of one name in one country
                by_name[(normalise(entry.name), entry.cls, entry.country or "")].append(entry.key)
        for qid, keys in sorted(by_qid.items()):
            if len(keys) > 1:
                self.problems.add(f"Wikidata {qid} is the QID of {len(keys)} entries: {', '.join(sorted(keys))}")
        for (name, cls, country), keys in sorted(by_name.items()):
            if len(keys) > 1:
                self.problems.add(
                    f"{cls} {name!r} ({country or 'no country'}) is {len(keys)} entries: {', '.join(sorted(keys))}"
                )

    # -- output --------------------------------------------------------------------------------

    def agents(self) -> dict:
        phrases = parse_agents(self.phoenix / PHOENIX_FILES["agents"], self.anomalies)
        for phrase, code in (self.curated.get("agents") or {}).items():
            phrases[normalise(phrase)] = code
        labels = self.curated.get("agent_labels") or {}
        # how a curated phrase is written where its key loses it ("Refugees/IDPs": refugeesidps)
        written = {normalise(p): p for p in self.curated.get("agents") or {} if normalise(p) != p}
        return {
            "phrases": dict(sorted(phrases.items())),
            "labels": dict(sorted(labels.items())),
            "classes": dict(sorted((self.curated.get("agent_classes") or {}).items())),
            "written": dict(sorted(written.items())),
        }

    def build(self) -> dict:
        self.countries()
        self.subdivisions()
        self.places()
        self.curated_actors()
        self.phoenix_records()
        self.spelled_out()
        self.offices_()
        agents = self.agents()
        self.check_unique()
        if self.problems:
            raise SystemExit("curated gazetteer problems:\n  " + "\n  ".join(self.problems))
        entries = sorted(self.entries.values(), key=lambda e: e.key)
        index = {e.key: i for i, e in enumerate(entries)}
        names: dict[str, dict[int, int]] = defaultdict(dict)
        columns: dict[str, list[str]] = {c: [] for c in COLUMNS}
        cameo: dict[str, list[int]] = defaultdict(list)
        for i, e in enumerate(entries):
            assert e.cls in CLASSES, e
            aliases: dict[str, str] = {}
            for text, rule, source in e.names:
                key = normalise(text)
                if not key:
                    continue
                r = rank(rule, source)
                best = names[key].get(i)
                names[key][i] = r if best is None else min(best, r)
                if key != normalise(e.name) and rule != "iso-code":
                    aliases.setdefault(key, _display(text, e.cls) if source == "phoenix" else text)
            roles = sorted(set(e.roles), key=lambda r: (r[1] or "", r[2] or "", r[0], r[3] or ""))
            row = {
                "key": e.key,
                "name": e.name,
                "class": e.cls,
                "wikidata": e.wikidata or "",
                "iso": e.iso or "",
                "cameo": SEP.join(dict.fromkeys(e.cameo)),
                "country": e.country or "",
                "aliases": SEP.join(sorted(aliases.values(), key=lambda a: (normalise(a), a))),
                "roles": ";".join(",".join(x or "" for x in r) for r in roles),
                "source": e.source,
            }
            for column in COLUMNS:
                columns[column].append(row[column])
            if e.cls not in ("Person", "Actor"):
                for code in dict.fromkeys(e.cameo):
                    cameo[code].append(i)
        for office in self.offices:
            office["of"] = index[office["of"]]
            office["holders"] = [[index[k], s, e] for k, s, e in office["holders"]]
        partial: dict[str, set[int]] = defaultdict(set)
        for i, e in enumerate(entries):  # bare first and last names, to report the ones people share
            if e.cls == "Person":
                for token in _name_ends(e.name):
                    partial[token].add(i)
        postings = {}
        for key, found in sorted(names.items()):
            packed = [i * RANKS + r for i, r in sorted(found.items(), key=lambda p: (p[1], p[0]))]
            postings[key] = packed[0] if len(packed) == 1 else packed
        return {
            "format": FORMAT,
            "complete_until": str(self.curated.get("complete_until") or ""),
            "sources": self.sources(),
            "entries": columns,
            "names": postings,
            "shared_names": {k: sorted(v) for k, v in sorted(partial.items()) if len(v) > 1},
            "cameo": {k: sorted(v) for k, v in sorted(cameo.items())},
            "iso": {k: index[v] for k, v in sorted(self.iso_codes.items())},
            "offices": sorted(self.offices, key=lambda o: o["id"]),
            "agents": agents,
        }

    def sources(self) -> dict:
        digest = {name: _sha256(self.phoenix / name) for name in sorted(PHOENIX_FILES.values())}
        return {
            "phoenix": digest,
            "pycountry": _pycountry_version(),
            "curated": _sha256(self.curated_path),
            "curated_reviewed": str(self.curated.get("reviewed")),
        }

    def report(self) -> str:
        lines = [f"{len(self.entries)} entries"]
        lines += [f"  {k}: {v}" for k, v in sorted(self.counts.items())]
        lines += [f"  class {c}: {n}" for c, n in sorted(Counter(e.cls for e in self.entries.values()).items())]
        lines += ["dictionary anomalies (skipped or read leniently):"]
        lines += [f"  {k}: {v}" for k, v in sorted(self.anomalies.items())]
        return "\n".join(lines)


_PARTICLES = frozenset(
    """al el ad ar as at ash bin ibn bint abu abd de del della der di da dos du la le van von ben mc""".split()  # noqa: SIM905 (a word list reads better as text)
)


def _name_ends(name: str) -> set[str]:
    """A person's bare first and last name ('Bashar al-Assad' -> bashar, assad)."""
    words = [w for w in normalise(name).split() if w not in _PARTICLES and len(w) > 2 and w.isalpha()]
    return {words[0], words[-1]} if len(words) >= 2 else set()


def _similar(key: str, names: list[str]) -> bool:
    """A spelling of one of ``names`` ('afganistan', 'afghanestan' for 'afghanistan')."""
    for name in names:
        matcher = difflib.SequenceMatcher(None, key, name)
        if name and matcher.real_quick_ratio() >= 0.75 and matcher.quick_ratio() >= 0.75 and matcher.ratio() >= 0.75:
            return True
    return False


# Classes a record of a name already seen may have and still be the same actor: an actor of unknown
# kind is any actor; an organisation the armed-group list also has is that armed group.
def _merged_class(old: str, new: str) -> str | None:
    if old == new or new == "Actor":
        return old
    if old == "Actor":
        return new
    if {old, new} == {"Organization", "ArmedGroup"}:
        return "ArmedGroup"
    return None


def _acronym(name: str) -> bool:
    return " " not in name and name.isupper() and 2 <= len(name) <= 6 and name.isalpha()


_MINOR = frozenset({"of", "the", "and", "for", "de", "du", "des", "la", "le", "el", "al"})


def _initials(text: str) -> str:
    """'AGENCE_FRANCE-PRESSE' -> 'AFP'; 'North Atlantic Treaty Organization' -> 'NATO'."""
    words = [w for w in re.split(r"[\s_-]+", phrase_text(text)) if w]
    return "".join(w[0] for w in words if w.lower() not in _MINOR).upper()


def _display(phrase: str, cls: str = "") -> str:
    """A dictionary phrase (upper case) as a readable name: 'VLADIMIR PUTIN' -> 'Vladimir Putin',
    'NATO' stays NATO (a short word without vowels, or a one-word name, is an acronym)."""
    text = phrase_text(phrase)
    if not text.isupper():
        return text
    words = text.split(" ")
    out = []
    for word in words:
        letters = re.sub(r"[^A-Za-z]", "", word)
        acronym = cls != "Person" and (
            (len(words) == 1 and len(letters) <= 6) or (len(letters) <= 4 and not re.search(r"[AEIOUY]", letters))
        )
        out.append(word if acronym else "-".join(w[:1] + w[1:].lower() for w in word.split("-")))
    return " ".join(out)


def _demonym_plurals(demonym: str) -> list[str]:
    """'Russian' -> 'Russians'; none for 'Chinese', 'Swiss', 'French', 'British', 'US'."""
    if demonym.isupper() or " " in demonym or "." in demonym or demonym.endswith(("ese", "ss", "sh", "ch")):
        return []
    return [demonym + "s"]


def _comma_forms(text: str) -> list[str]:
    """'Korea, Republic of' -> 'Republic of Korea' (and 'Russie, Fédération de' -> 'Fédération de Russie')."""
    if text.count(",") != 1:
        return []
    head, tail = (p.strip() for p in text.split(","))
    return [f"{tail} {head}"] if head and tail else []


def _translations() -> dict[str, list[str]]:
    """ISO 3166-1 country names in every language pycountry translates them into."""
    locales = Path(pycountry.LOCALES_DIR)
    out: dict[str, list[str]] = defaultdict(list)
    for lang in sorted(p.name for p in locales.iterdir() if (p / "LC_MESSAGES" / "iso3166-1.mo").is_file()):
        catalog = gettext.translation("iso3166-1", str(locales), languages=[lang])
        for country in pycountry.countries:
            for text in (country.name, getattr(country, "official_name", None), getattr(country, "common_name", None)):
                if text:
                    translated = catalog.gettext(text)
                    if translated != text:
                        out[country.alpha_2].append(translated)
    return out


def _pycountry_version() -> str:
    from importlib.metadata import version

    return version("pycountry")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def encode(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def compress(payload: bytes) -> bytes:
    return gzip.compress(payload, compresslevel=9, mtime=0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phoenix", type=Path, required=True, help="folder of the Phoenix .txt dictionaries")
    parser.add_argument("--curated", type=Path, default=ROOT / "gazetteer" / "curated.yaml")
    parser.add_argument("--out", type=Path, default=ROOT / "gazetteer" / "world.json.gz")
    parser.add_argument("--check", action="store_true", help="compare with --out instead of writing it")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    builder = Builder(args.phoenix, args.curated)
    payload = encode(builder.build())
    if not args.quiet:
        print(builder.report(), file=sys.stderr)
    if args.check:
        same = args.out.is_file() and gzip.decompress(args.out.read_bytes()) == payload
        print("up to date" if same else f"{args.out} differs from a fresh build", file=sys.stderr)
        return 0 if same else 1
    args.out.write_bytes(compress(payload))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
