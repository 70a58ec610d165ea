"""CSV files of entities and relations (docs/inputs.md, "CSV").

Two layouts, told apart by the header:

- **names**: one relations file whose rows name both ends (``head``, ``head_type``, ``tail``,
  ``tail_type``, ``type``). Entities are the names it mentions, one per (name, type) and document.
- **ids**: a relations file whose ``head``/``tail`` are entity ids (no ``head_type`` column) beside an
  entities file (``id``, ``name``, ``type``), and optionally a documents file (``id``, ``title``...).
  The files are found by name: ``[prefix]relations.csv``, ``[prefix]entities.csv``,
  ``[prefix]documents.csv`` in one folder (prefix e.g. ``afp.``). Given the entities or documents
  file of such a set, the reader yields nothing: the relations file reads the set. An entities file
  without a relations file gives documents with entities only.

A ``document_id`` column groups rows into documents (without it, a file is one document named
after its stem); ``document_title``, ``document_publisher``, ``document_published``,
``document_url``, ``document_language`` give the document's fields unless a documents file does.
The rows of one document must be contiguous, so the relations file streams row by row (the
entities and documents files are read whole). Lists (aliases, asserted_by, denied_by) are
``|``-separated; columns kgload has no field for become attributes. "", "NA" and "null" are absent.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kgload.readers.common import RELATION_FIELDS, BadValue, Draft, assemble, clean, date_value
from kgload.readers.source.tabular import decoded_rows, shown
from kgload.records import Extraction, Origin, Reject

ROLES = ("relations", "entities", "documents")
DOCUMENT_COLUMNS = ("title", "publisher", "published", "url", "language")
RELATION_COLUMNS = (
    "document_id",
    *(f"document_{c}" for c in DOCUMENT_COLUMNS),
    "type",
    "head",
    "tail",
    "head_type",
    "tail_type",
    "head_wikidata",
    "tail_wikidata",
    "head_iso_code",
    "tail_iso_code",
    "location_type",
    *RELATION_FIELDS,
)
ENTITY_COLUMNS = (
    "document_id",
    *(f"document_{c}" for c in DOCUMENT_COLUMNS),
    "id",
    "name",
    "type",
    "aliases",
    "wikidata",
    "iso_code",
)
Row = tuple[int, dict[str, str]]  # (1-based line where the row starts, cells by column)


def read(path: Path) -> Iterator[Extraction | Reject]:
    """Documents from a CSV file and the files of its set; a Reject per unusable row."""
    name = str(path)
    try:
        header = _header(path)
    except (OSError, ValueError) as exc:  # ValueError: a header row that does not decode or parse
        yield Reject(Origin(name, 1), f"cannot read the CSV header: {exc}")
        return
    role = role_of(header)
    if role is None:
        yield Reject(
            Origin(name, 1),
            f"header {header!r} is no kgload CSV layout: it needs head, tail and type "
            "(relations), id, name and type (entities) or id and title (documents)",
        )
        return
    siblings = _siblings(path)
    if role != "relations" and ("relations" in siblings or (role == "documents" and "entities" in siblings)):
        return  # read as part of its set, with the relations file
    yield from _read_set(path, role, siblings)


def role_of(header: list[str]) -> str | None:
    columns = set(header)
    if {"head", "tail", "type"} <= columns:
        return "relations"
    if {"id", "name", "type"} <= columns:
        return "entities"
    if {"id", "title"} <= columns:
        return "documents"
    return None


def _header(path: Path) -> list[str]:
    """The first row's names (a bad byte further on costs its row alone, not the file)."""
    for item in decoded_rows(path, "utf-8"):
        if isinstance(item, Reject):
            raise ValueError(item.reason)
        return [c.strip() for c in item[1]]
    return []


def _siblings(path: Path) -> dict[str, Path]:
    stem = path.stem
    for role in ROLES:
        if stem.lower().endswith(role):
            prefix = stem[: len(stem) - len(role)]
            found = {r: path.with_name(f"{prefix}{r}{path.suffix}") for r in ROLES}
            return {r: p for r, p in found.items() if p.is_file() and p != path}
    return {}


def rows(path: Path) -> Iterator[Row | Reject]:
    """Data rows as dicts, streamed; a Reject for a row that is too long or does not parse."""
    name = str(path)
    header: list[str] | None = None
    for item in decoded_rows(path, "utf-8"):
        if isinstance(item, Reject):
            if header is None:  # without the header no row can be named
                yield Reject(item.origin, f"header: {item.reason}; the file cannot be read without it", item.data)
                return
            yield item
            continue
        line, cells = item
        if header is None:
            header = [c.strip() for c in cells]
        elif len(cells) != len(header):
            yield Reject(
                Origin(name, line), f"expected {len(header)} columns as in the header, got {len(cells)}", shown(cells)
            )
        else:
            yield line, dict(zip(header, cells, strict=True))


@dataclass
class _Group:
    """The rows of one document."""

    doc_id: str
    origin: Origin
    entities: list[Row] = field(default_factory=list)
    relations: list[Row] = field(default_factory=list)


