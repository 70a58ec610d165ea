"""Selecting from the embedded store (pyoxigraph) with SPARQL.

No user text is ever pasted into a query: IRIs pass through ``pyoxigraph.NamedNode`` (which
rejects anything that is not an IRI) and strings through ``pyoxigraph.Literal``, whose N-Triples
form escapes quotes, backslashes and line breaks; both go into VALUES blocks. The only text run
as given is ``--sparql``, the user's own query, on a store opened read-only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

import pyoxigraph as ox

from kgload.errors import UsageError
from kgload.export.selection import ClaimBrief, Scope
from kgload.export.subgraph import Claim, Document, Entity, Mention, Term, batched, most_specific
from kgload.mapping.spec import Mapping
from kgload.rdf.geometry import AS_WKT, HAS_GEOMETRY, parse_wkt
from kgload.rdf.plan import NOTE
from kgload.sinks.embedded import EmbeddedStore
from kgload.sinks.neo4j.attributes import flatten_attributes
from kgload.sinks.neo4j.projection import add_field, relationship_key, value
from kgload.vocabulary.namespaces import DCTERMS, KG, OWL, PROV, RDF, RDFS, SCHEMA, SKOS, WD

BATCH = 200  # IRIs per VALUES block: keeps query texts small, round trips few

_CLAIM_FIELDS = {"startDate": "start", "endDate": "end", "sentenceIndex": "sentence"}
_CLAIM_SKIP = {
    RDF + "type",
    RDF + "subject",
    RDF + "object",
    RDF + "predicate",
    KG + "status",
    KG + "assertedBy",
    KG + "deniedBy",
    KG + "location",
    PROV + "wasDerivedFrom",
    PROV + "wasGeneratedBy",
}

_BRIEF = """
SELECT DISTINCT ?c ?s ?p ?o ?doc ?date ?start ?end ?published WHERE {{
  {head}
  ?c a kg:Claim ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; prov:wasDerivedFrom ?doc .
  {filters}
  OPTIONAL {{ ?c kg:date ?date }} OPTIONAL {{ ?c kg:startDate ?start }} OPTIONAL {{ ?c kg:endDate ?end }}
  OPTIONAL {{ ?doc dcterms:issued ?published }}
}}"""


def iri(text: str) -> str:
    """A validated IRI in SPARQL syntax (``<…>``); ValueError if ``text`` is not an IRI."""
    return str(ox.NamedNode(text))


def values(iris: list[str]) -> str:
    """The body of a VALUES block of validated IRIs."""
    return " ".join(iri(x) for x in iris)


def literal(text: str) -> str:
    """A string literal in SPARQL syntax, escaped by pyoxigraph."""
    return str(ox.Literal(text))


def term(node: ox.NamedNode | ox.BlankNode | ox.Literal) -> Term:
    if isinstance(node, ox.NamedNode):
        return Term(node.value, "iri")
    if isinstance(node, ox.BlankNode):
        return Term(node.value, "bnode")
    return Term(node.value, "literal", None if node.language else node.datatype.value, node.language)


class EmbeddedBackend:
    def __init__(self, store: EmbeddedStore, mapping: Mapping) -> None:
        self.store = store
        self.mapping = mapping
        self.ontology = mapping.ontology
        self.by_type = {r.neo4j_type: r.iri for r in self.ontology.relations.values()}

    def _select(self, sparql: str) -> ox.QuerySolutions:
        result = self.store.query(sparql)
        assert isinstance(result, ox.QuerySolutions)
        return result

    # -- names ------------------------------------------------------------------------------

    def entity_names(self, keys: list[str]) -> dict[str, set[str]]:
        found: dict[str, set[str]] = defaultdict(set)
        names = " ".join(literal(k) for k in keys)
        for row in self._select(f"""SELECT DISTINCT ?key ?e WHERE {{ VALUES ?key {{ {names} }}
                                    ?e rdfs:label|skos:altLabel ?key . ?d schema:mentions ?e }}"""):
            found[row["key"].value].add(row["e"].value)
        iris = []
        for key in keys:
            try:
                iris.append(iri(key))
            except ValueError:
                continue
        if iris:
            for row in self._select(
                f"SELECT DISTINCT ?e WHERE {{ VALUES ?e {{ {' '.join(iris)} }} ?d schema:mentions ?e }}"
            ):
                found[row["e"].value].add(row["e"].value)
        missing = {k.casefold(): k for k in keys if not found.get(k)}
        if missing:  # case-insensitive: one pass over the names, never a query built from them
            for row in self._select(
                "SELECT DISTINCT ?e ?n WHERE { ?d schema:mentions ?e . ?e rdfs:label|skos:altLabel ?n }"
            ):
                key = missing.get(row["n"].value.casefold())
                if key is not None:
                    found[key].add(row["e"].value)
        return found

    def all_entity_names(self) -> Iterator[str]:
        for row in self._select("SELECT DISTINCT ?n WHERE { ?d schema:mentions ?e . ?e rdfs:label|skos:altLabel ?n }"):
            yield row["n"].value

    def document_ids(self) -> dict[str, str]:
        rows = self._select("SELECT ?d ?id WHERE { ?d a kg:Document ; dcterms:identifier ?id }")
        return {row["d"].value: row["id"].value for row in rows}

    # -- claims for the selection ---------------------------------------------------------------

    def _filters(self, types: list[str] | None, documents: list[str] | None) -> str:
        parts = []
        if types is not None:
            parts.append(f"VALUES ?p {{ {' '.join(iri(self.by_type[t]) for t in types)} }}")
        if documents is not None:
            parts.append(f"VALUES ?doc {{ {' '.join(iri(d) for d in documents)} }}")
        return "\n  ".join(parts)

    def _briefs(self, sparql: str) -> Iterator[ClaimBrief]:
        relations = self.ontology.relations
        for row in self._select(sparql):
            relation = relations.get(row["p"].value)
            if relation is None:
                continue  # not a relation kgload projects (the Neo4j sink skips it too)
            yield ClaimBrief(
                row["c"].value,
                relation.neo4j_type,
                row["s"].value,
                row["o"].value,
                row["doc"].value,
                *(row[k].value if row[k] is not None else None for k in ("date", "start", "end", "published")),
            )

    def claims_touching(
        self, entities: list[str], types: list[str] | None, documents: list[str] | None
    ) -> Iterator[ClaimBrief]:
        filters = self._filters(types, documents)
        for batch in batched(entities, BATCH):
            values = " ".join(iri(e) for e in batch)
            head = f"VALUES ?e {{ {values} }} {{ ?c rdf:subject ?e }} UNION {{ ?c rdf:object ?e }}"
            yield from self._briefs(_BRIEF.format(head=head, filters=filters))

    def all_claims(self, types: list[str] | None, documents: list[str] | None) -> Iterator[ClaimBrief]:
        yield from self._briefs(_BRIEF.format(head="", filters=self._filters(types, documents)))

    def raw_scope(self, query: str) -> Scope:
        try:
            result = self.store.query(query)
        except SyntaxError as exc:
            raise UsageError(f"SPARQL syntax error: {exc}") from None
        except OSError as exc:
            raise UsageError(f"SPARQL query failed: {exc}") from None
        iris: set[str] = set()
        facts: list[tuple[str, str, str]] = []
        if isinstance(result, ox.QueryTriples):
            for triple in result:
                nodes = [n.value for n in (triple.subject, triple.object) if isinstance(n, ox.NamedNode)]
                iris.update(nodes)
                if triple.predicate.value in self.ontology.relations and len(nodes) == 2:
                    facts.append((nodes[0], triple.predicate.value, nodes[1]))
        elif isinstance(result, ox.QuerySolutions):
            for row in result:
                iris.update(v.value for v in row if isinstance(v, ox.NamedNode))
        else:
            raise UsageError("--sparql takes a CONSTRUCT, DESCRIBE or SELECT query")
        scope = Scope()
        for batch in batched(sorted(iris), BATCH):
            rows = self._select(
                f"SELECT DISTINCT ?x ?t WHERE {{ VALUES ?x {{ {' '.join(iri(x) for x in batch)} }} ?x a ?t }}"
            )
            for row in rows:
                kind = row["t"].value
                if kind == KG + "Claim":
                    scope.claims.add(row["x"].value)
                elif kind == KG + "Document":
                    scope.documents.add(row["x"].value)
                elif kind in self.ontology.classes:
                    scope.entities.add(row["x"].value)
        for batch in batched(facts, BATCH):  # a direct triple stands for the asserted claims behind it
            values = " ".join(f"({iri(s)} {iri(p)} {iri(o)})" for s, p, o in batch)
            rows = self._select(f"""SELECT ?c WHERE {{ VALUES (?s ?p ?o) {{ {values} }}
                                    ?c rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; kg:status kg:Asserted }}""")
            scope.claims.update(row["c"].value for row in rows)
        return scope

    # -- details ------------------------------------------------------------------------------

    # Details are read straight from the store's indexes (quads_for_pattern): several times
    # faster than the equivalent SPARQL, and no query text is involved at all.

    def _about(self, uri: str, graph: ox.NamedNode | None = None) -> Iterator[ox.Quad]:
        return self.store.store.quads_for_pattern(ox.NamedNode(uri), None, None, graph)

    def claims(self, uris: list[str]) -> Iterator[Claim]:
        for uri in uris:
            claim = self._claim(uri, [(q.predicate.value, q.object, q.graph_name.value) for q in self._about(uri)])
            if claim is not None:
                yield claim

    def _claim(self, uri: str, props: list[tuple[str, ox.NamedNode | ox.BlankNode | ox.Literal, str]]) -> Claim | None:
        found: dict[str, str] = {}
        fields: dict = {}
        extra: list[tuple[str, Term]] = []
        asserted, denied, location = [], [], None
        graph = ""
        for p, o, g in props:
            if p == RDF + "type" and o.value == KG + "Claim":
                graph = g
            if p in (RDF + "subject", RDF + "object", RDF + "predicate", PROV + "wasDerivedFrom"):
                found[p] = o.value
            elif p == KG + "status":
                found[p] = o.value.rsplit("#", 1)[-1].lower()
            elif p == KG + "assertedBy":
                asserted.append(o.value)
            elif p == KG + "deniedBy":
                denied.append(o.value)
            elif p == KG + "location":
                location = o.value
            elif p == PROV + "wasGeneratedBy":
                fields["run"] = o.value
            elif p == KG + "attributes":  # Neo4j's properties, and the exact JSON for the RDF formats
                fields.update(flatten_attributes(o.value))
                extra.append((p, term(o)))
            elif p == NOTE:
                add_field(fields, "note", value(o))
                extra.append((p, term(o)))
            elif p.startswith(KG) and p != KG + "status":
                name = _CLAIM_FIELDS.get(p[len(KG) :], p[len(KG) :])
                if name in fields:  # Neo4j keeps one value per property; the RDF keeps them all
                    extra.append((p, term(o)))
                else:
                    fields[name] = value(o)
            elif p not in _CLAIM_SKIP:
                extra.append((p, term(o)))
        relation = self.ontology.relations.get(found.get(RDF + "predicate", ""))
        subject, obj = found.get(RDF + "subject"), found.get(RDF + "object")
        if relation is None or subject is None or obj is None:
            return None
        return Claim(
            uri=uri,
            key=relationship_key(subject, relation.neo4j_type, obj, fields),
            type=relation.neo4j_type,
            predicate=relation.iri,
            subject=subject,
            object=obj,
            status=found.get(KG + "status", "asserted"),
            document=found.get(PROV + "wasDerivedFrom", ""),
            graph=graph,
            props=fields,
            asserted_by=asserted,
            denied_by=denied,
            location=location,
            extra=extra,
        )

    def entities(self, uris: list[str]) -> Iterator[Entity]:
        mentions = ox.NamedNode(SCHEMA + "mentions")
        for uri in uris:
            per: dict[str, list[tuple[str, ox.NamedNode | ox.BlankNode | ox.Literal]]] = {}
            for mention in self.store.store.quads_for_pattern(None, mentions, ox.NamedNode(uri), None):
                graph = mention.graph_name
                if isinstance(graph, ox.NamedNode):
                    per[mention.subject.value] = [(q.predicate.value, q.object) for q in self._about(uri, graph)]
            if per:
                yield self._entity(uri, per)

    def _entity(
        self, uri: str, by_doc: dict[str, list[tuple[str, ox.NamedNode | ox.BlankNode | ox.Literal]]]
    ) -> Entity:
        mentions: list[Mention] = []
        types: set[str] = set()
        for doc, props in sorted(by_doc.items()):
            mention = Mention(doc, "", [])
            for p, o in props:
                if p == RDF + "type":
                    if o.value in self.ontology.classes:
                        types.add(o.value)
                    else:
                        mention.extra.append((p, term(o)))
                elif p == RDFS + "label":
                    mention.name = o.value
                elif p == SKOS + "altLabel":
                    mention.names.append(o.value)
                elif p == OWL + "sameAs" and o.value.startswith(WD):
                    mention.wikidata = o.value[len(WD) :]
                elif p == OWL + "sameAs":
                    mention.same_as.append(o.value)
                elif p == KG + "isoCode":
                    mention.iso_code = o.value
                elif p == HAS_GEOMETRY.value:  # the point's WKT is the same in every graph: its IRI is made of it
                    wkt = next(self.store.store.quads_for_pattern(o, AS_WKT, None, None), None)
                    point = parse_wkt(wkt.object.value) if wkt is not None else None
                    if point is not None:
                        mention.location = min(point, mention.location or point)
                elif p not in self.ontology.relations:  # direct triples come from the claims
                    mention.extra.append((p, term(o)))
            mention.name = mention.name or uri
            mention.names = [mention.name, *sorted(set(mention.names) - {mention.name})]
            mentions.append(mention)
        # every label the Neo4j projection gives (superclasses too: a Person is an Actor)
        labels, class_iris = most_specific(self.ontology.node_labels(tuple(sorted(types))), self.ontology)
        # the entity's own name and aliases, as the Neo4j sink computes them over its mentions
        names = sorted({n for m in mentions for n in m.names})
        name = min(m.name for m in mentions)
        return Entity(
            uri=uri,
            name=name,
            aliases=[n for n in names if n != name],
            classes=labels,
            class_iris=class_iris,
            wikidata=max((m.wikidata for m in mentions if m.wikidata), default=None),
            iso_code=max((m.iso_code for m in mentions if m.iso_code), default=None),
            mentions=mentions,
        )

    def documents(self, uris: Iterable[str]) -> Iterator[Document]:
        for uri in sorted(uris):
            props = [(q.predicate.value, q.object, q.graph_name.value) for q in self._about(uri)]
            if props:
                yield _document(uri, props)


def _document(uri: str, props: list[tuple[str, ox.NamedNode | ox.BlankNode | ox.Literal, str]]) -> Document:
    doc = Document(uri=uri, graph="", id="")
    for p, o, g in props:
        if p == RDF + "type" and o.value == KG + "Document":
            doc.graph = g
        elif p == DCTERMS + "identifier":
            doc.id = o.value
        elif p == DCTERMS + "title":
            doc.title = o.value
        elif p == DCTERMS + "publisher":
            doc.publisher = o.value
        elif p == DCTERMS + "issued":
            doc.published = value(o)
        elif p == DCTERMS + "language":
            doc.language = o.value
        elif p == SCHEMA + "url":
            doc.url = o.value
        elif p == PROV + "wasGeneratedBy":
            doc.run = o.value
        elif p in (SCHEMA + "mentions", KG + "fingerprint"):
            continue  # mentions follow the exported entities; see rdf.py for the fingerprint
        else:
            doc.extra.append((p, term(o)))
    return doc
