"""RDF -> property graph, for the RDF kgload's mapper emits. Pure: quads in, rows out.

| RDF                                   | Neo4j                                                   |
|---------------------------------------|---------------------------------------------------------|
| entity IRI, rdf:type kg:Person        | (:Resource:Entity:Person:Actor {uri, name, aliases, …}) |
| rdfs:label / skos:altLabel            | name / aliases (union over the documents naming it)     |
| owl:sameAs wd:Q7747                   | wikidata: "Q7747", sameAs: [IRI]                        |
| kg:Document                           | (:Resource:Document {uri, id, title, published, …})     |
| schema:mentions                       | (:Document)-[:MENTIONS {names}]->(:Entity)              |
| kg:Claim (every reported relation)    | (:Resource:Claim {uri, key, predicate, status, …})      |
|                                       |   -[:SUBJECT]->, -[:OBJECT]->, -[:DERIVED_FROM]->,      |
|                                       |   -[:ASSERTED_BY]->, -[:DENIED_BY]->, -[:LOCATION]->    |
| a claim's rdfs:comment / kg:attributes| note / attr_<name> typed properties (.attributes)      |
| a claim's ends' names, type and status| caption: "Russia ADVANCING_ON Dnipropetrovsk Oblast · disputed" |
| asserted claims of one (s, p, o, time)| (s)-[:LEADER_OF {key, date, start, end, evidence, …}]->(o)|
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from kgload.fingerprint import canonical_json, key_json
from kgload.model import MappedDocument
from kgload.ontology import Ontology, local_name
from kgload.rdf.geometry import AS_WKT, HAS_GEOMETRY, least, parse_wkt
from kgload.rdf.plan import DOCUMENT_PROPERTIES, claim_field
from kgload.sinks.neo4j.attributes import flatten_attributes
from kgload.vocabulary.namespaces import KG, OWL, PROV, RDF, RDFS, SCHEMA, SKOS, WD, XSD

TYPE = RDF + "type"

# Predicates compared once per quad of every document (a quarter of a load's client time was
# projection): built once here, not concatenated in the loops.
_IS_CLAIM = (TYPE, ox.NamedNode(KG + "Claim"))
_LABEL, _ALT_LABEL, _SAME_AS, _ISO_CODE = RDFS + "label", SKOS + "altLabel", OWL + "sameAs", KG + "isoCode"
# an entity's identifiers besides its QID and ISO code: node properties of the same name
IDENTIFIER_PROPERTIES = {KG + "cameoActorCode": "cameoActorCode", KG + "countryCode": "countryCode"}
_SUBJECT, _OBJECT, _PREDICATE = RDF + "subject", RDF + "object", RDF + "predicate"
_STATUS, _LOCATION, _ATTRIBUTES = KG + "status", KG + "location", KG + "attributes"
_CLAIM_LISTS = {KG + "assertedBy": "assertedBy", KG + "deniedBy": "deniedBy"}
_DERIVED_FROM, _GENERATED_BY = PROV + "wasDerivedFrom", PROV + "wasGeneratedBy"
_HAS_GEOMETRY, _AS_WKT = HAS_GEOMETRY.value, AS_WKT.value


@dataclass
class EntityRow:
    uri: str
    labels: tuple[str, ...]
    name: str
    names: list[str]  # every name this document used for it
    wikidata: str | None = None
    iso_code: str | None = None
    same_as: list[str] = field(default_factory=list)
    props: dict[str, Any] = field(default_factory=dict)  # literal properties of RDF loaded as it is
    location: tuple[float, float] | None = None  # a place's point (latitude, longitude): Neo4j `location`


@dataclass
class ClaimRow:
    uri: str
    key: str
    rel_type: str
    head: str
    tail: str
    status: str
    props: dict[str, Any]
    asserted_by: list[str] = field(default_factory=list)
    denied_by: list[str] = field(default_factory=list)
    location: str | None = None


@dataclass
class DocumentRows:
    uri: str
    props: dict[str, Any]
    entities: list[EntityRow]
    claims: list[ClaimRow]


def relationship_key(head: str, predicate: str, tail: str, props: dict[str, Any]) -> str:
    """One relationship per (subject, predicate, object, time): two calls on two dates are two."""
    when = [str(props.get(k)) if props.get(k) is not None else None for k in ("date", "start", "end")]
    return hashlib.sha256(key_json([head, predicate, tail, *when]).encode()).hexdigest()[:32]


def claim_caption(head: str, rel_type: str, tail: str, status: str, words: str | None = None) -> str:
    """What the Browser writes on a claim node (its style sheet can only caption from a property);
    a free-text relation reads with the source's own words, which say more than RELATED_TO."""
    said = f"“{words}”" if words and rel_type == "RELATED_TO" else rel_type
    return f"{head} {said} {tail} · {status}"


def caption_claims(rows: DocumentRows) -> DocumentRows:
    """Give each claim its ``caption``, naming its ends as this document names them (so the caption
    does not depend on which other documents are loaded, nor in which order)."""
    names = {entity.uri: entity.name for entity in rows.entities}
    for claim in rows.claims:
        head = names.get(claim.head) or local_name(claim.head)
        tail = names.get(claim.tail) or local_name(claim.tail)
        words = claim.props.get("predicateText")
        claim.props["caption"] = claim_caption(head, claim.rel_type, tail, claim.status, words)
    return rows


