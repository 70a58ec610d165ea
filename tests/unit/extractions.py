"""A hypothesis strategy for extraction documents that exercise the mapping: names that merge
through aliases and the gazetteer, role phrases, unknown types, dates, statuses, attributes,
references to other entities. Shared by the tests that hold two mapping paths to one outcome."""

from __future__ import annotations

import copy
from pathlib import Path

from hypothesis import strategies as st

from kgload.mapping import load_mapping
from kgload.mapping.spec import Mapping
from kgload.readers.kgload_json import from_value
from kgload.records import Extraction, Origin
from tests.common import ROOT

NAMES = [
    "Putin",
    "Vladimir Putin",
    "President Putin",
    "Donald Trump",
    "Trump",
    "Joe Biden",
    "the US President",
    "US President",
    "Russian President",
    "the Kremlin chief",
    "Ukrainian President",
    "Zelensky",
    "Rustem Umerov",
    "Umerov",
    "José Álvarez",
    "jose alvarez",
    "Kyiv",
    "Ukraine",
    "Russia",
    "Russian Federation",
    "RUS",
    "United States",
    "U.S.",
    "Atlantis",
    "Вла́димир Пу́тин",
]
TYPES = ["Person", "PER", "Country", "GPE", "Location", "City", "Organization", "Spaceship"]
DAYS = ["2014-05-01", "2019-06-01", "2022-03-15", "2025-01-19", "2025-01-20", "2025-06-14", "2026-01"]
RELATION_TYPES = ["leader-of", "leads", "called", "ally-of", "successor-of", "borders", "no-such-type"]


@st.composite
def documents(draw, doc_id: str) -> dict:
    count = draw(st.integers(1, 5))
    entities = []
    for i in range(count):
        entity = {"id": f"e{i}", "name": draw(st.sampled_from(NAMES)), "type": draw(st.sampled_from(TYPES))}
        if draw(st.booleans()):
            entity["aliases"] = draw(st.lists(st.sampled_from(NAMES), max_size=2))
        if draw(st.integers(0, 4)) == 0:
            entity["wikidata"] = draw(st.sampled_from(["Q7747", "Q42"]))
        if draw(st.integers(0, 4)) == 0:
            entity["iso_code"] = draw(st.sampled_from(["US", "RU", "XX"]))
        if draw(st.integers(0, 4)) == 0:
            entity["attributes"] = {"note": "n", "age": draw(st.integers(0, 99))}
        entities.append(entity)
    ids = [e["id"] for e in entities]
    relations = []
    for _ in range(draw(st.integers(0, 5))):
        relation = {
            "type": draw(st.sampled_from(RELATION_TYPES)),
            "head": draw(st.sampled_from(ids)),
            "tail": draw(st.sampled_from(ids)),
        }
        if draw(st.booleans()):
            relation["start"] = draw(st.sampled_from(["2015-01", "2020", "2025-01-20"]))
        else:
            relation["date"] = draw(st.sampled_from(DAYS[:-1]))
        if draw(st.booleans()):
            relation["confidence"] = draw(st.sampled_from([0, 1, 0.5, 0.123456789, 1e-7]))
        if draw(st.booleans()):
            relation["sentence"] = draw(st.integers(0, 3))
        if draw(st.integers(0, 3)) == 0:
            relation["status"] = draw(st.sampled_from(["denied", "disputed"]))
        if draw(st.integers(0, 3)) == 0:
            relation["attributes"] = draw(st.sampled_from([{"soldiers": 3}, {"soldiers": -1}, {"x": "y"}]))
        relations.append(relation)
    document = {"id": doc_id, "title": "T", "published": draw(st.sampled_from(DAYS))}
    return {"document": document, "entities": entities, "relations": relations}


def docs_numbered(number: int):
    return documents(f"d{number}")


def extraction_of(value: dict) -> Extraction:
    return next(i for i in from_value(value, Origin("memo.json", 1)) if isinstance(i, Extraction))


