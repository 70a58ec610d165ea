"""The embedded default store: a persistent pyoxigraph (RocksDB) store on disk, no server.

Each source document lives in its own named graph; the default graph, as queried, is the
union of them all. Replacing a document is: drop its graph, add the new quads (or parse its
N-Quads) in one transaction. Its fingerprint lives inside that graph, so a crash between the two steps leaves
no fingerprint and the next run loads the document again.
"""

from __future__ import annotations

import json
import traceback
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from kgload.defaults import FLUSH_QUADS, RUNS_LISTED
from kgload.errors import TargetInUse, TargetUnreachable
from kgload.fingerprint import fingerprint
from kgload.ledger import RunRecord, camel
from kgload.mapping.spec import Mapping
from kgload.mapping.tenures import Holding
from kgload.model import MappedDocument
from kgload.rdf.direct_text import TextPreparer
from kgload.rdf.offices import office_properties
from kgload.report import FAILED, RUNNING
from kgload.sinks import learned
from kgload.vocabulary.namespaces import KG, PREFIXES, PROV, RDF, XSD

_FINGERPRINT = ox.NamedNode(KG + "fingerprint")
_GRAPH = ox.NamedNode(KG + "graph")
# A raw hash (kgload.pipeline.unchanged) is a node of its own in the document's graph, naming the document
# and its fingerprint: one seek by subject answers a look-up, and the document's own triples stay as mapped.
_RAW_OF = ox.NamedNode(KG + "rawHashOf")
_RAW_FINGERPRINT = ox.NamedNode(KG + "rawHashFingerprint")
_RAW_NODE = "urn:kgload:"


