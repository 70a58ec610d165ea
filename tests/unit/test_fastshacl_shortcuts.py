"""The compiled SHACL engine's shortcuts (kgload.fastshacl) give the verdicts its full checks give;
the differential tests (tests/integration/test_fastshacl_differential.py) hold both to pySHACL."""

from __future__ import annotations

from typing import Any

import rdflib
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS

from kgload.fastshacl import CompiledShapes, _Index

EX = "http://example.org/"
SHAPES = f"""
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <{EX}> .
ex:ThingShape a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:datatype xsd:string ; sh:message "a name" ] ,
                [ sh:path ex:note ; sh:maxCount 1 ; sh:datatype xsd:string ; sh:message "one note" ] .
ex:OtherShape a sh:NodeShape ; sh:targetSubjectsOf ex:other ;
    sh:property [ sh:path ex:other ; sh:class ex:Thing ; sh:message "a thing" ] .
"""


def compiled() -> CompiledShapes:
    shapes = rdflib.Graph().parse(data=SHAPES, format="turtle")
    ontology = [(URIRef(EX + "Special"), RDFS.subClassOf, URIRef(EX + "Thing"))]
    return CompiledShapes.compile(shapes, ontology)


def messages(shapes: CompiledShapes, triples: list[Any]) -> list[str]:
    return sorted(r.message for r in shapes.results(triples))


def test_a_property_the_focus_node_lacks_calls_none_of_its_checks() -> None:
    shapes = compiled()
    calls: list[str] = []
    for prop in shapes._compiled[URIRef(EX + "ThingShape")].properties:

        def counted(check: Any, name: str = str(prop.path)) -> Any:
            return lambda *args: (calls.append(name), check(*args))[1]

        prop.tests = [(None, None, counted(check)) for check in prop.checks]  # the checks' iterators, counted
    node = URIRef(EX + "a")
    assert messages(shapes, [(node, RDF.type, URIRef(EX + "Thing"))]) == ["a name"]
    assert calls == []  # the missing name failed its minCount without a call; the missing note passed
    assert messages(shapes, [(node, RDF.type, URIRef(EX + "Thing")), (node, URIRef(EX + "name"), Literal(1))]) == [
        "a name"
    ]
    assert calls  # a value there: its checks ran


def test_the_shapes_and_the_ontology_share_one_object_per_term() -> None:
    shapes = compiled()
    thing = next(o for _, _, o in shapes._ontology_triples)
    shape = shapes._compiled[URIRef(EX + "OtherShape")]
    assert shapes.known(URIRef(EX + "Thing")) is thing
    assert shapes._by_class[thing] == [1]  # ThingShape, after OtherShape in the shapes' order
    assert shapes.known(URIRef(EX + "other")) is shape.properties[0].path[0][1]  # type: ignore[index]
    assert shapes.known(RDF.type) is RDF.type and shapes.known(rdflib.XSD.string) is rdflib.XSD.string


def test_a_document_triggers_the_shapes_of_its_classes_their_superclasses_and_its_predicates() -> None:
    shapes = compiled()
    assert shapes._triggered([URIRef(EX + "Special")], []) == {1}  # a subclass of the target class
    assert shapes._triggered([], [URIRef(EX + "other")]) == {0}
    assert shapes._triggered([URIRef(EX + "Unknown")], [RDF.type]) == set()


def test_terms_not_the_ontology_objects_get_the_same_verdicts() -> None:
    shapes = compiled()
    a, b = URIRef(EX + "a"), URIRef(EX + "b")
    # fresh equal objects, as a caller that did not swap them for the ontology's would pass
    typed = [(a, URIRef(EX + "other"), b), (b, URIRef(str(RDF.type)), URIRef(EX + "Special"))]
    assert messages(shapes, typed) == ["a name"]  # b is a Thing (a Special), and has no name
    assert messages(shapes, typed[:1]) == ["a thing"]


def test_a_shape_on_an_ontology_node_is_remembered_until_a_document_mentions_what_it_read() -> None:
    shapes = CompiledShapes.compile(
        rdflib.Graph().parse(
            data=f"""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <{EX}> .
            ex:FixedShape a sh:NodeShape ; sh:targetNode ex:fixed ;
                sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:message "fixed has a p" ] .""",
            format="turtle",
        ),
        [(URIRef(EX + "fixed"), RDF.type, URIRef(EX + "Fixed"))],
    )
    assert list(shapes._alone_all) == [0]
    other = URIRef(EX + "other")
    assert messages(shapes, [(other, URIRef(EX + "p"), Literal("x"))]) == ["fixed has a p"]
    assert messages(shapes, [(URIRef(EX + "fixed"), URIRef(EX + "p"), Literal("x"))]) == []


TYPED = f"""
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <{EX}> .
ex:IsAgent a sh:NodeShape ; sh:or ( ex:IsPerson ex:IsGroup ) .
ex:IsPerson a sh:NodeShape ; sh:class ex:Person ; sh:not [ sh:class ex:Place ] .
ex:IsGroup a sh:NodeShape ; sh:class ex:Group .
ex:Named a sh:NodeShape ; sh:property [ sh:path ex:name ; sh:minCount 1 ] .
ex:ActShape a sh:NodeShape ; sh:targetSubjectsOf ex:by ;
    sh:property [ sh:path ex:by ; sh:node ex:IsAgent ; sh:message "an agent" ] ,
                [ sh:path ex:by ; sh:node ex:Named ; sh:message "named" ] .
"""


def typed_shapes() -> CompiledShapes:
    shapes = rdflib.Graph().parse(data=TYPED, format="turtle")
    ontology = [(URIRef(EX + "Leader"), RDFS.subClassOf, URIRef(EX + "Person"))]
    return CompiledShapes.compile(shapes, ontology)


