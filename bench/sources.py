"""Source mappings against Python readers, interleaved in one run (issue 28).

    .venv/bin/python bench/sources.py --rows 50000 --relations 100000 --rounds 3 --baseline /work/main

Two comparisons, each system in a fresh process, the systems alternating within each round (the
machine is shared: quote the ratios within a round, with their spread):

- **events**: GDELT 2.0 and ICEWS files of ``--rows`` events (the samples in ../shared/samples, their
  rows repeated with fresh ids), read and mapped to N-Quads by the Python readers of ``--baseline``
  (a checkout that still has ``kgload/readers/cameo_events.py``, run with its own code) and by this
  checkout's source mappings (mappings/sources/gdelt.yaml, icews.yaml). Both use the baseline's
  mappings/events.yaml, so only the reading differs.
- **csv**: the bench corpus (bench/generate.py, ``--relations``) written as one CSV file in the names
  layout of the CSV reader (docs/inputs.md), read and mapped by the CSV reader and by a source mapping
  of the same columns (bench/sources/bench-relations.yaml), both in this checkout, with
  mappings/kgload.yaml. Attributions, aliases and mentions are left out: the names layout has no
  column for mentions, and a source mapping none for attributions.

Each system reports the time to read and map (one process, no SHACL: what the reader changes), and
to read alone; results go to bench/out/sources-<timestamp>.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from common import BENCH, KGLOAD_PY, ROOT, Result, emit, run_measured

SAMPLES = ROOT.parent / "shared" / "samples"
SOURCE = BENCH / "sources" / "bench-relations.yaml"
NAMES_COLUMNS = (
    "document_id",
    "document_title",
    "document_publisher",
    "document_published",
    "document_url",
    "document_language",
    "head",
    "head_type",
    "head_iso_code",
    "head_wikidata",
    "tail",
    "tail_type",
    "tail_iso_code",
    "tail_wikidata",
    "type",
    "date",
    "start",
    "end",
    "evidence",
    "sentence",
    "confidence",
    "status",
    "event_code",
    "event_code_scheme",
    "location",
    "location_type",
)


def gdelt_file(rows: int, out: Path) -> Path:
    """GDELT 2.0 export rows (the sample's, repeated) with fresh GLOBALEVENTIDs."""
    path = out / f"gdelt-{rows}.export.CSV"
    if not path.exists():
        lines = (SAMPLES / "gdelt2_events_20191024143000.export.CSV").read_text(encoding="utf-8").splitlines()
        with path.open("w", encoding="utf-8") as handle:
            for n in range(rows):
                cells = lines[n % len(lines)].split("\t")
                cells[0] = str(900_000_000 + n)
                handle.write("\t".join(cells) + "\n")
    return path


def icews_file(rows: int, out: Path) -> Path:
    """ICEWS rows (the sample's, repeated) with fresh Event IDs, under the sample's header."""
    path = out / f"icews-{rows}.tab"
    if not path.exists():
        header, *lines = (SAMPLES / "icews_events_sample.tab").read_text(encoding="utf-8").splitlines()
        with path.open("w", encoding="utf-8") as handle:
            handle.write(header + "\n")
            for n in range(rows):
                cells = lines[n % len(lines)].split("\t")
                cells[0] = str(n + 1)
                handle.write("\t".join(cells) + "\n")
    return path


def names_csv(relations: int, out: Path) -> Path:
    """The bench corpus as one CSV in the CSV reader's names layout, rows grouped by document."""
    corpus = out / f"corpus-{relations}"
    path = out / f"relations-{relations}.csv"
    if path.exists():
        return path
    if not (corpus / "corpus.jsonl").exists():
        run_measured(
            [KGLOAD_PY, str(BENCH / "generate.py"), "--relations", str(relations), "--out", str(corpus)],
            out / "generate.log",
        )
    with (corpus / "corpus.jsonl").open(encoding="utf-8") as lines, path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, NAMES_COLUMNS)
        writer.writeheader()
        for line in lines:
            try:
                doc = json.loads(line)
            except ValueError:
                continue  # the corpus's truncated lines: no CSV row can stand for them
            writer.writerows(_rows(doc))
    return path


def _rows(doc: dict) -> list[dict[str, object]]:
    entities = {e["id"]: e for e in doc["entities"]}
    document = {f"document_{k}": doc["document"].get(k, "") for k in ("title", "publisher", "published", "url")}
    document |= {"document_id": doc["document"]["id"], "document_language": doc["document"].get("language", "")}
    rows = []
    for rel in doc["relations"]:
        head, tail = entities.get(rel["head"]), entities.get(rel["tail"])
        if head is None or tail is None:
            continue  # names an unknown entity: the names layout cannot say so
        place = entities.get(rel.get("location") or "")
        row = {
            **document,
            **{k: rel.get(k, "") for k in ("type", "date", "start", "end", "evidence", "sentence", "confidence")},
            **{k: rel.get(k, "") for k in ("status", "event_code", "event_code_scheme")},
        }
        for end, entity in (("head", head), ("tail", tail)):
            row |= {end: entity["name"], f"{end}_type": entity["type"]}
            row |= {f"{end}_iso_code": entity.get("iso_code") or "", f"{end}_wikidata": entity.get("wikidata") or ""}
        if place is not None:
            row |= {"location": place["name"], "location_type": place["type"]}
        rows.append(row)
    return rows


