"""The kgload benchmark (issue 8): kgload against its peers, on one machine, in one run.

    .venv/bin/python bench/run.py --relations 100000 [--neo4j-uri bolt://127.0.0.1:7687]
    .venv/bin/python bench/run.py --relations 1000000 --skip rdflib-add,rdflib-neo4j

Generates (or reuses) the synthetic corpus (bench/generate.py), then runs every system in a
fresh subprocess, so each one's peak RSS is its own:

- mapping: kgload write_rdf -> N-Quads (validate off: the bulk path) vs morph-kgc 2.10 (YARRRML,
  own venv) on the same relations; kgload map_quads (in memory) vs plain rdflib Graph.add;
  a small "validate on" kgload figure (SHACL);
- Neo4j: kgload.api.load into Neo4jSink vs rdflib-neo4j's batched Store loading the same RDF
  (kgload's output as N-Triples), each into the same, emptied server; then kgload's re-run on
  unchanged input (every document should be skipped by fingerprint); and the bulk path for a
  first load (kgload export --format neo4j-admin + neo4j-admin database import full, timed
  together). neosemantics (n10s) loads the same N-Triples inside the server when
  ../shared/bench has its jar (built from source: Maven Central has no 5.26 build; skipped with
  a note otherwise): n10s-neo4j is its load alone, n10s-neo4j-e2e adds its preparation (kgload's
  mapping to N-Quads in one process, then the N-Triples export), so kgload's online load, which
  maps as it loads, shows against both. Each Neo4j loader first loads a small corpus, untimed,
  so that JVM warm-up and query planning fall on neither.

``--shape events`` measures the event feed instead (issue 29; bench/generate.py --shape events:
one CAMEO-coded relation per document): ``kgload load`` from the command line, into the embedded
store and into Neo4j, with SHACL off and on (the default engine), each into an empty target and
then again on the same target (the re-run); the ratios are validated / unvalidated speed and
re-run / first load, from the same run. ``--pyshacl-docs N`` adds the reference engine (pySHACL)
and the compiled one on the first N documents.

    .venv/bin/python bench/run.py --shape events --relations 100000 --rounds 2 --pyshacl-docs 1000

Prints a table (system, records, triples, seconds, triples/s, peak RSS, ratio kgload / peer)
and writes bench/out/results-<timestamp>.json and bench/out/latest.json with machine info.
Neo4j is the Maven-built test server (tests/neo4j_server.py) unless --neo4j-uri is given.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from common import BENCH, KGLOAD_PY, ROOT, Result, python_of, run_measured

MORPH_VENV = BENCH / ".venv-morph"
RDFLIB_NEO4J_VENV = BENCH / ".venv-rdflib-neo4j"
WARMUP_RELATIONS = 2000  # the untimed first load each Neo4j loader makes
N10S_JAR = ROOT.parent / "shared" / "bench" / "neosemantics-5.26.1.jar"
N10S_MISSING = (
    f"n10s-neo4j: skipped - {N10S_JAR} is not there (neosemantics has no 5.26 build on Maven Central; "
    "../shared/bench/README.md says how that one was built)"
)
# (kgload system, peer system, what the ratio compares)
RATIOS = (
    ("kgload-map", "morph-kgc", "triples_per_s"),
    ("kgload-map", "morph-kgc", "records_per_s"),
    ("kgload-map-2w", "morph-kgc", "triples_per_s"),
    ("kgload-map-2w", "kgload-map", "triples_per_s"),
    ("kgload-map-mem", "rdflib-add", "triples_per_s"),
    ("kgload-neo4j", "rdflib-neo4j", "triples_per_s"),
    ("kgload-neo4j", "rdflib-neo4j", "records_per_s"),
    ("kgload-neo4j", "n10s-neo4j", "triples_per_s"),
    ("kgload-neo4j", "n10s-neo4j-e2e", "triples_per_s"),
    ("kgload-bulk", "rdflib-neo4j", "triples_per_s"),
    ("kgload-bulk", "kgload-neo4j", "triples_per_s"),
)


def rust_packstream(python: str) -> bool:
    """Whether the Neo4j driver of ``python`` encodes with neo4j-rust-ext."""
    code = "from neo4j._codec.packstream import RUST_AVAILABLE; print(RUST_AVAILABLE)"
    out = subprocess.run([python, "-c", code], capture_output=True, text=True)
    return out.stdout.strip() == "True"


def machine_info(neo4j_uri: str | None) -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kb = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    info: dict[str, Any] = {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
    }
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "kgload"], cwd=ROOT, capture_output=True, text=True)
        info["kgload_commit"] = head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    except OSError:
        pass
    versions = subprocess.run(
        [
            KGLOAD_PY,
            "-c",
            "import importlib.metadata as m; print({p: m.version(p) for p in "
            "('kgload', 'pyoxigraph', 'rdflib', 'neo4j', 'jsonschema')})",
        ],
        capture_output=True,
        text=True,
    )
    info["packages"] = versions.stdout.strip()
    # The driver's Rust packstream (neo4j-rust-ext) changes a Neo4j load by a fifth or more, so
    # every result says which loaders had it.
    info["neo4j_rust_ext"] = {"kgload": rust_packstream(KGLOAD_PY)}
    peers = (("morph_kgc", MORPH_VENV, "morph-kgc"), ("rdflib_neo4j", RDFLIB_NEO4J_VENV, "rdflib-neo4j"))
    for name, venv, pkg in peers:
        if venv.exists():
            out = subprocess.run(
                [python_of(venv), "-c", f"import importlib.metadata as m; print(m.version('{pkg}'))"],
                capture_output=True,
                text=True,
            )
            info[name] = out.stdout.strip()
    if RDFLIB_NEO4J_VENV.exists():
        info["neo4j_rust_ext"]["rdflib_neo4j"] = rust_packstream(python_of(RDFLIB_NEO4J_VENV))
    if neo4j_uri:
        code = (
            "import neo4j,sys; d=neo4j.GraphDatabase.driver(sys.argv[1]); "
            "r=d.execute_query('CALL dbms.components() YIELD name, versions, edition "
            "RETURN name, versions[0] AS v, edition').records[0]; print(r['name'], r['v'], r['edition'])"
        )
        out = subprocess.run([KGLOAD_PY, "-c", code, neo4j_uri], capture_output=True, text=True)
        info["neo4j"] = out.stdout.strip()
    return info


class Bench:
    def __init__(self, args: argparse.Namespace, corpus: Path, work: Path) -> None:
        self.args, self.corpus, self.work = args, corpus, work
        self.results: list[Result] = []
        self.notes: list[str] = []

    def measure(self, name: str, argv: list[str], timeout: float | None = None, *, keep: bool = True) -> Result | None:
        if name in self.args.skip:
            if keep:  # else keep_medians notes it, once
                self.notes.append(f"{name}: skipped (--skip)")
            return None
        timeout = timeout or self.args.timeout
        print(f"[bench] {name} ...", flush=True)
        load_before = os.getloadavg()[0]
        result, _peak, wall, code = run_measured(argv, self.work / f"{name}.log", timeout=timeout)
        if result is not None:  # the machine may be shared: say how busy it was
            result.extra["loadavg_1min_before_after"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
        if result is None:
            why = f"timed out after {timeout:.0f} s" if wall >= timeout else f"exit code {code}"
            self.notes.append(f"{name}: no result ({why}; see {self.work / (name + '.log')})")
            print(f"[bench] {name}: FAILED ({why})", flush=True)
            return None
        print(
            f"[bench] {name}: {result.triples} triples in {result.seconds:.1f} s "
            f"({result.triples_per_s:,.0f}/s), peak RSS {result.peak_rss_mb:.0f} MB",
            flush=True,
        )
        if keep:
            self.results.append(result)
        return result

    def measure_rounds(self, systems: list[tuple[str, list[str]]]) -> None:
        """Each system ``--rounds`` times, round by round, so that a slow minute of a shared machine
        falls on every system alike; each keeps its median run, and every round's time goes in its
        ``extra`` (one run each of kgload and morph-kgc moved their ratio between 1.3x and 2.1x)."""
        runs: dict[str, list[Result]] = {name: [] for name, _ in systems}
        for _ in range(max(1, self.args.rounds)):
            for name, argv in systems:
                if name not in self.args.skip and (result := self.measure(name, argv, keep=False)):
                    runs[name].append(result)
        self.keep_medians(runs)

    def keep_medians(self, runs: dict[str, list[Result]]) -> None:
        for name, results in runs.items():
            if name in self.args.skip:
                self.notes.append(f"{name}: skipped (--skip)")
            elif results:
                ranked = sorted(results, key=lambda r: r.seconds)
                kept = ranked[(len(ranked) - 1) // 2]  # the median; of an even count, the faster middle one
                kept.extra["rounds_seconds"] = [round(r.seconds, 2) for r in results]
                self.results.append(kept)

    def batch(self) -> list[str]:
        return ["--batch-size", str(self.args.batch_size)] if self.args.batch_size else []

    def kg(self, system: str, *extra: str) -> list[str]:
        return [KGLOAD_PY, str(BENCH / "systems.py"), system, "--corpus", str(self.corpus), *extra]

    def run_mapping(self) -> None:
        nq = self.work / "kgload.nq"
        two = self.kg(
            "kgload-map", "--out", str(self.work / "kgload-2w.nq"), "--workers", "2", "--label", "kgload-map-2w"
        )
        systems = [("kgload-map", self.kg("kgload-map", "--out", str(nq))), ("kgload-map-2w", two)]
        if MORPH_VENV.exists():
            morph = [python_of(MORPH_VENV), str(BENCH / "baselines" / "run_morph.py"), "--corpus", str(self.corpus)]
            systems.append(("morph-kgc", [*morph, "--work", str(self.work / "morph")]))
        else:
            self.notes.append("morph-kgc: bench/.venv-morph missing (run bench/baselines/setup_venvs.sh)")
        self.measure_rounds(systems)
        self.measure("kgload-map-mem", self.kg("kgload-map-mem"))
        limit = [] if self.args.rdflib_docs <= 0 else ["--limit-docs", str(self.args.rdflib_docs)]
        self.measure("rdflib-add", self.kg("rdflib-add", *limit))
        validate = self.kg("kgload-map-validate", "--limit-docs", str(self.args.validate_docs))
        self.measure("kgload-map-validate", validate)

    def run_neo4j(self, uri: str, corpus: Path) -> None:
        """Both loaders get the same RDF: kgload's mapping of ``corpus``, as a set of triples
        (N-Triples, each once); triples/s of both is that set's size over each one's time."""
        systems = [KGLOAD_PY, str(BENCH / "systems.py")]
        nq, nt = self.work / "neo4j-input.nq", self.work / "neo4j-input.nt"
        mapped = next((r for r in self.results if r.system == "kgload-map"), None)
        if corpus == self.corpus and (self.work / "kgload.nq").exists():
            nq = self.work / "kgload.nq"
        else:  # kgload's RDF for the (smaller) Neo4j corpus: untimed for rdflib-neo4j, n10s's preparation
            mapped, _, _, _ = run_measured(
                [*systems, "kgload-map", "--corpus", str(corpus), "--out", str(nq)], self.work / "prep-map.log"
            )
        exported, _, _, _ = run_measured(
            [*systems, "export-nt", "--nquads", str(nq), "--out", str(nt)], self.work / "export-nt.log"
        )
        triples = exported.triples if exported else 0
        prepare_seconds = (mapped.seconds if mapped else 0.0) + (exported.seconds if exported else 0.0)
        records = _records(corpus)
        reset = [*systems, "neo4j-reset", "--neo4j-uri", uri]
        rdflib_neo4j = "rdflib-neo4j" not in self.args.skip and RDFLIB_NEO4J_VENV.exists()
        if "rdflib-neo4j" not in self.args.skip and not rdflib_neo4j:
            self.notes.append("rdflib-neo4j: bench/.venv-rdflib-neo4j missing (run bench/baselines/setup_venvs.sh)")

        def rdflib_neo4j_load(ntriples: Path, relations: int) -> list[str]:
            loader = str(BENCH / "baselines" / "rdflib_neo4j_load.py")
            args = ["--ntriples", str(ntriples), "--neo4j-uri", uri, "--records", str(relations)]
            return [python_of(RDFLIB_NEO4J_VENV), loader, *args]

        n10s = "n10s-neo4j" not in self.args.skip and n10s_available(uri)
        if "n10s-neo4j" not in self.args.skip and not n10s:
            self.notes.append(N10S_MISSING if not N10S_JAR.exists() else f"n10s-neo4j: skipped - {uri} has no n10s")

        def n10s_load(ntriples: Path, relations: int, count: int) -> list[str]:
            args = ["--ntriples", str(ntriples), "--neo4j-uri", uri, "--records", str(relations)]
            return [*systems, "n10s-neo4j", *args, "--triples", str(count)]

        def kgload_load(of: Path, label: str | None = None) -> list[str]:
            args = ["--corpus", str(of), "--neo4j-uri", uri, "--triples", str(triples)]
            return [*systems, "kgload-neo4j", *args, *self.batch()] + (["--label", label] if label else [])

        # A fresh JVM compiles as it goes and each loader's statements are planned on first use:
        # both loaders first load a small corpus (untimed) so that neither pays that for the other.
        # Not when neither is measured: the server would still be busy with it (compiling, then
        # checkpointing) while the bulk path, which does not use it, is timed.
        measured = {"rdflib-neo4j": rdflib_neo4j, "n10s": n10s, "kgload": "kgload-neo4j" not in self.args.skip}
        warm_up = [name for name, on in measured.items() if on]
        warm = ensure_corpus(self.args.out, WARMUP_RELATIONS, self.args.relations_per_doc, self.args.seed)
        warm_nq, warm_nt = self.work / "warmup.nq", self.work / "warmup.nt"
        prepare = [[*systems, "kgload-map", "--corpus", str(warm), "--out", str(warm_nq)]]
        prepare.append([*systems, "export-nt", "--nquads", str(warm_nq), "--out", str(warm_nt)])
        for step, argv in enumerate(prepare if warm_up else []):
            run_measured(argv, self.work / f"warmup-prepare-{step}.log")
        warm_loads = (
            ("rdflib-neo4j", rdflib_neo4j_load(warm_nt, _records(warm))),
            ("n10s", n10s_load(warm_nt, _records(warm), 0)),
            ("kgload", kgload_load(warm)),
        )
        for name, argv in warm_loads:
            if name in warm_up:
                reset_neo4j(reset, self.work / f"reset-warm-{name}.log")
                run_measured(argv, self.work / f"warmup-{name}.log")

        # --rounds: the two loaders (and the re-run) round by round on the same server, medians kept
        runs: dict[str, list[Result]] = {
            "rdflib-neo4j": [],
            "n10s-neo4j": [],
            "kgload-neo4j": [],
            "kgload-neo4j-rerun": [],
        }
        for number in range(max(1, self.args.rounds)):
            if rdflib_neo4j:
                reset_neo4j(reset, self.work / f"reset-{number}-rdflib-neo4j.log")
                if result := self.measure("rdflib-neo4j", rdflib_neo4j_load(nt, records), keep=False):
                    runs["rdflib-neo4j"].append(result)
            if n10s:
                reset_neo4j(reset, self.work / f"reset-{number}-n10s.log")
                if result := self.measure("n10s-neo4j", n10s_load(nt, records, triples), keep=False):
                    runs["n10s-neo4j"].append(result)
            reset_neo4j(reset, self.work / f"reset-{number}-kgload.log")
            if (first := self.measure("kgload-neo4j", kgload_load(corpus), keep=False)) is None:
                continue
            runs["kgload-neo4j"].append(first)
            if rerun := self.measure("kgload-neo4j-rerun", kgload_load(corpus, "kgload-neo4j-rerun"), keep=False):
                runs["kgload-neo4j-rerun"].append(rerun)
        if not rdflib_neo4j and "rdflib-neo4j" not in self.args.skip:
            del runs["rdflib-neo4j"]  # its venv is missing: noted above
        if not n10s:
            del runs["n10s-neo4j"]  # noted above
        self.keep_medians(runs)
        load = next((r for r in self.results if r.system == "n10s-neo4j"), None)
        if load is not None:  # n10s end to end: the mapping and export it needs, then its median load
            extra = {"load_seconds": load.seconds, "prepare_seconds": round(prepare_seconds, 2)}
            total = load.seconds + prepare_seconds
            self.results.append(Result("n10s-neo4j-e2e", load.records, load.triples, total, extra))
        bulk = ["--corpus", str(corpus), "--triples", str(triples), "--out", str(self.work)]
        self.measure("kgload-bulk", [*systems, "kgload-bulk", *bulk, *self.batch()])

    def run_events(self, uri: str | None) -> None:
        """The event feed through ``kgload load``: each target and SHACL setting round by round."""
        cli = [KGLOAD_PY, str(BENCH / "systems.py"), "kgload-cli", *self.batch()]
        reset = [KGLOAD_PY, str(BENCH / "systems.py"), "neo4j-reset", "--neo4j-uri", uri or ""]
        targets: list[tuple[str, list[str]]] = [("store", [])]
        if uri:
            targets.append(("neo4j", ["--neo4j-uri", uri]))
            # untimed: the server's JVM warms up and plans kgload's statements on a small feed first
            warm = ensure_corpus(self.args.out, WARMUP_RELATIONS, 1, self.args.seed, "events")
            reset_neo4j(reset, self.work / "reset-warm.log")
            run_measured([*cli, "--corpus", str(warm), "--neo4j-uri", uri], self.work / "warmup-events.log")
        runs: dict[str, list[Result]] = {}
        for number in range(max(1, self.args.rounds)):
            for target, where in targets:
                for validate in (False, True):
                    name = f"events-{target}-{'validated' if validate else 'unvalidated'}"
                    argv = [*cli, "--corpus", str(self.corpus), *where, *(["--validate"] if validate else [])]
                    if target == "store":
                        argv += ["--store", str(self.work / f"store-{name}-{number}")]
                    else:
                        reset_neo4j(reset, self.work / f"reset-{name}-{number}.log")
                    for label in (name, f"{name}-rerun"):
                        if result := self.measure(label, [*argv, "--label", label], keep=False):
                            runs.setdefault(label, []).append(result)
                    if target == "store":
                        shutil.rmtree(self.work / f"store-{name}-{number}", ignore_errors=True)
        self.keep_medians(runs)
        if self.args.pyshacl_docs:
            head = ["--limit-docs", str(self.args.pyshacl_docs), "--validate"]
            for engine in ("pyshacl", "compiled"):
                label = f"events-store-{engine}-{self.args.pyshacl_docs}docs"
                store = ["--store", str(self.work / f"store-{label}")]
                argv = [*cli, "--corpus", str(self.corpus), *head, *store, "--shacl-engine", engine, "--label", label]
                self.measure(label, argv)


def n10s_available(uri: str) -> bool:
    """Whether the server has neosemantics' importer (the bench's own server has it when its jar
    is there; a server given by --neo4j-uri may not)."""
    code = (
        "import neo4j,sys; d=neo4j.GraphDatabase.driver(sys.argv[1]); print(len(d.execute_query("
        "\"SHOW PROCEDURES YIELD name WHERE name = 'n10s.rdf.import.fetch' RETURN name\").records))"
    )
    out = subprocess.run([KGLOAD_PY, "-c", code, uri], capture_output=True, text=True)
    return out.stdout.strip() == "1"


def reset_neo4j(argv: list[str], log: Path) -> None:
    """Empty the server, or stop: a loader measured on a database that was not emptied is no result."""
    if run_measured(argv, log)[3] != 0:
        raise SystemExit(f"[bench] emptying Neo4j failed; see {log}")


def _records(corpus: Path) -> int:
    return int(json.loads((corpus / "manifest.json").read_text())["counts"]["relations"])


def ensure_corpus(out: Path, relations: int, per_doc: int, seed: int, shape: str = "articles") -> Path:
    corpus = out / (f"events-{relations}-s{seed}" if shape == "events" else f"corpus-{relations}-{per_doc}-s{seed}")
    if shape == "events":
        per_doc = 1
    if not (corpus / "manifest.json").exists():
        docs = max(1, relations // per_doc)
        print(f"[bench] generating {docs} {shape} documents x {per_doc} relations into {corpus}", flush=True)
        subprocess.run(
            [
                KGLOAD_PY,
                str(BENCH / "generate.py"),
                "--docs",
                str(docs),
                "--relations-per-doc",
                str(per_doc),
                "--seed",
                str(seed),
                "--shape",
                shape,
                "--out",
                str(corpus),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return corpus


def ratios(results: list[Result]) -> list[dict[str, Any]]:
    by = {r.system: r for r in results}
    out = []
    for mine, peer, metric in RATIOS:
        if mine in by and peer in by:
            a, b = getattr(by[mine], metric), getattr(by[peer], metric)
            out.append({"kgload": mine, "peer": peer, "metric": metric, "ratio": round(a / b, 3) if b else None})
    for target in ("store", "neo4j"):
        off, on = by.get(f"events-{target}-unvalidated"), by.get(f"events-{target}-validated")
        if off and on:  # speed validated / unvalidated: 0.5 means validation halves the speed
            ratio = round(off.seconds / on.seconds, 3) if on.seconds else None
            out.append({"kgload": on.system, "peer": off.system, "metric": "speed", "ratio": ratio})
        for first in (off, on):
            rerun = by.get(f"{first.system}-rerun") if first else None
            if first and rerun:
                ratio = round(rerun.seconds / first.seconds, 3) if first.seconds else None
                out.append({"kgload": rerun.system, "peer": first.system, "metric": "seconds", "ratio": ratio})
    if "kgload-neo4j" in by and "kgload-neo4j-rerun" in by:
        first, rerun = by["kgload-neo4j"].seconds, by["kgload-neo4j-rerun"].seconds
        out.append(
            {
                "kgload": "kgload-neo4j-rerun",
                "peer": "kgload-neo4j",
                "metric": "seconds",
                "ratio": round(rerun / first, 3) if first else None,
            }
        )
    return out


def table(results: list[Result], ratio_rows: list[dict[str, Any]]) -> str:
    peer_of: dict[str, dict[str, Any]] = {}
    for row in ratio_rows:  # the first ratio listed for a system is its headline one
        if row["metric"] in ("triples_per_s", "seconds", "speed"):
            peer_of.setdefault(row["kgload"], row)
    lines = [
        f"{'system':<22} {'records':>9} {'triples':>11} {'seconds':>9} {'triples/s':>11} {'records/s':>10} "
        f"{'peak RSS MB':>11}  ratio (kgload / peer)"
    ]
    for r in results:
        ratio = peer_of.get(r.system)
        note = f"{ratio['ratio']:.2f}x {ratio['peer']} ({ratio['metric']})" if ratio and ratio["ratio"] else ""
        lines.append(
            f"{r.system:<22} {r.records:>9,} {r.triples:>11,} {r.seconds:>9.1f} {r.triples_per_s:>11,.0f} "
            f"{r.records_per_s:>10,.0f} {r.peak_rss_mb or 0:>11,.0f}  {note}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--relations", type=int, default=100_000, help="records = extracted relations")
    parser.add_argument("--relations-per-doc", type=int, default=10)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--neo4j-uri", help="use this server (must be empty or disposable: it is emptied)")
    parser.add_argument("--no-neo4j", action="store_true", help="mapping systems only")
    parser.add_argument("--batch-size", type=int, help="kgload documents per Neo4j transaction (default: kgload's own)")
    parser.add_argument(
        "--rdflib-docs", type=int, default=0, help="cap the rdflib Graph.add baseline at this many documents (0: all)"
    )
    parser.add_argument(
        "--neo4j-relations",
        type=int,
        default=0,
        help="run the Neo4j systems on a corpus of this many relations (default: --relations)",
    )
    parser.add_argument(
        "--shape",
        choices=("articles", "events"),
        default="articles",
        help="articles: the peers' benchmark; events: the event feed through kgload load, SHACL off and on",
    )
    parser.add_argument(
        "--pyshacl-docs", type=int, default=0, help="--shape events: also both SHACL engines on this many documents"
    )
    parser.add_argument("--validate-docs", type=int, default=20, help="documents for the SHACL-on figure")
    parser.add_argument(
        "--skip", type=lambda s: set(s.split(",")), default=set(), help="systems to skip, comma-separated"
    )
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per system before it is stopped")
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="runs of the mapping systems and of the Neo4j loaders, interleaved; medians kept",
    )
    parser.add_argument(
        "--pagecache",
        default="2g",
        help="page cache of the Neo4j server the bench starts (the tests' default, 128m, is smaller than the "
        "store at 100k relations: a real server is sized to hold it)",
    )
    parser.add_argument("--out", type=Path, default=BENCH / "out")
    parser.add_argument(
        "--keep-work",
        action="store_true",
        help="keep the run's data (server store, RDF, CSV files; about 19 GB at 1M), not only its logs",
    )
    args = parser.parse_args()

    corpus = ensure_corpus(args.out, args.relations, args.relations_per_doc, args.seed, args.shape)
    neo4j_corpus = corpus
    if args.neo4j_relations and args.neo4j_relations != args.relations:
        neo4j_corpus = ensure_corpus(args.out, args.neo4j_relations, args.relations_per_doc, args.seed)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    work = args.out / f"run-{stamp}"
    work.mkdir(parents=True)
    bench = Bench(args, corpus, work)
    started = time.perf_counter()
    if args.shape == "articles":
        bench.run_mapping()

    server = None
    uri = args.neo4j_uri
    if not args.no_neo4j and uri is None:
        sys.path.insert(0, str(ROOT))
        from tests.neo4j_server import Neo4jTestServer

        server = Neo4jTestServer(work / "neo4j")
        print(f"[bench] starting the Neo4j test server (page cache {args.pagecache}) ...", flush=True)
        os.environ["KGLOAD_NEO4J_PAGECACHE"] = args.pagecache  # the launcher's setting, inherited
        # A production server preallocates its transaction logs; the test suite's default does not.
        os.environ["KGLOAD_NEO4J_PREALLOCATE_TX_LOGS"] = "true"
        if N10S_JAR.exists() and "n10s-neo4j" not in args.skip:
            os.environ["KGLOAD_NEO4J_EXTRA_PLUGINS"] = str(N10S_JAR)
        server.start()
        uri = server.uri
    try:
        info = machine_info(uri)
        rust = info["neo4j_rust_ext"]
        if len(set(rust.values())) > 1:
            bench.notes.append(f"neo4j-rust-ext differs between the Neo4j loaders ({rust}): run setup_venvs.sh")
        if args.shape == "events":
            bench.run_events(None if args.no_neo4j else uri)
        elif uri and not args.no_neo4j:
            bench.run_neo4j(uri, neo4j_corpus)
    finally:
        if server is not None:
            server.stop()

    ratio_rows = ratios(bench.results)
    manifest = json.loads((corpus / "manifest.json").read_text())
    report = {
        "timestamp": stamp,
        "machine": info,
        "corpus": {"path": str(corpus), **manifest},
        "neo4j_corpus": str(neo4j_corpus),
        "parameters": {
            k: (sorted(v) if isinstance(v, set) else str(v) if isinstance(v, Path) else v)
            for k, v in vars(args).items()
        },
        "results": [r.as_json() for r in bench.results],
        "ratios": ratio_rows,
        "notes": bench.notes,
        "total_seconds": round(time.perf_counter() - started, 1),
    }
    text = table(bench.results, ratio_rows)
    print()
    print(text)
    for r in ratio_rows:
        print(f"  {r['kgload']} / {r['peer']} ({r['metric']}): {r['ratio']}")
    for note in bench.notes:
        print(f"  note: {note}")
    for path in (args.out / f"results-{stamp}.json", args.out / "latest.json"):
        path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {args.out / f'results-{stamp}.json'} and {args.out / 'latest.json'}")
    if not args.keep_work:
        prune_work(work)


def prune_work(work: Path) -> None:
    """Keep a run's logs and drop its data: a 1M run leaves about 19 GB of server store and files."""
    for path in work.iterdir():
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        elif path.suffix != ".log":
            path.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
