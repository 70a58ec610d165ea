"""kgload export: the issue's "done when", against the embedded store and a real Neo4j.

Both backends are loaded with the seed under one fixed run, so their exports can be compared
quad for quad. Round trip: the RDF reader (``kgload load file.ttl``) is not in kgload yet, so
exports are re-imported into a fresh pyoxigraph Store; once ``kgload.readers.READERS`` has
"rdf", ``reimport`` goes through ``kgload.api.load`` instead.
"""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pyoxigraph as ox
import pytest
import typer
from typer.testing import CliRunner

from kgload import api
from kgload.cli.export import export_command
from kgload.export import FORMATS, Selection, export, open_source, write
from kgload.export.extract import extract
from kgload.export.svg import CHROMIUM_FLAGS, chromium
from kgload.mapping import load_mapping
from kgload.readers import READERS
from kgload.sinks import learned
from kgload.sinks.neo4j import Neo4jSettings, Neo4jSink
from tests.common import FIXED_RUN, ROOT, seed_cypher_examples
from tests.mixed_graphs import read_gexf, read_graphml

CYPHER = ROOT / "examples" / "cypher"
EXT = {
    "turtle": "ttl",
    "ntriples": "nt",
    "nquads": "nq",
    "trig": "trig",
    "jsonld": "jsonld",
    "graphml": "graphml",
    "gexf": "gexf",
    "csv": "zip",
    "cypher": "cypher",
    "html": "html",
    "svg": "svg",
    "png": "png",
}
OX_FORMAT = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
}
SEED_ACTORS = ["Vladimir Putin", "Donald Trump", "Russia", "Ukraine", "United States"]

app = typer.Typer()


@app.callback()
def _root() -> None:
    """A stand-in for kgload's app until kgload/cli.py registers the command."""


app.command("export")(export_command)


def run_export(*args: str):
    result = CliRunner().invoke(app, ["export", *args])
    assert "Traceback" not in result.output, result.output
    return result


def need_chromium() -> str:
    browser = chromium()
    if browser is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("Chromium is required in CI (apt-get install chromium)")
        pytest.skip("Chromium not installed")
    return browser


# -- fixtures: the seed in both backends, loaded under one run -------------------------------


@pytest.fixture(scope="module")
def embedded(tmp_path_factory, seed) -> Path:
    folder = tmp_path_factory.mktemp("export-embedded")
    api.load([seed], store=folder / "store", rejects=folder / "rejects.jsonl", run=FIXED_RUN)
    return folder / "store"


def load_seed_into_neo4j(settings: Neo4jSettings, driver, seed: Path) -> None:
    driver.execute_query("MATCH (n) DETACH DELETE n", database_=settings.database)
    sink = Neo4jSink.connect(settings)
    try:  # validated once already, by the embedded fixture; the same run as there
        api.load(
            [seed],
            sink=sink,
            run=FIXED_RUN,
            validate=False,
        )
    finally:
        sink.close()


@pytest.fixture(scope="module")
def neo4j_seeded(neo4j_server: Neo4jSettings, neo4j_driver, seed) -> Neo4jSettings:
    """The seed in Neo4j, loaded once for the module (loading is the slow part); a test that
    changes the database loads it again when done."""
    load_seed_into_neo4j(neo4j_server, neo4j_driver, seed)
    return neo4j_server


def backend_args(backend: str, request) -> list[str]:
    if backend == "embedded":
        return ["--store", str(request.getfixturevalue("embedded"))]
    return ["--neo4j-uri", request.getfixturevalue("neo4j_seeded").uri]


def quads_of(path: Path, fmt: str) -> set[ox.Quad]:
    """Parse an export, then pass it through a Store (which normalises some literal types)."""
    store = ox.Store()
    store.extend(
        ox.Quad(q.subject, q.predicate, q.object, q.graph_name) for q in ox.parse(path=str(path), format=OX_FORMAT[fmt])
    )
    return set(store)


