"""Subgraph -> one self-contained HTML page: inline CSS and JS, no CDN, nothing fetched.

Positions come from the same deterministic force layout as the SVG; the page's own script adds
what a picture cannot: drag a node (its edges follow), wheel to zoom, drag the background to
pan, hover for details (evidence, sources, dates), type to highlight names, and a gentle
force relaxation after a drag. All data is set with textContent, never parsed as HTML, and
the embedded JSON escapes "<" so no value can close the script element.

When drawing is done the page sets ``document.title`` and ``<body data-rendered="true">``;
a script error sets ``data-error`` instead (the tests look for both).
"""

from __future__ import annotations

import html
import json
from typing import Any, TextIO

from kgload.export.formats import Job
from kgload.export.style import colour
from kgload.export.subgraph import Subgraph, iso
from kgload.export.svg import legend, place

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>kgload export</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
html,body{margin:0;height:100%;font:13px Helvetica,Arial,sans-serif;color:#222;background:#fff}
#bar{position:absolute;top:0;left:0;right:0;padding:8px 12px;background:rgba(255,255,255,.92);
 border-bottom:1px solid #ddd;display:flex;gap:14px;align-items:center;z-index:2;flex-wrap:wrap}
#bar h1{font-size:14px;margin:0;font-weight:600}
#legend span{display:inline-flex;align-items:center;gap:4px;margin-right:10px}
#legend i{width:11px;height:11px;border-radius:50%;display:inline-block;border:1px solid #333}
#graph{position:absolute;inset:0;width:100%;height:100%;cursor:grab}
.node circle{stroke:#333;stroke-width:1;cursor:pointer}
.node text,.elabel{paint-order:stroke;stroke:#fff;stroke-width:3px;pointer-events:none}
.node text{font-size:12px;text-anchor:middle}
.elabel{font-size:10px;fill:#444;text-anchor:middle}
.edge{fill:none;stroke:#9a9a9a;stroke-width:1.6}
.edge.claim{stroke-dasharray:6 4}
.dim{opacity:.15}.hit circle{stroke:#d00;stroke-width:3}
#tip{position:absolute;display:none;max-width:420px;background:#fff;border:1px solid #bbb;border-radius:4px;
 padding:8px 10px;box-shadow:0 2px 8px rgba(0,0,0,.15);z-index:3;white-space:pre-wrap;pointer-events:none}
#tip b{display:block;margin-bottom:4px}
</style></head>
<body>
<div id="bar"><h1 id="heading"></h1>
<input id="find" type="search" placeholder="highlight a name…" aria-label="highlight">
<div id="legend"></div><small>drag nodes · wheel to zoom · drag background to pan</small></div>
<svg id="graph" xmlns="http://www.w3.org/2000/svg"><defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5"
 markerWidth="7" markerHeight="7" orient="auto-start-reverse">
<path d="M0,0 L10,5 L0,10 z" fill="#7a7a7a"/></marker></defs>
<g id="view"><g id="edges"></g><g id="elabels"></g><g id="nodes"></g></g></svg>
<div id="tip"></div>
<script type="application/json" id="data">__DATA__</script>
<script>
"use strict";
window.addEventListener("error", function (e) { document.body.dataset.error = String(e.message); });
(function () {
  var data = JSON.parse(document.getElementById("data").textContent);
  var NS = "http://www.w3.org/2000/svg", R = 14;
  var svg = document.getElementById("graph"), view = document.getElementById("view");
  var tip = document.getElementById("tip");
  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  document.getElementById("heading").textContent = data.title;
  data.legend.forEach(function (t) {
    var s = document.createElement("span"), i = document.createElement("i");
    i.style.background = t[1]; s.appendChild(i); s.appendChild(document.createTextNode(t[0]));
    document.getElementById("legend").appendChild(s);
  });
  var byId = {};
  data.nodes.forEach(function (n) { byId[n.id] = n; n.links = []; });
  var pairs = {};
  data.edges.forEach(function (e) {
    var key = e.s < e.t ? e.s + "\\u0000" + e.t : e.t + "\\u0000" + e.s;
    (pairs[key] = pairs[key] || []).push(e);
  });
  Object.keys(pairs).forEach(function (key) {
    var group = pairs[key], first = key.split("\\u0000")[0];
    group.forEach(function (e, k) { e.bend = (k - (group.length - 1) / 2) * 36 * (e.s === first ? 1 : -1); });
  });
  function show(evt, title, lines) {
    tip.textContent = "";
    var b = document.createElement("b"); b.textContent = title; tip.appendChild(b);
    tip.appendChild(document.createTextNode(lines.filter(Boolean).join("\\n")));
    tip.style.display = "block";
    tip.style.left = Math.min(evt.clientX + 14, window.innerWidth - 440) + "px";
    tip.style.top = (evt.clientY + 14) + "px";
  }
  function hide() { tip.style.display = "none"; }
  data.edges.forEach(function (e) {
    var kind = "edge" + (e.status === "asserted" ? "" : " claim");
    e.path = el("path", {"class": kind}, document.getElementById("edges"));
    if (!e.symmetric) e.path.setAttribute("marker-end", "url(#arrow)");
    e.text = el("text", {"class": "elabel"}, document.getElementById("elabels"));
    e.text.textContent = e.label;
    e.path.style.pointerEvents = "stroke";
    e.path.addEventListener("mousemove", function (evt) {
      show(evt, byId[e.s].name + " \\u2192 " + e.type + " \\u2192 " + byId[e.t].name, e.details);
    });
    e.path.addEventListener("mouseleave", hide);
    byId[e.s].links.push(e); byId[e.t].links.push(e);
  });
  data.nodes.forEach(function (n) {
    n.g = el("g", {"class": "node"}, document.getElementById("nodes"));
    n.circle = el("circle", {r: R, fill: n.colour}, n.g);
    n.label = el("text", {}, n.g);
    n.label.textContent = n.name;
    n.g.addEventListener("mousemove", function (evt) { if (!drag) show(evt, n.type + ": " + n.name, n.details); });
    n.g.addEventListener("mouseleave", hide);
    n.g.addEventListener("pointerdown", function (evt) { evt.stopPropagation(); drag = {node: n}; hide(); });
  });
  function drawEdge(e) {
    var a = byId[e.s], b = byId[e.t], dx = b.x - a.x, dy = b.y - a.y, len = Math.hypot(dx, dy) || 1;
    var cx = (a.x + b.x) / 2 - dy / len * e.bend, cy = (a.y + b.y) / 2 + dx / len * e.bend;
    var d = Math.hypot(b.x - cx, b.y - cy) || 1;
    var tx = b.x - (b.x - cx) / d * (R + 3), ty = b.y - (b.y - cy) / d * (R + 3);
    e.path.setAttribute("d", "M" + a.x + "," + a.y + " Q" + cx + "," + cy + " " + tx + "," + ty);
    e.text.setAttribute("x", 0.25 * a.x + 0.5 * cx + 0.25 * b.x);
    e.text.setAttribute("y", 0.25 * a.y + 0.5 * cy + 0.25 * b.y - 3);
  }
  function drawNode(n) {
    n.circle.setAttribute("cx", n.x); n.circle.setAttribute("cy", n.y);
    n.label.setAttribute("x", n.x); n.label.setAttribute("y", n.y + R + 13);
  }
  function draw() { data.nodes.forEach(drawNode); data.edges.forEach(drawEdge); }
  // a few ticks of spring force around a dragged node, so neighbours make room
  function relax(fixed) {
    for (var step = 0; step < 30; step++) {
      data.edges.forEach(function (e) {
        var a = byId[e.s], b = byId[e.t], dx = b.x - a.x, dy = b.y - a.y, len = Math.hypot(dx, dy) || 1;
        var f = (len - 160) / len * 0.02;
        if (a !== fixed) { a.x += dx * f; a.y += dy * f; }
        if (b !== fixed) { b.x -= dx * f; b.y -= dy * f; }
      });
    }
  }
  var zoom = 1, panX = 0, panY = 0, drag = null, pan = null;
  function fit() {
    var w = svg.clientWidth || 1200, h = (svg.clientHeight || 800) - 50;
    zoom = Math.min(w / data.width, h / data.height, 1.5);
    panX = (w - data.width * zoom) / 2; panY = 50 + (h - data.height * zoom) / 2;
  }
  function transform() { view.setAttribute("transform", "translate(" + panX + "," + panY + ") scale(" + zoom + ")"); }
  svg.addEventListener("pointerdown", function (evt) { pan = {x: evt.clientX - panX, y: evt.clientY - panY}; });
  window.addEventListener("pointermove", function (evt) {
    if (drag) {
      drag.node.x = (evt.clientX - panX) / zoom; drag.node.y = (evt.clientY - panY) / zoom;
      drag.moved = true; draw();
    } else if (pan) { panX = evt.clientX - pan.x; panY = evt.clientY - pan.y; transform(); }
  });
  window.addEventListener("pointerup", function () {
    if (drag && drag.moved) { relax(drag.node); draw(); }
    drag = null; pan = null;
  });
  svg.addEventListener("wheel", function (evt) {
    evt.preventDefault();
    var k = Math.exp(-evt.deltaY * 0.0015), mx = evt.clientX, my = evt.clientY;
    panX = mx - (mx - panX) * k; panY = my - (my - panY) * k; zoom *= k; transform();
  }, {passive: false});
  document.getElementById("find").addEventListener("input", function (evt) {
    var q = evt.target.value.trim().toLowerCase();
    data.nodes.forEach(function (n) {
      var hit = q && (n.name + " " + n.aliases).toLowerCase().indexOf(q) >= 0;
      n.g.classList.toggle("hit", !!hit);
      n.g.classList.toggle("dim", !!q && !hit);
    });
  });
  fit(); transform(); draw();
  document.title = "kgload export: " + data.nodes.length + " entities, " + data.edges.length + " relations";
  document.body.dataset.rendered = "true";
})();
</script>
</body></html>
"""


def _lines(pairs: list[tuple[str, Any]]) -> list[str]:
    out = []
    for label, value in pairs:
        if value in (None, "", []):
            continue
        if isinstance(value, list):
            value = "\n  ".join(str(v) for v in value)
            out.append(f"{label}:\n  {value}")
        else:
            out.append(f"{label}: {iso(value)}")
    return out


def page_data(subgraph: Subgraph) -> dict[str, Any]:
    placed = place(subgraph)
    nodes = []
    for uri, (x, y) in placed.nodes.items():
        e = subgraph.entities[uri]
        nodes.append(
            {
                "id": uri,
                "name": e.name,
                "type": e.type,
                "colour": colour(e.type),
                "x": round(x, 1),
                "y": round(y, 1),
                "aliases": " ".join(e.aliases),
                "details": _lines(
                    [
                        ("aliases", ", ".join(e.aliases)),
                        ("wikidata", e.wikidata),
                        ("ISO code", e.iso_code),
                        ("IRI", uri),
                    ]
                ),
            }
        )
    edges = []
    for edge, _, _ in placed.curves:
        edges.append(
            {
                "s": edge.subject,
                "t": edge.object,
                "type": edge.type,
                "label": edge.label,
                "status": edge.status,
                "symmetric": edge.symmetric,
                "details": _lines(
                    [
                        ("status", edge.status),
                        ("date", edge.date),
                        ("from", edge.start),
                        ("until", edge.end),
                        ("confidence", edge.confidence),
                        ("sources", edge.sources),
                        ("evidence", edge.evidence),
                    ]
                ),
            }
        )
    return {
        "title": "kgload export: " + subgraph.description,
        "width": placed.width,
        "height": placed.height,
        "legend": [[t, colour(t)] for t in legend(subgraph)],
        "nodes": nodes,
        "edges": edges,
    }


def write(subgraph: Subgraph, out: TextIO) -> int:
    data = page_data(subgraph)
    # "<" escaped: no value can write "</script>" or "<!--" into the page
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
    payload = payload.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    title = html.escape("kgload export: " + subgraph.description)
    # data first: the payload holds no "<", so the title placeholder can only be the template's
    page = PAGE.replace("__DATA__", payload, 1).replace("<title>kgload export</title>", f"<title>{title}</title>", 1)
    out.write(page)
    return len(data["nodes"]) + len(data["edges"])


def export(job: Job, out: TextIO) -> int:
    """The ``html`` entry of the export registry (kgload.export.formats)."""
    return write(job.subgraph, out)
