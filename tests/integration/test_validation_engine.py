"""The reused SHACL engine (kgload.shacl) finds exactly what a plain ``pyshacl.validate`` of each
document finds: the same top-level results (focus, value, path, message, source shape, severity,
constraint component), as many times each, so the same records are rejected.

All documents go through ONE validator, one after the other, as in a load: what it remembers
from earlier documents (parsed SPARQL, type checks that passed) must never change a later verdict.
"""

from __future__ import annotations

import json
import pickle
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from typing import Any

import pyoxigraph as ox
import pyshacl
import pytest
import rdflib
import rdflib.collection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib.namespace import RDF, SH

from kgload import api
from kgload.rdf.convert import to_rdflib_term
from kgload.validate import ShaclValidator, validator_for
from kgload.vocabulary.namespaces import KG
from tests.common import ROOT, SEED

MAPPING = ROOT / "mappings" / "kgload.yaml"

RDFS = "http://www.w3.org/2000/01/rdf-schema#"
DCT = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
ENTITY_TYPES = ["Person", "Organization", "Country", "Region", "City", "Location", "Event", "Actor"]
RELATION_TYPES = [
    "leader-of", "called", "exchanged-prisoners-with", "advancing-on", "attacked", "located-in",
    "negotiated-with", "predecessor-of", "successor-of", "member-of", "ally-of", "in-conflict-with",
    "occupied", "shares-border-with", "appealed-to", "demanded", "returned-remains-to",
    "provides-aid-to", "part-of", "interacted-with",
]  # fmt: skip


@cache
def validator() -> ShaclValidator:
    found = validator_for(api._cached_mapping(MAPPING))
    assert found is not None
    return found


def mapped(doc: dict[str, Any]) -> list[ox.Quad]:
    batch = api.map_batch([doc], mapping=MAPPING)
    [only] = batch.documents
    return only.quads


def _named(graph: rdflib.Graph, node: Any) -> Any:
    """A blank node (a path, an anonymous shape) as what it stands for, so two reports compare."""
    if not isinstance(node, rdflib.BNode):
        return node
    if graph.value(node, RDF.first) is not None:
        return tuple(_named(graph, i) for i in rdflib.collection.Collection(graph, node))
    keep = (SH.path, SH.message, SH.inversePath)  # enough to tell the anonymous shapes and paths apart
    return tuple(sorted((p, _named(graph, o)) for p, o in graph.predicate_objects(node) if p in keep))


def results(report: rdflib.Graph) -> Counter:
    """Every top-level result of a report, as comparable values."""
    out: Counter = Counter()
    fields = (
        SH.focusNode,
        SH.value,
        SH.resultPath,
        SH.resultMessage,
        SH.resultSeverity,
        SH.sourceShape,
        SH.sourceConstraintComponent,
    )
    for rep in report.subjects(RDF.type, SH.ValidationReport):
        for r in report.objects(rep, SH.result):
            out[tuple(_named(report, report.value(r, f)) for f in fields)] += 1
    return out


def assert_same_as_reference(quads: list[ox.Quad]) -> Counter:
    """Validate ``quads`` with the shared validator and with plain pyshacl.validate; compare."""
    v = validator()
    triples = [(to_rdflib_term(q.subject), to_rdflib_term(q.predicate), to_rdflib_term(q.object)) for q in quads]
    data = rdflib.Graph()
    for t in triples:
        data.add(t)
    ref_conforms, ref_report, _ = pyshacl.validate(
        data, shacl_graph=v.shapes, ont_graph=v.ontology, inference="none", allow_warnings=True
    )
    conforms, report = v.engine.validate(triples)
    assert conforms == ref_conforms
    assert results(report) == results(ref_report)
    expected = [] if ref_conforms else v.violations_in(ref_report)
    assert Counter(v.violations(quads)) == Counter(expected)
    return results(ref_report)


# --- documents --------------------------------------------------------------------------------


def entity(eid: str, name: str, kind: str) -> dict[str, Any]:
    return {"id": eid, "name": name, "type": kind}


def document(did: str, entities: list[dict], relations: list[dict]) -> dict[str, Any]:
    return {"document": {"id": did, "title": f"Title of {did}"}, "entities": entities, "relations": relations}


