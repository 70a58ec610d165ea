"""The mapping language's features, one test each (the worked examples of docs/mapping.md)."""

from pathlib import Path

import pytest

from kgload.errors import MappingError
from kgload.mapping import load_mapping
from kgload.rdf.plan import map_extraction
from kgload.readers.kgload_json import from_value
from kgload.records import Origin
from tests.common import FIXED_RUN

KG = "https://w3id.org/kgload/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"


def mapping_with(tmp_path: Path, root: Path, body: str):
    path = tmp_path / "m.yaml"
    path.write_text(
        f"""kgload_mapping: 1
ontology: {root / "ontology" / "kgload.ttl"}
base: https://example.org/
{body}""",
        encoding="utf-8",
    )
    return load_mapping(path)


ENTITIES = """entities:
  types:
    Person: kg:Person
    Country: {class: kg:Country, iri: ["{base}country/{iso_code|lower}", "{base}country/{name|slug}"]}
"""


def mapped(mapping, relations, entities=None):
    entities = entities or [
        {"id": "a", "name": "Vladimir Putin", "type": "Person"},
        {"id": "b", "name": "Russia", "type": "Country", "iso_code": "RU"},
        {"id": "c", "name": "Atlantis", "type": "Country"},
    ]
    [extraction] = from_value(
        {"document": {"id": "d", "title": "t"}, "entities": entities, "relations": relations}, Origin("x.json", 1)
    )
    return map_extraction(extraction, mapping, FIXED_RUN)


def spo(doc):
    return {
        (
            q.subject.value,
            q.predicate.value,
            q.object.value
            if not hasattr(q.object, "datatype")
            else (q.object.value, q.object.datatype.value if q.object.datatype else None),
            q.graph_name.value,
        )
        for q in doc.quads
    }


def test_iri_template_alternatives(tmp_path, root):
    m = mapping_with(tmp_path, root, ENTITIES + "relations:\n  types:\n    leader-of: kg:leaderOf\n")
    out = mapped(m, [{"type": "leader-of", "head": "a", "tail": "b"}, {"type": "leader-of", "head": "a", "tail": "c"}])
    objects = {q.object.value for q in out.quads if q.predicate.value == KG + "leaderOf"}
    assert objects == {"https://example.org/id/q159", "https://example.org/country/atlantis"}


def test_wildcards_and_fallback_keep_the_code(tmp_path, root):
    m = mapping_with(
        tmp_path,
        root,
        ENTITIES
        + """relations:
  fallback: kg:interactedWith
  types:
    attacked: {property: kg:attacked, also: ["cameo:19*"]}
    called: {property: kg:called, also: ["cameo:041"]}
""",
    )
    out = mapped(
        m,
        [
            {"type": "cameo:190", "head": "b", "tail": "c", "event_code": "190", "event_code_scheme": "CAMEO"},
            {"type": "CAMEO:041", "head": "a", "tail": "a"},
            {"type": "cameo:0841", "head": "b", "tail": "c"},
        ],
    )
    preds = {q.predicate.value for q in out.quads}
    assert {KG + "attacked", KG + "called", KG + "interactedWith"} <= preds
    codes = {q.object.value for q in out.quads if q.predicate.value == KG + "eventCode"}
    assert codes == {"190", "cameo:0841"}


def test_conditions_and_threshold_filter_with_a_reason(tmp_path, root):
    m = mapping_with(
        tmp_path,
        root,
        ENTITIES
        + """relations:
  min_confidence: 0.5
  types:
    called: {property: kg:called, when: {date: {present: true}, evidence: {matches: "(?i)phone|call"}}}
""",
    )
    out = mapped(
        m,
        [
            {"type": "called", "head": "a", "tail": "b", "date": "2025-06-14", "evidence": "a phone call"},
            {"type": "called", "head": "a", "tail": "b", "evidence": "a phone call"},
            {"type": "called", "head": "a", "tail": "b", "date": "2025-06-14", "evidence": "a letter"},
            {"type": "called", "head": "a", "tail": "b", "date": "2025-06-14", "evidence": "call", "confidence": 0.2},
        ],
    )
    assert out.claims == 1
    reasons = sorted(r.reason for r in out.rejects)
    assert reasons[0].startswith("condition not met: date present")
    assert reasons[1].startswith("condition not met: evidence matches")
    assert "below the mapping's threshold 0.5" in reasons[2]
    assert {r.stage for r in out.rejects} == {"filter"}


def test_constants_datatypes_language_and_graph(tmp_path, root):
    m = mapping_with(
        tmp_path,
        root,
        ENTITIES
        + """relations:
  graph: "{base}graph/{id}/events"
  constants: {source_system: test-feed}
  types:
    advancing-on:
      property: kg:advancingOn
      properties:
        soldiers: {property: kg:count, datatype: xsd:integer}
        note: {property: rdfs:comment, language: en}
""",
    )
    out = mapped(
        m, [{"type": "advancing-on", "head": "b", "tail": "c", "attributes": {"soldiers": 53000, "note": "big"}}]
    )
    quads = spo(out)
    graph = "https://example.org/graph/d/events"
    assert any(p == KG + "count" and o == ("53000", XSD + "integer") and g == graph for _, p, o, g in quads)
    assert any(p == "http://www.w3.org/2000/01/rdf-schema#comment" and g == graph for _, p, o, g in quads)
    assert any(p == KG + "attributes" and '"source_system":"test-feed"' in o[0] for _, p, o, _ in quads)
    assert any(p == KG + "graph" and o == graph for _, p, o, _ in quads)  # the document names its graphs


def test_a_value_that_does_not_fit_its_datatype_is_rejected(tmp_path, root):
    m = mapping_with(
        tmp_path,
        root,
        ENTITIES
        + """relations:
  types:
    advancing-on: {property: kg:advancingOn, properties: {soldiers: {property: kg:count, datatype: xsd:integer}}}
""",
    )
    out = mapped(m, [{"type": "advancing-on", "head": "b", "tail": "c", "attributes": {"soldiers": "many"}}])
    assert out.claims == 0 and "'many' is not a valid xsd:integer" in out.rejects[0].reason


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('relations:\n  graph: "{base}graph/shared"\n  types:\n    called: kg:called\n', "must contain {id}"),
        (
            "relations:\n  types:\n    called: {property: kg:called, when: {colour: {present: true}}}\n",
            "unknown field 'colour'",
        ),
        (
            "relations:\n  types:\n    called: {property: kg:called, properties: {x: {property: kg:nothing}}}\n",
            "neither in the ontology",
        ),
        (
            "relations:\n  types:\n    called:\n      property: kg:called\n"
            "      properties: {x: {property: rdfs:comment, datatype: xsd:hexBinary}}\n",
            "unsupported datatype",
        ),
    ],
)
def test_feature_errors_are_located(tmp_path, root, body, message):
    with pytest.raises(MappingError) as info:
        mapping_with(tmp_path, root, ENTITIES + body)
    assert message in str(info.value)
    assert all(p.line for p in info.value.problems)
