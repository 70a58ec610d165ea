"""Deterministic synthetic corpus for the kgload benchmark (issue 8).

    python bench/generate.py --docs 10000 --relations-per-doc 10 --out bench/out/corpus-100k

writes, in the output directory:

- ``corpus.jsonl``: one kgload extraction document per line (kgload/schemas/extraction.schema.json);
- ``flat.csv``: the same relations, one row per *valid* relation, flattened for the morph-kgc
  YARRRML baseline (bench/baselines/morph/mapping.yml). Bad records are left out of it: RML has
  no notion of a reject, so morph-kgc gets pre-cleaned rows (which favours it slightly);
- ``manifest.json``: counts (documents, relations, bad records by kind) and the parameters.

A "record" is one extracted relation: N documents x k relations per document. Actors are drawn
per type with a Zipf law over bench/actors.py (a few actors dominate, as in wire copy). Every
relation type of mappings/kgload.yaml appears (plus some of its ``also:`` spellings), with
dates or periods, template evidence sentences, confidences, asserted/denied/disputed statuses,
attributions, locations and CAMEO codes. About 1 % of records are bad: a whole document line of
invalid JSON (~0.1 % of documents), a relation naming an unknown entity, a confidence above 1,
or a relation type the mapping does not know. The same seed always gives the same bytes.

``--shape events`` writes an event feed instead (issue 29), shaped like GDELT or ICEWS exports:
one relation per document, typed by its CAMEO code (``cameo:190``; mappings/kgload.yaml maps
every code), between two actors, on the event's day, sometimes at a city, with the source's URL
and the Goldstein score and mention count as attributes. ``--relations`` is then the number of
documents. No flat.csv rows: morph-kgc is not run on it.

    python bench/generate.py --shape events --relations 100000 --out bench/out/events-100000-s8
"""

from __future__ import annotations

import argparse
import bisect
import csv
import hashlib
import itertools
import json
import random
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from actors import BY_TYPE, PUBLISHERS, Actor

BASE = "https://w3id.org/kgload/"
ACTOR = ("Person", "Country", "Organization")
PLACE = ("Region", "City")


@dataclass(frozen=True)
class RelationSpec:
    """One relation type of mappings/kgload.yaml and what a plausible instance looks like."""

    type: str  # the mapping's source type
    property: str  # the kg: property it maps to (for the flat file)
    heads: tuple[str, ...]
    tails: tuple[str, ...]
    time: str  # "date" (an event), "period" (start/end) or "none"
    weight: float  # relative frequency
    template: str  # evidence sentence; {h} head surface name, {t} tail, {d} date phrase
    spellings: tuple[str, ...] = ()  # ``also:`` spellings the mapping accepts
    inverse: bool = False  # the mapping maps it to ``property`` with head and tail swapped
    symmetric: bool = False  # the property is owl:SymmetricProperty