BAD_DOCUMENTS = [
    # the tests' own: a country as the leader of a country (test_validation.py)
    document(
        "shacl-1",
        [
            entity("ru", "Russia", "Country"),
            entity("ua", "Ukraine", "Country"),
            entity("p", "Vladimir Putin", "Person"),
        ],
        [{"type": "leader-of", "head": "ru", "tail": "ua"}, {"type": "leader-of", "head": "p", "tail": "ru"}],
    ),
    # wrong kinds everywhere, in asserted, denied and disputed claims
    document(
        "shacl-kinds",
        [
            entity("kyiv", "Kyiv", "City"),
            entity("nato", "NATO", "Organization"),
            entity("war", "The war", "Event"),
            entity("x", "Someone", "Actor"),
            entity("pl", "Poland", "Country"),
        ],
        [
            {"type": "member-of", "head": "kyiv", "tail": "war", "status": "denied"},
            {"type": "occupied", "head": "war", "tail": "nato", "status": "disputed"},
            {"type": "part-of", "head": "x", "tail": "kyiv", "asserted_by": ["war"], "location": "nato"},
            {"type": "shares-border-with", "head": "nato", "tail": "pl", "denied_by": ["kyiv"]},
            {"type": "predecessor-of", "head": "pl", "tail": "x"},
            {"type": "successor-of", "head": "x", "tail": "pl", "status": "disputed"},
        ],
    ),
    # a period that ends before it starts, hidden by mixed precision (the reader compares like with like)
    document(
        "shacl-period",
        [entity("a", "Alpha Person", "Person"), entity("b", "Beta Land", "Country")],
        [{"type": "leader-of", "head": "a", "tail": "b", "start": "2024-05", "end": "2024-04-30"}],
    ),
    # the same relation denied and asserted (no violation), and one denied only
    document(
        "shacl-denied",
        [entity("a", "Alpha Person", "Person"), entity("b", "Beta Land", "Country")],
        [
            {"type": "called", "head": "a", "tail": "b", "status": "denied"},
            {"type": "called", "head": "a", "tail": "b"},
            {"type": "attacked", "head": "b", "tail": "a", "status": "denied"},
        ],
    ),
]


