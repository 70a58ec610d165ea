"""Records + mapping -> the decisions of ``kgload map``: what a document says, resolved.

Each source document becomes one named graph holding everything it contributes: the document
node, the entities it mentions, a direct triple per asserted relation and a claim node per
relation carrying its metadata (see docs/rdf-model.md for why claims are reified this way).
Dropping that graph retracts the document, which is what makes reloads and retractions exact.

This module decides: which entities of a document are one actor and what it resolves to
(``group_entities``, ``resolve_entity``: the entity's own statements as ``ResolvedEntity.pairs``),
which relations are accepted and in which direction (``accept_relation``), claim IRIs
(``claim_node``) and typed attributes. ``kgload.rdf.plan`` orders those decisions into a
document's statements, which every output renders. Terms are pyoxigraph's; what repeats across
documents (an actor's resolution, IRIs, predicates, labels, dates) is made once per mapping and
kept in its bounded memo (``kgload.mapping.memo``).
"""

from __future__ import annotations

from dataclasses import dataclass
from hashlib import sha256
from json.encoder import encode_basestring
from typing import Any

from pyoxigraph import Literal, NamedNode

from kgload.fingerprint import canonical_json, combine
from kgload.mapping.identity import Identity, identify, identifying_code
from kgload.mapping.resolve import GazetteerEntry, normalise
from kgload.mapping.spec import EntityRule, Mapping, PropertyRule, RelationRule
from kgload.mapping.templates import TemplateError
from kgload.mapping.tenures import Holding, TenureIndex
from kgload.mapping.world import WorldEntry
from kgload.model import MappedDocument, Merge, Run
from kgload.records import Entity, Extraction, Origin, Reject, Relation
from kgload.vocabulary.literals import (
    DATATYPE,
    LiteralError,
    typed,
)
from kgload.vocabulary.namespaces import DCTERMS, KG, OWL, PROV, RDF, RDFS, SCHEMA, SKOS, WD

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
        "cameoActorCode",
        "countryCode",
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
_JSON = RDF_JSON = _N(RDF + "JSON")
ANY_URI = DATATYPE["anyURI"]


class EntityGroup:
    """Entities of one document that name the same actor."""

    def __init__(self, rule: EntityRule) -> None:
        self.rule = rule
        self.members: list[Entity] = []

    def names(self) -> list[str]:
        if len(self.members) == 1:  # most groups: the same names in the same order, one pass
            entity = self.members[0]
            return list(dict.fromkeys((entity.name, *entity.aliases, *(m.text for m in entity.mentions))))
        seen: dict[str, None] = {}
        for entity in self.members:
            seen.setdefault(entity.name)
        for entity in self.members:
            for alias in (*entity.aliases, *(m.text for m in entity.mentions)):
                seen.setdefault(alias)
        return list(seen)


def start_document(
    extraction: Extraction, mapping: Mapping
) -> tuple[MappedDocument, NamedNode | None, NamedNode | None]:
    """The document's mapping, still empty, with its node and named graph; or, when its IRIs
    cannot be made, a mapping without them whose reject says why."""
    doc = extraction.document
    try:
        doc_iri = mapping.document_iri_for(doc.id, doc.publisher, doc.published)
        graph_iri = mapping.graph_iri_for(doc.id, doc.publisher, doc.published)
        doc_node, graph = _N(doc_iri), _N(graph_iri)
    except (TemplateError, ValueError) as exc:
        out = MappedDocument(extraction, "", "", "")
        out.rejects.append(Reject(extraction.origin, f"document IRI: {exc}", {"document": doc.id}, "map"))
        return out, None, None
    return (
        MappedDocument(extraction, doc_iri, graph_iri, combine(extraction.fingerprint, mapping.hash)),
        doc_node,
        graph,
    )


def relation_reject(origin: Origin, reason: str, relation: Relation) -> Reject:
    stage = "filter" if reason.startswith(("confidence", "condition")) else "map"
    return Reject(origin, reason, relation_json(relation), stage)