def _datetime(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _boolean(text: str) -> bool:
    return text in ("true", "1")


# datatype -> the Python value Neo4j stores; other literals stay text
_LITERAL_VALUES: dict[str, Callable[[str], Any]] = {
    XSD + "date": dt.date.fromisoformat,
    XSD + "dateTime": _datetime,
    **dict.fromkeys((XSD + "decimal", XSD + "double", XSD + "float"), float),
    **dict.fromkeys(
        (XSD + "integer", XSD + "nonNegativeInteger", XSD + "int", XSD + "long", XSD + "positiveInteger"), int
    ),
    XSD + "boolean": _boolean,
}


def value(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Any:
    """An RDF term as the Neo4j value an analyst would expect (dates as dates, numbers as numbers)."""
    if not isinstance(term, ox.Literal):
        return term.value
    text = term.value
    convert = _LITERAL_VALUES.get(term.datatype.value)
    if convert is not None:
        try:
            return convert(text)
        except ValueError:
            pass  # an ill-typed literal keeps its lexical form rather than failing the load
    return text


def project_early(doc: MappedDocument, ontology: Ontology) -> MappedDocument:
    """Project a document as soon as it is mapped and drop its quads: a batch then holds rows
    (about a third of the memory) rather than pyoxigraph quads. ``rows_of`` gives the rows. A
    document a worker projected already is passed on."""
    if doc.prepared is None:
        doc.drop_quads(project(doc, ontology))
    return doc


def rows_of(doc: MappedDocument, ontology: Ontology) -> DocumentRows:
    return doc.prepared if doc.prepared is not None else project(doc, ontology)


def project(doc: MappedDocument, ontology: Ontology) -> DocumentRows:
    if doc.raw:
        return project_raw(doc, ontology)
    subjects: dict[str, list[tuple[str, ox.NamedNode | ox.BlankNode | ox.Literal]]] = {}
    for quad in doc.quads:
        subjects.setdefault(quad.subject.value, []).append((quad.predicate.value, quad.object))

    doc_props: dict[str, Any] = {}
    mentions: list[str] = []
    for p, o in subjects.get(doc.iri, ()):
        if p in DOCUMENT_PROPERTIES:
            doc_props[DOCUMENT_PROPERTIES[p]] = value(o)
        elif p == SCHEMA + "mentions":
            mentions.append(o.value)

    entities = [entity_row(uri, subjects.get(uri, ()), ontology) for uri in dict.fromkeys(mentions)]
    for entity in entities:
        entity.location = _location(entity.uri, subjects)
    claims = [_claim(uri, props, ontology) for uri, props in subjects.items() if _IS_CLAIM in props]
    return caption_claims(DocumentRows(doc.iri, doc_props, entities, [c for c in claims if c is not None]))


def entity_row(uri: str, props, ontology: Ontology) -> EntityRow:
    types: list[str] = []
    name = ""
    names: list[str] = []
    row = EntityRow(uri, (), "", names)
    for p, o in props:
        if p == TYPE:
            types.append(o.value)
        elif p == _LABEL:
            name = o.value
        elif p == _ALT_LABEL:
            names.append(o.value)
        elif p == _SAME_AS:
            same = o.value
            row.same_as.append(same)
            if same.startswith(WD):
                row.wikidata = same[len(WD) :]
        elif p == _ISO_CODE:
            row.iso_code = o.value
        elif p in IDENTIFIER_PROPERTIES:
            row.props[IDENTIFIER_PROPERTIES[p]] = o.value
    row.labels = ontology.node_labels(tuple(types))
    row.name = name or uri
    row.names[:0] = [row.name]
    return row


def _location(uri: str, subjects: dict[str, list[tuple[str, Any]]]) -> tuple[float, float] | None:
    """The least of the points the entity's geometries give (kgload.rdf.geometry's rule)."""
    points = [
        point
        for p, geometry in subjects.get(uri, ())
        if p == _HAS_GEOMETRY
        for q, text in subjects.get(geometry.value, ())
        if q == _AS_WKT and (point := parse_wkt(text.value)) is not None
    ]
    return least(points)


def add_field(fields: dict[str, Any], name: str, item: Any) -> None:
    """Set a claim's property; a second note makes a list (other properties keep one value, the
    last, as they always have)."""
    if name != "note" or name not in fields:
        fields[name] = item
        return
    held = fields[name]
    items = [*held, item] if isinstance(held, list) else [held, item]
    fields[name] = [str(x) for x in items]  # a Neo4j list holds one type


def _claim(uri: str, props, ontology: Ontology) -> ClaimRow | None:
    fields: dict[str, Any] = {}
    head = tail = predicate = None
    status = "asserted"
    row_lists: dict[str, list[str]] = {"assertedBy": [], "deniedBy": []}
    location = None
    for p, o in props:
        if p == _SUBJECT:
            head = o.value
        elif p == _OBJECT:
            tail = o.value
        elif p == _PREDICATE:
            predicate = o.value
        elif p == _STATUS:
            status = o.value.rsplit("#", 1)[-1].lower()
        elif p in _CLAIM_LISTS:
            row_lists[_CLAIM_LISTS[p]].append(o.value)
        elif p == _LOCATION:
            location = o.value
        elif p == _DERIVED_FROM:
            fields["document"] = o.value
        elif p == _GENERATED_BY:
            fields["run"] = o.value
        elif p == _ATTRIBUTES:
            fields.update(flatten_attributes(o.value))
        elif (name := claim_field(p)) is not None:
            add_field(fields, name, value(o))
    relation = ontology.relations.get(predicate or "")
    if head is None or tail is None or relation is None:
        return None  # not a relation kgload knows how to project; SHACL reports it upstream
    fields["predicate"] = relation.neo4j_type
    fields["predicateUri"] = relation.iri
    fields["status"] = status
    key = relationship_key(head, relation.iri, tail, fields)
    return ClaimRow(
        uri,
        key,
        relation.neo4j_type,
        head,
        tail,
        status,
        fields,
        row_lists["assertedBy"],
        row_lists["deniedBy"],
        location,
    )


# -- RDF loaded as it is --------------------------------------------------------------------

NAME_PREDICATES = (RDFS + "label", SKOS + "prefLabel", SCHEMA + "name", "http://xmlns.com/foaf/0.1/name")
RELATED = KG + "related"
_SAFE_KEY = re.compile(r"[^A-Za-z0-9_]")
RESERVED = frozenset({"uri", "name", "aliases", "wikidata", "isoCode", "types"})


def node_uri(term: ox.NamedNode | ox.BlankNode) -> str:
    return f"bnode://{term.value}" if isinstance(term, ox.BlankNode) else term.value


def property_key(predicate: str) -> str:
    """A property key from a predicate's local name (it travels as a map key in a parameter,
    never in the query text, but is kept to plain characters for analysts' convenience)."""
    return _SAFE_KEY.sub("_", local_name(predicate)) or "value"


def project_raw(doc: MappedDocument, ontology: Ontology) -> DocumentRows:
    """Generic projection, n10s-like: resources become nodes (labels only from ontology
    classes), literals properties, and each resource-valued triple a relationship: typed when
    its predicate is a kgload relation property, else RELATED with the predicate's IRI."""
    doc_props: dict[str, Any] = {}
    nodes: dict[str, dict[str, Any]] = {}
    triples: list[tuple[str, str, str]] = []
    for quad in doc.quads:
        s, p, o = quad.subject, quad.predicate.value, quad.object
        if s.value == doc.iri:
            if p in DOCUMENT_PROPERTIES:
                doc_props[DOCUMENT_PROPERTIES[p]] = value(o)
            continue
        node = nodes.setdefault(node_uri(s), {"types": [], "literals": {}, "names": []})
        if p == TYPE and isinstance(o, ox.NamedNode):
            node["types"].append(o.value)
        elif isinstance(o, ox.Literal):
            if p in NAME_PREDICATES:
                node["names"].append((0 if o.language in (None, "", "en") else 1, o.value))
            node["literals"].setdefault(property_key(p), []).append(value(o))
        else:
            nodes.setdefault(node_uri(o), {"types": [], "literals": {}, "names": []})
            triples.append((node_uri(s), p, node_uri(o)))
    entities = [_raw_entity(uri, node, ontology) for uri, node in nodes.items()]
    claims = []
    for s, p, o in dict.fromkeys(triples):
        relation = ontology.relations.get(p) or ontology.relations[RELATED]
        props = {"predicate": relation.neo4j_type, "predicateUri": p, "status": "asserted", "document": doc.iri}
        uri = doc.iri + "#" + hashlib.sha256(canonical_json([s, p, o]).encode()).hexdigest()[:24]
        claims.append(ClaimRow(uri, relationship_key(s, p, o, props), relation.neo4j_type, s, o, "asserted", props))
    return caption_claims(DocumentRows(doc.iri, doc_props, entities, claims))


def _raw_entity(uri: str, node: dict[str, Any], ontology: Ontology) -> EntityRow:
    labels: set[str] = set()
    for t in node["types"]:
        if t in ontology.classes:
            labels.add(ontology.classes[t])
            labels.update(ontology.classes[s] for s in ontology.superclasses.get(t, ()))
    names = [n for _, n in sorted(node["names"])]
    # keys kgload maintains itself get a trailing underscore rather than overwrite them
    props: dict[str, Any] = {(k + "_" if k in RESERVED else k): _homogeneous(v) for k, v in node["literals"].items()}
    if node["types"]:
        props["types"] = sorted(set(node["types"]))
    name = names[0] if names else local_name(uri)
    return EntityRow(uri, tuple(sorted(labels)), name, [name], props=props)


def _homogeneous(values: list[Any]) -> Any:
    """One value stays a value; several become a list, as strings when their types differ
    (Neo4j lists hold one type)."""
    if len(values) == 1:
        return values[0]
    kinds = {type(v) for v in values}
    return values if len(kinds) == 1 else [str(v) for v in values]
