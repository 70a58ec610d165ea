"""Records -> RDF: IRIs, merges, claims, symmetric and inverse relations, rejects."""

import pyoxigraph as ox
from hypothesis import given, settings
from hypothesis import strategies as st

from kgload.rdf.plan import map_extraction
from kgload.readers.kgload_json import from_value
from kgload.records import Extraction, Origin
from kgload.vocabulary.namespaces import KG, OWL, RDF, RDFS, WD
from tests.common import FIXED_RUN

ID = "https://w3id.org/kgload/id/"


def extraction(entities, relations, doc_id="d1", language=None):
    value = {
        "document": {"id": doc_id, "title": "T", "language": language} if language else {"id": doc_id, "title": "T"},
        "entities": entities,
        "relations": relations,
    }
    items = list(from_value(value, Origin("test.json", 1)))
    assert all(isinstance(i, Extraction) for i in items), items
    return items[0]


def triples(mapped):
    return {(q.subject.value, q.predicate.value, q.object.value) for q in mapped.quads}


PUTIN = {"id": "p", "name": "Putin", "type": "Person"}
TRUMP = {"id": "t", "name": "Donald Trump", "type": "Person"}


def test_gazetteer_gives_one_iri_and_the_wikidata_link(mapping, run):
    mapped = map_extraction(extraction([PUTIN, TRUMP], []), mapping, run)
    t = triples(mapped)
    assert (ID + "q7747", RDFS + "label", "Vladimir Putin") in t
    assert (ID + "q7747", OWL + "sameAs", WD + "Q7747") in t
    assert any(m.canonical == "Vladimir Putin" and "Putin" in m.names for m in mapped.merges)


def test_same_entity_in_two_documents_gets_the_same_iri(mapping, run):
    one = map_extraction(extraction([{"id": "x", "name": "Rustem Umerov", "type": "Person"}], [], "d1"), mapping, run)
    two = map_extraction(extraction([{"id": "y", "name": "rustem  umerov", "type": "Person"}], [], "d2"), mapping, run)
    person = ID + "name/rustem-umerov"
    assert (person, RDF + "type", KG + "Person") in triples(one)
    assert (person, RDF + "type", KG + "Person") in triples(two)
    assert one.graph != two.graph


def test_aliases_within_a_document_merge(mapping, run):
    entities = [
        {"id": "a", "name": "Rustem Umerov", "type": "Person", "aliases": ["Umerov"]},
        {"id": "b", "name": "Umerov", "type": "Person"},
    ]
    relations = [{"type": "called", "head": "b", "tail": "a"}]
    mapped = map_extraction(extraction(entities, relations), mapping, run)
    people = {s for s, p, o in triples(mapped) if p == RDF + "type" and o == KG + "Person"}
    assert people == {ID + "name/rustem-umerov"}


def test_asserted_relation_has_direct_triple_and_claim(mapping, run):
    rel = {
        "type": "called",
        "head": "p",
        "tail": "t",
        "date": "2025-06-14",
        "evidence": "Putin called Trump.",
        "confidence": 0.9,
        "sentence": 2,
        "attributes": {"ordinal": 5},
    }
    mapped = map_extraction(extraction([PUTIN, TRUMP], [rel], language="en"), mapping, run)
    putin, trump = ID + "q7747", ID + "q22686"
    t = triples(mapped)
    assert (putin, KG + "called", trump) in t
    claims = [q.subject for q in mapped.quads if q.object == ox.NamedNode(KG + "Claim")]
    assert len(claims) == 1
    claim = {q.predicate.value: q.object for q in mapped.quads if q.subject == claims[0]}
    assert claim[KG + "date"] == ox.Literal(
        "2025-06-14", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")
    )
    assert claim[KG + "evidence"] == ox.Literal("Putin called Trump.", language="en")
    assert claim[KG + "confidence"].value == "0.9"
    assert claim[KG + "status"].value == KG + "Asserted"
    assert claim[KG + "ordinal"].value == "5"  # named by the mapping: a typed property, not JSON
    assert KG + "attributes" not in claim
    assert claim["http://www.w3.org/ns/prov#wasDerivedFrom"].value == mapped.iri
    assert claim["http://www.w3.org/ns/prov#wasGeneratedBy"].value.endswith(run.id)


def test_disputed_claim_is_not_a_plain_fact(mapping, run):
    entities = [
        {"id": "r", "name": "Russia", "type": "Country"},
        {"id": "d", "name": "Dnipropetrovsk Oblast", "type": "Region"},
        {"id": "z", "name": "Zelensky", "type": "Person"},
    ]
    rel = {
        "type": "advancing-on",
        "head": "r",
        "tail": "d",
        "status": "disputed",
        "asserted_by": ["r"],
        "denied_by": ["z"],
    }
    mapped = map_extraction(extraction(entities, [rel]), mapping, run)
    t = triples(mapped)
    assert not any(p == KG + "advancingOn" for s, p, o in t)
    assert any(p == KG + "deniedBy" and o == ID + "q3874799" for s, p, o in t)
    assert any(p == KG + "status" and o == KG + "Disputed" for s, p, o in t)


def test_symmetric_relation_has_one_direction(mapping, run):
    ents = [{"id": "u", "name": "Ukraine", "type": "Country"}, {"id": "r", "name": "Russia", "type": "Country"}]
    a = map_extraction(extraction(ents, [{"type": "exchanged-prisoners-with", "head": "u", "tail": "r"}]), mapping, run)
    b = map_extraction(extraction(ents, [{"type": "exchanged-prisoners-with", "head": "r", "tail": "u"}]), mapping, run)
    direct = {(s, o) for s, p, o in triples(a) if p == KG + "exchangedPrisonersWith"}
    assert direct == {(s, o) for s, p, o in triples(b) if p == KG + "exchangedPrisonersWith"}
    assert direct == {(ID + "q159", ID + "q212")}


