"""A place's coordinates as a GeoSPARQL point: its geometry IRI, its WKT literal, and back.

A place the source gives coordinates gets ``geo:hasGeometry <{base}id/point/{lat},{lon}>``, a
``geo:Geometry`` whose ``geo:asWKT`` is ``"POINT(lon lat)"^^geo:wktLiteral`` (WKT puts the
longitude first; no CRS IRI means CRS84, WGS 84). The IRI is made of the coordinates alone, so one
point is one node whichever document or place names it. When the mentions of a place disagree,
the point kept is the least (latitude, longitude): a rule that does not depend on record or
document order, and the one the Neo4j ``location`` property follows across documents.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from decimal import Decimal

from pyoxigraph import Literal, NamedNode

from kgload.vocabulary.namespaces import KG

GEO = "http://www.opengis.net/ont/geosparql#"
HAS_GEOMETRY, AS_WKT = NamedNode(GEO + "hasGeometry"), NamedNode(GEO + "asWKT")
GEOMETRY, WKT_LITERAL = NamedNode(GEO + "Geometry"), NamedNode(GEO + "wktLiteral")
PLACE_CLASSES = frozenset(KG + name for name in ("Place", "Country", "Region", "City", "Location"))
_POINT = re.compile(r"^(?:<[^>]*>\s*)?POINT\s*\(\s*(-?[0-9.]+)\s+(-?[0-9.]+)\s*\)$")


def problem(coordinates: tuple[float, float]) -> str | None:
    """Why a (latitude, longitude) pair is no point on Earth; None when it is one."""
    lat, lon = coordinates
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return f"coordinates {lat}, {lon} are not finite numbers"
    if not -90.0 <= lat <= 90.0:
        return f"latitude {lat} is outside -90..90"
    if not -180.0 <= lon <= 180.0:
        return f"longitude {lon} is outside -180..180"
    return None


def least(points: Iterable[tuple[float, float]]) -> tuple[float, float] | None:
    """The point a place keeps of those its mentions give (the least latitude, then longitude)."""
    return min(points, default=None)


def decimal_text(number: float) -> str:
    """The number in plain decimals (never ``1e-05``, which WKT readers and the shape refuse)."""
    return format(Decimal(repr(float(number) + 0.0)), "f")  # + 0.0: -0.0 is 0.0, one IRI for one point


def point_iri(base: str, coordinates: tuple[float, float]) -> str:
    lat, lon = coordinates
    return f"{base}id/point/{decimal_text(lat)},{decimal_text(lon)}"


def wkt(coordinates: tuple[float, float]) -> str:
    lat, lon = coordinates
    return f"POINT({decimal_text(lon)} {decimal_text(lat)})"


def point_statements(base: str, coordinates: tuple[float, float]) -> tuple[NamedNode, Literal]:
    """The geometry node and its WKT literal for a (latitude, longitude)."""
    return NamedNode(point_iri(base, coordinates)), Literal(wkt(coordinates), datatype=WKT_LITERAL)


def parse_wkt(text: str) -> tuple[float, float] | None:
    """A WKT point's (latitude, longitude); None when it is not a point."""
    match = _POINT.match(text.strip())
    if match is None:
        return None
    return float(match.group(2)), float(match.group(1))
