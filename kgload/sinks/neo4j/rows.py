"""A batch of projected documents -> the parameter rows of the writer's statements. Pure.

One row per entity of the batch (not per mention), one per claim, one per relationship the
batch alone supports; rows that create relationships are ordered by (start, end) node so that
concurrent writers take node locks in the same order and cannot deadlock on them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from kgload.sinks.neo4j.projection import ClaimRow, DocumentRows


def on_the_wire(props: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """``props`` with each timezone-aware datetime as ISO text, and the keys that hold one.

    The statements turn those keys back into DateTime values with Cypher's ``datetime()``: the
    driver's own conversion of a Python datetime costs more than the rest of a claim row. Local
    (naive) datetimes, rare, still go through the driver.
    """
    keys = [k for k, v in props.items() if isinstance(v, dt.datetime) and v.tzinfo is not None]
    if not keys:
        return props, keys
    wire = dict(props)  # a copy keeps the keys' order; only the datetimes are replaced
    for k in keys:
        wire[k] = props[k].isoformat()
    return wire, keys


@dataclass
class BatchRows:
    documents: list[dict[str, Any]]
    entities: list[dict[str, Any]]  # one per entity, by uri, each with its labels (Entity first)
    mentions: list[dict[str, Any]]
    claims: list[dict[str, Any]]
    links: list[dict[str, str]]  # claim, target, type: a claim's ASSERTED_BY, DENIED_BY and LOCATION links
    keys: dict[str, set[str]] = field(default_factory=dict)  # relationship type -> asserted claim keys
    # every asserted key's relationship as this batch's claims alone would make it (relationship_rows):
    # what the writer creates for a key nothing else supports, or appends to one that others do
    facts: list[dict[str, Any]] = field(default_factory=list)


def unique_documents(docs: Iterable[DocumentRows]) -> list[DocumentRows]:
    """A document given twice is written once, the later version, as the pipeline would."""
    return list({d.uri: d for d in docs}.values())


def batch_rows(docs: list[DocumentRows]) -> BatchRows:
    entities: dict[str, dict[str, Any]] = {}
    mentions: list[dict[str, Any]] = []
    for doc in docs:
        for e in doc.entities:
            lat, lon = e.location if e.location else (None, None)
            mentions.append(
                {
                    "document": doc.uri,
                    "entity": e.uri,
                    "name": e.name,
                    "names": e.names,
                    "wikidata": e.wikidata,
                    "isoCode": e.iso_code,
                    "latitude": lat,
                    "longitude": lon,
                }
            )
            row = entities.get(e.uri)
            if row is None:
                entities[e.uri] = {
                    "uri": e.uri,
                    "labels": set(e.labels),
                    "props": dict(e.props),
                    "name": e.name,
                    "names": list(e.names),
                    "wikidata": e.wikidata,
                    "isoCode": e.iso_code,
                    "latitude": lat,
                    "longitude": lon,
                }
                continue
            # the same union, min and max the graph keeps over every document naming it
            row["labels"].update(e.labels)
            row["props"].update(e.props)
            row["name"] = min(row["name"], e.name)
            row["names"] += [n for n in e.names if n not in row["names"]]
            row["wikidata"] = _max(row["wikidata"], e.wikidata)
            row["isoCode"] = _max(row["isoCode"], e.iso_code)
            if e.location and (row["latitude"] is None or e.location < (row["latitude"], row["longitude"])):
                row["latitude"], row["longitude"] = e.location
    for row in entities.values():
        row["labels"] = ["Entity", *sorted(row["labels"])]

    claims: list[dict[str, Any]] = []
    links: list[dict[str, str]] = []
    keys: dict[str, set[str]] = defaultdict(set)
    for doc in docs:
        for c in doc.claims:
            props, datetimes = on_the_wire({"uri": c.uri, "key": c.key, **c.props})
            claims.append({"document": doc.uri, "head": c.head, "tail": c.tail, "props": props, "datetimes": datetimes})
            links += [{"claim": c.uri, "target": t, "type": "ASSERTED_BY"} for t in dict.fromkeys(c.asserted_by)]
            links += [{"claim": c.uri, "target": t, "type": "DENIED_BY"} for t in dict.fromkeys(c.denied_by)]
            if c.location:
                links.append({"claim": c.uri, "target": c.location, "type": "LOCATION"})
            if c.status == "asserted":
                keys[c.rel_type].add(c.key)
    claims.sort(key=lambda r: (r["head"], r["tail"]))
    return BatchRows(
        documents=[_document_row(d) for d in docs],
        entities=sorted(entities.values(), key=lambda r: r["uri"]),
        mentions=mentions,
        claims=claims,
        links=links,
        keys=dict(keys),
        facts=relationship_rows(docs),
    )


def with_element_ids(rows: list[dict[str, Any]], ids: dict[str, str], keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """Copies of ``rows`` whose node references (``keys``, uris) are the element ids ``ids`` gives, or
    None for a node the transaction has no id for, which the statement's MATCH then skips."""
    return [{**row, **{k: ids.get(row[k]) for k in keys}} for row in rows]


