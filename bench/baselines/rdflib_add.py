"""Baseline: the same RDF model kgload emits, built by hand with plain rdflib ``Graph.add``.

This is what a team would write without kgload: json.loads each line, skip the obviously bad
records with a few ``if``s (no JSON Schema, no SHACL, no gazetteer resolution: an entity's IRI
is the slug of the name the extractor gave, so "Putin" and "Vladimir Putin" stay two nodes),
and add triples to one in-memory ``rdflib.Graph`` (no named graphs: cheaper for rdflib than
kgload's one-graph-per-document quads). Same triple shapes per document, entity and relation
as kgload/rdf/plan.py, including the reified claim with its sha256-keyed IRI.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

BASE = "https://w3id.org/kgload/"
KG = Namespace("https://w3id.org/kgload/ontology#")
SCHEMA = Namespace("https://schema.org/")
PROPS = {  # the mapping's relation types (mappings/kgload.yaml), without the ``also:`` spellings' detail
    "leader-of": "leaderOf",
    "head-of-state": "leaderOf",
    "leads": "leaderOf",
    "called": "called",
    "phoned": "called",
    "telephoned": "called",
    "exchanged-prisoners-with": "exchangedPrisonersWith",
    "prisoner-exchange": "exchangedPrisonersWith",
    "advancing-on": "advancingOn",
    "advances-on": "advancingOn",
    "attacked": "attacked",
    "struck": "attacked",
    "invaded": "attacked",
    "located-in": "locatedIn",
    "in": "locatedIn",
    "negotiated-with": "negotiatedWith",
    "held-talks-with": "negotiatedWith",
    "predecessor-of": "predecessorOf",
    "successor-of": "predecessorOf",
    "member-of": "memberOf",
    "ally-of": "allyOf",
    "allied-with": "allyOf",
    "in-conflict-with": "inConflictWith",
    "at-war-with": "inConflictWith",
    "occupied": "occupied",
    "occupies": "occupied",
    "shares-border-with": "sharesBorderWith",
    "borders": "sharesBorderWith",
    "appealed-to": "appealedTo",
    "urged": "appealedTo",
    "demanded": "demanded",
    "demands": "demanded",
    "returned-remains-to": "returnedRemainsTo",
    "returned-bodies-to": "returnedRemainsTo",
    "provides-aid-to": "providesAidTo",
    "aids": "providesAidTo",
    "part-of": "partOf",
    "interacted-with": "interactedWith",
    "event": "interactedWith",
}
XSD_DATE = {10: XSD.date, 7: XSD.gYearMonth, 4: XSD.gYear}


def _slug(value: str) -> str:
    text = unicodedata.normalize("NFKD", value.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^\w]+", "-", text.replace("_", "-")).strip("-")


def _temporal(value: str) -> Literal:
    return Literal(value, datatype=XSD_DATE.get(len(value)))


def map_corpus(path: Path) -> tuple[Graph, int]:
    """Map a kgload JSONL corpus into one rdflib Graph; return it and the number of skipped records."""
    graph = Graph()
    add = graph.add
    rejects = 0
    run = URIRef(f"{BASE}run/rdflib-baseline")
    recorded = Literal(datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), datatype=XSD.dateTime)
    with path.open("rb") as lines:
        for line in lines:
            try:
                value: dict[str, Any] = json.loads(line)
            except ValueError:
                rejects += 1
                continue
            doc = value["document"]
            lang = doc.get("language") or "en"
            d = URIRef(f"{BASE}doc/{doc['id']}")
            add((d, RDF.type, KG.Document))
            add((d, DCTERMS.identifier, Literal(doc["id"])))
            add((d, DCTERMS.title, Literal(doc["title"], lang=lang)))
            add((d, DCTERMS.publisher, Literal(doc["publisher"])))
            add((d, DCTERMS.issued, _temporal(doc["published"])))
            add((d, DCTERMS.language, Literal(lang)))
            add((d, SCHEMA.url, Literal(doc["url"], datatype=XSD.anyURI)))
            add((d, KG.fingerprint, Literal(hashlib.sha256(line).hexdigest())))
            add((d, PROV.wasGeneratedBy, run))
            iris: dict[str, URIRef] = {}
            for e in value["entities"]:
                node = URIRef(f"{BASE}id/{e['type'].lower()}/{_slug(e['name'])}")
                iris[e["id"]] = node
                add((node, RDF.type, KG[e["type"]]))
                add((node, RDFS.label, Literal(e["name"])))
                for alias in e.get("aliases", ()):
                    add((node, SKOS.altLabel, Literal(alias)))
                if e.get("wikidata"):
                    add((node, OWL.sameAs, URIRef("http://www.wikidata.org/entity/" + e["wikidata"])))
                if e.get("iso_code"):
                    add((node, KG.isoCode, Literal(e["iso_code"])))
                add((d, SCHEMA.mentions, node))
            for r in value["relations"]:
                prop = PROPS.get(r["type"])
                refs = [r["head"], r["tail"], *r.get("asserted_by", ()), *r.get("denied_by", ())]
                if prop is None or any(x not in iris for x in refs) or not 0 <= r.get("confidence", 0) <= 1:
                    rejects += 1
                    continue
                head, tail = iris[r["head"]], iris[r["tail"]]
                if r["type"] == "successor-of":
                    head, tail = tail, head
                p = KG[prop]
                status = r.get("status", "asserted")
                key = [
                    doc["id"],
                    str(head),
                    str(p),
                    str(tail),
                    r.get("date"),
                    r.get("start"),
                    r.get("end"),
                    status,
                    r.get("evidence"),
                    r.get("sentence"),
                ]
                digest = hashlib.sha256(json.dumps(key, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
                c = URIRef(f"{BASE}claim/{digest[:32]}")
                if status == "asserted":
                    add((head, p, tail))
                add((c, RDF.type, KG.Claim))
                add((c, RDF.subject, head))
                add((c, RDF.predicate, p))
                add((c, RDF.object, tail))
                add((c, KG.status, KG[status.capitalize()]))
                for k, name in (("date", "date"), ("start", "startDate"), ("end", "endDate")):
                    if r.get(k):
                        add((c, KG[name], _temporal(r[k])))
                if r.get("evidence"):
                    add((c, KG.evidence, Literal(r["evidence"], lang=lang)))
                if r.get("sentence") is not None:
                    add((c, KG.sentenceIndex, Literal(str(r["sentence"]), datatype=XSD.nonNegativeInteger)))
                if r.get("confidence") is not None:
                    add((c, KG.confidence, Literal(str(r["confidence"]), datatype=XSD.decimal)))
                for x in r.get("asserted_by", ()):
                    add((c, KG.assertedBy, iris[x]))
                for x in r.get("denied_by", ()):
                    add((c, KG.deniedBy, iris[x]))
                if r.get("location") in iris:
                    add((c, KG.location, iris[r["location"]]))
                if r.get("event_code"):
                    add((c, KG.eventCode, Literal(r["event_code"])))
                    add((c, KG.eventCodeScheme, Literal(r.get("event_code_scheme") or "")))
                add((c, PROV.wasDerivedFrom, d))
                add((c, PROV.wasGeneratedBy, run))
                add((c, KG.recordedAt, recorded))
    return graph, rejects
