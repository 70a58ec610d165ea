"""Colours per node type, shared by the pictures, GraphML and the Neo4j Browser style sheet
(examples/neo4j-browser/style.grass uses the same palette, Neo4j Browser's own)."""

from __future__ import annotations

COLOURS: dict[str, str] = {
    "Person": "#4C8EDA",
    "Country": "#DA7194",
    "Region": "#F79767",
    "City": "#57C7E3",
    "Organization": "#8DCC93",
    "Location": "#FFC454",
    "Event": "#C990C0",
    "Document": "#A5ABB6",
    "Claim": "#D9C8AE",
}
DEFAULT = "#A5ABB6"


def colour(node_type: str) -> str:
    return COLOURS.get(node_type, DEFAULT)


def rgb(node_type: str) -> tuple[int, int, int]:
    text = colour(node_type).lstrip("#")
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)
