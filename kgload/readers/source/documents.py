"""Records of a source, through its source mapping, into kgload documents.

Each record gives a document id and the entities and relations the mapping declares for it. Records
with the same document id are one document: in a table they must be next to each other (a table is
streamed; a later run of rows with the same id is another version of the document, and the later
version wins, as it does across runs), in a JSON file they may be anywhere. A document is checked by
the reference reader, as every input shape is (``readers.common.assemble``). A record with an unusable
cell is rejected whole, with the file, line, column and reason; a document of one record is, like an
event, loaded whole or not at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path
from typing import Any

from kgload.readers.common import Draft, all_or_nothing, assemble
from kgload.readers.source import jsonrecords, tabular
from kgload.readers.source.dates import truncate
from kgload.readers.source.spec import ROWS, End, EntityRule, RelationRule, SourceSpec
from kgload.readers.source.values import CellError
from kgload.records import Extraction, Origin, Reject

Ref = tuple[bool, str]  # (a part of this record, "role" or "role#2"; else an entity id another record gives)
_RELATION_SKIP = frozenset({"type", "precision", "attributes", "attributes_from", "period_start", "period_end"})
_DATES = frozenset({"date", "start", "end"})


@dataclass
class _Record:
    """What one source record gives its document: its entities (by part) and relations (by part)."""

    origin: Origin
    raw: Any
    document: dict[str, Any]
    entities: list[tuple[EntityRule, str, dict[str, Any]]] = field(default_factory=list)  # (rule, part, entity)
    relations: list[tuple[int, dict[str, Any], Ref, Ref, Ref | None]] = field(default_factory=list)


class _Skipped(Exception):
    """The record matches the mapping's ``skip`` condition."""


def read(spec: SourceSpec, path: Path) -> Iterator[Extraction | Reject]:
    """Every document of ``path`` read through ``spec``, and a Reject for every record it cannot use."""
    if spec.tabular:
        yield from _table(spec, path)
        return
    context = spec.access.context
    groups: dict[str, list[_Record]] = {}
    refused: dict[str, Reject] = {}  # the id of an entity whose record was rejected -> that reject
    for item in jsonrecords.records(path, spec.record_sets, jsonl=spec.format == "jsonl"):
        if isinstance(item, Reject):
            yield item
            continue
        set_name, origin, record = item
        context.update({"$file": path.name, "$stem": path.stem, "$line": str(origin.record)})
        found = _evaluate(spec, set_name, origin, record, record)
        if isinstance(found, Reject):
            refused.update(dict.fromkeys(_given_ids(spec, set_name, record), found))
            yield found
        else:
            groups.setdefault(found.document["id"], []).append(found)
    for records in groups.values():
        yield from _document(records, spec.hash, refused)


def _given_ids(spec: SourceSpec, record_set: str, record: Any) -> list[str]:
    """The ids a rejected record would have given its entities (those it can still tell), so that a
    relation naming one says why it is missing rather than that it is unknown."""
    ids = []
    for rule in spec.entities:
        if rule.record_set == record_set and rule.explicit_id:
            try:
                entity_id = rule.fields.resolve(record)["id"](record)
            except CellError:
                continue
            if entity_id:
                ids.append(str(entity_id))
    return ids


def _table(spec: SourceSpec, path: Path) -> Iterator[Extraction | Reject]:
    assert spec.layout is not None
    context, clean = {"$file": path.name, "$stem": path.stem}, spec.access.clean
    header = tabular.header(path, spec.layout)
    lacking = sorted(spec.fields - set(header)) if header is not None and not spec.layout.columns else []
    group: list[_Record] = []
    for item in tabular.records(path, spec.layout):
        if isinstance(item, Reject):
            yield item
            continue
        line, row = item
        origin = Origin(str(path), line)
        if lacking:  # every row is still accounted for, each with the reason
            yield Reject(origin, f"the header lacks column(s) {', '.join(lacking)}, which {spec.name} reads", row)
            continue
        found = _evaluate(spec, ROWS, origin, clean(row, {**context, "$line": str(line)}), row)
        if isinstance(found, Reject):
            yield found
            continue
        if group and found.document["id"] != group[0].document["id"]:
            yield from _document(group, spec.hash)
            group = []
        group.append(found)
    if group:
        yield from _document(group, spec.hash)