SPECS: tuple[RelationSpec, ...] = (
    RelationSpec(
        "leader-of",
        "leaderOf",
        ("Person",),
        ("Country", "Organization"),
        "period",
        3,
        "{h}, who has led {t} since {d}, addressed the nation.",
        ("head-of-state", "leads"),
    ),
    RelationSpec(
        "called",
        "called",
        ("Person",),
        ("Person",),
        "date",
        6,
        "{h} spoke with {t} by phone on {d}, officials said.",
        ("phoned", "telephoned"),
    ),
    RelationSpec(
        "exchanged-prisoners-with",
        "exchangedPrisonersWith",
        ("Country",),
        ("Country",),
        "date",
        2,
        "{h} and {t} swapped prisoners on {d} in the latest such exchange.",
        ("prisoner-exchange",),
        symmetric=True,
    ),
    RelationSpec(
        "advancing-on",
        "advancingOn",
        ("Country",),
        PLACE,
        "date",
        4,
        "{h} said its forces were advancing on {t} as of {d}.",
        ("advances-on",),
    ),
    RelationSpec(
        "attacked",
        "attacked",
        ("Country", "Organization"),
        ("Country", *PLACE),
        "date",
        8,
        "{h} launched a large-scale attack on {t} on {d}, authorities said.",
        ("struck", "invaded"),
    ),
    RelationSpec(
        "located-in",
        "locatedIn",
        PLACE,
        ("Country",),
        "none",
        5,
        "{h}, in {t}, has been the scene of heavy fighting.",
        ("in",),
    ),
    RelationSpec(
        "negotiated-with",
        "negotiatedWith",
        ("Country", "Person"),
        ("Country", "Person"),
        "date",
        6,
        "{h} held talks with {t} on {d}, a spokesman said.",
        ("held-talks-with",),
        symmetric=True,
    ),
    RelationSpec("predecessor-of", "predecessorOf", ("Person",), ("Person",), "none", 1, "{t} took over from {h}."),
    RelationSpec(
        "successor-of",
        "predecessorOf",
        ("Person",),
        ("Person",),
        "none",
        1,
        "{h} succeeded {t} in office.",
        inverse=True,
    ),
    RelationSpec(
        "member-of", "memberOf", ("Person",), ("Organization",), "period", 2, "{h} has been a member of {t} since {d}."
    ),
    RelationSpec(
        "ally-of",
        "allyOf",
        ("Country",),
        ("Country",),
        "none",
        3,
        "{h} reaffirmed its alliance with {t}.",
        ("allied-with",),
        symmetric=True,
    ),
    RelationSpec(
        "in-conflict-with",
        "inConflictWith",
        ("Country", "Organization"),
        ("Country", "Organization"),
        "period",
        4,
        "The conflict between {h} and {t}, which began in {d}, shows no sign of ending.",
        ("at-war-with",),
        symmetric=True,
    ),
    RelationSpec(
        "occupied",
        "occupied",
        ("Country",),
        PLACE,
        "period",
        2,
        "{t} has been occupied by {h} since {d}.",
        ("occupies",),
    ),
    RelationSpec(
        "shares-border-with",
        "sharesBorderWith",
        ("Country",),
        ("Country",),
        "none",
        2,
        "{h} shares a long border with {t}.",
        ("borders",),
        symmetric=True,
    ),
    RelationSpec(
        "appealed-to",
        "appealedTo",
        ("Person", "Country"),
        ACTOR,
        "date",
        4,
        "{h} urged {t} on {d} to do more to end the fighting.",
        ("urged",),
    ),
    RelationSpec(
        "demanded",
        "demanded",
        ACTOR,
        ACTOR,
        "date",
        3,
        "{h} demanded on {d} that {t} withdraw its troops.",
        ("demands",),
    ),
    RelationSpec(
        "returned-remains-to",
        "returnedRemainsTo",
        ("Country",),
        ("Country",),
        "date",
        1,
        "{h} returned the bodies of fallen soldiers to {t} on {d}.",
        ("returned-bodies-to",),
    ),
    RelationSpec(
        "provides-aid-to",
        "providesAidTo",
        ("Country", "Organization"),
        ("Country",),
        "period",
        4,
        "{h} has provided military and financial aid to {t} since {d}.",
        ("aids",),
    ),
    RelationSpec("part-of", "partOf", ("Organization",), ("Country", "Organization"), "none", 2, "{h} is part of {t}."),
    RelationSpec(
        "interacted-with",
        "interactedWith",
        ACTOR,
        ACTOR,
        "date",
        5,
        "{h} and {t} met on {d} to discuss the crisis.",
        ("event",),
    ),
)
SPEC_BY_TYPE = {s.type: s for s in SPECS}
CAMEO = ("036", "040", "042", "043", "051", "057", "111", "130", "190")
# CAMEO codes of an event feed with rough GDELT frequencies: statements, consultations and
# appeals dominate; fights, protests and aid are rarer (weights, not a count of any real day)
EVENT_CODES = (
    ("010", 14), ("020", 4), ("036", 5), ("040", 9), ("042", 6), ("043", 7), ("041", 3), ("046", 5),
    ("051", 4), ("057", 2), ("061", 2), ("071", 2), ("0841", 1), ("100", 2), ("111", 3), ("112", 3),
    ("120", 2), ("130", 2), ("141", 2), ("145", 1), ("173", 2), ("183", 1), ("190", 4), ("192", 1),
    ("193", 2), ("195", 1),
)  # fmt: skip
TITLES = (
    "{h} and {t}: what we know so far",
    "{h} says it is ready for talks with {t}",
    "Live: {h} and {t} trade accusations",
    "{h} steps up pressure on {t}",
)