class EmbeddedStore:
    name = "embedded"

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only
        try:
            if read_only:
                if not path.exists():
                    raise TargetUnreachable(f"embedded store {path} does not exist yet; load something first")
                self.store = ox.Store.read_only(str(path))
            else:
                path.mkdir(parents=True, exist_ok=True)
                self.store = ox.Store(str(path))
        except OSError as exc:
            if "lock" in str(exc).lower():  # RocksDB's lock: another run holds the store (exit 75, try later)
                message = f"embedded store {path} is in use by another kgload process; try again later"
                raise TargetInUse(message) from exc
            raise TargetUnreachable(f"cannot open embedded store {path}: {exc}") from exc
        self.unflushed = 0  # quads written since the last flush

    def describe(self) -> str:
        return f"embedded store {self.path}"

    def fingerprints(self, documents: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for iri in documents:
            for quad in self.store.quads_for_pattern(ox.NamedNode(iri), _FINGERPRINT, None, None):
                found[iri] = quad.object.value
        return found

    def raw_hashes(self, hashes: list[str]) -> dict[str, tuple[str, str]]:
        found: dict[str, tuple[str, str]] = {}
        for raw in hashes:
            values = {q.predicate: q.object.value for q in self.store.quads_for_pattern(_raw_node(raw), None, None)}
            if _RAW_OF in values and _RAW_FINGERPRINT in values:
                found[raw] = (values[_RAW_OF], values[_RAW_FINGERPRINT])
        return found

    def keep_raw_hashes(self, rows: list[tuple[str, str, str]]) -> None:
        for iri, raw, fp in rows:
            node = ox.NamedNode(iri)
            for quad in self.store.quads_for_pattern(node, _FINGERPRINT, None, None):
                if quad.object.value == fp and isinstance(quad.graph_name, ox.NamedNode):
                    graph = quad.graph_name
                    raw_node = _raw_node(raw)
                    if next(self.store.quads_for_pattern(raw_node, _RAW_OF, node, graph), None) is not None:
                        continue  # kept already: a re-run without workers asks for every document it reads
                    self.store.extend(
                        [
                            ox.Quad(raw_node, _RAW_OF, node, graph),
                            ox.Quad(raw_node, _RAW_FINGERPRINT, ox.Literal(fp), graph),
                        ]
                    )

    def write(self, documents: list[MappedDocument]) -> None:
        learned.unmark(self.store)  # before the documents and their alias rows change
        # the alias rows before the documents: a write stopped between the two leaves a document that is
        # not there (written again next run), never one found unchanged without its rows
        learned.forget(self.store, (doc.iri for doc in documents))
        learned.remember(self.store, documents)
        removed = 0
        for doc in documents:
            graph = ox.NamedNode(doc.graph)
            if self.store.contains_named_graph(graph):
                removed += self._remove(doc.iri, graph)
        self.store.extend(quad for doc in documents for quad in doc.quads)
        text = b"".join(doc.prepared for doc in documents if isinstance(doc.prepared, bytes))
        # after every document's own quads: a run stopped part way leaves a document without its raw
        # hash (read again next time), never a raw hash without its document
        text += b"".join(_raw_nquads(doc) for doc in documents if doc.raw_hash)
        if text:  # documents written as N-Quads where they were mapped (``preparer``): parsed by the store
            self.store.load(text, format=ox.RdfFormat.N_QUADS)
        self._changed(removed + sum(len(doc.quads) for doc in documents) + text.count(b"\n"))

    def _changed(self, quads: int) -> None:
        """Flush RocksDB's buffers once ``FLUSH_QUADS`` quads were written or removed since the last flush."""
        self.unflushed += quads
        if self.unflushed >= FLUSH_QUADS:
            self.store.flush()
            self.unflushed = 0

    def _remove(self, document: str, graph: ox.NamedNode) -> int:
        """Remove a document's graph and the further graphs its facts went to; returns the quads removed."""
        removed = 0
        for named in [*self._extra_graphs(document, graph), graph]:
            removed += _size(self.store, named)
            self.store.remove_graph(named)
        return removed

    def relink(self, *, again: bool = False) -> learned.Relinked:
        """Join the free-name entities the learned aliases say are one (kgload.sinks.learned); nothing
        to do when nothing was written or retracted since a re-link that finished, unless ``again``."""
        return learned.relink(self.store, self._changed, again=again)

    def ensure_ontology(self, ontology: Path, base: str) -> None:
        """Keep the ontology in its own graph, so SPARQL can use its labels and class tree."""
        graph = ox.NamedNode(f"{base}graph/ontology")
        marker = ox.NamedNode(f"{base}graph/ontology")
        digest = fingerprint(ontology.read_text("utf-8"))
        current = [q.object.value for q in self.store.quads_for_pattern(marker, _FINGERPRINT, None, graph)]
        if current == [digest]:
            return
        quads = [
            ox.Quad(t.subject, t.predicate, t.object, graph)
            for t in ox.parse(path=str(ontology), format=ox.RdfFormat.TURTLE)
        ]
        quads.append(ox.Quad(marker, _FINGERPRINT, ox.Literal(digest), graph))
        self.store.remove_graph(graph)
        self.store.extend(quads)

    def tenures(self, mapping: Mapping) -> Iterable[tuple[str, str, Holding]]:
        offices = office_properties(mapping)
        if not offices:
            return []
        values = " ".join(ox.NamedNode(iri).__str__() for iri in offices)  # ontology IRIs, not input
        # DISTINCT, and the names apart: a holder's label is in every document graph that names it,
        # and joining them in would multiply each tenure by that count.
        tenures = [
            (row["p"].value, row["h"], row["of"].value, row["start"].value, row["end"].value if row["end"] else None)
            for row in self.query(f"""
            SELECT DISTINCT ?p ?h ?of ?start ?end WHERE {{
              VALUES ?p {{ {values} }}
              ?c a kg:Claim ; rdf:predicate ?p ; rdf:subject ?h ; rdf:object ?of ;
                 kg:status kg:Asserted ; kg:startDate ?start .
              OPTIONAL {{ ?c kg:endDate ?end }}
            }}""")
        ]
        names: dict[str, str] = {}
        holders = sorted({str(h) for _, h, _, _, _ in tenures if isinstance(h, ox.NamedNode)})
        for start in range(0, len(holders), 1000):
            for row in self.query(f"""
                SELECT ?h (MIN(?label) AS ?name) WHERE {{
                  VALUES ?h {{ {" ".join(holders[start : start + 1000])} }}
                  ?h rdfs:label ?label
                }} GROUP BY ?h"""):
                names[row["h"].value] = row["name"].value
        return [
            (p, of, Holding(h.value, names.get(h.value, h.value), start, end))
            for p, h, of, start, end in sorted(tenures, key=lambda t: (t[0], t[1].value, t[2], t[3], t[4] or ""))
        ]

    def _extra_graphs(self, document: str, graph: ox.NamedNode) -> list[ox.NamedNode | ox.BlankNode]:
        """Further graphs the document's facts went to (mapping `graph:` rules, RDF named graphs)."""
        return [q.object for q in self.store.quads_for_pattern(ox.NamedNode(document), _GRAPH, None, graph)]

    # -- run ledger (no lease: the open store holds RocksDB's lock, which the OS drops with the process)

    def record_run(self, record: RunRecord, base: str) -> None:
        graph = ox.NamedNode(f"{base}graph/runs")
        node = ox.NamedNode(f"{base}run/{record.id}")
        old = list(self.store.quads_for_pattern(node, None, None, graph))
        for quad in old:
            self.store.remove(quad)
        self.store.extend(ox.Quad(node, p, o, graph) for p, o in _run_triples(record))

    def runs(self, limit: int = RUNS_LISTED) -> list[RunRecord]:
        rows = self.query("""
            SELECT ?run ?p ?o WHERE { ?run a kg:LoadRun ; ?p ?o }""")
        found: dict[str, dict[str, object]] = {}
        for row in rows:
            props = found.setdefault(row["run"].value, {"inputs": []})
            key = _RUN_KEYS.get(row["p"].value)
            if key == "inputs":
                props["inputs"].append(row["o"].value)  # type: ignore[union-attr]
            elif key == "counts":
                props.update({k: v for k, v in json.loads(row["o"].value).items()})
            elif key:
                props[key] = row["o"].value
        records = [RunRecord.from_properties(p) for p in found.values() if "id" in p]
        return sorted(records, key=lambda r: r.started, reverse=True)[:limit]

    def fail_interrupted_runs(self, current: str, base: str) -> int:
        """Runs still 'running' when we hold the store can only have been interrupted."""
        count = 0
        for record in self.runs(limit=1000):
            if record.status == RUNNING and record.id != current:
                record.status, record.note = FAILED, f"interrupted; found still running by run {current}"
                self.record_run(record, base)
                count += 1
        return count

    def retract(self, documents: list[str]) -> int:
        learned.unmark(self.store)
        learned.retracting(self.store, documents)  # a retract stopped below is finished by the next re-link
        removed = 0
        for iri in documents:
            graphs = {q.graph_name for q in self.store.quads_for_pattern(ox.NamedNode(iri), _FINGERPRINT, None, None)}
            for graph in graphs:
                self._changed(self._remove(iri, graph))  # a retract of many documents flushes as a load does
                removed += 1
        learned.forget(self.store, documents)
        learned.relink(self.store, self._changed)  # the aliases the documents taught go with them
        return removed

    def document_ids(self) -> dict[str, str]:
        """Every loaded document: IRI -> its id (for suggestions when an id is not found)."""
        rows = self.query("SELECT ?d ?id WHERE { ?d kg:fingerprint ?f OPTIONAL { ?d dcterms:identifier ?id } }")
        return {row["d"].value: row["id"].value if row["id"] is not None else row["d"].value for row in rows}

    def add(self, quads: Iterable[ox.Quad]) -> None:
        self.store.extend(quads)

    def query(self, sparql: str) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        # the prefixes are given to the parser, not prepended: error positions stay the user's
        return self.store.query(sparql, prefixes=PREFIXES, use_default_graph_as_union=True)

    def quads(self) -> Iterable[ox.Quad]:
        return self.store.quads_for_pattern(None, None, None, None)

    def prepare(self, doc: MappedDocument) -> MappedDocument:
        return doc  # the store takes the quads themselves, or the N-Quads its preparer wrote

    def preparer(self) -> TextPreparer:
        """Documents become N-Quads where they are mapped (straight from the records when no shapes
        are checked), which the store parses itself: no quad object is made in Python."""
        return TextPreparer("nquads")

    def flush(self) -> None:
        """Writes commit before ``write`` returns."""

    def close(self) -> None:
        if not self.read_only:
            self.store.flush()
        del self.store  # releases the RocksDB lock for the next process

    def __enter__(self) -> EmbeddedStore:
        return self

    def __exit__(self, kind: object, exc: BaseException | None, tb: object) -> None:
        if exc is not None:
            release_frames(exc)
        self.close()


def release_frames(exc: BaseException) -> None:
    """Clear the locals of the finished frames ``exc`` (and the exceptions it was raised from) went
    through: a caller that keeps the exception (a notebook's last error, ``pytest.raises``) would
    otherwise keep the store those frames held, and RocksDB's lock with it, after ``close``."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        traceback.clear_frames(exc.__traceback__)
        exc = exc.__cause__ or exc.__context__


def _size(store: ox.Store, graph: ox.NamedNode | ox.BlankNode) -> int:
    """The quads in ``graph``, counted by the store (no Python object a quad)."""
    found = store.query("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", default_graph=graph)
    return int(next(iter(found))["n"].value)


def _raw_node(raw: str) -> ox.NamedNode:
    return ox.NamedNode(_RAW_NODE + raw)


def _raw_nquads(doc: MappedDocument) -> bytes:
    assert doc.raw_hash is not None
    node, graph = _raw_node(doc.raw_hash), ox.NamedNode(doc.graph)
    quads = (
        ox.Quad(node, _RAW_OF, ox.NamedNode(doc.iri), graph),
        ox.Quad(node, _RAW_FINGERPRINT, ox.Literal(doc.fingerprint), graph),
    )
    return "".join(f"{quad} .\n" for quad in quads).encode("utf-8")


_RUN_KEYS = {
    KG + "runId": "id",
    PROV + "startedAtTime": "started",
    PROV + "endedAtTime": "ended",
    KG + "runStatus": "status",
    KG + "runTarget": "target",
    KG + "kgloadVersion": "kgloadVersion",
    KG + "mappingHash": "mappingHash",
    KG + "runInput": "inputs",
    KG + "runCounts": "counts",
    "http://www.w3.org/2000/01/rdf-schema#comment": "note",
}


def _run_triples(record: RunRecord) -> list[tuple[ox.NamedNode, ox.Literal | ox.NamedNode]]:
    def when(value) -> ox.Literal:
        return ox.Literal(value.isoformat().replace("+00:00", "Z"), datatype=ox.NamedNode(XSD + "dateTime"))

    by_key = {v: ox.NamedNode(k) for k, v in _RUN_KEYS.items()}
    triples: list[tuple[ox.NamedNode, ox.Literal | ox.NamedNode]] = [
        (ox.NamedNode(RDF + "type"), ox.NamedNode(KG + "LoadRun")),
        (by_key["id"], ox.Literal(record.id)),
        (by_key["started"], when(record.started)),
        (by_key["status"], ox.Literal(record.status)),
        (by_key["target"], ox.Literal(record.target)),
        (by_key["kgloadVersion"], ox.Literal(record.kgload_version)),
        (by_key["mappingHash"], ox.Literal(record.mapping_hash)),
        (
            by_key["counts"],
            ox.Literal(
                json.dumps({camel(k): v for k, v in record.counts.items()}), datatype=ox.NamedNode(RDF + "JSON")
            ),
        ),
    ]
    if record.ended:
        triples.append((by_key["ended"], when(record.ended)))
    if record.note:
        triples.append((by_key["note"], ox.Literal(record.note)))
    triples += [(by_key["inputs"], ox.Literal(i)) for i in record.inputs]
    return triples
