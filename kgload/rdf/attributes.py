"""Attributes as typed statements: those the mapping names become typed literals, the rest one JSON
literal."""

from __future__ import annotations

from typing import Any

from pyoxigraph import Literal, NamedNode

from kgload.fingerprint import canonical_json
from kgload.mapping.spec import Mapping, PropertyRule, RelationRule
from kgload.model import MappedDocument
from kgload.rdf.entities import ResolvedEntity
from kgload.rdf.grouping import EntityGroup
from kgload.rdf.lookups import node_of
from kgload.rdf.terms import RDF_JSON, P
from kgload.records import Reject, Relation
from kgload.vocabulary.literals import LiteralError, typed


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
            rest = mapped_attributes(entity.attributes, resolved.rule.properties, pairs, mapping)
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
            pairs.append((P["attributes"], Literal(canonical_json(rest), datatype=RDF_JSON)))
    return pairs


def claim_attribute_pairs(
    rule: RelationRule, relation: Relation, mapping: Mapping
) -> tuple[list[tuple[NamedNode, Literal]], dict[str, Any]] | str:
    """The claim's typed attributes as (predicate, object) pairs and its other attributes (for the
    JSON), or why a value is bad."""
    if not (rule.constants or relation.attributes):
        return [], {}
    pairs: list[tuple[NamedNode, Literal]] = []
    try:
        rest = mapped_attributes({**rule.constants, **relation.attributes}, rule.properties, pairs, mapping)
    except LiteralError as exc:
        return f"attribute: {exc}"
    return pairs, rest


def mapped_attributes(
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
            typed_values.append((node_of(mapping, rule.iri), typed(item, rule.datatype, rule.language)))
    pairs.extend(typed_values)  # all or nothing: a bad value raises before any is added
    return rest