def reimport(path: Path, fmt: str, folder: Path) -> set[ox.Quad]:
    """Load an export into an empty store, as kgload does when it can, and return its quads
    (without what kgload adds about the file itself: its document node and the run, nor the re-link's
    bookkeeping: the learned-alias table and the mark of its finished re-link)."""
    if "rdf" not in READERS:
        store = ox.Store()
        store.load(path=str(path), format=OX_FORMAT[fmt])
        return set(store)
    target = folder / f"reimported-{fmt}"
    report = api.load([path], store=target, fmt="rdf", rejects=folder / "r.jsonl", validate=False)
    assert report.documents_loaded == 1 and not report.rejected_total
    store = api.open_store(target, read_only=True)
    try:
        held = {
            q
            for q in store.quads()
            if not q.graph_name.value.endswith("/graph/ontology") and q.graph_name != learned.ALIASES
        }
    finally:
        store.close()
    exported_subjects = {q.subject for q in ox.parse(path=str(path), format=OX_FORMAT[fmt])}
    file_doc = {
        q.subject for q in held if q.predicate.value.endswith("/identifier") and q.object.value == path.as_posix()
    }
    runs = {q.object for q in held if q.subject in file_doc and q.predicate.value.endswith("#wasGeneratedBy")}
    return {q for q in held if q.subject not in (file_doc | runs) - exported_subjects}


def triples(quads: set[ox.Quad]) -> set[ox.Triple]:
    return {q.triple for q in quads}


# -- done when: every format, both backends ----------------------------------------------------

