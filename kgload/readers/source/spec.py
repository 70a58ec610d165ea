"""A source mapping file, validated and compiled into the rules the source reader applies.

Validation has two layers, as for mappings: the JSON Schema ``kgload/schemas/source.schema.json``
(shape), then the meaning (templates, transforms, regular expressions, date formats, the entities a
relation names, the columns a headerless file declares). Every problem is reported at once, each with
file, line, key and a fix, as a ``MappingError``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from kgload.errors import MappingError, MappingProblem
from kgload.fingerprint import combine
from kgload.readers.source.dates import PRECISIONS
from kgload.readers.source.tabular import Layout
from kgload.readers.source.values import Access, CellError, Compiled, Compiler, Fn, Predicate, Where, text
from kgload.yamlsource import YamlSource

DEFAULT_NULL = ("", "NA", "null", "NULL")
CONTEXT_FIELDS = frozenset({"$file", "$stem", "$line"})  # the file's name and stem, the record's line
ROWS = "rows"  # the one record set of a table
DOCUMENT_TEXT = ("id", "title", "url", "publisher", "language")
ENTITY_TEXT = ("id", "name", "type", "wikidata", "iso_code", "cameo", "country")
RELATION_TEXT = ("type", "id", "evidence", "status", "event_code", "event_code_scheme", "predicate")
RELATION_DATES = ("date", "start", "end")


@dataclass(frozen=True)
class Detect:
    """What ``kgload load`` looks for to use this source mapping without ``--format``."""

    names: tuple[str, ...] = ()
    header: tuple[str, ...] = ()
    columns: tuple[int, ...] = ()
    first_row: re.Pattern[str] | None = None
    keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class Fields:
    """The compiled fields of an entity or a relation, and the cases that override some of them."""

    values: dict[str, Fn]
    cases: tuple[tuple[Predicate, dict[str, Fn]], ...] = ()

    def resolve(self, record: Any) -> dict[str, Fn]:
        for holds, overrides in self.cases:
            if holds(record):
                return {**self.values, **overrides}
        return self.values


@dataclass(frozen=True)
class EntityRule:
    role: str
    record_set: str
    when: Predicate | None
    fields: Fields
    name_field: str  # the source field of the name and of the id, for messages
    id_field: str
    explicit_id: bool
    split: str | None = None  # the name holds several entities, separated by this


@dataclass(frozen=True)
class End:
    """A relation's head, tail or location: roles of the record (the first present), or an entity id."""

    roles: tuple[str, ...] = ()
    ref: Fn | None = None
    field: str = ""  # the source field that names it (the first role's name, or the id), for messages


@dataclass(frozen=True)
class RelationRule:
    record_set: str
    when: Predicate | None
    optional: bool
    fields: Fields
    type_field: str
    head: End
    tail: End
    location: End | None
    # the reject reason when the head or tail is absent ("a one-sided event without a place"), by end
    missing: tuple[tuple[str, str], ...] = ()


@dataclass
class SourceSpec:
    path: Path
    name: str
    description: str
    detect: Detect | None
    format: str  # csv | tsv | json | jsonl
    layout: Layout | None  # tables
    record_sets: dict[str, str]  # JSON: set name -> path
    access: Access
    document: dict[str, Fn]
    skip: Predicate | None
    skip_text: str
    entities: tuple[EntityRule, ...]
    relations: tuple[RelationRule, ...]
    fields: frozenset[str]  # every source field the mapping reads
    hash: str = ""

    @property
    def tabular(self) -> bool:
        return self.layout is not None


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    text_ = resources.files("kgload.schemas").joinpath("source.schema.json").read_text("utf-8")
    return jsonschema.Draft202012Validator(json.loads(text_))


def is_source_mapping(path: Path) -> bool:
    """Whether a YAML file is a source mapping (``kgload_source:``) rather than a mapping."""
    try:
        with path.open("rb") as handle:
            head = handle.read(1 << 20)  # a long comment may come first
    except OSError:
        return False
    return re.search(rb"(?m)^kgload_source\s*:", head) is not None


def load_source(path: Path | str) -> SourceSpec:
    """Load, validate and compile a source mapping; raise MappingError listing every problem.

    Compiled once per process and version of the file (an edited file is compiled again)."""
    resolved = Path(path).resolve()
    try:
        version = resolved.stat().st_mtime_ns
    except OSError:
        version = 0  # YamlSource reports the missing file
    return _load(resolved, version)


