"""Subgraph -> a static SVG picture (deterministic layout), and PNG through headless Chromium.

PNG: kgload renders its own SVG with Chromium when one is installed (``chromium``,
``chromium-browser``, ``google-chrome`` or $KGLOAD_CHROMIUM): no network, no extra Python
dependency, and the PNG looks exactly like the SVG. Without Chromium, export SVG instead.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from kgload.errors import UsageError
from kgload.export.formats import Job
from kgload.export.graphml import attr, text
from kgload.export.layout import layout
from kgload.export.style import COLOURS, colour
from kgload.export.subgraph import Edge, Subgraph

RADIUS = 14
MARGIN = 90


@dataclass
class Placed:
    width: int
    height: int
    nodes: dict[str, tuple[float, float]]
    curves: list[tuple[Edge, str, tuple[float, float]]]  # edge, SVG path, label point


def place(subgraph: Subgraph) -> Placed:
    edges = subgraph.edges()
    positions = layout(
        list(subgraph.entities),
        ((e.subject, e.object) for e in edges),
        {u: e.type for u, e in subgraph.entities.items()},
    )
    side = int(max(700, 110 * math.sqrt(max(len(positions), 1))))
    width, height = int(side * 1.4) + 2 * MARGIN, side + 2 * MARGIN
    nodes = {
        u: (MARGIN + x * (width - 2 * MARGIN), MARGIN + y * (height - 2 * MARGIN)) for u, (x, y) in positions.items()
    }
    return Placed(width, height, nodes, list(curves(edges, nodes)))


def curves(edges: list[Edge], nodes: dict[str, tuple[float, float]]):
    """Edges between one pair bend apart, so parallel relations and their labels stay readable."""
    pairs: dict[tuple[str, str], list[Edge]] = defaultdict(list)
    for edge in edges:
        if edge.subject in nodes and edge.object in nodes:
            pairs[tuple(sorted((edge.subject, edge.object)))].append(edge)  # type: ignore[arg-type]
    for (a, _), group in pairs.items():
        for k, edge in enumerate(group):
            (x1, y1), (x2, y2) = nodes[edge.subject], nodes[edge.object]
            dx, dy = x2 - x1, y2 - y1
            length = math.hypot(dx, dy) or 1.0
            sign = 1 if edge.subject == a else -1  # same bend side whichever way the edge points
            bend = (k - (len(group) - 1) / 2) * 36 * sign
            cx, cy = (x1 + x2) / 2 - dy / length * bend, (y1 + y2) / 2 + dx / length * bend
            # stop the line at the node's rim (along the curve's tangent) so the arrow head shows
            d = math.hypot(x2 - cx, y2 - cy) or 1.0
            tx, ty = x2 - (x2 - cx) / d * (RADIUS + 3), y2 - (y2 - cy) / d * (RADIUS + 3)
            path = f"M{x1:.1f},{y1:.1f} Q{cx:.1f},{cy:.1f} {tx:.1f},{ty:.1f}"
            yield edge, path, (0.25 * x1 + 0.5 * cx + 0.25 * x2, 0.25 * y1 + 0.5 * cy + 0.25 * y2)


def write(subgraph: Subgraph, out: TextIO) -> int:
    placed = place(subgraph)
    w, h = placed.width, placed.height
    out.write(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
        'font-family="Helvetica, Arial, sans-serif">\n'
    )
    out.write(f"<title>{text('kgload export: ' + subgraph.description)}</title>\n")
    out.write(
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#7a7a7a"/></marker></defs>\n'
    )
    out.write(f'<rect width="{w}" height="{h}" fill="#ffffff"/>\n<g class="edges" fill="none">\n')
    for edge, path, _ in placed.curves:
        dash = ' stroke-dasharray="6 4"' if edge.status != "asserted" else ""
        arrow = "" if edge.symmetric else ' marker-end="url(#arrow)"'
        out.write(f'<path d="{path}" stroke="#9a9a9a" stroke-width="1.6"{dash}{arrow}/>\n')
    out.write('</g>\n<g class="edge-labels" font-size="10" fill="#444" text-anchor="middle">\n')
    for edge, _, (lx, ly) in placed.curves:
        out.write(
            f'<text x="{lx:.1f}" y="{ly - 3:.1f}" stroke="#fff" stroke-width="3" paint-order="stroke">'
            f"{text(edge.label)}</text>\n"
        )
    out.write('</g>\n<g class="nodes" font-size="12" text-anchor="middle">\n')
    for uri, (x, y) in placed.nodes.items():
        entity = subgraph.entities[uri]
        out.write(
            f'<g class="node" data-uri={attr(uri)}><title>{text(entity.type + ": " + entity.name)}</title>'
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{RADIUS}" fill="{colour(entity.type)}" stroke="#333" '
            f'stroke-width="1"/><text x="{x:.1f}" y="{y + RADIUS + 13:.1f}" stroke="#fff" stroke-width="3" '
            f'paint-order="stroke">{text(entity.name)}</text></g>\n'
        )
    out.write("</g>\n")
    out.write('<g class="legend" font-size="12">\n')
    for i, node_type in enumerate(legend(subgraph)):
        out.write(
            f'<circle cx="20" cy="{20 + 20 * i}" r="6" fill="{colour(node_type)}" stroke="#333"/>'
            f'<text x="32" y="{24 + 20 * i}">{text(node_type)}</text>\n'
        )
    out.write("</g>\n</svg>\n")
    return len(placed.nodes) + len(placed.curves)


def legend(subgraph: Subgraph) -> list[str]:
    present = {e.type for e in subgraph.entities.values()}
    return [t for t in COLOURS if t in present] + sorted(present - set(COLOURS))


# the browsers' command names, as their packages install them (Debian's chromium: /usr/bin/chromium)
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless_shell")


def chromium() -> str | None:
    configured = os.environ.get("KGLOAD_CHROMIUM")
    if configured:
        return configured
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",  # a container's /dev/shm is 64 MB: a big picture would crash the renderer
    "--hide-scrollbars",
    "--mute-audio",
]


def screenshot(page: Path, png: Path, width: int, height: int, timeout: float = 120) -> None:
    """Render a local page to PNG with headless Chromium (no network needed)."""
    browser = chromium()
    if browser is None:
        raise UsageError(
            "PNG export needs Chromium (apt-get install chromium, or set KGLOAD_CHROMIUM); export --format svg instead"
        )
    with tempfile.TemporaryDirectory(prefix="kgload-chromium-") as profile:
        command = [
            browser,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--screenshot={png}",
            f"--window-size={width},{height}",
            page.as_uri(),
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise UsageError(f"Chromium could not render the PNG: {exc}") from None
    if not png.exists() or png.stat().st_size == 0:
        raise UsageError(f"Chromium ({browser}) did not write the PNG")


def write_png(subgraph: Subgraph, png: Path) -> int:
    with tempfile.TemporaryDirectory(prefix="kgload-png-") as folder:
        svg_path = Path(folder) / "graph.svg"
        with svg_path.open("w", encoding="utf-8") as out:
            count = write(subgraph, out)
        placed_size = _size(svg_path)
        page = Path(folder) / "page.html"
        page.write_text(
            f'<!doctype html><html><body style="margin:0"><img src="{svg_path.name}"></body></html>', "utf-8"
        )
        shot = Path(folder) / "shot.png"  # Chromium picks the image format from the extension
        screenshot(page, shot, *placed_size)
        shutil.copyfile(shot, png)
    return count


def _size(svg: Path) -> tuple[int, int]:
    head = svg.read_text("utf-8")[:400]
    width = int(head.split('width="', 1)[1].split('"', 1)[0])
    height = int(head.split('height="', 1)[1].split('"', 1)[0])
    return width, height


def export(job: Job, out: TextIO) -> int:
    """The ``svg`` entry of the export registry (kgload.export.formats)."""
    return write(job.subgraph, out)


def export_png(job: Job, png: Path) -> int:
    """The ``png`` entry of the export registry."""
    return write_png(job.subgraph, png)