def recorded_literal(mapping: Mapping, run: Run) -> Literal:
    """When the run started, to the second: every claim it records carries it."""
    return mapping.memo.get("recorded", run.started, _recorded, run)


def _recorded(run: Run) -> Literal:
    return Literal(run.started.strftime("%Y-%m-%dT%H:%M:%SZ"), datatype=DATATYPE["dateTime"])


def learn_tenure(
    tenures: TenureIndex, mapping: Mapping, relation: Relation, iris: dict[str, NamedNode], labels: dict[str, str]
) -> None:
    rule = _relation_rule(mapping, relation.type)
    if rule is None or rule.inverse:
        return
    offices = mapping.memo.get(
        "offices", None, lambda: {mapping.relation_rule(r.office) for r in mapping.gazetteer.roles}
    )
    if rule not in offices:
        return
    head = iris[relation.head].value
    tenures.add(
        rule.property.iri,
        iris[relation.tail].value,
        Holding(head, labels.get(head, head), relation.start or "", relation.end),
    )


def _relation_rule(mapping: Mapping, source_type: str) -> RelationRule | None:
    return mapping.memo.get("relation rule", source_type, mapping.relation_rule, source_type)


def _entity_rule(mapping: Mapping, source_type: str) -> EntityRule | None:
    return mapping.memo.get("entity rule", source_type, mapping.entity_rule, source_type)


def _node(mapping: Mapping, iri: str) -> NamedNode:
    """One NamedNode per IRI that repeats (classes, entities, predicates): made and checked once."""
    return mapping.memo.get("node", iri, _N, iri)


def _literal(mapping: Mapping, text: str) -> Literal:
    return mapping.memo.get("literal", text, Literal, text)


def relation_origins(extraction: Extraction) -> tuple[Origin, ...]:
    if len(extraction.relation_origins) == len(extraction.relations):
        return extraction.relation_origins
    return tuple(extraction.origin.at(f"relations[{i}]") for i in range(len(extraction.relations)))


def group_entities(
    extraction: Extraction, mapping: Mapping, out: MappedDocument
) -> tuple[list[EntityGroup], dict[str, EntityGroup]]:
    """The document's entities grouped by the actor they name (entities sharing a normalised name
    or alias are one), in document order, with each entity id's group; unmapped types go to
    ``out.rejects``."""
    groups: list[EntityGroup] = []
    by_key: dict[tuple[str, str], EntityGroup] = {}
    group_of: dict[str, EntityGroup] = {}
    for index, entity in enumerate(extraction.entities):
        rule = _entity_rule(mapping, entity.type)
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
        # in name order, not set order: which group absorbs which must not depend on hash seeds
        keys = [(rule.class_iri, k) for k in dict.fromkeys(normalise(n) for n in (entity.name, *entity.aliases)) if k]
        found = list(dict.fromkeys(by_key[k] for k in keys if k in by_key))  # two names may find one group
        group = found[0] if found else EntityGroup(rule)
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
    return groups, group_of


def entity_iri(
    mapping: Mapping,
    rule: EntityRule,
    name: str,
    local_id: str = "",
    wikidata: str | None = None,
    iso: str | None = None,
) -> str:
    """The entity's IRI from the first of the rule's templates whose fields all have values."""
    return _entity_node(mapping, rule, name, local_id, wikidata, iso).value


def _entity_node(
    mapping: Mapping, rule: EntityRule, name: str, local_id: str, wikidata: str | None, iso: str | None
) -> NamedNode:
    fields = _template_fields(mapping, rule)
    # the key holds only what the rule's templates read, so "Putin" with local ids "p1" and "e7"
    # is one entry; id(rule) is safe because the entry keeps the rule alive
    key = (
        id(rule),
        name,
        local_id if "id" in fields else "",
        wikidata if "wikidata" in fields else None,
        iso if "iso_code" in fields else None,
    )
    table = mapping.memo.table("entity iri")
    found = table.get(key)
    if found is None:
        found = table[key] = (rule, _mint_entity_node(mapping, rule, name, local_id, wikidata, iso))
    return found[1]


