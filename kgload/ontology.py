"""The ontology as kgload needs it: which classes and relation properties exist, and how
they appear in Neo4j. Labels and relationship types reach Cypher only through this table."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import rdflib
from rdflib.namespace import OWL, RDF, RDFS

from kgload.errors import MappingError, MappingProblem
from kgload.vocabulary.namespaces import KG

NEO4J_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
NEO4J_TYPE = re.compile(r"^[A-Z][A-Z0-9_]{0,63}$")


@dataclass(frozen=True)
class RelationProperty:
    iri: str
    neo4j_type: str
    symmetric: bool = False
    inverse_of: str | None = None


@dataclass
class Ontology:
    path: Path
    classes: dict[str, str] = field(default_factory=dict)  # IRI -> Neo4j label
    superclasses: dict[str, frozenset[str]] = field(default_factory=dict)
    relations: dict[str, RelationProperty] = field(default_factory=dict)
    properties: set[str] = field(default_factory=set)  # every declared property IRI
    # node labels by the classes they come from: a load asks for the same few combinations per node
    _labels: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict, repr=False, compare=False)

    def node_labels(self, class_iris: tuple[str, ...]) -> tuple[str, ...]:
        """The labels of a node of these classes, sorted: each declared class's and its superclasses',
        leaving out a name Neo4j would not take as a label."""
        found = self._labels.get(class_iris)
        if found is None:
            labels: set[str] = set()
            for cls in class_iris:
                if cls in self.classes:
                    labels.add(self.classes[cls])
                    labels.update(self.classes[s] for s in self.superclasses.get(cls, ()))
            found = self._labels[class_iris] = tuple(sorted(label for label in labels if NEO4J_NAME.match(label)))
        return found

    def suggest(self, iri: str, among: str) -> str:
        pool = self.classes if among == "class" else self.relations
        names = {local_name(k): k for k in pool}
        close = difflib.get_close_matches(local_name(iri), list(names), n=1, cutoff=0.6)
        return f"did you mean kg:{close[0]}?" if close else f"declare it in {self.path.name}"


def local_name(iri: str) -> str:
    return re.split(r"[#/]", iri)[-1]


@lru_cache(maxsize=8)
def load_ontology(path: Path) -> Ontology:
    """Parse an OWL ontology in Turtle and index what the loader needs from it."""
    graph = rdflib.Graph()
    try:
        graph.parse(path, format="turtle")
    except Exception as exc:  # rdflib raises many types for syntax errors
        raise MappingError([MappingProblem(str(path), None, "ontology", f"cannot parse: {exc}")]) from exc
    onto = Ontology(path=path)
    problems: list[MappingProblem] = []
    for cls in set(graph.subjects(RDF.type, OWL.Class)) | set(graph.subjects(RDF.type, RDFS.Class)):
        if isinstance(cls, rdflib.URIRef):
            name = local_name(str(cls))
            if NEO4J_NAME.match(name):
                onto.classes[str(cls)] = name
    for cls in onto.classes:
        supers = {str(o) for o in graph.transitive_objects(rdflib.URIRef(cls), RDFS.subClassOf)}
        onto.superclasses[cls] = frozenset(s for s in supers if s in onto.classes and s != cls)
    kinds = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property)
    for kind in kinds:
        onto.properties.update(str(p) for p in graph.subjects(RDF.type, kind))
    symmetric = {str(p) for p in graph.subjects(RDF.type, OWL.SymmetricProperty)}
    for prop, neo4j_type in graph.subject_objects(rdflib.URIRef(KG + "neo4jType")):
        text = str(neo4j_type)
        if not NEO4J_TYPE.match(text):
            problems.append(
                MappingProblem(str(path), None, str(prop), f"kg:neo4jType {text!r} is not UPPER_SNAKE_CASE")
            )
            continue
        inverse = graph.value(prop, OWL.inverseOf)
        onto.relations[str(prop)] = RelationProperty(
            iri=str(prop),
            neo4j_type=text,
            symmetric=str(prop) in symmetric,
            inverse_of=str(inverse) if inverse is not None else None,
        )
    if problems:
        raise MappingError(problems)
    return onto