def slug(value: str) -> str:
    """The same slug kgload's ``{name|slug}`` transform gives (kgload/vocabulary/transforms.py)."""
    text = unicodedata.normalize("NFKD", value.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[^\w]+", "-", text.replace("_", "-")).strip("-")
    return text or "x-" + hashlib.sha256(value.encode()).hexdigest()[:16]


class Zipf:
    """Draws items with probability proportional to 1 / rank**s (rank 1 = first item)."""

    def __init__(self, items: tuple[Actor, ...], s: float, rng: random.Random) -> None:
        self.items = items
        self.cum = list(itertools.accumulate(1.0 / (r**s) for r in range(1, len(items) + 1)))
        self.rng = rng

    def draw(self) -> Actor:
        return self.items[bisect.bisect_left(self.cum, self.rng.random() * self.cum[-1])]


@dataclass
class Counts:
    documents: int = 0
    relations: int = 0
    valid_relations: int = 0
    bad_json_documents: int = 0
    bad_json_relations: int = 0
    unknown_entity_refs: int = 0
    confidence_over_one: int = 0
    unknown_relation_types: int = 0
    flat_rows: int = 0


FLAT_COLUMNS = (
    "doc_id",
    "doc_title",
    "doc_publisher",
    "doc_published",
    "doc_url",
    "rel_index",
    "claim_id",
    "status",
    "asserted_prop",
    "prop",
    "head_class",
    "head_kind",
    "head_slug",
    "head_name",
    "head_alias",
    "head_iso",
    "tail_class",
    "tail_kind",
    "tail_slug",
    "tail_name",
    "tail_alias",
    "tail_iso",
    "date",
    "start",
    "end",
    "evidence",
    "sentence",
    "confidence",
    "location_slug",
    "event_code",
    "asserted_kind",
    "asserted_slug",
    "denied_kind",
    "denied_slug",
)


class Generator:
    def __init__(self, seed: int, zipf_s: float = 1.1, bad_rate: float = 0.01) -> None:
        self.rng = random.Random(seed)
        self.zipf = {t: Zipf(actors, zipf_s, self.rng) for t, actors in BY_TYPE.items()}
        self.spec_weights = list(itertools.accumulate(s.weight for s in SPECS))
        self.bad_rate = bad_rate
        self.counts = Counts()
        self.event_codes = [code for code, _ in EVENT_CODES]
        self.event_weights = [weight for _, weight in EVENT_CODES]

    # -- pieces ----------------------------------------------------------------------------

    def _day(self, start: date = date(2022, 1, 1), span: int = 1300) -> date:
        return start + timedelta(days=self.rng.randrange(span))

    def _spec(self) -> RelationSpec:
        return SPECS[bisect.bisect_left(self.spec_weights, self.rng.random() * self.spec_weights[-1])]

    def _actor(self, types: tuple[str, ...]) -> Actor:
        return self.zipf[self.rng.choice(types)].draw()

    def _entity(self, actor: Actor, local_id: str, sentence: int) -> dict[str, Any]:
        """An extracted entity; sometimes named by its short form with the full name as an alias."""
        r = self.rng.random()
        name, aliases = actor.name, []
        if actor.aliases and r < 0.25:
            name, aliases = actor.aliases[0], [actor.name]  # "Putin" with alias "Vladimir Putin"
        elif actor.aliases and r < 0.6:
            aliases = [self.rng.choice(actor.aliases)]
        mentions = [{"text": name, "sentence": sentence, "start": 0, "end": len(name)}]
        if aliases:
            mentions.append({"text": aliases[0], "sentence": sentence + 1, "start": 4, "end": 4 + len(aliases[0])})
        entity: dict[str, Any] = {
            "id": local_id,
            "name": name,
            "type": actor.type,
            "aliases": aliases,
            "mentions": mentions,
        }
        if actor.iso_code:
            entity["iso_code"] = actor.iso_code
        return entity

    # -- one document ----------------------------------------------------------------------

    def document(self, index: int, k: int) -> tuple[dict[str, Any], list[dict[str, str]]]:
        """One extraction document with ``k`` relations, and its flat rows (valid relations only)."""
        rng = self.rng
        published = self._day(date(2023, 1, 1), 900)
        doc_id = f"bench-{index:07d}"
        local: dict[str, str] = {}  # actor name -> local entity id
        entities: list[dict[str, Any]] = []
        relations: list[dict[str, Any]] = []
        flat: list[dict[str, str]] = []

        by_id: dict[str, Actor] = {}

        def ref(actor: Actor, sentence: int) -> str:
            if actor.name not in local:
                local[actor.name] = slug(actor.name)
                by_id[local[actor.name]] = actor
                entities.append(self._entity(actor, local[actor.name], sentence))
            return local[actor.name]

        for n in range(k):
            spec = self._spec()
            head = self._actor(spec.heads)
            tail = self._actor(spec.tails)
            for _ in range(5):
                if tail.name != head.name:
                    break
                tail = self._actor(spec.tails)
            if tail.name == head.name:
                continue
            rel: dict[str, Any] = {
                "id": f"r{n}",
                "type": rng.choice(spec.spellings) if spec.spellings and rng.random() < 0.15 else spec.type,
                "head": ref(head, n),
                "tail": ref(tail, n),
                "sentence": n,
            }
            phrase = ""
            if spec.time == "date":
                day = published - timedelta(days=rng.randrange(3))
                rel["date"] = day.isoformat()
                phrase = day.strftime("%d %B %Y")
            elif spec.time == "period":
                start = self._day(date(2000, 1, 1), 8000)
                rel["start"] = start.isoformat() if rng.random() < 0.7 else start.isoformat()[:7]
                phrase = start.strftime("%B %Y")
                if rng.random() < 0.3:
                    end = start + timedelta(days=rng.randrange(30, 1500))
                    rel["end"] = end.isoformat() if len(rel["start"]) == 10 else end.isoformat()[:7]
            h_name = rng.choice((head.name, *head.aliases[:1]))
            t_name = rng.choice((tail.name, *tail.aliases[:1]))
            rel["evidence"] = spec.template.format(h=h_name, t=t_name, d=phrase)
            rel["confidence"] = round(rng.uniform(0.55, 0.99), 2)
            status = rng.choices(("asserted", "denied", "disputed"), (0.9, 0.04, 0.06))[0]
            rel["status"] = status
            if rng.random() < 0.2 or status != "asserted":
                rel["asserted_by"] = [ref(self._actor(("Person", "Country")), n)]
            if status != "asserted":
                denier = self._actor(("Person", "Country"))
                rel["denied_by"] = [ref(denier, n)] if denier.name not in (head.name, tail.name) else []
            location: Actor | None = None
            if spec.type in ("attacked", "negotiated-with", "advancing-on") and rng.random() < 0.3:
                location = self.zipf["City"].draw()
                rel["location"] = ref(location, n)
            if spec.type == "interacted-with":
                rel["event_code"], rel["event_code_scheme"] = rng.choice(CAMEO), "CAMEO"
            if spec.type == "returned-remains-to":
                rel["attributes"] = {"bodies": rng.randrange(10, 1500)}

            bad = self._maybe_bad(rel)
            relations.append(rel)
            self.counts.relations += 1
            if not bad:
                self.counts.valid_relations += 1
                row = self._flat_row(doc_id, n, rel, spec, head, tail, location)
                for key, col in (("asserted_by", "asserted"), ("denied_by", "denied")):
                    who = by_id[rel[key][0]] if rel.get(key) else None  # the generator gives at most one
                    row[f"{col}_kind"], row[f"{col}_slug"] = (who.type.lower(), slug(who.name)) if who else ("", "")
                flat.append(row)

        h, t = (entities[0]["name"], entities[1]["name"]) if len(entities) > 1 else ("World", "leaders")
        doc = {
            "document": {
                "id": doc_id,
                "title": rng.choice(TITLES).format(h=h, t=t),
                "publisher": rng.choice(PUBLISHERS),
                "published": published.isoformat(),
                "url": f"https://news.example.org/{published:%Y/%m/%d}/{doc_id}",
                "language": "en",
            },
            "entities": entities,
            "relations": relations,
        }
        meta = doc["document"]
        for row in flat:
            row.update(
                {
                    "doc_title": meta["title"],
                    "doc_publisher": meta["publisher"],
                    "doc_published": meta["published"],
                    "doc_url": meta["url"],
                }
            )
        return doc, flat

    def event_document(self, index: int) -> dict[str, Any]:
        """One event-feed document: a single CAMEO-coded relation between two actors."""
        rng = self.rng
        day = self._day(date(2023, 1, 1), 900)
        doc_id = f"event-{index:08d}"
        code = rng.choices(self.event_codes, self.event_weights)[0]
        head = self._actor(ACTOR)
        tail = self._actor(ACTOR)
        for _ in range(5):
            if tail.name != head.name:
                break
            tail = self._actor(ACTOR)
        entities = [self._entity(head, "a1", 0)]
        if tail.name != head.name:
            entities.append(self._entity(tail, "a2", 0))
        rel: dict[str, Any] = {
            "id": "e",
            "type": f"cameo:{code}",
            "head": "a1",
            "tail": "a2" if tail.name != head.name else "a1",
            "date": day.isoformat(),
            "confidence": round(rng.uniform(0.5, 1.0), 2),
            "event_code": code,
            "event_code_scheme": "CAMEO",
            "evidence": f"{head.name} / {tail.name}: CAMEO {code} on {day:%d %B %Y}.",
            "attributes": {"goldstein": round(rng.uniform(-10, 10), 1), "num_mentions": rng.randrange(1, 60)},
        }
        if rng.random() < 0.3:
            city = self.zipf["City"].draw()
            entities.append(self._entity(city, "l1", 0))
            rel["location"] = "l1"
        self.counts.relations += 1
        if not self._maybe_bad(rel):
            self.counts.valid_relations += 1
        return {
            "document": {
                "id": doc_id,
                "title": f"{head.name} {code} {tail.name}",
                "publisher": rng.choice(PUBLISHERS),
                "published": day.isoformat(),
                "url": f"https://news.example.org/{day:%Y/%m/%d}/{doc_id}",
                "language": "en",
            },
            "entities": entities,
            "relations": [rel],
        }

    def _maybe_bad(self, rel: dict[str, Any]) -> bool:
        """Spoil about ``bad_rate`` of relations (one of three ways); True when spoilt."""
        if self.rng.random() >= self.bad_rate:
            return False
        kind = self.rng.randrange(3)
        if kind == 0:
            rel["tail"] = "ghost-" + rel["tail"]
            self.counts.unknown_entity_refs += 1
        elif kind == 1:
            rel["confidence"] = round(1 + self.rng.random(), 2)
            self.counts.confidence_over_one += 1
        else:
            rel["type"] = "teleported-to"
            self.counts.unknown_relation_types += 1
        return True

    @staticmethod
    def _flat_row(
        doc_id: str, n: int, rel: dict[str, Any], spec: RelationSpec, head: Actor, tail: Actor, location: Actor | None
    ) -> dict[str, str]:
        """A flat row for RML: lookups RML cannot do (type -> property, name -> canonical IRI,
        inverse/symmetric direction, claim id) are done here, as a preprocessing step would."""
        if spec.inverse:
            head, tail = tail, head
        h_slug, t_slug = slug(head.name), slug(tail.name)
        h_iri, t_iri = f"{BASE}id/{head.type.lower()}/{h_slug}", f"{BASE}id/{tail.type.lower()}/{t_slug}"
        if spec.symmetric and h_iri > t_iri:
            head, tail, h_slug, t_slug = tail, head, t_slug, h_slug
        status = rel["status"]
        return {
            "doc_id": doc_id,
            "rel_index": str(n),
            "claim_id": f"{doc_id}-{n}",
            "status": status.capitalize(),
            "asserted_prop": spec.property if status == "asserted" else "",
            "prop": spec.property,
            "head_class": head.type,
            "head_kind": head.type.lower(),
            "head_slug": h_slug,
            "head_name": head.name,
            "head_alias": head.aliases[0] if head.aliases else "",
            "head_iso": head.iso_code or "",
            "tail_class": tail.type,
            "tail_kind": tail.type.lower(),
            "tail_slug": t_slug,
            "tail_name": tail.name,
            "tail_alias": tail.aliases[0] if tail.aliases else "",
            "tail_iso": tail.iso_code or "",
            "date": rel.get("date", ""),
            "start": rel.get("start", "") if len(rel.get("start", "")) == 10 else "",
            "end": rel.get("end", "") if len(rel.get("end", "")) == 10 else "",
            "evidence": rel["evidence"],
            "sentence": str(rel["sentence"]),
            "confidence": str(rel["confidence"]),
            "location_slug": slug(location.name) if location else "",
            "event_code": rel.get("event_code", ""),
        }


def generate(
    out_dir: Path,
    docs: int,
    per_doc: int,
    seed: int = 8,
    bad_rate: float = 0.01,
    bad_json_rate: float = 0.001,
    shape: str = "articles",
) -> dict[str, Any]:
    """Write corpus.jsonl, flat.csv and manifest.json into ``out_dir``; return the manifest."""
    out_dir.mkdir(parents=True, exist_ok=True)
    gen = Generator(seed, bad_rate=bad_rate)
    with (
        (out_dir / "corpus.jsonl").open("w", encoding="utf-8") as jsonl,
        (out_dir / "flat.csv").open("w", encoding="utf-8", newline="") as flat_file,
    ):
        writer = csv.DictWriter(flat_file, FLAT_COLUMNS)
        writer.writeheader()
        for i in range(docs):
            if shape == "events":
                doc, rows = gen.event_document(i), []
            else:
                doc, rows = gen.document(i, per_doc)
            line = json.dumps(doc, ensure_ascii=False)
            gen.counts.documents += 1
            if gen.rng.random() < bad_json_rate:
                line = line[: len(line) // 2]  # a truncated line: invalid JSON, the whole document is lost
                gen.counts.bad_json_documents += 1
                gen.counts.bad_json_relations += len(doc["relations"])
                gen.counts.valid_relations -= len(rows)
                rows = []
            jsonl.write(line + "\n")
            writer.writerows(rows)
            gen.counts.flat_rows += len(rows)
    manifest = {
        "shape": shape,
        "documents": docs,
        "relations_per_doc": 1 if shape == "events" else per_doc,
        "seed": seed,
        "bad_rate": bad_rate,
        "bad_json_rate": bad_json_rate,
        "counts": vars(gen.counts),
        "files": {"jsonl": "corpus.jsonl", "flat": "flat.csv"},
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, help="number of documents (default: relations / per-doc)")
    parser.add_argument("--relations", type=int, default=100_000, help="total relations (records) without --docs")
    parser.add_argument("--relations-per-doc", type=int, default=10)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--bad-rate", type=float, default=0.01, help="share of relations spoilt (default 1%%)")
    parser.add_argument(
        "--shape",
        choices=("articles", "events"),
        default="articles",
        help="articles: --relations-per-doc relations per news article; events: one CAMEO-coded event per document",
    )
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    per_doc = 1 if args.shape == "events" else args.relations_per_doc
    docs = args.docs or max(1, args.relations // per_doc)
    manifest = generate(args.out, docs, per_doc, args.seed, args.bad_rate, shape=args.shape)
    print(json.dumps(manifest, indent=2))


if __name__ == "__main__":
    main()
