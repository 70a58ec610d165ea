"""kgload's own extraction format: a JSON object per document, in .json or .jsonl files.

A .json file holds one document object or an array of them; a .jsonl file holds one
object per line. Each document is checked against ``kgload/schemas/extraction.schema.json``.
A broken entity or relation is rejected on its own and the rest of its document goes on; a
broken document envelope rejects the whole document.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema_rs

from kgload.fingerprint import fingerprint
from kgload.readers.guard import readable
from kgload.readers.json_input import Line, json_values, jsonl_lines, parse_line
from kgload.readers.limits import check_depth
from kgload.records import Document, Entity, Extraction, Mention, Origin, Reject, Relation
from kgload.vocabulary.dates import date_problem
from kgload.vocabulary.numbers import INT64_MAX, INT64_MIN, integer_problem, integer_value, number_problem


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    text = resources.files("kgload.schemas").joinpath("extraction.schema.json").read_text("utf-8")
    return json.loads(text)


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema())


@lru_cache(maxsize=1)
def _fast_validator() -> jsonschema_rs.Validator:
    return jsonschema_rs.validator_for(schema())


@lru_cache(maxsize=2)
def _part_validators(part: str) -> tuple[jsonschema_rs.Validator, jsonschema.Draft202012Validator]:
    """Both validators for one entity or relation on its own (the schema's ``$defs/<part>``)."""
    full = schema()
    sub = {"$schema": full["$schema"], "$defs": full["$defs"], "$ref": f"#/$defs/{part}"}
    return jsonschema_rs.validator_for(sub), jsonschema.Draft202012Validator(sub)


def compile_schemas() -> None:
    """Compile the schema validators now, e.g. before forking processes that read documents."""
    _fast_validator()
    for _, part in _PARTS:
        _part_validators(part)


_PARTS = (("entities", "entity"), ("relations", "relation"))


def _schema_errors(value: Any) -> Iterator[tuple[list[Any], jsonschema.ValidationError]]:
    """The errors of an invalid document with their paths, as the whole-document validator gives them.

    The Python validator costs milliseconds per document, so when the envelope (the document with
    its lists emptied) is valid and the lists are within their sizes, only the entities and
    relations the compiled validator finds wrong are explained: the same errors, a fraction of
    the time.
    """
    lists = [value.get(key) for key, _ in _PARTS] if isinstance(value, dict) else []
    within = all(
        isinstance(items, list) and len(items) <= schema()["properties"][key].get("maxItems", len(items))
        for items, (key, _) in zip(lists, _PARTS, strict=False)
    )
    if not lists or not within or not _fast_validator().is_valid({**value, "entities": [], "relations": []}):
        for error in _validator().iter_errors(value):
            yield list(error.absolute_path), error
        return
    for key, part in _PARTS:
        fast, slow = _part_validators(part)
        for index, item in enumerate(value[key]):
            if not fast.is_valid(item):
                for error in slow.iter_errors(item):
                    yield [key, index, *error.absolute_path], error


def read(path: Path) -> Iterator[Extraction | Reject]:
    """Yield one Extraction per valid document and a Reject per broken record or part."""
    for item in json_values(path):  # JSON / JSONL framing, size and nesting limits: shared by every JSON reader
        if isinstance(item, Reject):
            yield item
        else:
            yield from from_value(item[1], item[0])


def read_lines(path: Path) -> Iterator[Line | Reject]:
    """A JSONL file's records unparsed, for mapping workers to read with ``from_line``: parsing, checking
    and fingerprinting cost more than mapping's share of a process, so the reading parent only splits lines."""
    return readable(path, jsonl_lines(path))


def from_line(line: Line, *, records: bool = True) -> Iterator[Extraction | Reject]:
    """What ``read`` yields for this line of a JSONL file (``records``: see ``from_value``)."""
    parsed = parse_line(line)
    if isinstance(parsed, Reject):
        yield parsed
    else:
        yield from from_value(parsed[1], parsed[0], records=records)


def from_value(value: Any, origin: Origin, *, records: bool = True) -> Iterator[Extraction | Reject]:
    """Check one parsed document against the schema and build its records.

    Without ``records`` the rejects are the same but the Extraction comes without its entities and
    relations: its document and fingerprint are what deciding whether to map it needs, and building
    the records was about a third of reading a document (an unchanged re-run reads every line)."""
    # The compiled (Rust) validator answers "valid?" in microseconds. A valid document nests only
    # as deep as the schema allows (a handful of levels), so the depth walk, a Python loop over
    # every value, is needed only for the rare document that is not.
    surrogate = False
    try:
        valid = _fast_validator().is_valid(value)
    except UnicodeEncodeError:  # a lone surrogate ("\ud800"): no text, and not storable; rejected below
        valid, surrogate = False, True
    if not valid and not check_depth(value):
        yield Reject(origin, "record is nested too deeply", None)
        return
    if not isinstance(value, dict):
        yield Reject(origin, f"expected a JSON object for a document, got {type(value).__name__}", value)
        return
    if surrogate:
        yield Reject(origin, "record holds a lone UTF-16 surrogate (such as \\ud800), which is no character", None)
        return
    digest = fingerprint(value)
    bad_entities: dict[int, str] = {}
    bad_relations: dict[int, str] = {}
    document_problems: list[str] = []
    # the pure-Python validator, which explains what is wrong, runs only for a document that is not valid
    for path, error in () if valid else _schema_errors(value):
        message = _explain(error, path)
        if len(path) >= 2 and path[0] == "entities" and isinstance(path[1], int):
            bad_entities.setdefault(path[1], message)
        elif len(path) >= 2 and path[0] == "relations" and isinstance(path[1], int):
            bad_relations.setdefault(path[1], message)
        else:
            document_problems.append(message)
    published = None if document_problems else value["document"].get("published")
    if published and (problem := date_problem(published)):
        document_problems.append(f"document/published: {problem}")
    if document_problems:
        yield Reject(origin, "; ".join(sorted(set(document_problems))[:5]), value)
        return

    entities: list[Entity] = []
    known: set[str] = set()
    for index, raw in enumerate(value["entities"]):
        where = origin.at(f"entities[{index}]")
        if index in bad_entities:
            yield Reject(where, bad_entities[index], raw)
        elif problem := _entity_numbers(raw):
            yield Reject(where, problem, raw)
        elif raw["id"] in known:
            yield Reject(where, f"duplicate entity id {raw['id']!r}", raw)
        else:
            known.add(raw["id"])
            if records:
                entities.append(_entity(raw))

    relations: list[Relation] = []
    origins: list[Origin] = []
    for index, raw in enumerate(value["relations"]):
        problem = bad_relations.get(index) or _reference_problem(raw, known) or _relation_numbers(raw)
        if problem:
            yield Reject(origin.at(f"relations[{index}]"), problem, raw)
        elif records:
            relations.append(_relation(raw))
            origins.append(origin.at(f"relations[{index}]"))

    yield Extraction(
        document=_document(value["document"]),
        entities=tuple(entities),
        relations=tuple(relations),
        origin=origin,
        fingerprint=digest,
        relation_origins=tuple(origins),
    )


def _reference_problem(raw: dict[str, Any], known: set[str]) -> str | None:
    refs = [("head", raw["head"]), ("tail", raw["tail"])]
    refs += [("asserted_by", r) for r in raw.get("asserted_by", [])]
    refs += [("denied_by", r) for r in raw.get("denied_by", [])]
    if raw.get("location"):
        refs.append(("location", raw["location"]))
    for key, ref in refs:
        if ref not in known:
            return f"{key} names unknown entity {ref!r}"
    for key in ("date", "start", "end"):
        value = raw.get(key)
        if value and (problem := date_problem(value)):
            return f"{key} {problem}"
    if raw.get("date") and raw.get("end"):
        return "give either date (an event) or start/end (a period), not both"
    start, end = raw.get("start"), raw.get("end")
    if start and end and len(start) == len(end) and start > end:
        return f"start {start} is after end {end}"
    return None


def _entity_numbers(raw: dict[str, Any]) -> str | None:
    """Numbers the schema takes but no target stores (see kgload.vocabulary.numbers)."""
    for index, mention in enumerate(raw.get("mentions", ())):
        for key in ("sentence", "start", "end"):
            value = mention.get(key)
            if value is None or (type(value) is int and INT64_MIN <= value <= INT64_MAX):
                continue  # integer_problem's first answer, without its call: nearly every value
            if problem := integer_problem(value):
                return f"mentions[{index}].{key}: {problem}"
    attributes = raw.get("attributes")
    return _attribute_numbers(attributes) if attributes else None


def _relation_numbers(raw: dict[str, Any]) -> str | None:
    sentence = raw.get("sentence")
    if sentence is not None and (problem := integer_problem(sentence)):
        return f"sentence: {problem}"
    attributes = raw.get("attributes")
    return _attribute_numbers(attributes) if attributes else None


def _attribute_numbers(attributes: dict[str, Any] | None) -> str | None:
    for key, value in (attributes or {}).items():
        for item in value if isinstance(value, list) else (value,):
            if problem := number_problem(item):
                return f"attributes.{key}: {problem}"
    return None


def _explain(error: jsonschema.ValidationError, path: list[Any]) -> str:
    where = "/".join(str(p) for p in path) or "document"
    if error.validator == "not" and error.validator_value == {"required": ["date", "start"]}:
        return _cap(f"{where}: give either date (an event) or start/end (a period), not both")
    if error.validator == "additionalProperties":
        return _cap(f"{where}: {error.message} (see the format in docs/format.md)")
    if error.validator == "pattern":
        return _cap(f"{where}: {error.instance!r} is not in the expected form")
    if error.validator == "maxLength" and isinstance(error.instance, str):
        limit = error.validator_value
        return _cap(f"{where}: text of {len(error.instance)} characters, over the {limit}-character limit")
    return _cap(f"{where}: {error.message}")


def _cap(message: str, limit: int = 500) -> str:
    """A reason stays one readable line, whatever the record holds (it quotes input values)."""
    return message if len(message) <= limit else f"{message[:limit]}… ({len(message)} characters)"


def _document(raw: dict[str, Any]) -> Document:
    return Document(
        id=raw["id"],
        title=raw["title"],
        publisher=raw.get("publisher"),
        published=raw.get("published"),
        url=raw.get("url"),
        language=raw.get("language"),
    )


def _entity(raw: dict[str, Any]) -> Entity:
    return Entity(
        id=raw["id"],
        name=raw["name"].strip(),
        type=raw["type"],
        aliases=tuple([a.strip() for a in raw.get("aliases", ())]),
        mentions=tuple([_mention(m) for m in raw.get("mentions", ())]),
        attributes=raw.get("attributes") or {},
        wikidata=raw.get("wikidata"),
        iso_code=raw.get("iso_code"),
        cameo=raw.get("cameo"),
        country=raw.get("country"),
        coordinates=(float(coordinates[0]), float(coordinates[1])) if (coordinates := raw.get("coordinates")) else None,
    )


def _mention(raw: dict[str, Any]) -> Mention:
    get = raw.get
    return Mention(raw["text"], integer_value(get("sentence")), integer_value(get("start")), integer_value(get("end")))


def _relation(raw: dict[str, Any]) -> Relation:
    return Relation(
        type=raw["type"],
        head=raw["head"],
        tail=raw["tail"],
        id=raw.get("id"),
        date=raw.get("date"),
        start=raw.get("start"),
        end=raw.get("end"),
        evidence=raw.get("evidence"),
        sentence=integer_value(raw.get("sentence")),
        confidence=raw.get("confidence"),
        status=raw.get("status", "asserted"),
        asserted_by=tuple(raw.get("asserted_by", ())),
        denied_by=tuple(raw.get("denied_by", ())),
        location=raw.get("location"),
        event_code=raw.get("event_code"),
        event_code_scheme=raw.get("event_code_scheme"),
        attributes=raw.get("attributes") or {},
        predicate=raw.get("predicate"),
    )