def _template_fields(mapping: Mapping, rule: EntityRule) -> frozenset[str]:
    table = mapping.memo.table("template fields")
    found = table.get(id(rule))
    if found is None:
        found = table[id(rule)] = (rule, frozenset().union(*(t.fields for t in rule.templates)))
    return found[1]


def _mint_entity_node(
    mapping: Mapping, rule: EntityRule, name: str, local_id: str, wikidata: str | None, iso: str | None
) -> NamedNode:
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
            return NamedNode(template.render(values))
        except (TemplateError, ValueError):
            continue  # a later template may not need the missing field
    return NamedNode(f"{mapping.base}id/{values['class'].lower()}/x-{sha256(name.encode()).hexdigest()[:16]}")


def gazetteer_iri(mapping: Mapping, name: str, type_name: str) -> tuple[str, GazetteerEntry | None]:
    """The IRI of a gazetteer entity named ``name`` (or of an unknown one so named)."""
    return mapping.memo.get("gazetteer iri", (name, type_name), lambda: _gazetteer_iri(mapping, name, type_name))


def _gazetteer_iri(mapping: Mapping, name: str, type_name: str) -> tuple[str, GazetteerEntry | None]:
    rule = mapping.entity_rule(type_name)
    if rule is None:
        raise ValueError(f"type {type_name!r} is not in the mapping")
    entry = identify(mapping.world, [name], type_name).entry
    if entry is None:
        return entity_iri(mapping, rule, name), None
    found = GazetteerEntry(entry.name or name, entry.cls or type_name, entry.wikidata, entry.iso)
    return canonical_node(mapping, entry.key).value, found


def identity_iri(mapping: Mapping, identity: Identity, name: str, type_name: str | None) -> str:
    """The IRI an entity named ``name`` gets once identified (``kgload resolve`` shows it)."""
    if identity.entry is not None and identity.entry.key:
        return canonical_node(mapping, identity.entry.key).value
    rule = mapping.entity_rule(type_name or "") or next(iter(mapping.entity_rules.values()))
    return entity_iri(mapping, rule, name)


def canonical_node(mapping: Mapping, key: str) -> NamedNode:
    """The IRI of a canonical entry: from its key alone, never from how a source typed it."""
    return mapping.memo.get("canonical iri", key, _canonical_node, mapping, key)


def _canonical_node(mapping: Mapping, key: str) -> NamedNode:
    return NamedNode(mapping.canonical_iri.render({"base": mapping.base, "key": key}))


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
    """(IRI, name) of whoever a role phrase among ``names`` designates on ``day``, if known.

    Which office a phrase names is memoised; who held it that day is asked every time, since the
    index learns as the run goes (and a parallel run records each question)."""
    if tenures is None or not day:
        return None
    role = mapping.gazetteer.role(names)
    rule = _relation_rule(mapping, role.office) if role else None
    if role is None or rule is None:
        return None
    of_iri, _ = gazetteer_iri(mapping, role.of, "Country")
    return tenures.holder(rule.property.iri, of_iri, day)


@dataclass(frozen=True, slots=True)
class ResolvedEntity:
    """What a group of names resolved to, and the entity's own quads as (predicate, object) pairs."""

    node: NamedNode
    iri: str
    canonical: str
    rule: EntityRule
    pairs: tuple[tuple[NamedNode, NamedNode | Literal], ...]
    merge: Merge | None
    unresolved: bool
    names: tuple[str, ...]  # the canonical name, then the others the document used (its labels)
    wikidata: str | None
    iso_code: str | None
    cameo: str | None = None  # the entry's CAMEO actor code, when it has no QID
    country: str | None = None  # ISO alpha-2 of the country a sector belongs to ("Police (India)": IN)
    how: str = "unresolved"  # gazetteer, code, role, learned or unresolved (kgload.mapping.identity)
    problem: str | None = None  # "ambiguous" or "contradicts": a gazetteer match kept apart