def test_only_shapes_that_read_the_values_types_alone_are_remembered_by_types() -> None:
    shapes = typed_shapes()
    by_types = {str(s.node).removeprefix(EX) for s in shapes._nested if s.by_types and isinstance(s.node, URIRef)}
    assert by_types == {"IsAgent", "IsPerson", "IsGroup"}  # not Named: it reads a property


def test_a_verdict_remembered_by_types_follows_each_documents_types() -> None:
    shapes = typed_shapes()
    act, actor = URIRef(EX + "act"), URIRef(EX + "actor")
    by, name = URIRef(EX + "by"), URIRef(EX + "name")

    def document(*types: str) -> list[Any]:
        return [(act, by, actor), (actor, name, Literal("A"))] + [(actor, RDF.type, URIRef(EX + t)) for t in types]

    # the same node in one document after another, typed otherwise in each: each gets its own verdict
    for _ in range(2):
        assert messages(shapes, document("Leader")) == []  # a Person through the ontology's class tree
        assert messages(shapes, document("Leader", "Place")) == ["an agent"]
        assert messages(shapes, document("Group")) == []
        assert messages(shapes, document()) == ["an agent"]
        assert messages(shapes, [(act, by, Literal("x"))]) == ["an agent", "named"]
    assert shapes._verdicts  # remembered across the documents
    # a document that adds to the class tree is checked against its own tree, not the remembered verdicts
    assert messages(shapes, [*document("Member"), (URIRef(EX + "Member"), RDFS.subClassOf, URIRef(EX + "Group"))]) == []


def test_a_lone_predicate_property_is_skipped_only_when_the_focus_node_lacks_it() -> None:
    shapes = compiled()
    thing = shapes._compiled[URIRef(EX + "ThingShape")]
    assert [p.lone_predicate for p in thing.properties] == [URIRef(EX + "name"), URIRef(EX + "note")]
    node = URIRef(EX + "a")
    notes = [(node, URIRef(EX + "note"), Literal(n)) for n in ("x", "y")]
    assert messages(shapes, [(node, RDF.type, URIRef(EX + "Thing")), *notes]) == ["a name", "one note"]


def test_a_remembered_shape_without_results_runs_only_for_a_document_that_mentions_what_it_read() -> None:
    fixed, p = URIRef(EX + "fixed"), URIRef(EX + "p")
    shapes = CompiledShapes.compile(
        rdflib.Graph().parse(
            data=f"""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <{EX}> .
            ex:FixedShape a sh:NodeShape ; sh:targetNode ex:fixed ;
                sh:property [ sh:path ex:p ; sh:maxCount 1 ; sh:message "fixed has one p" ] .""",
            format="turtle",
        ),
        [(fixed, p, Literal("y"))],
    )
    assert shapes._alone_all[0][0] == [] and not shapes._loud_alone  # no results on the ontology alone
    other = URIRef(EX + "other")
    assert shapes._reading({other}) == set()
    assert messages(shapes, [(other, p, Literal("x"))]) == []
    assert shapes._reading({fixed, other}) == {0}
    assert messages(shapes, [(fixed, p, Literal("x"))]) == ["fixed has one p"]  # its second p, in the document


def test_the_datatype_test_made_per_datatype_gives_the_reference_rule() -> None:
    from rdflib.namespace import XSD

    from kgload.fastshacl import _datatype_test, _has_datatype

    datatypes = [XSD.string, RDF.langString, XSD.integer, XSD.decimal, XSD.date, XSD.dateTime, XSD.anyURI]
    datatypes += [RDFS.Literal, RDFS.Datatype, RDF.JSON, URIRef(str(XSD.string))]
    values: list[Any] = [Literal("x"), Literal("x", lang="en"), Literal("x", datatype=XSD.string), URIRef(EX + "a")]
    values += [
        Literal("1", datatype=XSD.integer),
        Literal("x", datatype=XSD.integer),
        Literal("0.5", datatype=XSD.decimal),
    ]
    values += [Literal("2023-08-21", datatype=XSD.date), Literal("2023-13-40", datatype=XSD.date), rdflib.BNode()]
    values += [Literal("2026-12-07T05:57:14Z", datatype=XSD.dateTime), Literal("{}", datatype=RDF.JSON)]
    values += [Literal("x", datatype=URIRef(EX + "own")), Literal(1), Literal("", lang="de")]
    for datatype in datatypes:
        test = _datatype_test(datatype)
        for value in values:
            assert test(value, None) is _has_datatype(value, datatype), (value, datatype)


def test_the_index_reads_a_predicates_pairs_from_its_subjects_once_each() -> None:
    a, b, p, q = (URIRef(EX + n) for n in ("a", "b", "p", "q"))
    one, two = Literal("one"), Literal(2)
    index = _Index([(a, p, one), (b, p, two), (a, p, one), (a, q, b), (a, p, b)])
    assert list(index.pairs(p)) == [(a, one), (a, b), (b, two)]  # by subject, each pair once
    assert list(index.pairs(q)) == [(a, b)] and not index.pairs(URIRef(EX + "none"))


def test_count_checks_fail_once_outside_their_bounds() -> None:
    shapes = compiled()
    node, note = URIRef(EX + "a"), URIRef(EX + "note")
    base = [(node, RDF.type, URIRef(EX + "Thing")), (node, URIRef(EX + "name"), Literal("n"))]
    assert messages(shapes, base) == []
    assert messages(shapes, [*base, (node, note, Literal("x")), (node, note, Literal("y"))]) == ["one note"]
    assert messages(shapes, [(node, RDF.type, URIRef(EX + "Thing"))]) == ["a name"]
