"""What a group of names resolves to (``ResolvedEntity``): the actor's IRI, canonical name, codes
and its own statements as (predicate, object) pairs, memoised per mapping unless a role phrase
makes it depend on the document's date."""

from __future__ import annotations

from dataclasses import dataclass, replace

from pyoxigraph import Literal, NamedNode

from kgload.mapping.identity import Identity, identify, identifying_code
from kgload.mapping.spec import EntityRule, Mapping
from kgload.mapping.tenures import TenureIndex
from kgload.mapping.world_entries import WorldEntry
from kgload.model import MappedDocument, Merge
from kgload.rdf.grouping import EntityGroup
from kgload.rdf.iris import canonical_node, document_scoped, entity_node
from kgload.rdf.lookups import entity_rule, literal_of, node_of
from kgload.rdf.offices import role_holder
from kgload.rdf.terms import ALT_LABEL, LABEL, SAME_AS, A, P
from kgload.records import Entity
from kgload.vocabulary.namespaces import WD


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
    scoped: bool = False  # names no one actor beyond its document: its node is the document's own


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
        holding = role_holder(names, mapping, tenures, day)
        if holding is not None:
            node, how = node_of(mapping, holding.holder_iri), "role"
            entry = WorldEntry(key="", name=holding.holder_name, cls="Person")
    if entry is not None:
        canonical = entry.name or max(names, key=lambda n: (len(n), n))
        rule = (entity_rule(mapping, entry.cls) if entry.cls else None) or rule
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
        node = entity_node(mapping, rule, canonical, first.id, wikidata, iso)
    surface = [n for n in names if n != canonical]
    source = {"unresolved": "document", "learned": "learned"}.get(how, f"{how}: {identity.rule or how}")
    merge = Merge(node.value, canonical, tuple(surface), source) if surface else None
    pairs: list[tuple[NamedNode, NamedNode | Literal]] = [
        (A, node_of(mapping, rule.class_iri)),
        (LABEL, literal_of(mapping, canonical)),
    ]
    pairs.extend((ALT_LABEL, literal_of(mapping, name)) for name in surface)
    if wikidata:
        pairs.append((SAME_AS, node_of(mapping, WD + wikidata)))
    if iso:
        pairs.append((P["isoCode"], literal_of(mapping, iso)))
    if cameo:
        pairs.append((P["cameoActorCode"], literal_of(mapping, cameo)))
    if country:
        pairs.append((P["countryCode"], literal_of(mapping, country)))
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
        identity.scoped and entry is None,
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
    if resolved.scoped:
        resolved = _in_document(resolved, out.source.document.id)
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


def _in_document(resolved: ResolvedEntity, document: str) -> ResolvedEntity:
    """The entity as the document's own node: a generic agent of one document is not another's."""
    node = document_scoped(resolved.node, document)
    merge = replace(resolved.merge, iri=node.value) if resolved.merge is not None else None
    return replace(resolved, node=node, iri=node.value, merge=merge)