def _read_set(path: Path, role: str, siblings: dict[str, Path]) -> Iterator[Extraction | Reject]:
    documents: dict[str, Row] = {}
    if "documents" in siblings or role == "documents":
        yield from _index_documents(siblings.get("documents", path), documents)
    entities: dict[str, list[Row]] = {}
    entity_file = siblings.get("entities", path if role == "entities" else None)
    if entity_file is not None:
        yield from _index_entities(entity_file, entities)
    done: set[str] = set()
    if role == "relations":
        names_layout = "head_type" in _header(path)
        yield from _read_relations(path, documents, entities, entity_file, names_layout, done)
    for doc_id, found in list(entities.items()):  # documents with entities but no relation
        group = _Group(doc_id, Origin(str(entity_file), found[0][0]), entities=found)
        done.add(doc_id)
        yield from _build(group, documents, entity_file, names_layout=False)
    for doc_id, (line, _raw) in documents.items():  # documents with nothing extracted
        if doc_id not in done:
            group = _Group(doc_id, Origin(str(siblings.get("documents", path)), line))
            yield from _build(group, documents, entity_file, names_layout=False)


def _index_documents(path: Path, into: dict[str, Row]) -> Iterator[Reject]:
    for item in rows(path):
        if isinstance(item, Reject):
            yield item
            continue
        line, raw = item
        doc_id = clean(raw.get("id"))
        if doc_id is None:
            yield Reject(Origin(str(path), line, "id"), "document id is missing", raw)
        elif doc_id in into:
            yield Reject(
                Origin(str(path), line, "id"),
                f"document {doc_id!r} is given twice (first on line {into[doc_id][0]})",
                raw,
            )
        else:
            into[doc_id] = (line, raw)


def _index_entities(path: Path, into: dict[str, list[Row]]) -> Iterator[Reject]:
    for item in rows(path):
        if isinstance(item, Reject):
            yield item
            continue
        line, raw = item
        into.setdefault(clean(raw.get("document_id")) or path.stem, []).append((line, raw))


def _read_relations(
    path: Path,
    documents: dict[str, Row],
    entities: dict[str, list[Row]],
    entity_file: Path | None,
    names_layout: bool,
    done: set[str],
) -> Iterator[Extraction | Reject]:
    name = str(path)
    group: _Group | None = None
    for item in rows(path):
        if isinstance(item, Reject):
            yield item
            continue
        line, raw = item
        doc_id = clean(raw.get("document_id")) or _default_id(path)
        if group is not None and doc_id == group.doc_id:
            group.relations.append((line, raw))
            continue
        if doc_id in done:
            yield Reject(
                Origin(name, line, "document_id"),
                f"the rows of document {doc_id!r} must be contiguous (sort the file by document_id)",
                raw,
            )
            continue
        if group is not None:
            yield from _build(group, documents, entity_file, names_layout)
        done.add(doc_id)
        group = _Group(doc_id, Origin(name, line), entities=entities.pop(doc_id, []), relations=[(line, raw)])
    if group is not None:
        yield from _build(group, documents, entity_file, names_layout)


def _default_id(path: Path) -> str:
    stem = path.stem
    for role in ROLES:  # "afp.relations.csv" -> "afp"
        if stem.lower().endswith(role) and len(stem) > len(role):
            return stem[: len(stem) - len(role)].rstrip("._- ") or stem
    return stem


def _build(
    group: _Group, documents: dict[str, Row], entity_file: Path | None, names_layout: bool
) -> Iterator[Extraction | Reject]:
    """One document from its rows: document fields, entities, relations, validated by the reference reader."""
    document, document_raw, rejects = _document(group, documents)
    yield from rejects
    raw_record = {
        "document": document_raw,
        "entities": [r for _, r in group.entities],
        "relations": [r for _, r in group.relations],
    }
    draft = Draft(group.origin, raw_record, document)
    for line, raw in group.entities:
        where = Origin(str(entity_file), line)
        try:
            draft.entity(_entity(raw), where, raw)
        except BadValue as exc:
            yield Reject(where, str(exc), raw)
    ends = _Ends(draft) if names_layout else None
    for line, raw in group.relations:
        where = Origin(group.origin.file, line)
        try:
            relation = _relation(raw, ends, where)
        except BadValue as exc:
            yield Reject(where, str(exc), raw)
            continue
        draft.relation(relation, where, raw)
    yield from assemble(draft)