def test_inverse_relation_is_turned_around(mapping, run):
    ents = [{"id": "b", "name": "Joe Biden", "type": "Person"}, {"id": "t", "name": "Donald Trump", "type": "Person"}]
    mapped = map_extraction(extraction(ents, [{"type": "successor-of", "head": "t", "tail": "b"}]), mapping, run)
    assert (ID + "q6279", KG + "predecessorOf", ID + "q22686") in triples(mapped)


def test_unmapped_types_are_rejected_with_the_known_ones(mapping, run):
    ents = [PUTIN, TRUMP, {"id": "w", "name": "Wagner", "type": "Spaceship"}]
    rels = [{"type": "hugged", "head": "p", "tail": "t"}, {"type": "called", "head": "p", "tail": "w"}]
    mapped = map_extraction(extraction(ents, rels), mapping, run)
    reasons = {r.origin.path: r.reason for r in mapped.rejects}
    assert "entity type 'Spaceship' is not in the mapping" in reasons["entities[2]"]
    assert "relation type 'hugged' is not in the mapping" in reasons["relations[0]"]
    assert "called" in reasons["relations[0]"]  # the known types are listed
    assert "tail entity 'w' was not mapped" in reasons["relations[1]"]
    assert mapped.claims == 0


@settings(max_examples=40, deadline=None)
@given(st.permutations(range(4)), st.text(alphabet="abcdefgh", min_size=1, max_size=5))
def test_mapping_is_deterministic_whatever_the_order_and_local_ids(mapping, order, prefix):
    run = FIXED_RUN
    names = [("Russia", "Country"), ("Ukraine", "Country"), ("Sumy Oblast", "Region"), ("Vladimir Putin", "Person")]
    ents = [{"id": f"{prefix}{i}", "name": names[i][0], "type": names[i][1]} for i in order]
    rels = [
        {"type": "advancing-on", "head": f"{prefix}0", "tail": f"{prefix}2", "evidence": "x"},
        {"type": "leader-of", "head": f"{prefix}3", "tail": f"{prefix}0"},
    ]
    mapped = map_extraction(extraction(ents, rels), mapping, run)
    baseline = map_extraction(
        extraction(
            [{"id": str(i), "name": n, "type": t} for i, (n, t) in enumerate(names)],
            [
                {"type": "advancing-on", "head": "0", "tail": "2", "evidence": "x"},
                {"type": "leader-of", "head": "3", "tail": "0"},
            ],
        ),
        mapping,
        run,
    )

    def content(m):  # the fingerprint hashes the input text, which differs by design
        return {t for t in triples(m) if t[1] != KG + "fingerprint"}

    assert content(mapped) == content(baseline)


def test_a_relation_rejected_for_its_attributes_leaves_no_link_to_its_graph(tmp_path):
    """The link from the document to a rule's own graph is a statement of the claim's plan: a
    relation rejected for a bad attribute states nothing."""
    from tests.common import MID_SECOND_RUN
    from tests.unit.extractions import CALL_DOCUMENT, extraction_of, graph_per_call_mapping

    mapping = graph_per_call_mapping(tmp_path)
    bad = {**CALL_DOCUMENT, "relations": [{**CALL_DOCUMENT["relations"][0], "attributes": {"ordinal": "first"}}]}
    mapped = map_extraction(extraction_of(bad), mapping, MID_SECOND_RUN)
    assert len(mapped.rejects) == 1 and mapped.rejects[0].reason.startswith("attribute: ")
    assert mapped.claims == 0
    assert not [q for q in mapped.quads if q.predicate.value.endswith("#graph")]


def test_a_relation_whose_ends_resolve_to_one_entity_is_a_self_loop_the_report_counts(mapping, run):
    """Two names of one gazetteer entry at both ends ("Putin" and "Vladimir Putin") make a relation
    from the entity to itself: it loads as the source says, and the run report counts and lists it,
    apart from a relation whose source gives both ends the same name (ACLED's communal militias)."""
    from kgload.report import LoadReport

    entities = [PUTIN, {"id": "v", "name": "Vladimir Putin", "type": "Person"}, TRUMP, {**TRUMP, "id": "t2"}]
    relations = [
        {"type": "called", "head": "p", "tail": "v", "date": "2025-06-14"},
        {"type": "called", "head": "t", "tail": "t2", "date": "2025-06-14"},
        {"type": "called", "head": "p", "tail": "t", "date": "2025-06-14"},
    ]
    mapped = map_extraction(extraction(entities, relations), mapping, run)
    assert [(s.entity, s.names, s.resolved) for s in mapped.self_loops] == [
        (ID + "q7747", ("Putin", "Vladimir Putin"), True),
        (ID + "q22686", ("Donald Trump", "Donald Trump"), False),
    ]
    assert (ID + "q7747", KG + "called", ID + "q7747") in triples(mapped)
    report = LoadReport("run", "store")
    for loop in mapped.self_loops:
        report.add_self_loop(loop)
    assert report.self_loop_line() == (
        "  self-loops: 2 relation(s) with one entity at both ends: 1 where two names resolved to one entity"
        " (e.g. Putin → Vladimir Putin, called), 1 where the source gives both ends one name"
    )
    assert report.as_json()["self_loops"]["listed"][0]["names"] == ["Putin", "Vladimir Putin"]