@lru_cache(maxsize=32)
def _load(path: Path, _version: int) -> SourceSpec:
    source = YamlSource(path)
    if not isinstance(source.data, dict):
        raise MappingError([source.problem((), "a source mapping is a YAML mapping of keys", "see docs/sources.md")])
    problems = source.schema_problems(_validator())
    if problems:
        raise MappingError(problems)
    spec = _Compiler(source).compile()
    spec.hash = combine(path.read_text("utf-8"))
    return spec


class _Compiler:
    def __init__(self, source: YamlSource) -> None:
        self.source = source
        self.data: dict[str, Any] = source.data
        self.problems: list[MappingProblem] = []

    def report(self, where: Where, message: str, fix: str = "") -> None:
        self.problems.append(self.source.problem(where, message, fix))

    def compile(self) -> SourceSpec:
        data = self.data
        file = data["file"]
        fmt = file["format"]
        tabular = fmt in ("csv", "tsv")
        layout = self._layout(file) if tabular else None
        sets = self._record_sets(file, tabular)
        access = Access("table" if tabular else "json", data.get("nulls", DEFAULT_NULL))
        values = Compiler(access, self.report)
        spec = SourceSpec(
            path=self.source.path,
            name=data["name"],
            description=data.get("description", ""),
            detect=self._detect(data.get("detect")),
            format=fmt,
            layout=layout,
            record_sets=sets,
            access=access,
            document={},
            skip=None,
            skip_text="",
            entities=(),
            relations=(),
            fields=frozenset(),
        )
        spec.document = self._document(values, data["document"])
        if "skip" in data:
            spec.skip = values.condition(("skip",), data["skip"])
            spec.skip_text = _describe(data["skip"])
        spec.entities = tuple(self._entity(values, role, rule, sets) for role, rule in data["entities"].items())
        roles = {rule.role: rule for rule in spec.entities}
        spec.relations = tuple(self._relation(values, i, rule, sets, roles) for i, rule in enumerate(data["relations"]))
        spec.fields = frozenset(values.fields - CONTEXT_FIELDS)
        access.used = tuple(sorted(spec.fields))
        if layout is not None and layout.columns:
            for unknown in sorted(spec.fields - set(layout.columns)):
                self.report(
                    ("file", "columns"),
                    f"the mapping reads column {unknown!r}, which file.columns does not name",
                    "add it to file.columns or fix the name",
                )
        if self.problems:
            raise MappingError(sorted(self.problems, key=lambda p: (p.line or 0, p.key)))
        return spec

    # -- file -----------------------------------------------------------------------------------

    def _layout(self, file: dict[str, Any]) -> Layout:
        if "records" in file:
            self.report(("file", "records"), "records applies to JSON sources only", "remove it")
        header = file.get("header", "columns" not in file)
        columns = tuple(file.get("columns", ()))
        if not header and not columns:
            self.report(("file", "header"), "a file without a header needs file.columns", "list the column names")
        layouts = []
        for index, layout in enumerate(file.get("layouts", ())):
            where = ("file", "layouts", index)
            count, without = (layout, []) if isinstance(layout, int) else (layout["count"], layout.get("without", []))
            for name in without:
                if name not in columns:
                    self.report(where, f"{name!r} is not in file.columns")
            names = tuple(c for c in columns if c not in without)[:count]
            if len(names) < count:
                self.report(where, f"a layout of {count} columns is longer than file.columns allows")
            layouts.append(names)
        if layouts and not columns:
            self.report(("file", "layouts"), "layouts need file.columns (a layout takes its names from them)")
        counts = [len(n) for n in layouts]
        if len(set(counts)) != len(counts):
            self.report(("file", "layouts"), "two layouts have the same column count", "rows are told apart by it")
        if len(set(columns)) != len(columns):
            self.report(("file", "columns"), "a column name is given twice")
        return Layout(
            encoding=file.get("encoding", "utf-8-sig"),
            delimiter=file.get("delimiter", "\t" if file["format"] == "tsv" else ","),
            quoting=file.get("quoting", "standard"),
            header=header,
            columns=columns,
            layouts=tuple(layouts),
        )

    def _record_sets(self, file: dict[str, Any], tabular: bool) -> dict[str, str]:
        if tabular:
            return {ROWS: ""}
        for key in ("delimiter", "quoting", "header", "columns", "layouts"):
            if key in file:
                self.report(("file", key), f"{key} applies to CSV and TSV sources only", "remove it")
        if file.get("encoding", "utf-8") not in ("utf-8", "utf-8-sig"):
            self.report(("file", "encoding"), "JSON is UTF-8 text", "remove encoding")
        records = file.get("records", "")
        return {ROWS: records} if isinstance(records, str) else dict(records)

    def _detect(self, spec: dict[str, Any] | None) -> Detect | None:
        if spec is None:
            return None
        first_row = None
        if "first_row" in spec:
            try:
                first_row = re.compile(spec["first_row"])
            except re.error as exc:
                self.report(("detect", "first_row"), f"bad regular expression: {exc}")
        return Detect(
            names=tuple(spec.get("names", ())),
            header=tuple(spec.get("header", ())),
            columns=tuple(spec.get("columns", ())),
            first_row=first_row,
            keys=tuple(spec.get("keys", ())),
        )

    # -- records --------------------------------------------------------------------------------

    def _document(self, values: Compiler, spec: dict[str, Any]) -> dict[str, Fn]:
        out = {k: _texted(values.value(("document", k), v), k) for k, v in spec.items() if k in DOCUMENT_TEXT}
        if "published" in spec:
            out["published"] = values.value(("document", "published"), _as_date(spec["published"])).fn
        return out

    def _set(self, where: Where, name: str | None, sets: dict[str, str]) -> str:
        if name is None:
            if len(sets) > 1:
                self.report(where, "this source has several record sets: say which one", f"from: {', '.join(sets)}")
            return next(iter(sets))
        if name not in sets:
            self.report((*where, "from"), f"unknown record set {name!r}", f"record sets: {', '.join(sets)}")
        return name

    def _entity(self, values: Compiler, role: str, spec: dict[str, Any], sets: dict[str, str]) -> EntityRule:
        where: Where = ("entities", role)
        base = self._entity_fields(values, where, spec)
        if "split" in spec and "id" in spec:
            self.report((*where, "split"), "an entity split into several cannot take one id", "remove id or split")
        cases = tuple(
            (
                values.condition((*where, "cases", i, "when"), case["when"]),
                self._entity_fields(values, (*where, "cases", i), case),
            )
            for i, case in enumerate(spec.get("cases", ()))
        )
        name_field = values.field_at.get((*where, "name")) or role
        id_field = values.field_at.get((*where, "id")) or role
        return EntityRule(
            role=role,
            record_set=self._set(where, spec.get("from"), sets),
            when=values.condition((*where, "when"), spec["when"]) if "when" in spec else None,
            fields=Fields(base, cases),
            name_field=name_field,
            id_field=id_field,
            explicit_id="id" in spec,
            split=spec.get("split"),
        )

    def _entity_fields(self, values: Compiler, where: Where, spec: dict[str, Any]) -> dict[str, Fn]:
        out: dict[str, Fn] = {}
        for key, value in spec.items():
            here = (*where, key)
            if key in ENTITY_TEXT:
                out[key] = _texted(values.value(here, value), key)
            elif key == "aliases":
                out[key] = _texts(values.value(here, value).fn, key)
            elif key == "coordinates":
                out[key] = _coordinates(
                    values.value((*here, "latitude"), _as_number(value["latitude"], -90, 90)).fn,
                    values.value((*here, "longitude"), _as_number(value["longitude"], -180, 180)).fn,
                )
            elif key == "attributes":
                out[key] = self._attributes(values, here, value)
            elif key == "attributes_from":
                out[key] = values.value(here, value).fn
        return out

    def _attributes(self, values: Compiler, where: Where, spec: dict[str, Any]) -> Fn:
        fns = tuple((name, values.value((*where, name), v).fn) for name, v in spec.items())

        def attributes(record: Any) -> dict[str, Any]:
            out = {}
            for name, fn in fns:
                value = fn(record)
                if value is not None:
                    out[name] = value
            return out

        return attributes

    def _relation(
        self, values: Compiler, index: int, spec: dict[str, Any], sets: dict[str, str], roles: dict[str, EntityRule]
    ) -> RelationRule:
        where: Where = ("relations", index)
        record_set = self._set(where, spec.get("from"), sets)
        if "period" in spec and ("date" in spec or "start" in spec or "end" in spec):
            self.report((*where, "period"), "give period, or date/start/end, not both")
        base = self._relation_fields(values, where, spec)
        cases = tuple(
            (
                values.condition((*where, "cases", i, "when"), case["when"]),
                self._relation_fields(values, (*where, "cases", i), case),
            )
            for i, case in enumerate(spec.get("cases", ()))
        )
        return RelationRule(
            record_set=record_set,
            when=values.condition((*where, "when"), spec["when"]) if "when" in spec else None,
            optional=bool(spec.get("optional", False)),
            missing=tuple(sorted(spec.get("missing", {}).items())),
            fields=Fields(base, cases),
            type_field=values.field_at.get((*where, "type"), ""),
            head=self._end(values, (*where, "head"), spec["head"], roles, record_set),
            tail=self._end(values, (*where, "tail"), spec["tail"], roles, record_set),
            location=self._end(values, (*where, "location"), spec["location"], roles, record_set)
            if "location" in spec
            else None,
        )

    def _relation_fields(self, values: Compiler, where: Where, spec: dict[str, Any]) -> dict[str, Fn]:
        out: dict[str, Fn] = {}
        for key, value in spec.items():
            here = (*where, key)
            if key in RELATION_TEXT:
                out[key] = _texted(values.value(here, value), key)
            elif key in RELATION_DATES:
                out[key] = values.value(here, _as_date(value)).fn
            elif key == "period":
                out["period_start"] = values.value((*here, "start"), _as_date(value["start"])).fn
                out["period_end"] = values.value((*here, "end"), _as_date(value["end"])).fn
            elif key == "precision":
                out[key] = _precision(values.value(here, value).fn)
            elif key == "sentence":
                out[key] = values.value(here, _as_number(value, 0, None, "integer")).fn
            elif key == "confidence":
                out[key] = values.value(here, _as_number(value, 0, 1)).fn
            elif key == "attributes":
                out[key] = self._attributes(values, here, value)
            elif key == "attributes_from":
                out[key] = values.value(here, value).fn
        return out

    def _end(self, values: Compiler, where: Where, spec: Any, roles: dict[str, EntityRule], record_set: str) -> End:
        if isinstance(spec, dict):
            compiled = values.value((*where, "ref"), spec["ref"])
            return End(ref=_texted(compiled, "ref"), field=compiled.field)
        names = (spec,) if isinstance(spec, str) else tuple(spec)
        for name in names:
            if name not in roles:
                self.report(where, f"no entity {name!r} in entities", f"entities: {', '.join(roles)}")
            elif roles[name].record_set != record_set:
                self.report(where, f"entity {name!r} comes from another record set", "name it by id: {ref: …}")
        return End(roles=names, field=roles[names[0]].name_field if names[0] in roles else "")