def worker(args: argparse.Namespace) -> None:
    """One measurement in this process: read (and map to N-Quads) one file; print the Result."""
    from kgload import api
    from kgload.readers import read
    from kgload.records import Extraction

    path = Path(args.input)
    started = time.perf_counter()
    if args.what == "read":
        relations = sum(len(i.relations) for i in read(path, args.format) if isinstance(i, Extraction))
        emit(Result(args.system, relations, 0, time.perf_counter() - started))
        return
    counter = _Counter()
    api.write_rdf([path], counter, "nquads", mapping=args.mapping, fmt=args.format, validate=False, workers=1)
    seconds = time.perf_counter() - started
    relations = sum(len(i.relations) for i in read(path, args.format) if isinstance(i, Extraction))
    emit(Result(args.system, relations, counter.lines, seconds))


class _Counter:
    """A binary sink that counts N-Quads lines and keeps nothing."""

    def __init__(self) -> None:
        self.lines = 0

    def write(self, data: bytes) -> int:
        self.lines += data.count(b"\n")
        return len(data)

    def flush(self) -> None:
        pass


def measure(args: argparse.Namespace) -> None:
    out = BENCH / "out" / "sources"
    out.mkdir(parents=True, exist_ok=True)
    events_mapping = str(Path(args.baseline) / "mappings" / "events.yaml")
    gdelt, icews = gdelt_file(args.rows, out), icews_file(args.rows, out)
    relations_csv = names_csv(args.relations, out)
    me = [KGLOAD_PY, str(Path(__file__).resolve()), "worker"]
    # (comparison, system, argv, PYTHONPATH)
    systems = [
        ("gdelt", "python reader", [str(gdelt), "gdelt", events_mapping], str(args.baseline)),
        ("gdelt", "source mapping", [str(gdelt), "gdelt", events_mapping], str(ROOT)),
        ("icews", "python reader", [str(icews), "icews", events_mapping], str(args.baseline)),
        ("icews", "source mapping", [str(icews), "icews", events_mapping], str(ROOT)),
        ("csv", "csv reader", [str(relations_csv), "csv", str(ROOT / "mappings" / "kgload.yaml")], str(ROOT)),
        ("csv", "source mapping", [str(relations_csv), str(SOURCE), str(ROOT / "mappings" / "kgload.yaml")], str(ROOT)),
    ]
    results: list[dict[str, object]] = []
    for round_ in range(args.rounds):
        for what in ("map", "read"):
            for comparison, system, (path, fmt, mapping), pythonpath in systems:
                argv = [*me, "--system", system, "--input", path, "--format", fmt, "--mapping", mapping, "--what", what]
                result, _, _, code = run_measured(argv, out / "worker.log", env={"PYTHONPATH": pythonpath})
                if result is None:
                    sys.exit(f"{comparison} / {system} failed (exit {code}); see {out / 'worker.log'}")
                results.append({"round": round_, "comparison": comparison, "what": what, **result.as_json()})
                print(
                    f"round {round_} {what:4} {comparison:6} {system:15} {result.seconds:8.2f} s "
                    f"{result.records} relations {result.triples} quads",
                    flush=True,
                )
    summary = _ratios(results)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (out / f"sources-{stamp}.json").write_text(json.dumps({"results": results, "ratios": summary}, indent=2) + "\n")
    print(json.dumps(summary, indent=2))


def _ratios(results: list[dict[str, object]]) -> dict[str, object]:
    """Per comparison and measure: source mapping seconds per relation over the reader's, per round."""
    out: dict[str, object] = {}
    for comparison in ("gdelt", "icews", "csv"):
        for what in ("map", "read"):
            rounds = sorted({r["round"] for r in results})
            ratios = []
            for round_ in rounds:
                pair = [r for r in results if (r["comparison"], r["what"], r["round"]) == (comparison, what, round_)]
                reader = next(r for r in pair if r["system"] != "source mapping")
                mapped = next(r for r in pair if r["system"] == "source mapping")
                per = [float(r["seconds"]) / max(int(r["records"]), 1) for r in (mapped, reader)]
                ratios.append(round(per[0] / per[1], 3))
            out[f"{comparison} {what}"] = {"ratios": ratios, "median": statistics.median(ratios)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("run")
    run.add_argument("--rows", type=int, default=50_000, help="events in the GDELT and ICEWS files")
    run.add_argument("--relations", type=int, default=100_000, help="relations of the bench corpus for the CSV")
    run.add_argument("--rounds", type=int, default=3)
    run.add_argument("--baseline", type=Path, required=True, help="a checkout with the Python GDELT/ICEWS readers")
    one = sub.add_parser("worker")
    for name in ("--system", "--input", "--format", "--mapping", "--what"):
        one.add_argument(name, required=True)
    argv = sys.argv[1:]
    if not argv or argv[0] not in ("run", "worker", "-h", "--help"):
        argv = ["run", *argv]
    args = parser.parse_args(argv)
    (worker if args.command == "worker" else measure)(args)


if __name__ == "__main__":
    main()