def _resolve(
    group: EntityGroup, names: list[str], mapping: Mapping, tenures: TenureIndex | None, day: str | None
) -> ResolvedEntity:
    """The group's entity, memoised unless a role phrase makes it depend on the document's date:
    everything else it depends on (names in order, the members' names and codes, the first member's
    id when a template uses it, the mapping) is in the key."""
    members = group.members
    key = (
        id(group.rule),  # the entry holds the rule, so the id cannot be reused while it lives
        tuple(names),
        members[0].id if _uses_local_id(mapping) else "",
        tuple([(e.name, e.wikidata, e.iso_code, e.cameo, e.country) for e in members]),
    )
    table = mapping.memo.table("entity")
    found = table.get(key)
    if found is not None:
        return found
    resolved, dated = _resolve_now(group, names, mapping, tenures, day)
    if not dated:
        table[key] = resolved
    return resolved


def _uses_local_id(mapping: Mapping) -> bool:
    return mapping.memo.get("uses id", None, _any_template_reads_id, mapping)


def _any_template_reads_id(mapping: Mapping) -> bool:
    return any("id" in t.fields for r in mapping.entity_rules.values() for t in r.templates)


def _first_of(members: list[Entity], field: str) -> str | None:
    return next((v for e in members if (v := getattr(e, field))), None)


def _identify(group: EntityGroup, names: list[str], mapping: Mapping, day: str | None) -> Identity:
    members = group.members
    return identify(
        mapping.world,
        names,
        group.rule.source_type,
        day,
        wikidata=_first_of(members, "wikidata"),
        iso=_first_of(members, "iso_code"),
        cameo=_first_of(members, "cameo"),
        country=_first_of(members, "country"),
    )


def _resolve_now(
    group: EntityGroup, names: list[str], mapping: Mapping, tenures: TenureIndex | None, day: str | None
) -> tuple[ResolvedEntity, bool]:
    """The group's entity, and whether it depends on the day (a role phrase)."""
    first = group.members[0]
    rule = group.rule
    identity = _identify(group, names, mapping, day)
    entry: WorldEntry | None = identity.entry
    how: str = identity.how
    dated = identity.dated
    node: NamedNode | None = None
    if (entry is None or entry.cls != "Person") and mapping.gazetteer.role(names) is not None:
        # a role of the user's gazetteer, answered by the tenures the run knows and learns, unless the
        # world named a person: the user's tenures come before a world entry that is no one's name
        # ("the US President" after the world's terms end is not the dictionaries' "President Of The
        # United States"); with no holder known, that entry stays
        dated = True
        holding = _role_holder(names, mapping, tenures, day)
        if holding is not None:
            node, how = _node(mapping, holding.holder_iri), "role"
            entry = WorldEntry(key="", name=holding.holder_name, cls="Person")
    if entry is not None:
        canonical = entry.name or max(names, key=lambda n: (len(n), n))
        rule = (_entity_rule(mapping, entry.cls) if entry.cls else None) or rule
        wikidata, iso = entry.wikidata, entry.iso
        cameo = identifying_code(mapping.world, entry) if entry.cameo and not wikidata else None
        country = entry.country if entry.parent else None
        if node is None:
            node = canonical_node(mapping, entry.key)
    else:
        canonical = max((e.name for e in group.members), key=lambda n: (len(n), n))
        wikidata = next((e.wikidata for e in group.members if e.wikidata), None)
        iso = next((e.iso_code for e in group.members if e.iso_code), None)
        cameo = country = None
        node = _entity_node(mapping, rule, canonical, first.id, wikidata, iso)
    surface = [n for n in names if n != canonical]
    source = {"unresolved": "document", "learned": "learned"}.get(how, f"{how}: {identity.rule or how}")
    merge = Merge(node.value, canonical, tuple(surface), source) if surface else None
    pairs: list[tuple[NamedNode, NamedNode | Literal]] = [
        (A, _node(mapping, rule.class_iri)),
        (LABEL, _literal(mapping, canonical)),
    ]
    pairs.extend((ALT_LABEL, _literal(mapping, name)) for name in surface)
    if wikidata:
        pairs.append((SAME_AS, _node(mapping, WD + wikidata)))
    if iso:
        pairs.append((P["isoCode"], _literal(mapping, iso)))
    if cameo:
        pairs.append((P["cameoActorCode"], _literal(mapping, cameo)))
    if country:
        pairs.append((P["countryCode"], _literal(mapping, country)))
    problem = identity.problem.status if identity.problem is not None and entry is None else None
    resolved = ResolvedEntity(
        node,
        node.value,
        canonical,
        rule,
        tuple(pairs),
        merge,
        entry is None,
        (canonical, *surface),
        wikidata,
        iso,
        cameo,
        country,
        how,
        problem,
    )
    return resolved, dated


