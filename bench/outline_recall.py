"""How often a validated document recalls its outline's verdicts (kgload.outlines), window by window, for
one validator reading a corpus in order, as one mapping worker does.

    .venv/bin/python bench/outline_recall.py --corpus /tmp/ev1m --docs 400000 --window 25000

Each line: documents so far, documents of the window whose outline was not recalled (the compiled checks
ran), and the outlines remembered. Mapping with SHACL in one process: about 0.4 ms a document.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, required=True, help="a bench/generate.py folder")
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--window", type=int, default=10_000)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from kgload.document import map_document, read_line
    from kgload.fastshacl import CompiledShapes
    from kgload.mapping.spec import load_mapping
    from kgload.model import Run
    from kgload.ontology import load_ontology
    from kgload.rdf.offices import tenure_index
    from kgload.readers import kgload_json
    from kgload.readers.json_input import Line
    from kgload.sinks.neo4j.preparing import RowsPreparer
    from kgload.validate import ShaclValidator

    mapping = load_mapping(ROOT / "mappings" / "kgload.yaml")
    run, preparer = Run.new(), RowsPreparer(load_ontology(mapping.ontology.path))
    kgload_json.compile_schemas()
    validator = ShaclValidator(mapping.shapes, mapping.ontology.path)
    tenures = tenure_index(mapping)
    checked = [0]
    results = CompiledShapes.results

    def counted(self, *a, **k):  # the checks run: the outline was not recalled
        checked[0] += 1
        return results(self, *a, **k)

    CompiledShapes.results = counted  # type: ignore[method-assign]
    done = last = 0
    for line in kgload_json.read_lines(args.corpus / "corpus.jsonl"):
        extraction = read_line(line, []) if isinstance(line, Line) else None
        if extraction is None:
            continue
        map_document(extraction, mapping, run, validator, tenures, preparer)
        done += 1
        if done % args.window == 0:
            outlines = validator._outlines
            remembered = len(outlines._remembered) if outlines is not None else 0
            print(json.dumps({"documents": done, "checked": checked[0] - last, "remembered": remembered}), flush=True)
            last = checked[0]
        if done >= args.docs:
            break


if __name__ == "__main__":
    main()
