"""Subgraph -> GEXF 1.3, Gephi's own format, written element by element (no tree in memory).

Nodes carry ``label``, the colour and a laid-out position as ``viz:`` elements (what Gephi draws
on opening), and the entity's attributes as declared ``attvalue``s; edges carry ``label``,
``weight`` (the number of reports, i.e. claims), ``kind`` (the relationship type, so that Gephi
does not merge a call and a meeting between the same two actors) and ``type="undirected"`` for
symmetric relations in an otherwise directed graph, which Gephi imports as a mixed graph. Dates stay strings: GEXF
dates would make Gephi treat the graph as dynamic.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TextIO

from kgload.export.formats import Job
from kgload.export.graphml import EDGE_KEYS, attr, placed, text
from kgload.export.style import rgb
from kgload.export.subgraph import Subgraph, iso

NODE_ATTRIBUTES = [
    ("type", "string"),
    ("uri", "string"),
    ("aliases", "string"),
    ("wikidata", "string"),
    ("isoCode", "string"),
]
# the GraphML edge attributes less those GEXF has of its own (label, weight); ``type`` is
# ``relation`` beside GEXF's own edge type (as in the CSV export), and ``key`` ``edgeKey`` as
# networkx's reader passes attributes as keywords beside its own ``key``
RENAMED = {"key": "edgeKey", "type": "relation"}
EDGE_ATTRIBUTES = [(RENAMED.get(name, name), kind) for name, kind in EDGE_KEYS if name not in ("label", "weight")]
GEXF_TYPES = {"string": "string", "double": "double", "int": "integer", "boolean": "boolean"}
SEPARATOR = " | "

HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<gexf xmlns="http://gexf.net/1.3" xmlns:viz="http://gexf.net/1.3/viz"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
 xsi:schemaLocation="http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd" version="1.3">
"""


def value(item: Any) -> str:
    if isinstance(item, list):
        return SEPARATOR.join(str(v) for v in item)
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, str):
        return item
    return iso(item)


def attvalues(names: list[str], values: dict[str, Any], indent: str) -> str:
    present = [(name, values[name]) for name in names if values[name] not in (None, [], "")]
    if not present:
        return ""
    cells = "".join(f'{indent}  <attvalue for="{name}" value={attr(value(item))}/>\n' for name, item in present)
    return f"{indent}<attvalues>\n{cells}{indent}</attvalues>\n"


def write(subgraph: Subgraph, out: TextIO, advance: Callable[[int], None]) -> int:
    edges, ids, positions, size = placed(subgraph)
    out.write(HEADER)
    out.write(f"  <meta>\n    <creator>kgload</creator>\n    <description>{text(subgraph.description)}</description>\n")
    out.write('  </meta>\n  <graph defaultedgetype="directed" mode="static">\n')
    for scope, attributes in (("node", NODE_ATTRIBUTES), ("edge", EDGE_ATTRIBUTES)):
        out.write(f'    <attributes class="{scope}">\n')
        for name, kind in attributes:
            out.write(f'      <attribute id="{name}" title="{name}" type="{GEXF_TYPES[kind]}"/>\n')
        out.write("    </attributes>\n")
    out.write("    <nodes>\n")
    node_names = [name for name, _ in NODE_ATTRIBUTES]
    for uri, entity in subgraph.entities.items():
        values = dict(
            zip(node_names, [entity.type, uri, entity.aliases, entity.wikidata, entity.iso_code], strict=True)
        )
        r, g, b = rgb(entity.type)
        x, y = positions[uri]
        out.write(f"      <node id={attr(ids[uri])} label={attr(entity.name)}>\n")
        out.write(attvalues(node_names, values, "        "))
        out.write(
            f'        <viz:color r="{r}" g="{g}" b="{b}"/>\n'
            f'        <viz:position x="{x * size:.1f}" y="{-y * size:.1f}" z="0.0"/>\n'
            '        <viz:size value="10.0"/>\n      </node>\n'
        )
        advance(1)
    out.write("    </nodes>\n    <edges>\n")
    edge_names = [name for name, _ in EDGE_ATTRIBUTES]
    written = 0
    for n, edge in enumerate(edges):
        if edge.subject not in ids or edge.object not in ids:
            continue
        values = {
            "relation": edge.type,
            "status": edge.status,
            "date": edge.date,
            "startDate": edge.start,
            "endDate": edge.end,
            "evidence": edge.evidence,
            "sources": edge.sources,
            "documents": edge.documents,
            "confidence": edge.confidence,
            "claims": edge.claims,
            "edgeKey": edge.key,
            "recordedAt": edge.recorded_at,
            "symmetric": edge.symmetric,
        }
        kind = "undirected" if edge.symmetric else "directed"
        out.write(
            f'      <edge id="e{n}" source="{ids[edge.subject]}" target="{ids[edge.object]}" type="{kind}" '
            f'kind={attr(edge.type)} label={attr(edge.label)} weight="{float(max(edge.claims, 1))}">\n'
        )
        out.write(attvalues(edge_names, values, "        "))
        out.write("      </edge>\n")
        written += 1
        advance(1)
    out.write("    </edges>\n  </graph>\n</gexf>\n")
    return len(ids) + written


def export(job: Job, out: TextIO) -> int:
    """The ``gexf`` entry of the export registry (kgload.export.formats)."""
    return write(job.subgraph, out, job.advance)
