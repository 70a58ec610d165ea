"""networkx readers for kgload's mixed graphs: networkx refuses an undirected edge in a directed
GraphML or GEXF graph (its documented limitation), while Gephi and yEd read them as intended.
These are networkx's own readers, except that such an edge becomes the two directed edges it
stands for, each marked ``undirected=True``."""

from __future__ import annotations

import copy
import io
from pathlib import Path

import networkx as nx
from networkx.readwrite.gexf import GEXFReader
from networkx.readwrite.graphml import GraphMLReader


class _MixedGraphML(GraphMLReader):
    def add_edge(self, G, edge_element, graphml_keys):
        if not (G.is_directed() and edge_element.get("directed") == "false"):
            super().add_edge(G, edge_element, graphml_keys)
            return
        forward = copy.deepcopy(edge_element)
        del forward.attrib["directed"]
        backward = copy.deepcopy(forward)
        backward.set("source", forward.get("target"))
        backward.set("target", forward.get("source"))
        backward.set("id", forward.get("id") + "~")
        for element in (forward, backward):
            super().add_edge(G, element, graphml_keys)
            G.edges[element.get("source"), element.get("target"), element.get("id")]["undirected"] = True


class _MixedGEXF(GEXFReader):
    def add_edge(self, G, edge_element, edge_attr):
        if not (G.is_directed() and edge_element.get("type") == "undirected"):
            super().add_edge(G, edge_element, edge_attr)
            return
        element = copy.deepcopy(edge_element)
        element.set("type", "mutual")  # networkx adds both directions of a GEXF "mutual" edge
        super().add_edge(G, element, edge_attr)
        key = element.get("id")
        for u, v in ((element.get("source"), element.get("target")), (element.get("target"), element.get("source"))):
            G.edges[u, v, key]["undirected"] = True


def _bytes(source: Path | bytes | io.BytesIO) -> bytes:
    if isinstance(source, Path):
        return source.read_bytes()
    return source.getvalue() if isinstance(source, io.BytesIO) else source


def read_graphml(source: Path | bytes | io.BytesIO) -> nx.MultiDiGraph:
    data = _bytes(source)
    [graph] = list(_MixedGraphML(node_type=str, edge_key_type=str, force_multigraph=True)(string=data))
    return graph


def read_gexf(source: Path | bytes | io.BytesIO) -> nx.MultiDiGraph:
    data = _bytes(source)
    reader = _MixedGEXF(node_type=None, version="1.3")
    return reader(io.BytesIO(data))
