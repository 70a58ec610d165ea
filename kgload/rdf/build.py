"""Records + mapping -> RDF quads: the heart of ``kgload map``.

Each source document becomes one named graph holding everything it contributes: the document
node, the entities it mentions, a direct triple per asserted relation and a claim node per
relation carrying its metadata (see docs/rdf-model.md for why claims are reified this way).
Dropping that graph retracts the document, which is what makes reloads and retractions exact.

Quads are pyoxigraph terms: building them costs a fraction of rdflib's per-triple objects, and
``kgload.rdf.convert`` turns them into an rdflib Dataset for library users.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from hashlib import sha256
from typing import Any

from pyoxigraph import Literal, NamedNode, Quad

from kgload.fingerprint import canonical_json, combine
from kgload.mapping.resolve import GazetteerEntry, normalise
from kgload.mapping.spec import EntityRule, Mapping, PropertyRule
from kgload.mapping.templates import TemplateError
from kgload.mapping.tenures import Holding, TenureIndex
from kgload.rdf.literals import LiteralError, typed
from kgload.rdf.namespaces import DCTERMS, KG, OWL, PROV, RDF, RDFS, SCHEMA, SKOS, WD, XSD
from kgload.records import Entity, Extraction, Origin, Reject, Relation

_N = NamedNode
A = _N(RDF + "type")
LABEL, ALT_LABEL, SAME_AS = _N(RDFS + "label"), _N(SKOS + "altLabel"), _N(OWL + "sameAs")
SUBJECT, PREDICATE, OBJECT = _N(RDF + "subject"), _N(RDF + "predicate"), _N(RDF + "object")
CLAIM, DOCUMENT = _N(KG + "Claim"), _N(KG + "Document")
STATUS = {s: _N(KG + s.capitalize()) for s in ("asserted", "denied", "disputed")}
P = {
    name: _N(KG + name)
    for name in (
        "date",
        "startDate",
        "endDate",
        "evidence",
        "sentenceIndex",
        "confidence",
        "status",
        "assertedBy",
        "deniedBy",
        "location",
        "eventCode",
        "eventCodeScheme",
        "attributes",
        "recordedAt",
        "fingerprint",
        "isoCode",
    )
}
GRAPH = _N(KG + "graph")  # a further named graph a document's facts went to (mapping `graph:`)
DERIVED_FROM, GENERATED_BY = _N(PROV + "wasDerivedFrom"), _N(PROV + "wasGeneratedBy")
TITLE, PUBLISHER, ISSUED = _N(DCTERMS + "title"), _N(DCTERMS + "publisher"), _N(DCTERMS + "issued")
IDENTIFIER, LANGUAGE, URL, MENTIONS = (
    _N(DCTERMS + "identifier"),
    _N(DCTERMS + "language"),
    _N(SCHEMA + "url"),
    _N(SCHEMA + "mentions"),
)
_XSD = {
    name: _N(XSD + name)
    for name in ("date", "gYearMonth", "gYear", "dateTime", "decimal", "nonNegativeInteger", "anyURI")
}
_JSON = _N(RDF + "JSON")
_DATE_TYPES = {10: _XSD["date"], 7: _XSD["gYearMonth"], 4: _XSD["gYear"]}
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T")


@dataclass(frozen=True)
class Run:
    """One invocation of kgload: its provenance goes on every claim it records."""

    id: str
    started: datetime

    @classmethod
    def new(cls) -> Run:
        now = datetime.now(UTC).replace(microsecond=0)
        return cls(f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}", now)

    def iri(self, base: str) -> str:
        return f"{base}run/{self.id}"


@dataclass(frozen=True)
class Merge:
    """Names that were merged into one entity, and why."""

    iri: str
    canonical: str
    names: tuple[str, ...]
    source: str  # "gazetteer" or "document"


@dataclass
class MappedDocument:
    source: Extraction
    iri: str
    graph: str
    fingerprint: str
    quads: list[Quad] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    merges: list[Merge] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)
    entities: int = 0
    claims: int = 0
    # claim IRI -> the relation it came from, so a later stage (SHACL) can reject that record
    claim_sources: dict[str, tuple[Origin, Relation]] = field(default_factory=dict)
    raw: bool = False  # RDF loaded as it is, not through the mapping


class _Group:
    """Entities of one document that name the same actor."""

    def __init__(self, rule: EntityRule) -> None:
        self.rule = rule
        self.members: list[Entity] = []

    def names(self) -> list[str]:
        seen: dict[str, None] = {}
        for entity in self.members:
            seen.setdefault(entity.name)
        for entity in self.members:
            for alias in (*entity.aliases, *(m.text for m in entity.mentions)):
                seen.setdefault(alias)
        return list(seen)


def map_extraction(
    extraction: Extraction, mapping: Mapping, run: Run, tenures: TenureIndex | None = None
) -> MappedDocument:
    """Map one document's records to quads in its own named graph; never raises on bad input.

    ``tenures`` resolves role mentions ("the US President") as of the document's date, and
    learns the office holdings this document states for the documents after it.
    """
    doc = extraction.document
    values = {"base": mapping.base, "id": doc.id, "publisher": doc.publisher, "published": doc.published}
    try:
        doc_iri, graph_iri = mapping.document_iri.render(values), mapping.graph_iri.render(values)
        doc_node, graph = _N(doc_iri), _N(graph_iri)
    except (TemplateError, ValueError) as exc:
        out = MappedDocument(extraction, "", "", "")
        out.rejects.append(Reject(extraction.origin, f"document IRI: {exc}", {"document": doc.id}, "map"))
        return out

    out = MappedDocument(extraction, doc_iri, graph_iri, combine(extraction.fingerprint, mapping.hash))
    quads = out.quads
    run_node = _N(run.iri(mapping.base))
    language = doc.language or mapping.language

    def add(s: NamedNode, p: NamedNode, o: NamedNode | Literal, g: NamedNode = graph) -> None:
        quads.append(Quad(s, p, o, g))

    add(doc_node, A, DOCUMENT)
    add(doc_node, IDENTIFIER, Literal(doc.id))
    add(doc_node, TITLE, Literal(doc.title, language=language) if language else Literal(doc.title))
    if doc.publisher:
        add(doc_node, PUBLISHER, Literal(doc.publisher))
    if doc.published:
        add(doc_node, ISSUED, _temporal(doc.published))
    if language:
        add(doc_node, LANGUAGE, Literal(language))
    if doc.url:
        add(doc_node, URL, Literal(doc.url, datatype=_XSD["anyURI"]))
    add(doc_node, P["fingerprint"], Literal(out.fingerprint))
    add(doc_node, GENERATED_BY, run_node)

    day = doc.published[:10] if doc.published else None
    entity_iris = _map_entities(extraction, mapping, out, add, doc_node, tenures, day)
    recorded = Literal(run.started.strftime("%Y-%m-%dT%H:%M:%SZ"), datatype=_XSD["dateTime"])
    for relation, origin in zip(extraction.relations, _origins(extraction), strict=True):
        outcome = _map_relation(relation, mapping, entity_iris, doc, doc_node, run_node, recorded, language, add, graph)
        if isinstance(outcome, str):
            stage = "filter" if outcome.startswith(("confidence", "condition")) else "map"
            out.rejects.append(Reject(origin, outcome, relation_json(relation), stage))
        else:
            out.claims += 1
            out.claim_sources[outcome.value] = (origin, relation)
            if tenures is not None and relation.start and relation.status == "asserted":
                _learn_tenure(tenures, mapping, relation, entity_iris, out)
    out.quads = list(dict.fromkeys(quads))  # two claims of one fact share its direct triple
    return out


def _learn_tenure(
    tenures: TenureIndex, mapping: Mapping, relation: Relation, iris: dict[str, NamedNode], out: MappedDocument
) -> None:
    rule = mapping.relation_rule(relation.type)
    if rule is None or rule.inverse:
        return
    offices = {mapping.relation_rule(role.office) for role in mapping.gazetteer.roles}
    if rule not in offices:
        return
    head = iris[relation.head].value
    name = next((q.object.value for q in out.quads if q.subject.value == head and q.predicate == LABEL), head)
    tenures.add(rule.property.iri, iris[relation.tail].value, Holding(head, name, relation.start or "", relation.end))


def _origins(extraction: Extraction) -> tuple[Origin, ...]:
    if len(extraction.relation_origins) == len(extraction.relations):
        return extraction.relation_origins
    return tuple(extraction.origin.at(f"relations[{i}]") for i in range(len(extraction.relations)))


def _map_entities(
    extraction: Extraction,
    mapping: Mapping,
    out: MappedDocument,
    add,
    doc_node: NamedNode,
    tenures: TenureIndex | None,
    day: str | None,
) -> dict[str, NamedNode]:
    groups: list[_Group] = []
    by_key: dict[tuple[str, str], _Group] = {}
    group_of: dict[str, _Group] = {}
    for index, entity in enumerate(extraction.entities):
        rule = mapping.entity_rule(entity.type)
        if rule is None:
            known = ", ".join(sorted({r.source_type for r in mapping.entity_rules.values()}))
            reason = (
                f"entity type {entity.type!r} is not in the mapping "
                f"({mapping.path.name}: entities.types; known: {known})"
            )
            out.rejects.append(
                Reject(
                    extraction.origin.at(f"entities[{index}]"),
                    reason,
                    {"id": entity.id, "name": entity.name, "type": entity.type},
                    "map",
                )
            )
            continue
        keys = [(rule.class_iri, k) for k in {normalise(n) for n in (entity.name, *entity.aliases)} if k]
        found = [by_key[k] for k in keys if k in by_key]
        group = found[0] if found else _Group(rule)
        if not found:
            groups.append(group)
        for other in found[1:]:  # this entity bridges two groups: fold the later one in
            if other is not group:
                group.members.extend(other.members)
                groups.remove(other)
                for member in other.members:
                    group_of[member.id] = group
                by_key.update({k: group for k, g in by_key.items() if g is other})
        group.members.append(entity)
        group_of[entity.id] = group
        by_key.update({k: group for k in keys})

    iris: dict[int, NamedNode] = {}
    for group in groups:
        iris[id(group)] = _emit_entity(group, mapping, out, add, doc_node, tenures, day)
    return {entity_id: iris[id(group)] for entity_id, group in group_of.items() if id(group) in iris}


def entity_iri(
    mapping: Mapping,
    rule: EntityRule,
    name: str,
    local_id: str = "",
    wikidata: str | None = None,
    iso: str | None = None,
) -> str:
    """The entity's IRI from the first of the rule's templates whose fields all have values."""
    values = {
        "base": mapping.base,
        "name": name,
        "type": rule.source_type,
        "id": local_id,
        "class": rule.class_iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1],
        "wikidata": wikidata,
        "iso_code": iso,
    }
    for template in rule.templates:
        try:
            return NamedNode(template.render(values)).value
        except (TemplateError, ValueError):
            continue  # a later template may not need the missing field
    return f"{mapping.base}id/{values['class'].lower()}/x-{sha256(name.encode()).hexdigest()[:16]}"


def gazetteer_iri(mapping: Mapping, name: str, type_name: str) -> tuple[str, GazetteerEntry | None]:
    """The IRI of a gazetteer entity named ``name`` (or of an unknown one so named)."""
    entry = mapping.gazetteer.lookup([name], type_name)
    rule = mapping.entity_rule(entry.type if entry else type_name)
    if rule is None:
        raise ValueError(f"type {type_name!r} is not in the mapping")
    if entry is None:
        return entity_iri(mapping, rule, name), None
    return entity_iri(mapping, rule, entry.name, wikidata=entry.wikidata, iso=entry.iso_code), entry


def tenure_index(mapping: Mapping) -> TenureIndex:
    """A fresh index holding the gazetteer's reference tenures."""
    index = TenureIndex()
    for tenure in mapping.gazetteer.tenures:
        rule = mapping.relation_rule(tenure.office)
        if rule is None:
            continue
        holder_iri, entry = gazetteer_iri(mapping, tenure.holder, "Person")
        of_iri, _ = gazetteer_iri(mapping, tenure.of, "Country")
        index.add(
            rule.property.iri,
            of_iri,
            Holding(holder_iri, entry.name if entry else tenure.holder, tenure.start, tenure.end),
        )
    return index


