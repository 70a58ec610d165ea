"""Relations into claims: whether a relation is accepted and in which direction, the claim's IRI,
a repeated claim that disagrees with the first, and a relation's reject."""

from __future__ import annotations

from hashlib import sha256

from pyoxigraph import NamedNode

from kgload.fingerprint import key_json
from kgload.mapping.spec import Mapping, RelationRule
from kgload.model import MappedDocument
from kgload.rdf.lookups import relation_rule_of
from kgload.records import Extraction, Origin, Reject, Relation


def accept_relation(
    relation: Relation, mapping: Mapping, iris: dict[str, NamedNode]
) -> str | tuple[RelationRule, NamedNode, NamedNode]:
    """The relation's rule and its (head, tail) in the property's direction, or why it is not mapped."""
    rule = relation_rule_of(mapping, relation)
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
    """The claim's IRI: a hash of what makes two reports one claim (not confidence, nor attributes
    but those of a free-text relation)."""
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
    if relation.predicate is not None:
        # a free-text graph has no evidence or date to tell facts apart: its words and attributes do
        # ("operates in" a city at two addresses is two claims)
        claim_key.extend([relation.predicate, relation.attributes or None])
    return NamedNode(f"{mapping.base}claim/{sha256(key_json(claim_key).encode()).hexdigest()[:32]}")


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
    rule = relation_rule_of(mapping, relation)
    return relation.type if rule is not None and rule.fallback else None


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


def relation_reject(origin: Origin, reason: str, relation: Relation) -> Reject:
    stage = "filter" if reason.startswith(("confidence", "condition")) else "map"
    return Reject(origin, reason, relation_json(relation), stage)


def relation_json(relation: Relation) -> dict[str, object]:
    return {k: v for k in Relation.__slots__ if (v := getattr(relation, k)) not in (None, (), {}, "")}


def relation_origins(extraction: Extraction) -> tuple[Origin, ...]:
    if len(extraction.relation_origins) == len(extraction.relations):
        return extraction.relation_origins
    return tuple(extraction.origin.at(f"relations[{i}]") for i in range(len(extraction.relations)))