def _evaluate(spec: SourceSpec, record_set: str, origin: Origin, record: Any, raw: Any) -> _Record | Reject:
    """A record's contribution, or its reject (whole: one unusable cell spoils the record).

    ``record`` is what the mapping's values read (a table row cleaned), ``raw`` the record as read."""
    try:
        if spec.skip is not None and spec.skip(record):
            raise _Skipped
        document = {k: fn(record) for k, fn in spec.document.items()}
        if not document.get("id"):
            raise CellError("", "the document id is empty")
        found = _Record(origin, raw, document)
        named = []  # (rule, its fields for this record, the name): the entities the record names
        for rule in spec.entities:
            if rule.record_set == record_set and (rule.when is None or rule.when(record)):
                fields = rule.fields.resolve(record)
                name = fields["name"](record)
                if name is not None:
                    named.append((rule, fields, name))
        rules = [
            (index, rule)
            for index, rule in enumerate(spec.relations)
            if rule.record_set == record_set and (rule.when is None or rule.when(record))
        ]
        _check_ends(rules, {rule.role for rule, _, _ in named})  # before the work a rejected record need not do
        parts: dict[str, list[str]] = {}  # role -> its parts in this record
        for rule, fields, name in named:
            for part, entity in _entities(rule, fields, name, record):
                found.entities.append((rule, part, entity))
                parts.setdefault(rule.role, []).append(part)
        for index, rule in rules:
            found.relations.extend((index, *r) for r in _relations(rule, record, parts))
    except _Skipped:
        return Reject(origin, f"skipped by the source mapping {spec.name} (skip: {spec.skip_text})", raw)
    except CellError as exc:
        kind = "column" if spec.tabular else "field"
        return Reject(origin, f"{kind} {exc}" if exc.field else str(exc), raw)
    return found


def _check_ends(rules: list[tuple[int, RelationRule]], named: set[str]) -> None:
    """Reject a record whose relation lacks an end it must have, as ``_relations`` would."""
    for _, rule in rules:
        if rule.optional:
            continue
        for end, which in ((rule.head, "head"), (rule.tail, "tail")):
            if end.ref is None and not any(role in named for role in end.roles):
                names = " or ".join(end.roles)
                raise CellError(
                    end.field, dict(rule.missing).get(which, f"is empty, and the relation needs its {which} ({names})")
                )


def _entities(rule: EntityRule, fields: dict[str, Any], name: str, record: Any) -> list[tuple[str, dict[str, Any]]]:
    """The entities a rule gives for a record: one, or one per part of a split name."""
    # a split name lists each entity once, however often the source repeats it
    names = list(dict.fromkeys(n.strip() for n in name.split(rule.split) if n.strip())) if rule.split else [name]
    kind = fields["type"](record)
    if kind is None:
        raise CellError(rule.name_field, "names an entity without a type")
    entity: dict[str, Any] = {"type": kind}
    for key, fn in fields.items():
        if key in ("name", "type", "attributes", "attributes_from"):
            continue
        value = fn(record)
        if value is not None:
            entity[key] = list(value) if key == "coordinates" else value
    if rule.explicit_id and "id" not in entity:
        raise CellError(rule.id_field, f"is empty, and {rule.role} needs an id")
    attributes = _attributes(fields, record)
    if attributes:
        entity["attributes"] = attributes
    if len(names) == 1 and not rule.split:
        return [(rule.role, {"name": name, **entity})]
    return [(f"{rule.role}#{i}", {"name": n, **entity}) for i, n in enumerate(names, start=1)]


