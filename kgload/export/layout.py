"""A deterministic force-directed layout (Fruchterman-Reingold) in plain Python.

Deterministic so that the same subgraph always gives the same picture (diffable SVGs, stable
screenshots) without a numeric dependency. Quadratic per iteration: iterations shrink as the
graph grows, and past LARGE nodes the picture falls back to rings by type.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

LARGE = 2500
BUDGET = 6_000_000  # pair computations per layout: a few seconds of Python at most
GRAVITY = 1.0  # pull towards the centre: disconnected entities stay near the picture


def layout(
    nodes: list[str], edges: Iterable[tuple[str, str]], types: dict[str, str] | None = None
) -> dict[str, tuple[float, float]]:
    """Positions in the unit square for ``nodes`` (order matters only for ties)."""
    n = len(nodes)
    if n == 0:
        return {}
    if n == 1:
        return {nodes[0]: (0.5, 0.5)}
    order = sorted(nodes)
    if n > LARGE:
        return _rings(order, types or {})
    index = {node: i for i, node in enumerate(order)}
    links = sorted(
        {(min(index[a], index[b]), max(index[a], index[b])) for a, b in edges if a in index and b in index and a != b}
    )
    # start on a golden-angle spiral: spread out, no randomness
    pos = [
        [math.sqrt((i + 0.5) / n) * math.cos(i * 2.399963), math.sqrt((i + 0.5) / n) * math.sin(i * 2.399963)]
        for i in range(n)
    ]
    k = math.sqrt(1.0 / n)
    iterations = max(15, min(300, BUDGET // (n * n)))
    temperature = 0.1
    for step in range(iterations):
        disp = [[0.0, 0.0] for _ in range(n)]
        for i in range(n):
            xi, yi = pos[i]
            dx_sum = dy_sum = 0.0
            for j in range(n):
                if i == j:
                    continue
                dx, dy = xi - pos[j][0], yi - pos[j][1]
                d2 = dx * dx + dy * dy or 1e-9
                force = k * k / d2
                dx_sum += dx * force
                dy_sum += dy * force
            disp[i][0] += dx_sum
            disp[i][1] += dy_sum
        for a, b in links:
            dx, dy = pos[a][0] - pos[b][0], pos[a][1] - pos[b][1]
            d = math.sqrt(dx * dx + dy * dy) or 1e-9
            force = d / k
            disp[a][0] -= dx * force
            disp[a][1] -= dy * force
            disp[b][0] += dx * force
            disp[b][1] += dy * force
        for i in range(n):  # gentle pull to the centre keeps disconnected parts in view
            disp[i][0] -= pos[i][0] * GRAVITY / k
            disp[i][1] -= pos[i][1] * GRAVITY / k
            dx, dy = disp[i]
            d = math.sqrt(dx * dx + dy * dy) or 1e-9
            limit = min(d, temperature)
            pos[i][0] += dx / d * limit
            pos[i][1] += dy / d * limit
        temperature = 0.1 * (1 - (step + 1) / (iterations + 1))
    return _normalise(order, pos)


def _rings(order: list[str], types: dict[str, str]) -> dict[str, tuple[float, float]]:
    groups: dict[str, list[str]] = {}
    for node in order:
        groups.setdefault(types.get(node, ""), []).append(node)
    pos: list[list[float]] = []
    names: list[str] = []
    for ring, (_, members) in enumerate(sorted(groups.items())):
        radius = 1.0 + ring
        for i, node in enumerate(members):
            angle = 2 * math.pi * i / len(members)
            pos.append([radius * math.cos(angle), radius * math.sin(angle)])
            names.append(node)
    return _normalise(names, pos)


def _normalise(order: list[str], pos: list[list[float]]) -> dict[str, tuple[float, float]]:
    xs, ys = [p[0] for p in pos], [p[1] for p in pos]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    x0, y0 = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    return {node: (0.5 + (p[0] - x0) / span, 0.5 + (p[1] - y0) / span) for node, p in zip(order, pos, strict=True)}