def resolve_entity(
    group: EntityGroup,
    mapping: Mapping,
    out: MappedDocument,
    tenures: TenureIndex | None = None,
    day: str | None = None,
    labels: dict[str, str] | None = None,
) -> ResolvedEntity:
    """The entity a group names, noted in ``out`` (unresolved names, merges, the entity count)."""
    resolved = _resolve(group, group.names(), mapping, tenures, day)
    if resolved.unresolved:
        out.unresolved.append(resolved.canonical)
        out.free_names.append((resolved.iri, resolved.canonical))
        if resolved.problem is not None:
            out.ambiguous.append(f"{resolved.canonical} ({resolved.problem})")
    out.identities.setdefault(resolved.iri, resolved.how)
    if resolved.merge is not None:
        out.merges.append(resolved.merge)
    if labels is not None:
        labels.setdefault(resolved.iri, resolved.canonical)
    out.entities += 1
    return resolved


def entity_attribute_pairs(
    group: EntityGroup, resolved: ResolvedEntity, mapping: Mapping, out: MappedDocument
) -> list[tuple[NamedNode, Literal]]:
    """The group's attributes as the entity's (predicate, object) pairs: typed where the mapping
    names them, the rest as JSON."""
    pairs: list[tuple[NamedNode, Literal]] = []
    for entity in group.members:
        if not entity.attributes:
            continue
        try:
            rest = _mapped_attributes(entity.attributes, resolved.rule.properties, pairs, mapping)
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
            pairs.append((P["attributes"], Literal(canonical_json(rest), datatype=_JSON)))
    return pairs


def accept_relation(
    relation: Relation, mapping: Mapping, iris: dict[str, NamedNode]
) -> str | tuple[RelationRule, NamedNode, NamedNode]:
    """The relation's rule and its (head, tail) in the property's direction, or why it is not mapped."""
    rule = _relation_rule(mapping, relation.type)
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
    if not _all_mapped(relation, iris):
        return _unmapped_reference(relation, iris)
    head, tail = iris[relation.head], iris[relation.tail]
    if rule.inverse:
        head, tail = tail, head
    if rule.property.symmetric and head.value > tail.value:
        head, tail = tail, head  # one canonical direction, so A-B and B-A are one fact
    return rule, head, tail


def claim_node(
    mapping: Mapping, document_id: str, head: NamedNode, prop_iri: str, tail: NamedNode, relation: Relation
) -> NamedNode:
    """The claim's IRI: a hash of what makes two reports one claim (not confidence or attributes)."""
    claim_key = [
        document_id,
        head.value,
        prop_iri,
        tail.value,
        relation.date,
        relation.start,
        relation.end,
        relation.status,
        relation.evidence,
        relation.sentence,
    ]
    return _N(f"{mapping.base}claim/{sha256(key_json(claim_key).encode()).hexdigest()[:32]}")


