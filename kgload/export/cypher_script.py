"""Subgraph -> a Cypher script that recreates it, as kgload's projection, in another Neo4j.

The script is a file for someone else's database, so nothing in it is trusted text: every value
is a literal made by ``literal()`` (strings single-quoted with every quote, backslash and
non-printable character escaped — a string can never end early or span lines), property keys
are backtick-quoted with backticks doubled, and labels and relationship types are only names
the ontology declares (``check_name``). One statement per line, ``;``-terminated: cypher-shell
``-f`` runs it as is, and splitting on lines is exact because no literal holds a raw newline.
Statements MERGE on ``uri``/``key``, so running the script twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any, TextIO

from kgload.export.formats import Job
from kgload.export.subgraph import Claim, Entity, Subgraph, batched
from kgload.mapping.spec import Mapping
from kgload.ontology import local_name
from kgload.sinks.neo4j.cypher import check_name, schema_statements
from kgload.sinks.neo4j.projection import claim_caption

# Rows per statement of the script: smaller than the online load's (defaults.ROWS_PER_STATEMENT),
# since cypher-shell parses each statement's rows as text.
SCRIPT_ROWS = 200
_SIMPLE = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_INT64 = (-(2**63), 2**63 - 1)


def string(text: str) -> str:
    """A Cypher string literal equal to ``text``."""
    out = ["'"]
    for ch in text:
        if ch in _SIMPLE:
            out.append(_SIMPLE[ch])
        elif ch.isprintable() and ch not in "\u2028\u2029":
            out.append(ch)
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:  # Cypher strings are UTF-16: an astral character is two escaped surrogates
            code = ord(ch) - 0x10000
            out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
    out.append("'")
    return "".join(out)


def name(key: str) -> str:
    """A property key as a quoted identifier (any text is allowed between backticks)."""
    return "`" + key.replace("`", "``") + "`"


def literal(value: Any) -> str:
    """A Cypher expression whose value is ``value`` (None, bool, int, float, str, dates, lists, maps)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        if not _INT64[0] <= value <= _INT64[1]:
            raise ValueError(f"integer {value} does not fit Neo4j's 64 bits")
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "toFloat('NaN')"
        if math.isinf(value):
            return "toFloat('Infinity')" if value > 0 else "toFloat('-Infinity')"
        return repr(value)
    if isinstance(value, str):
        return string(value)
    if isinstance(value, dt.datetime):
        function = "datetime" if value.tzinfo is not None else "localdatetime"
        return f"{function}({string(value.isoformat())})"
    if isinstance(value, dt.date):
        return f"date({string(value.isoformat())})"
    if isinstance(value, dt.time):
        return f"{'time' if value.tzinfo is not None else 'localtime'}({string(value.isoformat())})"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{name(str(k))}: {literal(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"no Cypher literal for {type(value).__name__}")


def _props(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None and v != []}


def _point(location: tuple[float, float] | None) -> dict[str, float] | None:
    """A place's point as the map Cypher's point() takes (WGS-84 from latitude and longitude)."""
    return None if location is None else {"latitude": location[0], "longitude": location[1]}


def _unwind(rows: list[dict[str, Any]], body: str) -> str:
    return f"UNWIND {literal(rows)} AS row {body};\n"


def _caption(claim: Claim, entities: dict[str, Entity]) -> str:
    """The claim's caption as the load wrote it: its ends named as its own document names them."""

    def named(uri: str) -> str:
        entity = entities.get(uri)
        mentions = entity.mentions if entity is not None else []
        return next((m.name for m in mentions if m.document == claim.document), None) or local_name(uri)

    words = claim.props.get("predicateText")
    return claim_caption(named(claim.subject), claim.type, named(claim.object), claim.status, words)


def statements(subgraph: Subgraph, mapping: Mapping) -> Iterator[tuple[str, int]]:
    """(statement line, rows it writes)."""
    ontology = mapping.ontology
    labels_allowed = list(ontology.classes.values())
    types_allowed = [r.neo4j_type for r in ontology.relations.values()]
    edges = [e for e in subgraph.edges() if e.status == "asserted"]
    for statement in schema_statements({e.type for e in edges}):
        yield statement + ";\n", 0

    docs = [
        {
            "uri": d.uri,
            "props": _props(
                {
                    "uri": d.uri,
                    "id": d.id,
                    "title": d.title,
                    "publisher": d.publisher,
                    "published": d.published,
                    "language": d.language,
                    "url": d.url,
                    "run": d.run,
                }
            ),
        }
        for d in subgraph.documents.values()
    ]
    for batch in batched(docs, SCRIPT_ROWS):
        yield _unwind(batch, "MERGE (d:Resource {uri: row.uri}) SET d = row.props SET d:Document"), len(batch)

    by_labels: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    mentions: list[dict[str, Any]] = []
    for e in subgraph.entities.values():
        props = _props(
            {"uri": e.uri, "name": e.name, "aliases": e.aliases, "wikidata": e.wikidata, "isoCode": e.iso_code}
        )
        props.setdefault("aliases", [])  # the projection keeps an empty list, not a missing key
        by_labels[tuple(sorted(e.classes))].append({"uri": e.uri, "props": props, "location": _point(e.location)})
        mentions += [
            {
                "document": m.document,
                "entity": e.uri,
                "props": _props({"name": m.name, "names": m.names, "wikidata": m.wikidata, "isoCode": m.iso_code}),
                "location": _point(m.location),
            }
            for m in e.mentions
            if m.document in subgraph.documents
        ]
    for labels, rows in sorted(by_labels.items()):
        set_labels = "".join(
            f":`{check_name(label, labels_allowed)}`" for label in ("Entity", *labels) if label != "Entity"
        )
        for batch in batched(rows, SCRIPT_ROWS):
            yield (
                _unwind(
                    batch,
                    f"MERGE (e:Resource {{uri: row.uri}}) SET e = row.props SET e:Entity{set_labels}"
                    + " SET e.location = CASE WHEN row.location IS NULL THEN null ELSE point(row.location) END",
                ),
                len(batch),
            )
    for batch in batched(mentions, SCRIPT_ROWS):
        yield (
            _unwind(
                batch,
                "MATCH (d:Resource {uri: row.document}), (e:Resource {uri: row.entity}) "
                "MERGE (d)-[m:MENTIONS]->(e) SET m = row.props"
                " SET m.location = CASE WHEN row.location IS NULL THEN null ELSE point(row.location) END",
            ),
            len(batch),
        )

    claims = [
        {
            "uri": c.uri,
            "document": c.document,
            "head": c.subject,
            "tail": c.object,
            "props": _props(
                {
                    "uri": c.uri,
                    "key": c.key,
                    "predicate": c.type,
                    "predicateUri": c.predicate,
                    "status": c.status,
                    "document": c.document,
                    **c.props,
                    "caption": _caption(c, subgraph.entities),
                }
            ),
        }
        for c in subgraph.claims
    ]
    for batch in batched(claims, SCRIPT_ROWS):
        yield (
            _unwind(
                batch,
                "MATCH (d:Resource {uri: row.document}), (h:Resource {uri: row.head}), "
                "(t:Resource {uri: row.tail}) MERGE (c:Resource {uri: row.uri}) SET c = row.props "
                "SET c:Claim MERGE (c)-[:DERIVED_FROM]->(d) MERGE (c)-[:SUBJECT]->(h) "
                "MERGE (c)-[:OBJECT]->(t)",
            ),
            len(batch),
        )
    links: dict[str, list[dict[str, str]]] = defaultdict(list)
    for c in subgraph.claims:
        links["ASSERTED_BY"] += [{"claim": c.uri, "target": t} for t in c.asserted_by]
        links["DENIED_BY"] += [{"claim": c.uri, "target": t} for t in c.denied_by]
        if c.location:
            links["LOCATION"].append({"claim": c.uri, "target": c.location})
    for link_type, rows in sorted(links.items()):
        link = check_name(link_type, ("ASSERTED_BY", "DENIED_BY", "LOCATION"), relationship=True)
        for batch in batched(rows, SCRIPT_ROWS):
            yield (
                _unwind(
                    batch,
                    f"MATCH (c:Resource {{uri: row.claim}}), (x:Resource {{uri: row.target}}) "
                    f"MERGE (c)-[:`{link}`]->(x)",
                ),
                len(batch),
            )

    by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in edges:
        props = _props(
            {
                "key": e.key,
                "date": e.date,
                "start": e.start,
                "end": e.end,
                "evidence": e.evidence,
                "predicateTexts": e.predicate_texts,
                "confidence": e.confidence,
                "sources": e.sources,
                "documents": e.documents,
                "claims": e.claims,
                "recordedAt": e.recorded_at,
            }
        )
        props.setdefault("evidence", [])
        by_type[e.type].append({"head": e.subject, "tail": e.object, "key": e.key, "props": props})
    for rel_type, rows in sorted(by_type.items()):
        checked = check_name(rel_type, types_allowed, relationship=True)
        for batch in batched(rows, SCRIPT_ROWS):
            yield (
                _unwind(
                    batch,
                    f"MATCH (h:Resource {{uri: row.head}}), (t:Resource {{uri: row.tail}}) "
                    f"MERGE (h)-[r:`{checked}` {{key: row.key}}]->(t) SET r = row.props",
                ),
                len(batch),
            )


def write(subgraph: Subgraph, mapping: Mapping, out: TextIO, advance: Callable[[int], None]) -> int:
    out.write("// kgload export: " + " ".join(subgraph.description.split()).replace("\\", "/") + "\n")
    out.write("// Recreates the subgraph as kgload's Neo4j projection. Run: cypher-shell -f <this file>\n")
    count = 0
    for line, rows in statements(subgraph, mapping):
        out.write(line)
        count += rows
        advance(rows)
    return count


def export(job: Job, out: TextIO) -> int:
    """The ``cypher_script`` entry of the export registry (kgload.export.formats)."""
    return write(job.subgraph, job.mapping, out, job.advance)
