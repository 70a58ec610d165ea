"""Unit tests of the export's pieces: the Cypher literal encoder (round-tripped through a real
Neo4j in tests/integration/test_cypher_literals.py), GraphML with hostile text, CSV cells, the time
window and relation-type names."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kgload.errors import UsageError
from kgload.export import gexf, graphml
from kgload.export.csv_files import cell
from kgload.export.cypher_script import literal, name, string
from kgload.export.selection import ClaimBrief, Window, period, relation_types
from kgload.export.subgraph import Claim, Document, Entity, Mention, Subgraph
from tests.mixed_graphs import read_gexf, read_graphml

# any Python text (surrogates cannot be encoded, so they never reach a file)
TEXT = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=60)
SCALARS = (
    TEXT
    | st.integers(-(2**63), 2**63 - 1)
    | st.booleans()
    | st.none()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.dates()
)


# -- Cypher literals -----------------------------------------------------------------------------


@given(TEXT)
def test_string_literal_is_one_closed_line(text):
    encoded = string(text)
    assert "\n" not in encoded and "\r" not in encoded and "\u2028" not in encoded
    body = encoded[1:-1]
    assert encoded[0] == encoded[-1] == "'"
    # every quote inside is escaped: strip escape pairs and no bare quote or backslash is left
    stripped = body.replace("\\\\", "").replace("\\'", "")
    assert "'" not in stripped


def test_literals_of_every_kind():
    assert literal(None) == "null" and literal(True) == "true" and literal(3) == "3"
    assert literal('it\'s `x` \\ "q"\n') == "'it\\'s `x` \\\\ \"q\"\\n'"
    assert literal(dt.date(2025, 6, 14)) == "date('2025-06-14')"
    assert literal([1, "a"]) == "[1, 'a']"
    assert literal({"we`ird key": 1}) == "{`we``ird key`: 1}"
    assert name("a`b") == "`a``b`"
    assert literal(float("nan")) == "toFloat('NaN')"
    with pytest.raises(ValueError):
        literal(2**64)


# -- GraphML and CSV with hostile text ------------------------------------------------------------


def small_subgraph(text: str) -> Subgraph:
    doc = Document("https://ex.org/doc/1", "https://ex.org/graph/1", "doc-1", language="en")
    a = Entity("https://ex.org/a", text, [text], ["Person", "Actor"], [], mentions=[Mention(doc.uri, text, [text])])
    b = Entity("https://ex.org/b", "B", [], ["Country", "Actor", "Place"], [], mentions=[Mention(doc.uri, "B", ["B"])])
    claim = Claim(
        "https://ex.org/c",
        "k1",
        "CALLED",
        "https://w3id.org/kgload/ontology#called",
        a.uri,
        b.uri,
        "asserted",
        doc.uri,
        doc.graph,
        {"evidence": text, "date": dt.date(2025, 6, 14), "confidence": 0.5},
    )
    return Subgraph({a.uri: a, b.uri: b}, {doc.uri: doc}, [claim], "test")


@settings(max_examples=100, deadline=None)
@given(TEXT.filter(lambda t: t.strip() == t and t))
def test_graphml_reads_back_with_networkx(text):
    out = io.StringIO()
    graphml.write(small_subgraph(text), out, lambda n: None)
    graph = read_graphml(io.BytesIO(out.getvalue().encode("utf-8")))
    clean = graphml._INVALID_XML.sub("\ufffd", text)
    # XML normalises CR and CRLF to LF when it reads text
    expected = clean.replace("\r\n", "\n").replace("\r", "\n")
    assert {d["label"] for _, d in graph.nodes(data=True)} == {expected, "B"}
    [(_, _, edge)] = graph.edges(data=True)
    assert edge["type"] == "CALLED" and edge["date"] == "2025-06-14" and edge["confidence"] == 0.5
    assert edge["evidence"] == expected


@settings(max_examples=100, deadline=None)
@given(TEXT.filter(lambda t: t.strip() == t and t))
def test_gexf_reads_back_with_networkx(text):
    out = io.StringIO()
    subgraph = small_subgraph(text)
    subgraph.claims[0].type = "MET_WITH"
    subgraph.symmetric_types = frozenset({"MET_WITH"})
    gexf.write(subgraph, out, lambda n: None)
    graph = read_gexf(out.getvalue().encode("utf-8"))
    clean = graphml._INVALID_XML.sub("\ufffd", text)
    # in attribute values line breaks and tabs are written as references, so they come back exactly
    assert {d["label"] for _, d in graph.nodes(data=True)} == {clean, "B"}
    edges = list(graph.edges(data=True))
    assert len(edges) == 2 and all(d["undirected"] and d["relation"] == "MET_WITH" for _, _, d in edges)
    assert edges[0][2]["weight"] == 1.0 and edges[0][2]["confidence"] == 0.5


def test_graphml_marks_symmetric_relations_undirected():
    out = io.StringIO()
    subgraph = small_subgraph("A")
    subgraph.claims[0].type = "MET_WITH"
    subgraph.symmetric_types = frozenset({"MET_WITH"})
    graphml.write(subgraph, out, lambda n: None)
    assert 'directed="false"' in out.getvalue()
    edges = list(read_graphml(out.getvalue().encode("utf-8")).edges(data=True))
    assert len(edges) == 2 and all(d["undirected"] and d["weight"] == 1.0 for _, _, d in edges)


def test_csv_cells_never_run_as_formulas():
    assert cell('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert cell("@SUM(A1)") == "'@SUM(A1)" and cell("-1+1") == "'-1+1"
    assert cell("Putin") == "Putin" and cell(0.5) == 0.5 and cell(["a", "b"]) == "a | b" and cell(None) == ""


# -- selection pieces ----------------------------------------------------------------------------


def test_periods_and_windows():
    assert period("2025") == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert period("2024-02") == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert period("2025-06-14T10:00:00Z") == (dt.date(2025, 6, 14), dt.date(2025, 6, 14))
    assert period("someday") is None
    window = Window.of("2025-01", "2025-01")
    assert window is not None

    def brief(**kw):
        return ClaimBrief("c", "CALLED", "a", "b", "d", **kw)

    assert window.admits(brief(date="2025-01-15"))
    assert not window.admits(brief(date="2025-02-01"))
    assert window.admits(brief(start="2021-01-20"))  # still holding: no end
    assert not window.admits(brief(start="2021-01-20", end="2024-12-31"))
    assert window.admits(brief(published="2025-01-03"))  # reported in the window
    assert window.admits(brief(date="2025"))  # a year overlaps its January
    with pytest.raises(UsageError, match="is after"):
        Window.of("2025-02", "2025-01")
    with pytest.raises(UsageError, match="not a date"):
        Window.of("2025-13-45x", None)


def test_relation_type_names(mapping):
    assert relation_types(
        ["called", "phoned", "kg:called", "CALLED", "https://w3id.org/kgload/ontology#called"], mapping
    ) == ["CALLED"]
    assert relation_types(["successor-of", "exchangedPrisonersWith"], mapping) == [
        "PREDECESSOR_OF",
        "EXCHANGED_PRISONERS_WITH",
    ]
    assert relation_types([], mapping) is None
    with pytest.raises(UsageError, match="did you mean"):
        relation_types(["caled"], mapping)


def test_html_page_cannot_be_broken_out_of():
    from kgload.export import html

    hostile = "</script><img src=x onerror=alert(1)><!--"
    out = io.StringIO()
    html.write(small_subgraph(hostile), out)
    page = out.getvalue()
    assert hostile not in page and "<img src=x" not in page
    assert page.count("</script>") == 2  # the data block and the code, nothing injected
    assert "http" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "").split('id="data"')[0]
