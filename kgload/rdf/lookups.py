"""What a mapping answers once per run and keeps in its memo (``kgload.mapping.memo``): the rule of a
source type, and the node or literal of a text that repeats across documents."""

from __future__ import annotations

from pyoxigraph import Literal, NamedNode

from kgload.mapping.spec import EntityRule, Mapping, RelationRule
from kgload.records import Relation


def relation_rule(mapping: Mapping, source_type: str) -> RelationRule | None:
    return mapping.memo.get("relation rule", source_type, mapping.relation_rule, source_type)


# the type kgload.validate gives a free-text relation whose specific property's shapes refused its ends
GENERIC_TYPE = "(free text)"


def relation_rule_of(mapping: Mapping, relation: Relation) -> RelationRule | None:
    """The rule of a relation: a free-text one (with its predicate) may take the free-text rule."""
    if relation.predicate is None:
        return relation_rule(mapping, relation.type)
    if relation.type == GENERIC_TYPE and mapping.free_text is not None:
        return mapping.free_text
    return mapping.memo.get("free-text rule", relation.type, mapping.free_text_rule, relation.type)


def entity_rule(mapping: Mapping, source_type: str) -> EntityRule | None:
    return mapping.memo.get("entity rule", source_type, mapping.entity_rule, source_type)


def node_of(mapping: Mapping, iri: str) -> NamedNode:
    """One NamedNode per IRI that repeats (classes, entities, predicates): made and checked once."""
    return mapping.memo.get("node", iri, NamedNode, iri)


def literal_of(mapping: Mapping, text: str) -> Literal:
    return mapping.memo.get("literal", text, Literal, text)
