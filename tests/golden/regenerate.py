"""Rewrite the expected N-Quads and Neo4j rows of every golden case from the current code. Review the diff."""

from kgload.api import map_quads
from kgload.rdf.serialize import RdfWriter
from tests.golden.rows import case_rows
from tests.golden.test_golden import GOLDEN_RUN, ROOT, all_cases, rows_file

if __name__ == "__main__":
    for name, source, expected in all_cases():
        quads, _ = map_quads([source], run=GOLDEN_RUN, mapping=ROOT / "mappings" / "kgload.yaml")
        with expected.open("wb") as out:
            writer = RdfWriter(out, "nquads")
            writer.write(sorted(quads, key=str))
            writer.close()
        print(f"{name}: {len(quads)} quads -> {expected.relative_to(ROOT)}")
        rows_file(expected).write_text(case_rows(source, GOLDEN_RUN), encoding="utf-8")
