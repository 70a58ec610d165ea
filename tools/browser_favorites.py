"""Build examples/neo4j-browser/kgload-favorites.zip: the queries of examples/cypher/ as a Neo4j
Browser favourites bundle (drop the zip on the Browser window: a "kgload" folder of saved scripts).

    python tools/browser_favorites.py           # write the zip
    python tools/browser_favorites.py --check   # exit 1 if the shipped zip is out of date

The zip is a pure function of the query files (sorted names, fixed timestamps): same queries,
same bytes. The Browser names each script after its first line, the query's ``//`` comment.
"""

from __future__ import annotations

import argparse
import io
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "examples" / "cypher"
BUNDLE = ROOT / "examples" / "neo4j-browser" / "kgload-favorites.zip"
FOLDER = "kgload"  # the Browser makes a favourites folder of each folder in the zip
STAMP = (2025, 1, 1, 0, 0, 0)


def build(queries: Path = QUERIES) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(queries.glob("*.cypher")):
            info = zipfile.ZipInfo(f"{FOLDER}/{path.name}", STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with the shipped zip instead of writing")
    args = parser.parse_args()
    data = build()
    if args.check:
        if not BUNDLE.exists() or BUNDLE.read_bytes() != data:
            print(f"{BUNDLE.relative_to(ROOT)} is out of date: run python tools/browser_favorites.py", file=sys.stderr)
            return 1
        return 0
    BUNDLE.write_bytes(data)
    print(f"wrote {BUNDLE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