BACKENDS = ["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("backend", BACKENDS)
def test_export_around_putin_depth_2(backend, fmt, request, tmp_path):
    if fmt in ("png",):
        need_chromium()
    out = tmp_path / f"putin.{EXT[fmt]}"
    result = run_export(
        "--around",
        "Vladimir Putin",
        "--depth",
        "2",
        "--format",
        fmt,
        "--output",
        str(out),
        *backend_args(backend, request),
    )
    assert result.exit_code == 0, result.output
    assert "kgload export:" in result.output and "entities" in result.output
    assert out.exists() and out.stat().st_size > 0
    CHECKS[fmt](out, fmt, tmp_path)


def check_rdf(path: Path, fmt: str, folder: Path) -> None:
    exported = quads_of(path, fmt)
    assert len(exported) > 300
    back = reimport(path, fmt, folder)
    if fmt in ("turtle", "ntriples"):  # triple formats: the union of the graphs
        assert triples(back) == triples(exported)
    else:
        assert back == exported
    names = {q.object.value for q in exported if q.predicate.value.endswith("#label")}
    assert set(SEED_ACTORS) <= names
    # the relation metadata is intact: the call's claims with date, evidence and confidence
    calls = {
        q.subject for q in exported if q.predicate.value.endswith("#predicate") and q.object.value.endswith("#called")
    }
    assert len(calls) == 2
    for claim in calls:
        props = {q.predicate.value.rsplit("#", 1)[-1] for q in exported if q.subject == claim}
        assert {"date", "evidence", "confidence", "status", "wasDerivedFrom"} <= props


def check_graphml(path: Path, fmt: str, folder: Path) -> None:
    graph = read_graphml(path)
    labels = {data["label"] for _, data in graph.nodes(data=True)}
    assert set(SEED_ACTORS) <= labels
    by_label = {data["label"]: node for node, data in graph.nodes(data=True)}
    [call] = [
        d
        for a, b, d in graph.edges(data=True)
        if (a, b) == (by_label["Vladimir Putin"], by_label["Donald Trump"]) and d["type"] == "CALLED"
    ]
    assert call["type"] == "CALLED" and call["date"] == "2025-06-14" and call["claims"] == 2
    assert isinstance(call["confidence"], float) and "Putin" in call["evidence"]
    assert graph.nodes[by_label["Russia"]]["type"] == "Country"
    assert call["weight"] == 2.0  # the number of reports
    # Gephi maps a <key> by id before its name, and takes the ids label/r/g/b/weight (and d3) as
    # its own: the label must be under the id "label", and no other key under an id it maps
    root = ET.parse(path).getroot()
    ns = "{http://graphml.graphdrawing.org/xmlns}"
    keys = {(k.get("for"), k.get("id")): k.get("attr.name") for k in root.iter(f"{ns}key") if k.get("attr.name")}
    gephi_ids = {"label", "r", "g", "b", "weight", "x", "y", "size", "d3", "id", "edgeid"}
    for (scope, key), name in keys.items():
        assert key not in gephi_ids or key == name, (scope, key, name)
    assert keys[("node", "label")] == "label" and keys[("edge", "weight")] == "weight"
    # symmetric relations (and only they) are undirected edges; Gephi and yEd read the attribute
    symmetric = [d for _, _, d in graph.edges(data=True) if d.get("symmetric")]
    assert symmetric and all(d.get("undirected") for d in symmetric)
    assert not any(d.get("undirected") for _, _, d in graph.edges(data=True) if not d.get("symmetric"))


def check_gexf(path: Path, fmt: str, folder: Path) -> None:
    graph = read_gexf(path)
    by_label = {data["label"]: node for node, data in graph.nodes(data=True)}
    assert set(SEED_ACTORS) <= set(by_label)
    russia = graph.nodes[by_label["Russia"]]
    assert russia["type"] == "Country" and russia["viz"]["color"]["r"] == 0xDA
    [call] = [
        d
        for a, b, d in graph.edges(data=True)
        if (a, b) == (by_label["Vladimir Putin"], by_label["Donald Trump"]) and d["relation"] == "CALLED"
    ]
    assert call["weight"] == 2.0 and call["claims"] == 2 and call["date"] == "2025-06-14"
    assert call["label"] == "CALLED 2025-06-14" and "Putin" in call["evidence"]
    symmetric = [d for _, _, d in graph.edges(data=True) if d.get("symmetric")]
    assert symmetric and all(d.get("undirected") for d in symmetric)
    # Gephi's schema: the file is GEXF 1.3 with a mixed (directed default) graph
    root = ET.parse(path).getroot()
    assert root.tag == "{http://gexf.net/1.3}gexf" and root.get("version") == "1.3"


def check_csv(path: Path, fmt: str, folder: Path) -> None:
    with zipfile.ZipFile(path) as archive:
        nodes = list(csv.DictReader(io.TextIOWrapper(archive.open("nodes.csv"), "utf-8")))
        edges = list(csv.DictReader(io.TextIOWrapper(archive.open("edges.csv"), "utf-8")))
    assert set(SEED_ACTORS) <= {n["Label"] for n in nodes}
    ids = {n["Id"] for n in nodes}
    assert all(e["Source"] in ids and e["Target"] in ids for e in edges)
    assert any(e["relation"] == "CALLED" and e["date"] == "2025-06-14" for e in edges)
    assert {e["Type"] for e in edges} == {"Directed", "Undirected"}


def check_cypher(path: Path, fmt: str, folder: Path) -> None:
    text = path.read_text("utf-8")
    statements = [line for line in text.splitlines() if line and not line.startswith("//")]
    assert all(line.endswith(";") for line in statements)
    assert any(":`CALLED`" in line for line in statements)


def check_html(path: Path, fmt: str, folder: Path) -> None:
    text = path.read_text("utf-8")
    assert "<script src" not in text and "http://" not in text.split('id="data"')[0].replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )
    if chromium() is not None or os.environ.get("CI", "").lower() == "true":
        dom = render_dom(path, folder)
        assert 'data-rendered="true"' in dom and "data-error" not in dom
        for name in SEED_ACTORS:
            assert f">{name}</text>" in dom


def check_svg(path: Path, fmt: str, folder: Path) -> None:
    root = ET.parse(path).getroot()
    texts = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    assert set(SEED_ACTORS) <= texts
    assert "CALLED 2025-06-14" in texts


def check_png(path: Path, fmt: str, folder: Path) -> None:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width >= 700 and height >= 700


CHECKS = {
    **dict.fromkeys(OX_FORMAT, check_rdf),
    "graphml": check_graphml,
    "gexf": check_gexf,
    "csv": check_csv,
    "cypher": check_cypher,
    "html": check_html,
    "svg": check_svg,
    "png": check_png,
}


