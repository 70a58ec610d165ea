"""A document's entities grouped by the actor they name: entities sharing a normalised name or alias
are one."""

from __future__ import annotations

from kgload.mapping.resolve import normalise
from kgload.mapping.spec import EntityRule, Mapping
from kgload.model import MappedDocument
from kgload.rdf.lookups import entity_rule
from kgload.records import Entity, Extraction, Reject


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
        rule = entity_rule(mapping, entity.type)
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