def _document(group: _Group, documents: dict[str, Row]) -> tuple[dict[str, Any], dict[str, str], list[Reject]]:
    """The document's fields: its documents-file row, else the document_* cells of its rows (which must agree)."""
    rejects: list[Reject] = []
    if group.doc_id in documents:
        _, raw = documents[group.doc_id]
        values = {c: clean(raw.get(c)) for c in DOCUMENT_COLUMNS}
    else:
        raw, values, first = {}, {}, {}
        for line, row in [*group.entities, *group.relations]:
            for column in DOCUMENT_COLUMNS:
                value = clean(row.get(f"document_{column}"))
                if value is None:
                    continue
                if column in values and values[column] != value:
                    rejects.append(
                        Reject(
                            Origin(group.origin.file, line, f"document_{column}"),
                            f"document_{column} {value!r} differs from {values[column]!r} "
                            f"given on line {first[column]}; the first value is kept",
                            row,
                        )
                    )
                    continue
                values[column], first[column] = value, line
                raw[f"document_{column}"] = value
    try:
        values["published"] = date_value(values.get("published"), "published")
    except BadValue as exc:
        rejects.append(Reject(group.origin.at("document_published"), f"{exc}; the document is loaded without it", raw))
        values["published"] = None
    document = {"id": group.doc_id, **values, "title": values.get("title") or group.doc_id}
    return document, {"id": group.doc_id, **raw}, rejects


def _split(value: Any) -> list[str]:
    text = clean(value)
    return [p.strip() for p in text.split("|") if p.strip()] if isinstance(text, str) else []


def _extra(raw: dict[str, str], known: tuple[str, ...]) -> dict[str, str]:
    return {k: v for k, v in raw.items() if k not in known and clean(v) is not None}


def _entity(raw: dict[str, str]) -> dict[str, Any]:
    for column in ("id", "name", "type"):
        if clean(raw.get(column)) is None:
            raise BadValue(f"{column} is missing")
    return {
        "id": raw["id"].strip(),
        "name": raw["name"].strip(),
        "type": raw["type"].strip(),
        "aliases": _split(raw.get("aliases")),
        "wikidata": clean(raw.get("wikidata")),
        "iso_code": clean(raw.get("iso_code")),
        "attributes": _extra(raw, ENTITY_COLUMNS),
    }


class _Ends:
    """Entities of the names layout: one per (name, type) a document's rows mention."""

    def __init__(self, draft: Draft) -> None:
        self.draft = draft
        self.ids: dict[tuple[str, str], str] = {}
        self.by_name: dict[str, str] = {}

    def add(self, name: str, kind: str, where: Origin, raw: dict[str, str], extra: dict[str, Any]) -> str:
        key = (name, kind)
        if key not in self.ids:
            entity_id = name if name not in self.by_name else f"{name}|{kind}"
            self.ids[key] = entity_id
            self.by_name.setdefault(name, entity_id)
            self.draft.entity({"id": entity_id, "name": name, "type": kind, **extra}, where, raw)
        return self.ids[key]


def _relation(raw: dict[str, str], ends: _Ends | None, where: Origin) -> dict[str, Any]:
    for column in ("type", "head", "tail", *(("head_type", "tail_type") if ends else ())):
        if clean(raw.get(column)) is None:
            raise BadValue(f"{column} is missing")
    relation: dict[str, Any] = {"type": raw["type"].strip(), "head": raw["head"].strip(), "tail": raw["tail"].strip()}
    for column in ("id", "evidence", "event_code", "event_code_scheme", "status", "location"):
        if clean(raw.get(column)) is not None:
            relation[column] = raw[column] if column == "evidence" else raw[column].strip()
    for column in ("date", "start", "end"):
        if (value := date_value(raw.get(column), column)) is not None:
            relation[column] = value
    relation.update(_numbers(raw))
    for column in ("asserted_by", "denied_by"):
        if refs := _split(raw.get(column)):
            relation[column] = refs
    relation["attributes"] = _extra(raw, RELATION_COLUMNS)
    if ends is not None:
        _name_ends(relation, raw, ends, where)
    return relation


def _numbers(raw: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if (sentence := clean(raw.get("sentence"))) is not None:
        try:
            out["sentence"] = int(sentence)
        except ValueError:
            raise BadValue(f"sentence {sentence!r} is not a whole number") from None
    if (confidence := clean(raw.get("confidence"))) is not None:
        try:
            out["confidence"] = float(confidence)
        except ValueError:
            raise BadValue(f"confidence {confidence!r} is not a number") from None
    return out


def _name_ends(relation: dict[str, Any], raw: dict[str, str], ends: _Ends, where: Origin) -> None:
    """Names layout: turn head/tail (and location) names into entities; asserted_by/denied_by name them too."""
    for end in ("head", "tail"):
        extra = {"wikidata": clean(raw.get(f"{end}_wikidata")), "iso_code": clean(raw.get(f"{end}_iso_code"))}
        relation[end] = ends.add(relation[end], raw[f"{end}_type"].strip(), where.at(end), raw, extra)
    if "location" in relation:
        kind = clean(raw.get("location_type"))
        if kind is None and relation["location"] not in ends.by_name:
            raise BadValue("location names no head or tail of the document; give its location_type")
        relation["location"] = (
            ends.add(relation["location"], kind.strip(), where.at("location"), raw, {})
            if kind
            else ends.by_name[relation["location"]]
        )
    for column in ("asserted_by", "denied_by"):
        if column in relation:
            unknown = [n for n in relation[column] if n not in ends.by_name]
            if unknown:
                raise BadValue(f"{column} names {unknown[0]!r}, which is no head or tail of the document (yet)")
            relation[column] = [ends.by_name[n] for n in relation[column]]
