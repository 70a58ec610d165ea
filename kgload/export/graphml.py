"""Subgraph -> GraphML for Gephi and yEd, written element by element (no tree in memory).

Every attribute is declared as a <key> with a type. Gephi's importer maps a key by its *id*
before its name, and takes the ids ``label``, ``r``/``g``/``b``, ``weight`` (and, from networkx
files, ``d3``) as the node label, colour and edge weight: so node keys carry their attribute name
as id, edge keys ``e_``+name, and ``weight`` is the number of reports (claims) of an edge.
Symmetric relations are ``directed="false"`` edges in the directed graph, which Gephi and yEd
draw without an arrow. yEd also gets a yFiles ShapeNode label with the node's colour and a
laid-out position (it shows neither otherwise). Edge attributes avoid the names
``start``/``end``, which Gephi reads as a dynamic-graph time interval.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TextIO
from xml.sax.saxutils import escape, quoteattr

from kgload.export.formats import Job
from kgload.export.layout import layout
from kgload.export.style import colour, rgb
from kgload.export.subgraph import Subgraph, iso

# XML 1.0 cannot carry these at all, not even as character references
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

NODE_KEYS = [
    ("label", "string"),
    ("type", "string"),
    ("uri", "string"),
    ("aliases", "string"),
    ("wikidata", "string"),
    ("isoCode", "string"),
    ("r", "int"),
    ("g", "int"),
    ("b", "int"),
]
EDGE_KEYS = [
    ("label", "string"),
    ("type", "string"),
    ("status", "string"),
    ("date", "string"),
    ("startDate", "string"),
    ("endDate", "string"),
    ("evidence", "string"),
    ("sources", "string"),
    ("documents", "string"),
    ("confidence", "double"),
    ("claims", "int"),
    ("key", "string"),
    ("recordedAt", "string"),
    ("symmetric", "boolean"),
    ("weight", "double"),
]
SEPARATOR = " | "  # lists become one string: GraphML attributes are scalars

HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
 xmlns:y="http://www.yworks.com/xml/graphml"
 xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://www.yworks.com/xml/schema/graphml/1.1/ygraphml.xsd">
"""


def text(value: Any) -> str:
    if isinstance(value, list):
        value = SEPARATOR.join(str(v) for v in value)
    elif isinstance(value, bool):
        value = "true" if value else "false"
    elif not isinstance(value, str):
        value = iso(value)
    return escape(_INVALID_XML.sub("\ufffd", value))


def attr(value: str) -> str:
    return quoteattr(_INVALID_XML.sub("\ufffd", value))


def key_id(scope: str, name: str) -> str:
    """The <key> id: Gephi's own names where it has one, never an id it maps to something else."""
    if scope == "node":
        return name
    return "weight" if name == "weight" else f"e_{name}"


def placed(subgraph: Subgraph) -> tuple[Any, dict[str, str], dict[str, tuple[float, float]], float]:
    """The subgraph's edges, a node id per entity, each entity's laid-out position and the drawing's scale:
    what every graph-file exporter places its nodes with."""
    edges = subgraph.edges()
    ids = {uri: f"n{i}" for i, uri in enumerate(subgraph.entities)}
    positions = layout(
        list(ids), ((e.subject, e.object) for e in edges), {u: e.type for u, e in subgraph.entities.items()}
    )
    return edges, ids, positions, max(600.0, 90.0 * len(ids) ** 0.5)


def write(subgraph: Subgraph, out: TextIO, advance: Callable[[int], None]) -> int:
    edges, ids, positions, size = placed(subgraph)
    out.write(HEADER)
    for scope, keys in (("node", NODE_KEYS), ("edge", EDGE_KEYS)):
        for name, kind in keys:
            out.write(f'  <key id="{key_id(scope, name)}" for="{scope}" attr.name="{name}" attr.type="{kind}"/>\n')
    out.write(
        '  <key id="ng" for="node" yfiles.type="nodegraphics"/>\n'
        '  <key id="eg" for="edge" yfiles.type="edgegraphics"/>\n'
    )
    out.write(
        f'  <graph id="G" edgedefault="directed">\n    <desc>{text("kgload export: " + subgraph.description)}</desc>\n'
    )
    node_names = [name for name, _ in NODE_KEYS]
    for uri, entity in subgraph.entities.items():
        r, g, b = rgb(entity.type)
        values = dict(
            zip(
                node_names,
                [entity.name, entity.type, uri, entity.aliases, entity.wikidata, entity.iso_code, r, g, b],
                strict=True,
            )
        )
        out.write(f"    <node id={attr(ids[uri])}>\n")
        for name in node_names:
            if values[name] not in (None, [], ""):
                out.write(f'      <data key="{key_id("node", name)}">{text(values[name])}</data>\n')
        x, y = positions[uri]
        width = max(60.0, 7.5 * len(entity.name) + 16)
        out.write(
            f'      <data key="ng"><y:ShapeNode><y:Geometry height="30.0" width="{width:.1f}" x="{x * size:.1f}" '
            f'y="{y * size:.1f}"/><y:Fill color="{colour(entity.type)}" transparent="false"/>'
            f'<y:NodeLabel>{text(entity.name)}</y:NodeLabel><y:Shape type="roundrectangle"/></y:ShapeNode></data>\n'
            "    </node>\n"
        )
        advance(1)
    edge_names = [name for name, _ in EDGE_KEYS]
    for n, edge in enumerate(edges):
        if edge.subject not in ids or edge.object not in ids:
            continue
        values = dict(
            zip(
                edge_names,
                [
                    edge.label,
                    edge.type,
                    edge.status,
                    edge.date,
                    edge.start,
                    edge.end,
                    edge.evidence,
                    edge.sources,
                    edge.documents,
                    edge.confidence,
                    edge.claims,
                    edge.key,
                    edge.recorded_at,
                    edge.symmetric,
                    float(max(edge.claims, 1)),
                ],
                strict=True,
            )
        )
        undirected = ' directed="false"' if edge.symmetric else ""
        out.write(f'    <edge id="e{n}" source="{ids[edge.subject]}" target="{ids[edge.object]}"{undirected}>\n')
        for name in edge_names:
            if values[name] not in (None, [], ""):
                out.write(f'      <data key="{key_id("edge", name)}">{text(values[name])}</data>\n')
        style = "dashed" if edge.status != "asserted" else "line"
        arrow = "none" if edge.symmetric else "standard"
        out.write(
            f'      <data key="eg"><y:PolyLineEdge><y:LineStyle type="{style}"/><y:Arrows source="none" '
            f'target="{arrow}"/><y:EdgeLabel>{text(edge.label)}</y:EdgeLabel></y:PolyLineEdge></data>\n'
            "    </edge>\n"
        )
        advance(1)
    out.write("  </graph>\n</graphml>\n")
    return len(ids) + len(edges)


def export(job: Job, out: TextIO) -> int:
    """The ``graphml`` entry of the export registry (kgload.export.formats)."""
    return write(job.subgraph, out, job.advance)