def office_properties(mapping: Mapping) -> list[str]:
    """The relation properties that role phrases refer to (e.g. kg:leaderOf)."""
    rules = (mapping.relation_rule(role.office) for role in mapping.gazetteer.roles)
    return sorted({r.property.iri for r in rules if r is not None})


def _role_holder(names: list[str], mapping: Mapping, tenures: TenureIndex | None, day: str | None):
    """(IRI, name) of whoever a role phrase among ``names`` designates on ``day``, if known."""
    if tenures is None or not day:
        return None
    role = mapping.gazetteer.role(names)
    rule = mapping.relation_rule(role.office) if role else None
    if role is None or rule is None:
        return None
    of_iri, _ = gazetteer_iri(mapping, role.of, "Country")
    return tenures.holder(rule.property.iri, of_iri, day)


def _emit_entity(
    group: _Group,
    mapping: Mapping,
    out: MappedDocument,
    add,
    doc_node: NamedNode,
    tenures: TenureIndex | None = None,
    day: str | None = None,
) -> NamedNode:
    names = group.names()
    first = group.members[0]
    entry: GazetteerEntry | None = mapping.gazetteer.lookup(names, group.rule.source_type)
    rule = group.rule
    source = "gazetteer"
    holding = _role_holder(names, mapping, tenures, day) if entry is None else None
    if holding is not None:
        entry = mapping.gazetteer.lookup([holding.holder_name], "Person") or GazetteerEntry(
            holding.holder_name, "Person"
        )
        source = f"role on {day}"
    if entry is not None:
        canonical = entry.name
        rule = mapping.entity_rule(entry.type) or rule
        wikidata, iso = entry.wikidata, entry.iso_code
    else:
        canonical = max((e.name for e in group.members), key=lambda n: (len(n), n))
        wikidata = next((e.wikidata for e in group.members if e.wikidata), None)
        iso = next((e.iso_code for e in group.members if e.iso_code), None)
        out.unresolved.append(canonical)
    node = _N(holding.holder_iri if holding else entity_iri(mapping, rule, canonical, first.id, wikidata, iso))
    surface = [n for n in names if n != canonical]
    if surface:
        out.merges.append(Merge(node.value, canonical, tuple(surface), source if entry else "document"))
    add(node, A, _N(rule.class_iri))
    add(node, LABEL, Literal(canonical))
    for name in surface:
        add(node, ALT_LABEL, Literal(name))
    if wikidata:
        add(node, SAME_AS, _N(WD + wikidata))
    if iso:
        add(node, P["isoCode"], Literal(iso))
    for entity in group.members:
        try:
            rest = _mapped_attributes(entity.attributes, rule.properties, node, add)
        except LiteralError as exc:  # keep the entity; its attributes stay, untyped, in the JSON
            out.rejects.append(
                Reject(
                    out.source.origin.at(f"entities[{entity.id}].attributes"),
                    f"attribute of {entity.name!r}: {exc}",
                    entity.attributes,
                    "map",
                )
            )
            rest = entity.attributes
        if rest:
            add(node, P["attributes"], Literal(canonical_json(rest), datatype=_JSON))
    add(doc_node, MENTIONS, node)
    out.entities += 1
    return node


