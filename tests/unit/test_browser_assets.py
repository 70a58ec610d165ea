"""The Neo4j Browser assets in examples/neo4j-browser/ as shipped: the favourites bundle holds
exactly the queries of examples/cypher/ (tools/browser_favorites.py rebuilds it), and the style
sheet has nothing the Browser's grass parser misreads. The Browser itself reads both in
tests/integration/test_browser.py."""

from __future__ import annotations

import importlib.util
import zipfile

from tests.common import ROOT

ASSETS = ROOT / "examples" / "neo4j-browser"
_spec = importlib.util.spec_from_file_location("browser_favorites", ROOT / "tools" / "browser_favorites.py")
assert _spec is not None and _spec.loader is not None
favorites = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(favorites)


def test_the_favourites_bundle_is_the_example_queries():
    assert (ASSETS / "kgload-favorites.zip").read_bytes() == favorites.build(), "run python tools/browser_favorites.py"
    with zipfile.ZipFile(ASSETS / "kgload-favorites.zip") as bundle:
        held = {name: bundle.read(name) for name in bundle.namelist()}
    queries = sorted((ROOT / "examples" / "cypher").glob("*.cypher"))
    assert held == {f"kgload/{q.name}": q.read_bytes() for q in queries}
    assert all(q.read_text("utf-8").startswith("// ") for q in queries)  # the Browser names a script by it


def test_the_style_sheet_has_no_comment_or_stray_quote():
    text = (ASSETS / "style.grass").read_text("utf-8")
    assert "/*" not in text and "//" not in text
    # the parser toggles "string" at every quote: an odd count swallows the rest of the sheet
    assert text.count('"') % 2 == 0 and "'" not in text
