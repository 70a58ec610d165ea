"""A mapping file, validated and compiled into the rules the mapper applies.

Validation has two layers: the JSON Schema in ``kgload/schemas/mapping.schema.json`` (shape),
then checks against the ontology and the template language (meaning). Every problem found is
reported at once, each with file, line, key and a fix.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from kgload.errors import MappingError, MappingProblem
from kgload.fingerprint import combine
from kgload.mapping.conditions import Condition, ConditionError, compile_condition
from kgload.mapping.layered import LayeredGazetteer
from kgload.mapping.memo import Memo
from kgload.mapping.resolve import Gazetteer, load_gazetteer
from kgload.mapping.templates import Template, TemplateError, compile_template
from kgload.ontology import Ontology, RelationProperty, load_ontology
from kgload.records import Document
from kgload.resources import default_mapping
from kgload.vocabulary.literals import SUPPORTED as SUPPORTED_DATATYPES
from kgload.vocabulary.namespaces import DCTERMS, PREFIXES, PROV, RDFS, SCHEMA, SKOS, expand
from kgload.yamlsource import YamlSource

ENTITY_FIELDS = frozenset({"base", "name", "type", "class", "id", "wikidata", "iso_code"})
# a canonical entity's IRI is made from its gazetteer key alone (a QID, an ISO code, a CAMEO sector key)
CANONICAL_FIELDS = frozenset({"base", "key"})
DOCUMENT_FIELDS = frozenset({"base", "id", "publisher", "published"})
# Identity is what an entity is, not how it was typed: a canonical entry by its key, any other
# name in a namespace of its own (so no name can take a key's IRI), both class-free.
DEFAULT_CANONICAL_IRI = "{base}id/{key|slug}"
DEFAULT_ENTITY_IRI = "{base}id/name/{name|slug}"
DEFAULT_DOCUMENT_IRI = "{base}doc/{id}"
DEFAULT_GRAPH_IRI = "{base}graph/doc/{id}"
GRAPH_FIELDS = DOCUMENT_FIELDS | {"type"}
ONE_OF = ("must be a CURIE string or a mapping with the documented keys", "see docs/mapping.md")
# Properties a mapping may write besides the ontology's own: well-known annotation vocabularies.
STANDARD_NAMESPACES = (RDFS, SKOS, DCTERMS, SCHEMA, PROV)


# a leading auxiliary verb of a free-text predicate, which says nothing of the relation's kind
_AUXILIARY = re.compile(r"^(?:is|are|was|were|has-been|have-been|had-been|has|have|had)-(?=.)")


def type_key(name: str) -> str:
    """Source type names match case-insensitively, with '_', '-' and spaces alike."""
    return "-".join(name.strip().lower().replace("_", " ").replace("-", " ").split())


@dataclass(frozen=True)
class PropertyRule:
    """Where one extra attribute goes: an RDF property, with a datatype or a language tag."""

    iri: str
    datatype: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class EntityRule:
    source_type: str
    class_iri: str
    templates: tuple[Template, ...]
    properties: dict[str, PropertyRule] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class RelationRule:
    source_type: str
    property: RelationProperty
    inverse: bool = False
    min_confidence: float = 0.0
    when: tuple[Condition, ...] = ()
    constants: dict[str, Any] = field(default_factory=dict, hash=False)
    properties: dict[str, PropertyRule] = field(default_factory=dict, hash=False)
    graph: Template | None = None
    fallback: bool = False  # matched no rule: kept as a generic event relation with its code
    free_text: bool = False  # a free-text relation no rule names: kept as a generic relation with its words


@dataclass
class Mapping:
    path: Path
    base: str
    prefixes: dict[str, str]
    ontology: Ontology
    shapes: Path | None
    gazetteer: Gazetteer
    document_iri: Template
    graph_iri: Template
    language: str | None
    entity_rules: dict[str, EntityRule] = field(default_factory=dict)
    relation_rules: dict[str, RelationRule] = field(default_factory=dict)
    relation_prefixes: list[tuple[str, RelationRule]] = field(default_factory=list)  # "cameo:19*", longest first
    fallback: RelationRule | None = None
    free_text: RelationRule | None = None  # for free-text relations (with a predicate) no rule names
    free_text_types: dict[str, RelationRule] = field(default_factory=dict)  # "met-with" -> interacted-with
    hash: str = ""
    canonical_iri: Template = field(default_factory=lambda: compile_template(DEFAULT_CANONICAL_IRI, CANONICAL_FIELDS))
    # what the mapper resolved with this mapping (names, IRIs, terms); not an init field, so a
    # dataclasses.replace() copy, a different version, starts with an empty one
    memo: Memo = field(default_factory=Memo, init=False, repr=False, compare=False)
    _world: LayeredGazetteer | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def world(self) -> LayeredGazetteer:
        """The mapping's gazetteer in front of the world one, made on first use (the world file is
        read once per process, however many mappings use it)."""
        if self._world is None:
            self._world = LayeredGazetteer(self.gazetteer)
        return self._world

    def document_iri_for(self, id: str, publisher: str | None = None, published: str | None = None) -> str:
        """The IRI of source document ``id``; TemplateError (a ValueError) when the mapping's template
        needs a field the document does not have."""
        return self.document_iri.render(self._document_fields(id, publisher, published))

    def graph_iri_for(self, id: str, publisher: str | None = None, published: str | None = None) -> str:
        """The named graph that holds what source document ``id`` contributed (raises as above)."""
        return self.graph_iri.render(self._document_fields(id, publisher, published))

    def document_iri_of(self, document: Document) -> str:
        """The IRI of a source document, from the fields the templates may use (raises as above)."""
        return self.document_iri_for(document.id, document.publisher, document.published)

    def graph_iri_of(self, document: Document) -> str:
        """The named graph of a source document (raises as above)."""
        return self.graph_iri_for(document.id, document.publisher, document.published)

    def _document_fields(self, id: str, publisher: str | None, published: str | None) -> dict[str, str | None]:
        return {"base": self.base, "id": id, "publisher": publisher, "published": published}

    def entity_rule(self, source_type: str) -> EntityRule | None:
        return self.entity_rules.get(type_key(source_type))

    def relation_rule(self, source_type: str) -> RelationRule | None:
        """The rule for a source type: exact name, else the longest matching prefix pattern,
        else the fallback (if the mapping has one)."""
        return self._named_rule(type_key(source_type)) or self.fallback

    def _named_rule(self, key: str) -> RelationRule | None:
        rule = self.relation_rules.get(key)
        if rule is not None:
            return rule
        for prefix, candidate in self.relation_prefixes:
            if key.startswith(prefix):
                return candidate
        return None

    def free_text_rule(self, source_type: str) -> RelationRule | None:
        """The rule for a free-text relation (an LLM graph's predicate): a rule that names its type,
        else the free-text value table's entry for it, both also without a leading "is"/"was"
        ("is located in" is located-in); else the mapping's free-text rule, else the fallback."""
        key = type_key(source_type)
        bare = _AUXILIARY.sub("", key)
        for candidate in dict.fromkeys((key, bare)):
            rule = self._named_rule(candidate) or self.free_text_types.get(candidate)
            if rule is not None:
                return rule
        return self.free_text or self.fallback

    def all_relation_rules(self) -> list[RelationRule]:
        """Every relation rule: by exact name, by prefix, the fallback and the free-text one."""
        rules = [*self.relation_rules.values(), *(rule for _, rule in self.relation_prefixes)]
        return [*rules, *(r for r in (self.fallback, self.free_text) if r is not None)]

    def known_relation_types(self) -> list[str]:
        return sorted(
            {r.source_type for r in self.relation_rules.values()} | {p + "*" for p, _ in self.relation_prefixes}
        )


@lru_cache(maxsize=1)
def _schema_validator() -> jsonschema.Draft202012Validator:
    text = resources.files("kgload.schemas").joinpath("mapping.schema.json").read_text("utf-8")
    return jsonschema.Draft202012Validator(json.loads(text))


def load_mapping(path: Path | str | None = None) -> Mapping:
    """Load, validate and compile a mapping; raise MappingError listing every problem."""
    path = Path(path) if path is not None else default_mapping()
    return _load(path.resolve())


@lru_cache(maxsize=8)
def _load(path: Path) -> Mapping:
    source = YamlSource(path)
    problems = source.schema_problems(_schema_validator(), ONE_OF)
    if problems:
        raise MappingError(problems)
    return _Compiler(source).compile()


class _Compiler:
    def __init__(self, source: YamlSource) -> None:
        self.source = source
        self.data: dict[str, Any] = source.data
        self.dir = source.path.parent
        self.problems: list[MappingProblem] = []

    def compile(self) -> Mapping:
        data = self.data
        prefixes = {**PREFIXES, **(data.get("prefixes") or {})}
        ontology_path = self._file(("ontology",), data["ontology"])
        shapes_path = self._file(("shapes",), data["shapes"]) if "shapes" in data else None
        if ontology_path is None:
            raise MappingError(self.problems)
        ontology = load_ontology(ontology_path)
        gazetteer_paths = data.get("gazetteer") or []
        if isinstance(gazetteer_paths, str):
            gazetteer_paths = [gazetteer_paths]
        gazetteer_files = [self._file(("gazetteer",), p) for p in gazetteer_paths]
        gazetteer = load_gazetteer([p for p in gazetteer_files if p is not None])

        document = data.get("document") or {}
        mapping = Mapping(
            path=self.source.path,
            base=data["base"],
            prefixes=prefixes,
            ontology=ontology,
            shapes=shapes_path,
            gazetteer=gazetteer,
            document_iri=self._template(
                ("document", "iri"), document.get("iri", DEFAULT_DOCUMENT_IRI), DOCUMENT_FIELDS
            ),
            graph_iri=self._graph(("document", "graph"), document.get("graph", DEFAULT_GRAPH_IRI))
            or compile_template("", frozenset()),
            language=document.get("language"),
        )
        self._entities(mapping)
        self._relations(mapping)
        if self.problems:
            raise MappingError(self.problems)
        hashed = [
            self.source.path,
            ontology_path,
            *(p for p in gazetteer_files if p),
            *([shapes_path] if shapes_path else []),
        ]
        mapping.hash = combine(*(p.read_text("utf-8") for p in hashed))
        return mapping

    def _file(self, where: tuple[str | int, ...], relative: str) -> Path | None:
        path = (self.dir / relative).resolve()
        if not path.is_file():
            self.problems.append(
                self.source.problem(
                    where, f"file {relative!r} not found (looked in {path})", "give a path relative to the mapping file"
                )
            )
            return None
        return path

    def _template(self, where: tuple[str | int, ...], text: str, fields: frozenset[str]) -> Template:
        try:
            return compile_template(text, fields)
        except TemplateError as exc:
            self.problems.append(self.source.problem(where, str(exc), "fix the template"))
            return compile_template("", frozenset())

    def _term(self, where: tuple[str | int, ...], curie: str, prefixes: dict[str, str]) -> str | None:
        iri = expand(curie, prefixes)
        if iri is None:
            self.problems.append(
                self.source.problem(
                    where,
                    f"unknown prefix in {curie!r}",
                    f"declare it under prefixes: (known: {', '.join(sorted(prefixes))})",
                )
            )
        return iri

    def _entities(self, mapping: Mapping) -> None:
        section = self.data["entities"]
        default = self._templates(("entities", "iri"), section.get("iri", DEFAULT_ENTITY_IRI), ENTITY_FIELDS)
        mapping.canonical_iri = self._template(
            ("entities", "canonical"), section.get("canonical", DEFAULT_CANONICAL_IRI), CANONICAL_FIELDS
        )
        if "key" not in mapping.canonical_iri.fields and not self.problems:
            self.problems.append(
                self.source.problem(
                    ("entities", "canonical"),
                    "a canonical entity template must contain {key}",
                    'one canonical entry, one IRI: e.g. "{base}id/{key|slug}"',
                )
            )
        default_props = self._properties(("entities", "properties"), section.get("properties") or {}, mapping)
        for name, rule in section["types"].items():
            where: tuple[str | int, ...] = ("entities", "types", name)
            spec = {"class": rule} if isinstance(rule, str) else rule
            class_iri = self._term(
                (*where, "class") if isinstance(rule, dict) else where, spec["class"], mapping.prefixes
            )
            if class_iri is None:
                continue
            if class_iri not in mapping.ontology.classes:
                self.problems.append(
                    self.source.problem(
                        where,
                        f"class {spec['class']} is not in the ontology",
                        mapping.ontology.suggest(class_iri, "class"),
                    )
                )
                continue
            templates = self._templates((*where, "iri"), spec["iri"], ENTITY_FIELDS) if "iri" in spec else default
            props = {**default_props, **self._properties((*where, "properties"), spec.get("properties") or {}, mapping)}
            for alias in [name, *spec.get("also", [])]:
                self._register(mapping.entity_rules, alias, EntityRule(name, class_iri, templates, props), where)

    def _relations(self, mapping: Mapping) -> None:
        section = self.data["relations"]
        defaults = {
            "min_confidence": float(section.get("min_confidence", 0.0)),
            "constants": section.get("constants") or {},
            "properties": self._properties(("relations", "properties"), section.get("properties") or {}, mapping),
            "graph": self._graph(("relations", "graph"), section["graph"]) if "graph" in section else None,
        }
        for name, rule in section["types"].items():
            where: tuple[str | int, ...] = ("relations", "types", name)
            spec = {"property": rule} if isinstance(rule, str) else rule
            prop = self._relation_property(
                (*where, "property") if isinstance(rule, dict) else where, spec["property"], mapping
            )
            if prop is None:
                continue
            relation = RelationRule(
                source_type=name,
                property=prop,
                inverse=bool(spec.get("inverse", False)),
                min_confidence=float(spec.get("min_confidence", defaults["min_confidence"])),
                when=self._conditions((*where, "when"), spec.get("when") or {}),
                constants={**defaults["constants"], **(spec.get("constants") or {})},
                properties={
                    **defaults["properties"],
                    **self._properties((*where, "properties"), spec.get("properties") or {}, mapping),
                },
                graph=self._graph((*where, "graph"), spec["graph"]) if "graph" in spec else defaults["graph"],
            )
            for alias in [name, *spec.get("also", [])]:
                if alias.endswith("*"):
                    mapping.relation_prefixes.append((type_key(alias[:-1]), relation))
                else:
                    self._register(mapping.relation_rules, alias, relation, where)
        mapping.relation_prefixes.sort(key=lambda item: -len(item[0]))
        for key, name in (("fallback", "(fallback)"), ("free_text", "(free text)")):
            if not section.get(key):
                continue
            spec = section[key]
            if isinstance(spec, dict):  # free_text: {property: …, types: {predicate: relation type}}
                self._free_text_types(spec.get("types") or {}, mapping)
                if not spec.get("property"):
                    continue
                spec = spec["property"]
            where = ("relations", key, "property") if isinstance(section[key], dict) else ("relations", key)
            prop = self._relation_property(where, spec, mapping)
            if prop is not None:
                setattr(
                    mapping,
                    key,
                    RelationRule(
                        name,
                        prop,
                        min_confidence=defaults["min_confidence"],
                        constants=defaults["constants"],
                        properties=defaults["properties"],
                        graph=defaults["graph"],
                        fallback=key == "fallback",
                        free_text=key == "free_text",
                    ),
                )

    def _free_text_types(self, table: dict[str, str], mapping: Mapping) -> None:
        """The free-text value table: each predicate (normalised as a type name) to the rule of a
        relation type the mapping names."""
        for predicate, target in table.items():
            rule = mapping.relation_rules.get(type_key(str(target)))
            if rule is None:
                self.problems.append(
                    self.source.problem(
                        ("relations", "free_text", "types", predicate),
                        f"relation type {target!r} is not named in relations.types",
                        f"name one of: {', '.join(sorted(mapping.relation_rules))}",
                    )
                )
                continue
            self._register(mapping.free_text_types, predicate, rule, ("relations", "free_text", "types", predicate))

    def _relation_property(self, where: tuple[str | int, ...], curie: str, mapping: Mapping) -> RelationProperty | None:
        iri = self._term(where, curie, mapping.prefixes)
        if iri is None:
            return None
        prop = mapping.ontology.relations.get(iri)
        if prop is None:
            self.problems.append(
                self.source.problem(
                    where,
                    f"property {curie} is not a relation property of the ontology",
                    mapping.ontology.suggest(iri, "property"),
                )
            )
        return prop

    def _templates(
        self, where: tuple[str | int, ...], spec: str | list[str], fields: frozenset[str]
    ) -> tuple[Template, ...]:
        texts = [spec] if isinstance(spec, str) else spec
        return tuple(
            self._template((*where, i) if isinstance(spec, list) else where, t, fields) for i, t in enumerate(texts)
        )

    def _graph(self, where: tuple[str | int, ...], text: str) -> Template | None:
        template = self._template(where, text, GRAPH_FIELDS)
        if template.text and "id" not in template.fields:
            self.problems.append(
                self.source.problem(
                    where,
                    "a graph template must contain {id}",
                    "facts of one document must stay in graphs of that document, so a reload can replace them",
                )
            )
        return template

    def _conditions(self, where: tuple[str | int, ...], spec: dict[str, Any]) -> tuple[Condition, ...]:
        out = []
        for name, condition in spec.items():
            try:
                out.append(compile_condition(name, condition))
            except ConditionError as exc:
                self.problems.append(self.source.problem((*where, name), str(exc)))
        return tuple(out)

    def _properties(
        self, where: tuple[str | int, ...], spec: dict[str, Any], mapping: Mapping
    ) -> dict[str, PropertyRule]:
        out: dict[str, PropertyRule] = {}
        for attribute, rule in spec.items():
            here = (*where, attribute)
            rule = {"property": rule} if isinstance(rule, str) else rule
            iri = self._term((*here, "property"), rule["property"], mapping.prefixes)
            if iri is None:
                continue
            if iri not in mapping.ontology.properties and not iri.startswith(STANDARD_NAMESPACES):
                self.problems.append(
                    self.source.problem(
                        (*here, "property"),
                        f"property {rule['property']} is neither in the ontology "
                        "nor in RDFS/SKOS/DC Terms/schema.org/PROV",
                        "declare it in the ontology",
                    )
                )
                continue
            datatype = None
            if "datatype" in rule:
                datatype = self._term((*here, "datatype"), rule["datatype"], mapping.prefixes)
                if datatype is not None and datatype not in SUPPORTED_DATATYPES:
                    self.problems.append(
                        self.source.problem(
                            (*here, "datatype"),
                            f"unsupported datatype {rule['datatype']}",
                            "use an xsd: type such as xsd:integer, xsd:decimal, xsd:date, xsd:string",
                        )
                    )
                    continue
            if datatype and rule.get("language"):
                self.problems.append(self.source.problem(here, "give a datatype or a language, not both"))
                continue
            out[attribute] = PropertyRule(iri, datatype, rule.get("language"))
        return out

    def _register(self, table: dict[str, Any], name: str, rule: Any, where: tuple[str | int, ...]) -> None:
        key = type_key(name)
        if key in table and table[key] != rule:
            self.problems.append(
                self.source.problem(where, f"type name {name!r} is mapped twice", "keep one rule per source type")
            )
        table[key] = rule