def _map_relation(
    relation: Relation,
    mapping: Mapping,
    iris: dict[str, NamedNode],
    doc,
    doc_node,
    run_node,
    recorded,
    language,
    add,
    graph: NamedNode,
) -> str | NamedNode:
    """Emit one relation's quads and return its claim, or return why it cannot be mapped."""
    rule = mapping.relation_rule(relation.type)
    if rule is None:
        known = ", ".join(mapping.known_relation_types())
        return (
            f"relation type {relation.type!r} is not in the mapping "
            f"({mapping.path.name}: relations.types; known: {known})"
        )
    if relation.confidence is not None and relation.confidence < rule.min_confidence:
        return (
            f"confidence {relation.confidence} is below the mapping's threshold "
            f"{rule.min_confidence} for {relation.type!r}"
        )
    for condition in rule.when:
        if not condition.holds(relation):
            return f"condition not met: {condition.describe()} (mapping rule {rule.source_type!r})"
    refs = {"head": relation.head, "tail": relation.tail, "location": relation.location}
    refs.update({f"asserted_by[{i}]": r for i, r in enumerate(relation.asserted_by)})
    refs.update({f"denied_by[{i}]": r for i, r in enumerate(relation.denied_by)})
    for key, ref in refs.items():
        if ref is not None and ref not in iris:
            return f"{key} entity {ref!r} was not mapped (see its own reject)"
    head, tail = iris[relation.head], iris[relation.tail]
    if rule.inverse:
        head, tail = tail, head
    prop = rule.property
    if prop.symmetric and head.value > tail.value:
        head, tail = tail, head  # one canonical direction, so A-B and B-A are one fact
    if rule.graph is not None:
        try:
            graph = _N(
                rule.graph.render(
                    {
                        "base": mapping.base,
                        "id": doc.id,
                        "publisher": doc.publisher,
                        "published": doc.published,
                        "type": relation.type,
                    }
                )
            )
        except (TemplateError, ValueError) as exc:
            return f"graph template: {exc}"
        add(doc_node, GRAPH, graph)
    quads: list[Quad] = []

    def emit(s: NamedNode, p: NamedNode, o: NamedNode | Literal) -> None:
        quads.append(Quad(s, p, o, graph))

    attributes = {**rule.constants, **relation.attributes}
    predicate = _N(prop.iri)
    claim_key = [
        doc.id,
        head.value,
        prop.iri,
        tail.value,
        relation.date,
        relation.start,
        relation.end,
        relation.status,
        relation.evidence,
        relation.sentence,
    ]
    claim = _N(f"{mapping.base}claim/{sha256(canonical_json(claim_key).encode()).hexdigest()[:32]}")
    try:
        rest = _mapped_attributes(attributes, rule.properties, claim, emit)
    except LiteralError as exc:
        return f"attribute: {exc}"
    if relation.status == "asserted":
        emit(head, predicate, tail)
    emit(claim, A, CLAIM)
    emit(claim, SUBJECT, head)
    emit(claim, PREDICATE, predicate)
    emit(claim, OBJECT, tail)
    emit(claim, P["status"], STATUS[relation.status])
    for key, value in (("date", relation.date), ("startDate", relation.start), ("endDate", relation.end)):
        if value:
            emit(claim, P[key], _temporal(value))
    if relation.evidence:
        emit(
            claim,
            P["evidence"],
            Literal(relation.evidence, language=language) if language else Literal(relation.evidence),
        )
    if relation.sentence is not None:
        emit(claim, P["sentenceIndex"], Literal(str(relation.sentence), datatype=_XSD["nonNegativeInteger"]))
    if relation.confidence is not None:
        emit(claim, P["confidence"], Literal(_decimal(relation.confidence), datatype=_XSD["decimal"]))
    for ref in relation.asserted_by:
        emit(claim, P["assertedBy"], iris[ref])
    for ref in relation.denied_by:
        emit(claim, P["deniedBy"], iris[ref])
    if relation.location:
        emit(claim, P["location"], iris[relation.location])
    code = relation.event_code or (relation.type if rule.fallback else None)
    if code:
        emit(claim, P["eventCode"], Literal(code))
        if relation.event_code_scheme:
            emit(claim, P["eventCodeScheme"], Literal(relation.event_code_scheme))
    if rest:
        emit(claim, P["attributes"], Literal(canonical_json(rest), datatype=_JSON))
    emit(claim, DERIVED_FROM, doc_node)
    emit(claim, GENERATED_BY, run_node)
    emit(claim, P["recordedAt"], recorded)
    for quad in quads:
        add(quad.subject, quad.predicate, quad.object, quad.graph_name)
    return claim


def _mapped_attributes(
    attributes: dict[str, Any], rules: dict[str, PropertyRule], node: NamedNode, add
) -> dict[str, Any]:
    """Write the attributes the mapping names as typed properties; return the others."""
    rest: dict[str, Any] = {}
    typed_values: list[tuple[NamedNode, Literal]] = []
    for name, raw in attributes.items():
        rule = rules.get(name)
        if rule is None or raw is None:
            rest[name] = raw
            continue
        for item in raw if isinstance(raw, list) else [raw]:
            typed_values.append((_N(rule.iri), typed(item, rule.datatype, rule.language)))
    for predicate, value in typed_values:  # all or nothing: a bad value raises before any is written
        add(node, predicate, value)
    return rest


def _temporal(value: str) -> Literal:
    if _DATETIME.match(value):
        return Literal(value, datatype=_XSD["dateTime"])
    datatype = _DATE_TYPES.get(len(value.lstrip("-")))
    return Literal(value, datatype=datatype) if datatype else Literal(value)


def _decimal(value: float) -> str:
    text = f"{value:.6f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def relation_json(relation: Relation) -> dict[str, object]:
    return {k: v for k in Relation.__slots__ if (v := getattr(relation, k)) not in (None, (), {}, "")}