def repeated_claim(
    out: MappedDocument, claim: str, relation: Relation, mapping: Mapping, iris: dict[str, NamedNode]
) -> str | None:
    """Why a relation cannot be mapped when it states a claim that an earlier relation of the same
    document states (same ends, property, dates, status, evidence and sentence) but gives another
    value for what a claim has one of (confidence, location, event code and scheme, attributes):
    the first is kept. None when the claim is new here, or the two do not disagree (then their
    quads merge: a repeated relation is one claim)."""
    earlier = out.claim_sources.get(claim)
    if earlier is None:
        return None
    origin, first = earlier
    for name, theirs, mine in (
        ("confidence", first.confidence, relation.confidence),
        ("location", _reference(first.location, iris), _reference(relation.location, iris)),
        ("event code", _event_code(first, mapping), _event_code(relation, mapping)),
        ("event code scheme", first.event_code_scheme, relation.event_code_scheme),
        ("attributes", first.attributes or None, relation.attributes or None),
    ):
        if theirs is not None and mine is not None and theirs != mine:
            return (
                f"repeats the claim of {origin.path or 'an earlier relation'} with another {name} "
                f"({mine!r}; it has {theirs!r}); the first is kept"
            )
    return None


def _reference(entity_id: str | None, iris: dict[str, NamedNode]) -> str | None:
    return iris[entity_id].value if entity_id else None


def _event_code(relation: Relation, mapping: Mapping) -> str | None:
    if relation.event_code:
        return relation.event_code
    rule = _relation_rule(mapping, relation.type)
    return relation.type if rule is not None and rule.fallback else None


def claim_attribute_pairs(
    rule: RelationRule, relation: Relation, mapping: Mapping
) -> tuple[list[tuple[NamedNode, Literal]], dict[str, Any]] | str:
    """The claim's typed attributes as (predicate, object) pairs and its other attributes (for the
    JSON), or why a value is bad."""
    if not (rule.constants or relation.attributes):
        return [], {}
    pairs: list[tuple[NamedNode, Literal]] = []
    try:
        rest = _mapped_attributes({**rule.constants, **relation.attributes}, rule.properties, pairs, mapping)
    except LiteralError as exc:
        return f"attribute: {exc}"
    return pairs, rest


def _all_mapped(relation: Relation, iris: dict[str, NamedNode]) -> bool:
    return (
        relation.head in iris
        and relation.tail in iris
        and (relation.location is None or relation.location in iris)
        and all(r in iris for r in relation.asserted_by)
        and all(r in iris for r in relation.denied_by)
    )


def _unmapped_reference(relation: Relation, iris: dict[str, NamedNode]) -> str:
    refs = {"head": relation.head, "tail": relation.tail, "location": relation.location}
    refs.update({f"asserted_by[{i}]": r for i, r in enumerate(relation.asserted_by)})
    refs.update({f"denied_by[{i}]": r for i, r in enumerate(relation.denied_by)})
    return next(
        f"{key} entity {ref!r} was not mapped (see its own reject)"
        for key, ref in refs.items()
        if ref is not None and ref not in iris
    )


def key_json(items: list[Any]) -> str:
    """canonical_json of a list of strings, None and integers (a claim key, a relationship key), the
    same text, without the general encoder's set-up per call; anything else takes the general path.
    """
    parts = []
    for item in items:
        kind = type(item)
        if kind is str:
            parts.append(encode_basestring(item))
        elif item is None:
            parts.append("null")
        elif kind is int:
            parts.append(int.__repr__(item))
        else:
            return canonical_json(items)
    return "[" + ",".join(parts) + "]"


def _mapped_attributes(
    attributes: dict[str, Any],
    rules: dict[str, PropertyRule],
    pairs: list[tuple[NamedNode, Literal]],
    mapping: Mapping,
) -> dict[str, Any]:
    """Add the attributes the mapping names to ``pairs`` as typed values; return the others."""
    rest: dict[str, Any] = {}
    typed_values: list[tuple[NamedNode, Literal]] = []
    for name, raw in attributes.items():
        rule = rules.get(name)
        if rule is None or raw is None:
            rest[name] = raw
            continue
        for item in raw if isinstance(raw, list) else [raw]:
            typed_values.append((_node(mapping, rule.iri), typed(item, rule.datatype, rule.language)))
    pairs.extend(typed_values)  # all or nothing: a bad value raises before any is added
    return rest


def relation_json(relation: Relation) -> dict[str, object]:
    return {k: v for k in Relation.__slots__ if (v := getattr(relation, k)) not in (None, (), {}, "")}