def render_dom(page: Path, folder: Path, screenshot: Path | None = None) -> str:
    browser = need_chromium()
    flags = [
        browser,
        *CHROMIUM_FLAGS,
        f"--user-data-dir={folder / 'chromium-profile'}",
        "--enable-logging=stderr",
        "--v=0",
        "--window-size=1200,800",
    ]
    done = subprocess.run([*flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    assert "Uncaught" not in done.stderr, done.stderr[-2000:]
    if screenshot is not None:
        subprocess.run([*flags, f"--screenshot={screenshot}", page.as_uri()], capture_output=True, timeout=120)
    return done.stdout


def test_html_opens_in_chromium_without_errors_and_screenshot(embedded, tmp_path):
    page = tmp_path / "putin.html"
    assert run_export("-a", "Vladimir Putin", "-d", "2", "-o", str(page), "--store", str(embedded)).exit_code == 0
    shot = tmp_path / "putin.png"
    dom = render_dom(page, tmp_path, shot)
    assert re.search(r"<title>kgload export: \d+ entities, \d+ relations</title>", dom)
    assert 'data-rendered="true"' in dom and "data-error" not in dom
    for name in SEED_ACTORS:
        assert f">{name}</text>" in dom
    assert shot.read_bytes()[:4] == b"\x89PNG"
    readme_shot = ROOT / "docs" / "img" / "export-putin.png"
    assert readme_shot.exists() and readme_shot.stat().st_size > 10_000  # the README's picture


# -- the two backends agree -------------------------------------------------------------------


@pytest.mark.neo4j
def test_neo4j_and_embedded_exports_are_the_same_rdf(embedded, neo4j_seeded, tmp_path):
    mapping = load_mapping()
    paths = {}
    for name, kwargs in (("embedded", {"store": embedded}), ("neo4j", {"neo4j": neo4j_seeded})):
        paths[name] = tmp_path / f"{name}.nq"
        export(Selection(around=["Vladimir Putin"], depth=2), "nquads", paths[name], mapping=mapping, **kwargs)
    from_store, from_neo4j = quads_of(paths["embedded"], "nquads"), quads_of(paths["neo4j"], "nquads")
    # The Neo4j projection keeps no entity comments (mapped `note` attributes): the only difference
    only_embedded = from_store - from_neo4j
    assert {q.predicate.value for q in only_embedded} == {"http://www.w3.org/2000/01/rdf-schema#comment"}
    assert from_neo4j <= from_store


def test_embedded_export_is_exactly_what_the_store_holds(embedded, tmp_path):
    out = tmp_path / "all.nq"
    export(Selection(around=["Vladimir Putin"], depth=2), "nquads", out, store=embedded)
    exported = quads_of(out, "nquads")
    store = api.open_store(embedded, read_only=True)
    try:
        held = set(store.quads())
    finally:
        store.close()
    assert exported <= held
    # everything the store says about the exported claims is in the export
    claims = {q.subject for q in exported if q.object.value.endswith("#Claim")}
    assert {q for q in held if q.subject in claims} <= exported


@pytest.mark.neo4j
@pytest.mark.parametrize("backend", ["embedded", "neo4j"])
def test_cypher_script_recreates_the_subgraph_in_another_neo4j(
    backend, embedded, neo4j_seeded, neo4j_driver, seed, tmp_path
):
    kwargs = {"store": embedded} if backend == "embedded" else {"neo4j": neo4j_seeded}
    selection = Selection(around=["Vladimir Putin"], depth=2)
    export(selection, "cypher", tmp_path / "putin.cypher", **kwargs)
    export(selection, "nquads", tmp_path / "before.nq", neo4j=neo4j_seeded)
    neo4j_driver.execute_query("MATCH (n) DETACH DELETE n")
    try:
        for line in (tmp_path / "putin.cypher").read_text("utf-8").splitlines():
            if line and not line.startswith("//"):
                neo4j_driver.execute_query(line)
        export(selection, "nquads", tmp_path / "after.nq", neo4j=neo4j_seeded)
        # the recreated graph exports to the same RDF: every node, property and relationship came back
        assert quads_of(tmp_path / "after.nq", "nquads") == quads_of(tmp_path / "before.nq", "nquads")
    finally:
        load_seed_into_neo4j(neo4j_seeded, neo4j_driver, seed)


def starter_answers(driver) -> dict[str, list[str]]:
    """Every query of examples/cypher/ with its rows (sorted: some queries leave the order open)."""
    return {
        path.name: sorted(repr(sorted(r.data().items())) for r in driver.execute_query(path.read_text("utf-8"))[0])
        for path in seed_cypher_examples()
    }


def node_labels(driver) -> dict[str, list[str]]:
    records, _, _ = driver.execute_query("MATCH (n:Resource) RETURN n.uri AS uri, labels(n) AS labels")
    return {r["uri"]: sorted(r["labels"]) for r in records}


def claim_notes_and_attributes(driver) -> dict[str, dict[str, list[str]]]:
    """Each claim's note, caption and attr_ properties, each with its Neo4j type (2 is not 2.0, nor "2")."""
    records, _, _ = driver.execute_query(
        "MATCH (c:Claim) RETURN c.uri AS uri, [k IN keys(c) WHERE k IN ['note', 'caption'] OR k STARTS WITH 'attr_' "
        "| [k, toString(c[k]), valueType(c[k])]] AS props"
    )
    return {r["uri"]: sorted(map(tuple, r["props"])) for r in records if r["props"]}


@pytest.mark.neo4j
def test_cypher_scripts_of_both_backends_answer_every_starter_query_as_the_load(
    embedded, neo4j_seeded, neo4j_driver, seed, tmp_path
):
    """Issue 30: a script exported from the embedded store lacked the Actor/Place labels, so
    advances.cypher answered nothing after importing it. Each backend's script, imported into an
    empty Neo4j, must give every node the online load's labels and every starter query its rows."""
    online, online_labels = starter_answers(neo4j_driver), node_labels(neo4j_driver)
    assert all(online.values()), online
    online_claims = claim_notes_and_attributes(neo4j_driver)
    assert any(k == "note" for props in online_claims.values() for k, _, _ in props)
    assert ("attr_rounds", "2", "INTEGER NOT NULL") in {p for props in online_claims.values() for p in props}
    captions = {value for props in online_claims.values() for key, value, _ in props if key == "caption"}
    assert "Russia ADVANCING_ON Dnipropetrovsk Oblast · disputed" in captions  # issue 30.1
    assert len(captions) > 10 and all("caption" in {k for k, _, _ in p} for p in online_claims.values())
    scripts = {}
    for backend, kwargs in (("embedded", {"store": embedded}), ("neo4j", {"neo4j": neo4j_seeded})):
        scripts[backend] = tmp_path / f"{backend}.cypher"
        export(Selection(), "cypher", scripts[backend], **kwargs)
    try:
        for backend, script in scripts.items():
            neo4j_driver.execute_query("MATCH (n) DETACH DELETE n")
            for line in script.read_text("utf-8").splitlines():
                if line and not line.startswith("//"):
                    neo4j_driver.execute_query(line)
            imported = node_labels(neo4j_driver)
            assert imported == {uri: online_labels[uri] for uri in imported}, backend
            assert any("Actor" in labels for labels in imported.values()), backend
            assert starter_answers(neo4j_driver) == online, backend
            assert claim_notes_and_attributes(neo4j_driver) == online_claims, backend  # issue 30.3
    finally:
        load_seed_into_neo4j(neo4j_seeded, neo4j_driver, seed)


# -- Neo4j Browser assets ----------------------------------------------------------------------


@pytest.mark.neo4j
def test_every_starter_query_answers_on_the_seed(neo4j_seeded, neo4j_driver):
    names = {p.name for p in CYPHER.glob("*.cypher")}
    assert {
        "who-leads-what.cypher",
        "who-called-whom.cypher",
        "prisoner-exchanges.cypher",
        "advances.cypher",
        "everything-about.cypher",
        "timeline-between-two-actors.cypher",
    } <= names
    for path in seed_cypher_examples():
        records, _, _ = neo4j_driver.execute_query(path.read_text("utf-8"))
        assert records, path.name
    records, _, _ = neo4j_driver.execute_query((CYPHER / "timeline-between-two-actors.cypher").read_text("utf-8"))
    rows = [r.data() for r in records]
    assert rows == sorted(rows, key=lambda r: (r["when"], r["relation"], r["evidence"]))
    assert {"CALLED", "NEGOTIATED_WITH"} & {r["relation"] for r in rows}


def test_grass_style_sheet_covers_the_node_types():
    text = (ROOT / "examples" / "neo4j-browser" / "style.grass").read_text("utf-8")
    for label in ("Person", "Country", "Region", "City", "Organization", "Location", "Event", "Document", "Claim"):
        assert re.search(
            rf"node\.{label} \{{[^}}]*color: #[0-9A-F]{{6}};[^}}]*caption: \"[^\"]*\{{\w+\}}[^\"]*\";", text
        ), label
    assert text.count("{") == text.count("}")


# -- selection -----------------------------------------------------------------------------------


def edges_of(path: Path) -> list[dict[str, str]]:
    return [data for _, _, data in read_graphml(path).edges(data=True)]


@pytest.mark.parametrize("backend", BACKENDS)
def test_filters_combine(backend, request, tmp_path):
    args = backend_args(backend, request)
    out = tmp_path / "calls.graphml"
    result = run_export("-a", "Putin", "-d", "3", "-r", "called", "-r", "kg:leaderOf", "-o", str(out), *args)
    assert result.exit_code == 0, result.output
    assert {e["type"] for e in edges_of(out)} == {"CALLED", "LEADER_OF"}
    out = tmp_path / "window.graphml"
    result = run_export("--since", "2025-01", "--until", "2025-01-31", "-o", str(out), *args)
    assert result.exit_code == 0, result.output
    # Trump took office on 2025-01-20 and Biden left it: both held within January 2025
    assert {(e["type"], e.get("startDate", e.get("endDate"))) for e in edges_of(out)} == {
        ("LEADER_OF", "2025-01-20"),
        ("PREDECESSOR_OF", None),
    } or {e["type"] for e in edges_of(out)} >= {"LEADER_OF"}
    result = run_export(
        "--document", "afp-2025-06-14-putin-trump-call", "-r", "EXCHANGED_PRISONERS_WITH", "-f", "graphml", *args
    )
    assert result.exit_code == 0
    graph = read_graphml(io.BytesIO(result.stdout_bytes if hasattr(result, "stdout_bytes") else result.stdout.encode()))
    assert {d["label"] for _, d in graph.nodes(data=True)} == {"Russia", "Ukraine"}


def test_sparql_construct_scope(embedded, tmp_path):
    out = tmp_path / "q.graphml"
    query = "CONSTRUCT { ?a kg:called ?b } WHERE { ?a kg:called ?b }"
    assert run_export("--sparql", query, "-o", str(out), "--store", str(embedded)).exit_code == 0
    assert [e["type"] for e in edges_of(out)] == ["CALLED"]


@pytest.mark.neo4j
def test_cypher_query_scope(neo4j_seeded, tmp_path):
    out = tmp_path / "q.graphml"
    query = "MATCH p = (:Person {name: 'Vladimir Putin'})-[:CALLED]->(:Person) RETURN p"
    assert run_export("--cypher", query, "-o", str(out), "--neo4j-uri", neo4j_seeded.uri).exit_code == 0
    assert [e["type"] for e in edges_of(out)] == ["CALLED"]
    result = run_export("--cypher", "CREATE (n:Resource {uri: 'x'}) RETURN n", "--neo4j-uri", neo4j_seeded.uri)
    assert result.exit_code == 2 and "--cypher failed" in result.output  # read-only


# -- errors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_unknown_entity_suggests_the_closest_names(backend, request):
    result = run_export("-a", "Vladmir Puttin", *backend_args(backend, request))
    assert result.exit_code == 2
    assert "unknown entity 'Vladmir Puttin'" in result.output and "Vladimir Putin" in result.output


@pytest.mark.parametrize("backend", BACKENDS)
def test_empty_result_is_its_own_error(backend, request):
    result = run_export("-a", "Sumy Oblast", "-r", "CALLED", *backend_args(backend, request))
    assert result.exit_code == 2
    assert "nothing matches around Sumy Oblast" in result.output


def test_unwritable_output_names_the_path(embedded, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    for target in (tmp_path / "missing" / "x.ttl", locked):
        result = run_export("-a", "Putin", "-o", str(target), "-f", "turtle", "--store", str(embedded))
        assert result.exit_code == 2 and f"cannot write {target}" in result.output
    if os.geteuid() != 0:  # root writes anywhere
        locked.chmod(0o500)
        result = run_export("-a", "Putin", "-o", str(locked / "x.ttl"), "--store", str(embedded))
        assert result.exit_code == 2 and f"cannot write {locked / 'x.ttl'}" in result.output


def test_an_extension_that_names_no_format_is_an_error(embedded, tmp_path):
    store = ["--store", str(embedded)]
    for name in ("putin.csv", "x.txt", "x.gephi"):
        result = run_export("-a", "Putin", "-o", str(tmp_path / name), *store)
        assert result.exit_code == 2, result.output
        assert "cannot tell the export format" in result.output and "--format" in result.output
        assert not (tmp_path / name).exists()
    assert "give a folder or a .zip" in run_export("-a", "Putin", "-o", str(tmp_path / "p.csv"), *store).output
    # --format says otherwise: the name is the user's choice
    result = run_export("-a", "Putin", "-o", str(tmp_path / "putin.txt"), "-f", "ntriples", *store)
    assert result.exit_code == 0 and (tmp_path / "putin.txt").read_text("utf-8").startswith("<")
    result = run_export("-a", "Putin", "-o", str(tmp_path / "putin.gexf"), *store)
    assert result.exit_code == 0 and "<gexf" in (tmp_path / "putin.gexf").read_text("utf-8")


@pytest.mark.parametrize("mask", [0o022, 0o002, 0o077])
def test_files_are_created_with_the_users_umask(embedded, tmp_path, mask):
    old = os.umask(mask)
    try:
        for name in ("x.ttl", "x.graphml", "x.zip"):
            assert run_export("-a", "Putin", "-o", str(tmp_path / name), "--store", str(embedded)).exit_code == 0
            assert (tmp_path / name).stat().st_mode & 0o777 == 0o666 & ~mask, name
    finally:
        os.umask(old)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_other_usage_errors(embedded):
    store = ["--store", str(embedded)]
    assert "unknown relation type 'calld'" in run_export("-r", "calld", *store).output
    assert "--cypher needs Neo4j" in run_export("--cypher", "MATCH (n) RETURN n", *store).output
    assert "unknown document" in run_export("--document", "afp-2025", *store).output
    assert "is not a date" in run_export("--since", "June", *store).output
    assert "needs --output" in run_export("-f", "csv", *store).output


def test_piped_output_has_no_progress_bar(embedded):
    result = CliRunner().invoke(app, ["export", "-a", "Putin", "-f", "nquads", "--store", str(embedded)])
    assert result.exit_code == 0
    assert result.stdout.count("\n") > 50 and "━" not in result.output
    lines = [line for line in result.output.splitlines() if not line.startswith("<")]
    assert lines == [line for line in lines if line.startswith("kgload export:")]


def test_progress_bar_when_asked(embedded, tmp_path, capsys):
    export(Selection(around=["Putin"]), "nquads", tmp_path / "x.nq", store=embedded, show_progress=True)
    assert (tmp_path / "x.nq").stat().st_size > 0


@pytest.mark.slow
def test_a_large_subgraph_streams(tmp_path):
    """400 documents, 4,800 claims: written batch by batch, the serialisation never whole in memory."""
    import json
    import tracemalloc

    docs = []
    for i in range(400):
        entities = [{"id": f"p{j}", "name": f"Person {i % 97}-{j}", "type": "Person"} for j in range(4)]
        relations = [
            {
                "type": "called",
                "head": f"p{a}",
                "tail": f"p{b}",
                "date": f"2024-{1 + i % 12:02d}-01",
                "evidence": f"sentence {i}-{a}-{b}",
            }
            for a in range(4)
            for b in range(4)
            if a != b
        ]
        docs.append({"document": {"id": f"doc-{i}", "title": f"d{i}"}, "entities": entities, "relations": relations})
    source = tmp_path / "big.jsonl"
    source.write_text("\n".join(json.dumps(d) for d in docs))
    api.load([source], store=tmp_path / "store", rejects=tmp_path / "r.jsonl", validate=False)
    mapping = load_mapping()
    with open_source(mapping, tmp_path / "store") as backend:
        subgraph = extract(backend, Selection(), mapping)
    assert len(subgraph.claims) == 4800
    tracemalloc.start()  # the subgraph is held once; writing it must not hold the output as well
    items = write(subgraph, "nquads", tmp_path / "big.nq", mapping)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert items > 4800 * 10
    size = (tmp_path / "big.nq").stat().st_size
    assert peak < size / 10  # one document's batch at a time, never the whole serialisation