def _attributes(fields: dict[str, Any], record: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "attributes_from" in fields:
        extra = fields["attributes_from"](record)
        if isinstance(extra, dict):
            out.update((k, v) for k, v in extra.items() if v is not None and v != "")
        elif extra is not None:
            raise CellError("attributes_from", f"is {type(extra).__name__}, not an object of attributes")
    if "attributes" in fields:
        out.update(fields["attributes"](record))
    return out


def _relations(
    rule: RelationRule, record: Any, parts: dict[str, list[str]]
) -> list[tuple[dict[str, Any], Ref, Ref, Ref | None]]:
    """The relations a rule gives for a record: one per pair of its head's and tail's parts."""
    fields = rule.fields.resolve(record)
    heads, tails = _ends(rule.head, record, parts), _ends(rule.tail, record, parts)
    if not heads or not tails:
        if rule.optional:
            return []
        end, missing = ("head", rule.head) if not heads else ("tail", rule.tail)
        names = " or ".join(missing.roles) or "the entity it names"
        raise CellError(
            missing.field, dict(rule.missing).get(end, f"is empty, and the relation needs its {end} ({names})")
        )
    locations = _ends(rule.location, record, parts) if rule.location is not None else []
    kind = fields["type"](record)
    if kind is None:
        raise CellError(rule.type_field, "is empty, and the relation needs a type")
    relation: dict[str, Any] = {"type": kind}
    precision = fields["precision"](record) if "precision" in fields else None
    for key, fn in fields.items():
        if key in _RELATION_SKIP:
            continue
        value = fn(record)
        if value is not None:
            relation[key] = truncate(value, precision) if precision and key in _DATES else value
    if "period_start" in fields:
        _period(relation, fields["period_start"](record), fields["period_end"](record), precision)
    attributes = _attributes(fields, record)
    if attributes:
        relation["attributes"] = attributes
    location = locations[0] if locations else None
    return [(relation, head, tail, location) for head, tail in product(heads, tails)]


def _period(relation: dict[str, Any], start: str | None, end: str | None, precision: str | None) -> None:
    """An event known only to lie between two dates: its date when both are the same, else the period."""
    if precision:
        start, end = (truncate(d, precision) if d else d for d in (start, end))
    if start is not None and start == end:
        relation["date"] = start
        return
    if start is not None:
        relation["start"] = start
    if end is not None:
        relation["end"] = end


def _ends(end: End, record: Any, parts: dict[str, list[str]]) -> list[Ref]:
    """A relation end's parts: those of its first role present in the record, or the id it gives."""
    if end.ref is not None:
        entity_id = end.ref(record)
        return [] if entity_id is None else [(False, entity_id)]
    for role in end.roles:
        if role in parts:
            return [(True, part) for part in parts[role]]
    return []


def _document(
    records: list[_Record], spec_hash: str, refused: dict[str, Reject] | None = None
) -> Iterator[Extraction | Reject]:
    """One document from its records: entity ids fixed, relations pointed at them, checked.

    Its fingerprint hashes the records as read and the source mapping: a changed source mapping
    changes what the records say, so a re-run must load them again."""
    first = records[0]
    document = dict(first.document)
    for record in records[1:]:  # a later record may give what the first left empty
        for key, value in record.document.items():
            if document.get(key) is None:
                document[key] = value
    document["title"] = document.get("title") or document["id"]
    single = len(records) == 1
    draft = Draft(first.origin, first.raw if single else [r.raw for r in records], document)
    rejects: list[Reject] = []
    given: dict[str, dict[str, Any]] = {}  # entity id -> the entity, to merge what several records repeat
    by_content: dict[tuple[Any, ...], str] = {}
    for number, record in enumerate(records, start=1):
        ids: dict[str, str] = {}
        for rule, part, entity in record.entities:
            if rule.explicit_id:
                entity_id = entity["id"]
            else:  # in a document of several records the same entity from several rows is one entity
                local = part.replace("#", "-")
                entity_id = local if single else by_content.setdefault(_content(entity), f"{local}-{number}")
                entity = {"id": entity_id, **entity}
            ids[part] = entity_id
            known = given.get(entity_id)
            if known is None:
                given[entity_id] = entity
                draft.entity(entity, _part(record.origin, part), record.raw)
            elif known != entity:
                reason = f"entity {entity_id!r} is given again with other values; the first is kept"
                rejects.append(Reject(_part(record.origin, part), reason, record.raw))
        for index, relation, head, tail, location in record.relations:
            value = {**relation, "head": _id(head, ids), "tail": _id(tail, ids)}
            if location is not None:
                value["location"] = _id(location, ids)
            where = _part(record.origin, f"relations[{index}]")
            if why := _refused_end(value, given, refused):
                rejects.append(Reject(where, why, record.raw))
                continue
            draft.relation(value, where, record.raw)
    yield from rejects
    built = assemble(draft, spec_hash)
    yield from all_or_nothing(built, first.origin, first.raw) if single else built


def _refused_end(relation: dict[str, Any], given: dict[str, Any], refused: dict[str, Reject] | None) -> str | None:
    """Why a relation cannot be made when an end it names is an entity whose record was rejected."""
    for key in ("head", "tail", "location"):
        ref = relation.get(key)
        if refused and ref is not None and ref not in given and ref in refused:
            reject = refused[ref]
            where = reject.origin.path or f"record {reject.origin.record}"
            reason = reject.reason.split(" (known")[0]
            return f"{key} names entity {ref!r}, rejected with its record ({where}): {reason}"
    return None


def _part(origin: Origin, part: str) -> Origin:
    """Where a part of a record is: the record's own path when it has one (a JSON record set's item)."""
    return origin if origin.path else origin.at(part)


def _id(ref: Ref, ids: dict[str, str]) -> str:
    in_record, value = ref
    return ids[value] if in_record else value


def _content(entity: dict[str, Any]) -> tuple[Any, ...]:
    """What makes two entities of a document one: all their values (lists and objects by their text)."""
    return tuple((k, v if v.__class__ in _HASHABLE else repr(v)) for k, v in entity.items())


_HASHABLE = (str, int, float, bool)