# -- value wrappers ----------------------------------------------------------------------------------


def _as_date(spec: Any) -> Any:
    """A date field's spec, parsed as a date even when written as a bare template."""
    if isinstance(spec, dict):
        return spec if "as" in spec else {**spec, "as": "date"}
    return {"value": spec, "as": "date"}


def _as_number(spec: Any, low: float | None, high: float | None, kind: str = "number") -> Any:
    bounds = {k: v for k, v in (("min", low), ("max", high)) if v is not None}
    if isinstance(spec, dict):
        return {"as": kind, **bounds, **spec}
    return {"value": spec, "as": kind, **bounds}


def _texted(compiled: Compiled, name: str) -> Fn:
    fn = compiled.fn
    if compiled.text:
        return fn

    def as_text(record: Any) -> str | None:
        value = fn(record)
        return value if value is None or isinstance(value, str) else text(value, name)

    return as_text


def _texts(fn: Fn, name: str) -> Fn:
    def as_texts(record: Any) -> list[str] | None:
        value = fn(record)
        if value is None:
            return None
        return [text(v, name) for v in value] if isinstance(value, list) else [text(value, name)]

    return as_texts


def _coordinates(latitude: Fn, longitude: Fn) -> Fn:
    def pair(record: Any) -> tuple[float, float] | None:
        lat, lon = latitude(record), longitude(record)
        return None if lat is None or lon is None else (float(lat), float(lon))

    return pair


def _precision(fn: Fn) -> Fn:
    def precision(record: Any) -> str | None:
        value = fn(record)
        if value is None or value in PRECISIONS:
            return value
        raise CellError("precision", f"{value!r} is not a precision ({', '.join(PRECISIONS)})")

    return precision


def _describe(spec: dict[str, Any]) -> str:
    parts = []
    for key, test in spec.items():
        for op, value in test.items():
            parts.append(f"{key} {op} {value!r}")
    return " and ".join(parts)