def _node(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _subjects(quads: list[ox.Quad], predicate: str, obj: ox.NamedNode | None = None) -> list[Any]:
    return [q.subject for q in quads if q.predicate.value == predicate and (obj is None or q.object == obj)]


def _of_class(quads: list[ox.Quad], cls: str) -> list[Any]:
    return _subjects(quads, str(RDF.type), _node(KG + cls))


# Edits of a mapped document's quads that the mapper would never make: they reach the shapes
# the JSON reader protects (cardinalities, node kinds, datatypes, the claim/triple agreement).
def _drop_title(quads: list[ox.Quad]) -> list[ox.Quad]:
    return [q for q in quads if q.predicate.value != DCT + "title"]


def _second_label(quads: list[ox.Quad]) -> list[ox.Quad]:
    people = _of_class(quads, "Person")
    return [*quads, ox.Quad(people[0], _node(RDFS + "label"), ox.Literal("Another name"))] if people else quads


def _person_also_organization(quads: list[ox.Quad]) -> list[ox.Quad]:
    return quads + [ox.Quad(s, _node(str(RDF.type)), _node(KG + "Organization")) for s in _of_class(quads, "Person")]


def _country_also_city(quads: list[ox.Quad]) -> list[ox.Quad]:
    return quads + [ox.Quad(s, _node(str(RDF.type)), _node(KG + "City")) for s in _of_class(quads, "Country")[:1]]


def _untyped_entity(quads: list[ox.Quad]) -> list[ox.Quad]:
    countries = _of_class(quads, "Country")[:1]
    return [q for q in quads if not (q.subject in countries and q.predicate.value == str(RDF.type))]


def _subclass_in_data(quads: list[ox.Quad]) -> list[ox.Quad]:
    # the data redefines the class tree: what the engine remembered about types must not apply
    return [*quads, ox.Quad(_node(KG + "City"), _node(RDFS + "subClassOf"), _node(KG + "Actor"))]


def _direct_triple_dropped(quads: list[ox.Quad]) -> list[ox.Quad]:
    relations = {KG + t for t in ("leaderOf", "called", "negotiatedWith", "attacked", "interactedWith")}
    return [q for q in quads if q.predicate.value not in relations]


def _denied_written_as_triple(quads: list[ox.Quad]) -> list[ox.Quad]:
    claims = _subjects(quads, KG + "status", _node(KG + "Asserted"))[:2]
    return [
        ox.Quad(q.subject, q.predicate, _node(KG + "Denied"))
        if q.subject in claims and q.predicate.value == KG + "status"
        else q
        for q in quads
    ]


def _bad_literals(quads: list[ox.Quad]) -> list[ox.Quad]:
    claims = _of_class(quads, "Claim")[:2]
    extra = []
    for c in claims:
        extra += [
            ox.Quad(c, _node(KG + "confidence"), ox.Literal("1.5", datatype=_node(XSD + "decimal"))),
            ox.Quad(c, _node(KG + "startDate"), ox.Literal("2024-05", datatype=_node(XSD + "gYearMonth"))),
            ox.Quad(c, _node(KG + "endDate"), ox.Literal("2023", datatype=_node(XSD + "gYear"))),
            ox.Quad(c, _node(KG + "location"), ox.Literal("Kyiv")),
        ]
    countries = _of_class(quads, "Country")[:1]
    extra += [ox.Quad(c, _node(KG + "isoCode"), ox.Literal("ukr")) for c in countries]
    return quads + extra


def _actor_in_place_slot(quads: list[ox.Quad]) -> list[ox.Quad]:
    claims = _of_class(quads, "Claim")[:3]
    people = _of_class(quads, "Person")[:1]
    return quads + [ox.Quad(c, _node(KG + "location"), p) for c in claims for p in people]


EDITS: list[Callable[[list[ox.Quad]], list[ox.Quad]]] = [
    _drop_title,
    _second_label,
    _person_also_organization,
    _country_also_city,
    _untyped_entity,
    _subclass_in_data,
    _direct_triple_dropped,
    _denied_written_as_triple,
    _bad_literals,
    _actor_in_place_slot,
]


# --- tests ------------------------------------------------------------------------------------


def test_seed_conforms_as_in_the_reference():
    quads = mapped(json.loads(SEED.read_text()))
    assert assert_same_as_reference(quads) == Counter()


@pytest.mark.parametrize("doc", BAD_DOCUMENTS, ids=[d["document"]["id"] for d in BAD_DOCUMENTS])
def test_bad_documents_give_the_reference_violations(doc):
    found = assert_same_as_reference(mapped(doc))
    assert found or doc["document"]["id"] == "shacl-denied"  # that one is fine: a twin asserts it


@pytest.mark.parametrize("edit", EDITS, ids=[e.__name__.strip("_") for e in EDITS])
def test_edited_seed_gives_the_reference_violations(edit):
    seed = mapped(json.loads(SEED.read_text()))
    assert assert_same_as_reference(edit(seed))
    assert_same_as_reference(seed)  # and what the engine remembered from the edit leaves the seed alone


_dates = st.one_of(
    st.none(),
    st.integers(2019, 2025).map(str),
    st.tuples(st.integers(2019, 2025), st.integers(1, 12)).map(lambda t: f"{t[0]}-{t[1]:02d}"),
    st.tuples(st.integers(2019, 2025), st.integers(1, 12), st.integers(1, 28)).map(
        lambda t: f"{t[0]}-{t[1]:02d}-{t[2]:02d}"
    ),
)


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    kinds = draw(st.lists(st.sampled_from(ENTITY_TYPES), min_size=2, max_size=5))
    names = draw(
        st.lists(st.sampled_from(["Amber", "Birch", "Cedar", "Delta"]), min_size=len(kinds), max_size=len(kinds))
    )
    entities = [entity(f"e{i}", f"{n} {k}", k) for i, (n, k) in enumerate(zip(names, kinds, strict=True))]
    ids = [e["id"] for e in entities]
    relations = []
    for _ in range(draw(st.integers(1, 5))):
        rel: dict[str, Any] = {
            "type": draw(st.sampled_from(RELATION_TYPES)),
            "head": draw(st.sampled_from(ids)),
            "tail": draw(st.sampled_from(ids)),
            "status": draw(st.sampled_from(["asserted", "asserted", "denied", "disputed"])),
            "confidence": float(draw(st.decimals(Decimal(0), Decimal(1), places=2))),
        }
        start, end = draw(_dates), draw(_dates)
        if start and end and len(start) == len(end) and start > end:
            start, end = end, start  # the reader rejects these; SHACL sees the mixed-precision ones
        rel.update({k: v for k, v in (("start", start), ("end", end)) if v})
        if draw(st.booleans()):
            rel["asserted_by"] = [draw(st.sampled_from(ids))]
        if draw(st.booleans()):
            rel["location"] = draw(st.sampled_from(ids))
        relations.append(rel)
    return document(f"fuzz-{draw(st.integers(0, 10**6))}", entities, relations)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=documents(), edits=st.lists(st.sampled_from(EDITS), max_size=2, unique=True))
def test_varied_documents_give_the_reference_violations(doc, edits):
    quads = mapped(doc)
    for edit in edits:
        quads = edit(quads)
    assert_same_as_reference(quads)


def test_validator_survives_pickling():
    # workers on platforms without fork get the validator pickled
    copy = pickle.loads(pickle.dumps(validator()))
    quads = mapped(BAD_DOCUMENTS[0])
    assert Counter(copy.violations(quads)) == Counter(validator().violations(quads))
