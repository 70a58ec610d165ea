"""Resolution, measured: every sample in ../shared/samples and every shipped example, loaded together
into one embedded store with mappings/events.yaml, then counted.

    .venv/bin/python bench/resolution.py [--samples ../shared/samples] [--json out.json] [--top 40]

Prints one JSON object: actor nodes, nodes with an identifier (owl:sameAs, kg:isoCode or
kg:cameoActorCode), nodes per identifier (the identifiers two nodes carry: must be none), pairs of
nodes that alias each other (must be none), nodes typed both an actor and a place or event (must be
none), the share of the actors the gazetteer knows that were
resolved (countries, capitals-as-government and demonyms; people; organisations), and the names
left unresolved by how many documents mention them. Numbers go to docs/gazetteer.md, not to tests.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from common import ROOT  # bench/common.py (this folder is on sys.path when run as a script)

sys.path.insert(0, str(ROOT))

from kgload import api
from kgload.mapping.resolve import normalise
from kgload.mapping.world import WorldGazetteer

KG = "https://w3id.org/kgload/ontology#"
ACTOR_CLASSES = {KG + c for c in ("Actor", "Person", "Organization", "ArmedGroup", "Country")}
PLACE_CLASSES = {KG + c for c in ("City", "Region", "Location")}
# a free name of one document (kgload.rdf.iris.document_scoped): id/name/<document id>/<name>
SCOPED = re.compile(r"/id/(?:name|place|event|concept)/[^/]+/[^/]+$")
# the samples that are no event or extraction data (a codebook) or not kgload's to resolve (RDF as it is)
SKIP = {"README.md", "gdelt2_events_codebook_columns.csv"}


def inputs(samples: Path) -> list[Path]:
    found = [p for p in sorted(samples.iterdir()) if p.is_file() and p.name not in SKIP]
    examples = ROOT / "examples"
    found.append(examples / "afp-2025-06-14-putin-trump-call.json")
    found += sorted(p for p in (examples / "inputs").iterdir() if p.is_dir())
    return found


# one query per kind of statement, DISTINCT: a statement repeated in every document's graph would
# otherwise multiply with every other pattern of the query
STATEMENTS = """SELECT DISTINCT ?e ?o WHERE {{ ?d schema:mentions ?e . ?e {predicate} ?o }}"""
MENTIONS = "SELECT ?e (COUNT(DISTINCT ?d) AS ?docs) WHERE { ?d schema:mentions ?e } GROUP BY ?e"
FIELDS = {
    "types": "a",
    "labels": "rdfs:label",
    "alts": "skos:altLabel",
    "wikidata": "owl:sameAs",
    "iso": "kg:isoCode",
    "cameo": "kg:cameoActorCode",
}


def nodes_of(store: Path) -> dict[str, dict]:
    nodes: dict[str, dict] = defaultdict(lambda: {k: set() for k in FIELDS} | {"docs": 0})
    for row in api.query(MENTIONS, store=store)[1]:
        nodes[row["e"]]["docs"] = int(row["docs"])
    for field, predicate in FIELDS.items():
        for row in api.query(STATEMENTS.format(predicate=predicate), store=store)[1]:
            nodes[row["e"]][field].add(row["o"])
    for iri, node in nodes.items():
        node["ids"] = {(k, v) for k in ("wikidata", "iso", "cameo") for v in node[k]}
        node["canonical"] = not any(f"/id/{space}/" in iri for space in ("name", "place", "event"))  # free names
        node["scoped"] = bool(SCOPED.search(iri))
    return dict(nodes)


def generic(world: WorldGazetteer, node: dict) -> bool:
    """Whether a node names no one actor: every name of a free-name node a generic agent
    ("PRESIDENT", "Civilians"), or every name of any node an actor its source calls unidentified
    ("Unidentified Armed Group (Benin)", which the gazetteer knows as a group of Benin's)."""
    names = node["labels"] | node["alts"]
    if not names:
        return False
    if all(normalise(n).startswith("unidentified ") for n in names):
        return True
    return not node["canonical"] and all(world.agent_code(n) is not None for n in names)


def common(world: WorldGazetteer, node: dict) -> bool:
    """Whether a free-name node's every name is only words of generic actor phrases ("BANK",
    "NATIONALS"), though not one phrase itself: generic unless its source gave a country or region."""
    names = node["labels"] | node["alts"]
    return bool(names) and not node["canonical"] and all(map(world.common_words, names))


def measure(store: Path, top: int) -> dict:
    world = WorldGazetteer.bundled()
    nodes = nodes_of(store)
    actors = {iri: n for iri, n in nodes.items() if n["types"] & ACTOR_CLASSES}
    per_identifier: dict[tuple[str, str], list[str]] = defaultdict(list)
    for iri, node in actors.items():
        for identifier in node["ids"]:
            per_identifier[identifier].append(iri)
    shared = {f"{k}:{v}": sorted(iris) for (k, v), iris in per_identifier.items() if len(iris) > 1}

    # a document's own node of a generic agent shares its name with other documents' by design
    named = {iri: n for iri, n in actors.items() if not n["scoped"]}
    names = {iri: {normalise(x) for x in n["labels"] | n["alts"]} for iri, n in named.items()}
    label = {iri: {normalise(x) for x in n["labels"]} for iri, n in named.items()}
    by_name: dict[str, set[str]] = defaultdict(set)
    for iri, keys in names.items():
        for key in keys:
            by_name[key].add(iri)
    mutual = sorted(
        {
            tuple(sorted((a, b)))
            for a in named
            for key in names[a]
            for b in by_name[key]
            if b != a and label[a] & names[b] and label[b] & names[a]
        }
    )

    # of the actors left unresolved, those whose name the gazetteer knows when asked without a type
    known: Counter[str] = Counter()
    missed: Counter[str] = Counter()
    unresolved: Counter[str] = Counter()
    scoped: set[str] = set()
    shared_generic: Counter[str] = Counter()
    shared_common: Counter[str] = Counter()
    shared_free: Counter[str] = Counter()
    for node in actors.values():
        if node["scoped"] or node["docs"] < 2:
            continue
        if generic(world, node):
            shared_generic[min(node["labels"])] += node["docs"]
        elif common(world, node):
            shared_common[min(node["labels"])] += node["docs"]
        if not node["canonical"]:
            shared_free[min(node["labels"])] += node["docs"]
    for node in actors.values():
        name = min(node["labels"])
        if node["scoped"]:  # unresolved on purpose: whose, or which, is not said
            unresolved[name] += node["docs"]
            scoped.add(name)
            continue
        if node["canonical"]:
            entry = world.resolve(name).entry  # None for a user entry or a role's holder: counted as resolved
            kind = _kind(entry.cls if entry else _class_of(node["types"]))
            known[kind] += 1
            continue
        unresolved[name] += node["docs"]
        found = world.resolve(name)
        if found.entry is not None:
            kind = _kind(found.entry.cls)
            known[kind] += 1
            missed[kind] += 1
    resolved_share = {
        kind: {"known": known[kind], "resolved": known[kind] - missed[kind], "share": _share(known, missed, kind)}
        for kind in sorted(known)
    }
    return {
        "nodes": len(nodes),
        "actor_nodes": len(actors),
        "actor_nodes_with_identifier": sum(1 for n in actors.values() if n["ids"]),
        "actor_nodes_canonical": sum(1 for n in actors.values() if n["canonical"]),
        "identifiers_on_two_or_more_nodes": shared,
        "pairs_of_nodes_aliasing_each_other": [list(p) for p in mutual],
        # an actor class and a place or event class on one node: two things of one name made one
        "nodes_of_two_kinds": sorted(
            iri
            for iri, n in nodes.items()
            if sum(bool(n["types"] & kind) for kind in (ACTOR_CLASSES, PLACE_CLASSES, {KG + "Event"})) > 1
        ),
        "gazetteer_known_actors_resolved": resolved_share,
        "missed_names": sorted(n for n in unresolved if n not in scoped and world.resolve(n).entry is not None),
        "unresolved_names_by_documents": unresolved.most_common(top),
        "unresolved_actor_nodes": len(unresolved),
        # a node of a generic agent with no country, or of an unidentified actor, that several documents
        # mention: the presidents, police forces, armed groups of unrelated documents made one (must be none)
        "generic_actor_nodes_shared_across_documents": {
            "nodes": len(shared_generic),
            "documents": sum(shared_generic.values()),
            "by_documents": shared_generic.most_common(top),
        },
        # free names of only generic actor words the agent phrases lack as a whole ("BANK"): scoped when
        # the source codes them with a bare agent code; left here, a region's or ethnic group's
        "common_word_nodes_shared_across_documents": {
            "nodes": len(shared_common),
            "documents": sum(shared_common.values()),
            "by_documents": shared_common.most_common(top),
        },
        # every free-name node several documents share, to judge: a named actor, or a generic one missed
        "free_name_nodes_shared_across_documents": {
            "nodes": len(shared_free),
            "documents": sum(shared_free.values()),
            "by_documents": shared_free.most_common(top),
        },
        "document_scoped_actor_nodes": sum(1 for n in actors.values() if n["scoped"]),
    }


def _class_of(types: set[str]) -> str:
    return next((t.rsplit("#", 1)[-1] for t in sorted(types)), "Actor")


def _kind(cls: str) -> str:
    return {"Country": "country", "Person": "person", "Organization": "organisation", "ArmedGroup": "organisation"}.get(
        cls, "other"
    )


def _share(known: Counter[str], missed: Counter[str], kind: str) -> float:
    return round((known[kind] - missed[kind]) / known[kind], 3) if known[kind] else 1.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=Path, default=ROOT.parent / "shared" / "samples")
    parser.add_argument("--json", type=Path, help="also write the result here")
    parser.add_argument("--top", type=int, default=40, help="unresolved names listed")
    args = parser.parse_args()
    files = inputs(args.samples)
    with tempfile.TemporaryDirectory() as folder:
        store = Path(folder) / "store"
        started = time.perf_counter()
        # SHACL off: it rejects no entity of these inputs, and resolution is what is measured
        report = api.load(files, store=store, mapping=ROOT / "mappings" / "events.yaml", workers=1, validate=False)
        result = {
            "inputs": [str(p.relative_to(p.parents[1])) for p in files],
            "load_seconds": round(time.perf_counter() - started, 1),
            "documents": report.documents_loaded,
            "rejected": report.rejected_total,
            "report": {"entities": report.entities, "resolution": report.resolution},
            **measure(store, args.top),
        }
    text = json.dumps(result, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
