"""Entity IRIs: from the mapping's templates, or from a canonical gazetteer entry's key."""

from __future__ import annotations

from hashlib import sha256
from urllib.parse import quote

from pyoxigraph import NamedNode

from kgload.mapping.identity import Identity, identify
from kgload.mapping.resolve import GazetteerEntry
from kgload.mapping.spec import EntityRule, Mapping
from kgload.mapping.templates import TemplateError


def entity_iri(
    mapping: Mapping,
    rule: EntityRule,
    name: str,
    local_id: str = "",
    wikidata: str | None = None,
    iso: str | None = None,
) -> str:
    """The entity's IRI from the first of the rule's templates whose fields all have values."""
    return entity_node(mapping, rule, name, local_id, wikidata, iso).value


def entity_node(
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
    """The IRI an entity named ``name`` gets once identified (``kgload resolve`` shows it); a
    document's own entity shows ``{document}`` where the pipeline puts the document's id."""
    if identity.entry is not None and identity.entry.key:
        return canonical_node(mapping, identity.entry.key).value
    rule = mapping.entity_rule(type_name or "") or next(iter(mapping.entity_rules.values()))
    iri = entity_iri(mapping, rule, name)
    return _before_last(iri, "{document}") if identity.scoped else iri


def document_scoped(node: NamedNode, document: str) -> NamedNode:
    """The node of an entity that names no one actor beyond its document (a generic agent whose
    country is not given): the entity's IRI with the document's id, percent-encoded, as a segment
    before its last (``id/name/gdelt-123/president``). Its namespace is then the document's own, so
    learned aliases, which join names within one namespace, never join it to another document's."""
    return NamedNode(_before_last(node.value, quote(document, safe="-._~")))


def _before_last(iri: str, segment: str) -> str:
    space, _, last = iri.rpartition("/")
    return f"{space}/{segment}/{last}"


def canonical_node(mapping: Mapping, key: str) -> NamedNode:
    """The IRI of a canonical entry: from its key alone, never from how a source typed it."""
    return mapping.memo.get("canonical iri", key, _canonical_node, mapping, key)


def _canonical_node(mapping: Mapping, key: str) -> NamedNode:
    return NamedNode(mapping.canonical_iri.render({"base": mapping.base, "key": key}))