def relationship_rows(docs: list[DocumentRows], only: set[str] | None = None) -> list[dict[str, Any]]:
    """Relationship rows (head, tail, type, props, datetimes) for the keys in ``only`` (default: every
    asserted key), ordered by
    (head, tail) so that concurrent writers lock nodes in one order. Properties are aggregated from
    the batch's asserted claims by ``fact_properties``, the rules of cypher.upsert_relationships
    (which aggregates on the server when claims of other documents take part)."""
    supporting: dict[str, list[tuple[DocumentRows, ClaimRow]]] = defaultdict(list)
    for doc in docs:
        for c in doc.claims:
            if c.status == "asserted" and (only is None or c.key in only):
                supporting[c.key].append((doc, c))
    out: list[dict[str, Any]] = []
    for key, pairs in supporting.items():
        if len(pairs) > 1:  # most keys of a batch have one claim: nothing to order
            pairs.sort(
                key=lambda p: (_nulls_last(p[0].props.get("id")), _nulls_last(p[1].props.get("sentence")), p[1].uri)
            )
        first = pairs[0][1]
        props = fact_properties(key, [(d.props.get("id"), d.uri, c.props) for d, c in pairs])
        props, datetimes = on_the_wire({k: v for k, v in props.items() if v is not None})
        out.append(
            {"head": first.head, "tail": first.tail, "type": first.rel_type, "props": props, "datetimes": datetimes}
        )
    out.sort(key=lambda r: (r["head"], r["tail"], r["type"]))
    return out


def fact_properties(key: str, supporters: list[tuple[str | None, str, dict[str, Any]]]) -> dict[str, Any]:
    """A fact relationship's properties from its asserted claims, given as (document id, document
    IRI, claim properties) already in claim order (document id, sentence, claim IRI; nulls last).
    The rules of cypher.upsert_relationships; the bulk export applies them too."""
    if len(supporters) == 1:
        return _single_fact(key, *supporters[0])
    return _aggregated(key, supporters)


def _aggregated(key: str, supporters: list[tuple[str | None, str, dict[str, Any]]]) -> dict[str, Any]:
    first = supporters[0][2]
    claims = [props for _, _, props in supporters]
    return {
        "key": key,
        "predicate": first.get("predicateUri"),
        "date": first.get("date"),
        "start": first.get("start"),
        "end": first.get("end"),
        "evidence": [c["evidence"] for c in claims if c.get("evidence") is not None],
        "predicateTexts": predicate_texts(c.get("predicateText") for c in claims),
        "confidence": _extreme(max, (c.get("confidence") for c in claims)),
        "sources": list(dict.fromkeys(doc_id for doc_id, _, _ in supporters if doc_id is not None)),
        "documents": list(dict.fromkeys(uri for _, uri, _ in supporters)),
        "claims": len(claims),
        "recordedAt": _extreme(min, (c.get("recordedAt") for c in claims)),
    }


def _single_fact(key: str, doc_id: str | None, doc_uri: str, claim: dict[str, Any]) -> dict[str, Any]:
    """``_aggregated`` of a key one claim supports, without its passes (most keys of an event feed)."""
    evidence, text = claim.get("evidence"), claim.get("predicateText")
    return {
        "key": key,
        "predicate": claim.get("predicateUri"),
        "date": claim.get("date"),
        "start": claim.get("start"),
        "end": claim.get("end"),
        "evidence": [evidence] if evidence is not None else [],
        "predicateTexts": [text] if text is not None else None,
        "confidence": claim.get("confidence"),
        "sources": [doc_id] if doc_id is not None else [],
        "documents": [doc_uri],
        "claims": 1,
        "recordedAt": claim.get("recordedAt"),
    }


def predicate_texts(words: Iterable[str | None]) -> list[str] | None:
    """The distinct words of a relationship's claims (free-text relations), in claim order; None
    (no property) when no claim has any, so that coded relationships carry no empty list."""
    distinct = list(dict.fromkeys(w for w in words if w is not None))
    return distinct or None


def _document_row(doc: DocumentRows) -> dict[str, Any]:
    props, datetimes = on_the_wire({"uri": doc.uri, **doc.props})
    return {"uri": doc.uri, "props": props, "datetimes": datetimes}


def _nulls_last(value: Any) -> tuple[bool, Any]:
    return (value is None, value if value is not None else 0)


def _max(a: Any, b: Any) -> Any:
    return b if a is None or (b is not None and b > a) else a


def _extreme(pick: Any, values: Iterable[Any]) -> Any:
    present = [v for v in values if v is not None]
    return pick(present) if present else None