@st.composite
def richer(draw, doc_id: str) -> dict:
    """``documents`` plus what a claim may carry besides its ends: evidence, an end date, who
    asserted or denied it, where, event codes, attributes (typed, untyped, bad), and a relation
    repeated word for word or with another confidence."""
    value = draw(documents(doc_id))
    ids = [e["id"] for e in value["entities"]]
    doc = value["document"]
    if draw(st.booleans()):
        doc.update(publisher="AFP", url="https://example.org/a", language=draw(st.sampled_from(["en", "fr"])))
    if draw(st.integers(0, 5)) == 0:
        doc["published"] = "2025-06-14T09:30:00Z"
    for relation in value["relations"]:
        if draw(st.booleans()):
            relation["evidence"] = draw(st.sampled_from(["Putin called Trump.", "Ça va", "x\ny", " padded "]))
        if "start" in relation and draw(st.booleans()):
            relation["end"] = draw(st.sampled_from(["2024", "2025-02"]))
        if draw(st.integers(0, 3)) == 0:
            relation["asserted_by"] = draw(st.lists(st.sampled_from([*ids, "nobody"]), max_size=3))
        if draw(st.integers(0, 4)) == 0:
            relation["denied_by"] = draw(st.lists(st.sampled_from(ids), max_size=2))
        if draw(st.integers(0, 4)) == 0:
            relation["location"] = draw(st.sampled_from(ids))
        if draw(st.integers(0, 4)) == 0:
            relation["event_code"] = draw(st.sampled_from(["042", "190"]))
            if draw(st.booleans()):
                relation["event_code_scheme"] = "CAMEO"
        if draw(st.integers(0, 4)) == 0:
            relation["attributes"] = draw(
                st.sampled_from([{"bodies": 12}, {"note": "n", "bodies": 3, "x": [1, 2]}, {"ordinal": 0}])
            )
    relations = value["relations"]
    if relations and draw(st.integers(0, 4)) == 0:
        twin = copy.deepcopy(draw(st.sampled_from(relations)))
        change = draw(st.sampled_from(["none", "confidence", "no confidence", "location", "code", "attributes"]))
        if change == "confidence":
            twin["confidence"] = 0.25
        elif change == "no confidence":
            twin.pop("confidence", None)
        elif change == "location":
            twin["location"] = draw(st.sampled_from(ids))
        elif change == "code":
            twin["event_code"] = "190"
        elif change == "attributes":
            twin["attributes"] = {"note": "other"}
        relations.append(twin)
    return value


def richer_numbered(number: int):
    return richer(f"d{number}")


# one call between two people: the relation a graph-per-relation mapping puts in a graph of its own
CALL_DOCUMENT = {
    "document": {"id": "g", "title": "T"},
    "entities": [{"id": "a", "name": "Putin", "type": "Person"}, {"id": "b", "name": "Trump", "type": "Person"}],
    "relations": [{"type": "called", "head": "a", "tail": "b"}],
}


# a country as "leader of" another, which the shapes refuse (kg:leaderOf takes a kg:Person), beside a
# leader they accept
WRONG_LEADER = {
    "document": {"id": "shacl-1", "title": "A wrong leader"},
    "entities": [
        {"id": "ru", "name": "Russia", "type": "Country"},
        {"id": "ua", "name": "Ukraine", "type": "Country"},
        {"id": "p", "name": "Vladimir Putin", "type": "Person"},
    ],
    "relations": [
        {"type": "leader-of", "head": "ru", "tail": "ua"},
        {"type": "leader-of", "head": "p", "tail": "ru"},
    ],
}


def graph_per_call_mapping(folder: Path) -> Mapping:
    """kgload's own mapping, with calls written to a named graph of their own (``graph:``)."""
    text = (ROOT / "mappings" / "kgload.yaml").read_text()
    text = text.replace("ontology: ../ontology/kgload.ttl", f"ontology: {ROOT / 'ontology' / 'kgload.ttl'}")
    text = text.replace("shapes: ../ontology/shapes.ttl", f"shapes: {ROOT / 'ontology' / 'shapes.ttl'}")
    text = text.replace("gazetteer: gazetteer.yaml", f"gazetteer: {ROOT / 'mappings' / 'gazetteer.yaml'}")
    rule = '    called: {property: kg:called, also: [phoned, telephoned, "cameo:041", "consult/phone"]'
    assert rule in text
    text = text.replace(rule, rule + ', graph: "{base}graph/calls/{id}"')
    (folder / "m.yaml").write_text(text)
    return load_mapping(folder / "m.yaml")


def mapped_outcome(mapped) -> tuple:
    """What two mapping paths must agree on for one document, besides what each path makes."""
    return (
        mapped.iri,
        mapped.graph,
        mapped.fingerprint,
        mapped.triples,
        [(r.origin, r.reason, r.stage, r.data) for r in mapped.rejects],
        mapped.merges,
        mapped.unresolved,
        mapped.entities,
        mapped.claims,
    )
