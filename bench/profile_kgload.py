"""Profile kgload's mapping and Neo4j loading on a benchmark corpus; try proposed fixes.

    .venv/bin/python bench/profile_kgload.py map --corpus bench/out/corpus-100k [--what-if fast-schema]
    .venv/bin/python bench/profile_kgload.py neo4j --corpus bench/out/corpus-10k --neo4j-uri bolt://127.0.0.1:7687
    .venv/bin/python bench/profile_kgload.py core --corpus bench/out/corpus-10000-10-s8 [--kgload ../other-checkout]
    .venv/bin/python bench/profile_kgload.py growth --corpus bench/out/corpus-1000000-10-s8 --neo4j-uri bolt://… \
        --every 20 [--warm-up bench/out/corpus-2000-10-s8]
    .venv/bin/python bench/profile_kgload.py replay --corpus bench/out/corpus-100000-10-s8 --neo4j-uri bolt://… \
        [--server-pid PID]

``map`` runs kgload.api.map_quads under cProfile and prints the top functions by own and by
cumulative time. ``neo4j`` loads into an emptied database and times every Cypher statement the
writer sends (from tx.run to its result being consumed, i.e. the server's share) next to the
client-side cProfile; with ``--server-pid`` it also sums the server JVM's CPU per statement kind
(statements sent from two threads at once share their CPU: the fingerprint look-ups overlap the
writer's) and PROFILEs each kind of the writer's statements once, in batch ``--profile-batch``.
``core`` measures the per-core mapping speed: read -> map -> N-Quads (to /dev/null), one document
at a time in this one process (no worker processes), in CPU seconds, which other processes on a
shared machine disturb far less than wall time. ``--kgload`` points at another checkout's root to
compare two versions: run both, interleaved, and compare the ratio.

``growth`` loads into an emptied database (after an untimed load of ``--warm-up``, if given) with
kgload's default batch size and sums each kind of statement's time per ``--every`` batches, next to
the wall time of those batches: a statement whose cost per batch grows with the graph shows up as a
growing column (how the recompute of shared relationships was found at 1M).

``replay`` tells the server's share of a load from the client's: it loads the corpus into an emptied
database recording every statement of every write transaction with its parameters, then empties the
database again and sends the recorded transactions as they are from a client that does nothing
else. The replay's time is what the load would take if mapping, projecting and building rows cost
nothing: on a 2-core machine, where the server and the client share the cores, the gap between the two
is the client's CPU. It prints both times, the client's CPU seconds (this process and its mapping
workers) and, with ``--server-pid``, the server's, and checks that both graphs have the same node and
relationship counts. Recorded parameters stay in memory: for corpora up to about 100k relations.

``--what-if`` monkeypatches kgload *in this process only* to measure a proposed change before
anyone writes it (nothing under kgload/ is modified):

- ``fast-schema``: validate each document with a compiled fastjsonschema validator first and run
  jsonschema's iter_errors (for the messages) only on documents that fail it. Needs fastjsonschema
  in bench/.whatif-libs (``pip install --target bench/.whatif-libs fastjsonschema``).

(``cache-entities`` is gone: the mapper memoises names, IRIs and terms itself, see kgload/mapping/memo.py.)
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from common import BENCH, ROOT, process_cpu_s
from systems import MAPPING, neo4j_reset, neo4j_stats

QUERY_TIMES: dict[str, list[float]] = defaultdict(list)
SERVER_CPU: dict[str, list[float]] = defaultdict(list)  # statement kind -> the server's CPU seconds per call
PROFILES: dict[str, Any] = {}  # statement kind -> its PROFILE in the batch --profile-batch names
GROUP_TIMES: dict[tuple[int, str], list[float]] = defaultdict(list)  # (group of batches, statement kind)


def what_if(names: list[str]) -> None:
    """Apply the named experimental patches to the imported kgload modules."""
    if "fast-schema" in names:
        sys.path.insert(0, str(BENCH / ".whatif-libs"))
        import fastjsonschema

        from kgload.readers import kgload_json

        compiled = fastjsonschema.compile(kgload_json.schema())
        slow = kgload_json._validator()

        class FastFirst:
            def iter_errors(self, value: Any) -> Iterator[Any]:
                try:
                    compiled(value)
                except fastjsonschema.JsonSchemaException:
                    yield from slow.iter_errors(value)

        kgload_json._validator = lambda: FastFirst()  # type: ignore[assignment]


def profile_map(args: argparse.Namespace) -> None:
    from kgload import api
    from kgload.mapping.spec import load_mapping

    mapping = load_mapping(MAPPING)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    if not args.time_only:
        profiler.enable()
    quads, rejects = api.map_quads([args.corpus / "corpus.jsonl"], mapping=mapping, validate=False)
    profiler.disable()
    elapsed = time.perf_counter() - started
    how = "without profiler" if args.time_only else "under cProfile"
    print(
        f"map_quads: {len(quads)} quads, {len(rejects)} rejects, {elapsed:.1f} s {how} "
        f"({len(quads) / elapsed:,.0f} quads/s; what-if: {args.what_if or 'none'})"
    )
    if not args.time_only:
        _print_stats(profiler, args.top)


def _kind(query: str) -> str:
    """A write statement's kind, an entity upsert by its labels."""
    kind = next((k for fragment, k in STATEMENT_KINDS if fragment in query), "")
    if kind == "entities":
        return "entities " + query.split("SET e", 1)[1].split("\n", 1)[0].strip()
    return kind or _label(query.replace("CYPHER replan=skip", ""))[:60]


def _print_profile(plan: Any, depth: int) -> None:
    detail = " ".join(str(plan.get("args", {}).get("Details", "")).split())[:100]
    rows, hits = plan.get("rows", 0), plan.get("dbHits", 0)
    print(f"{'  ' * depth}{plan['operatorType'].split('@')[0]:<30} rows {rows:>6} dbHits {hits:>7}  {detail}")
    for child in plan.get("children", []):
        _print_profile(child, depth + 1)


def profile_core(args: argparse.Namespace) -> None:

    import kgload
    from kgload.mapping.spec import load_mapping
    from kgload.model import Run
    from kgload.rdf.offices import tenure_index
    from kgload.rdf.plan import map_extraction
    from kgload.rdf.serialize import RdfWriter
    from kgload.readers import kgload_json
    from kgload.records import Extraction

    mapping = load_mapping(MAPPING)
    run, tenures = Run.new(), tenure_index(mapping)
    quads = documents = 0
    with Path(os.devnull).open("wb") as sink:
        writer = RdfWriter(sink, "nquads")
        cpu, wall = time.process_time(), time.perf_counter()
        for item in kgload_json.read(args.corpus / "corpus.jsonl"):
            if isinstance(item, Extraction):
                mapped = map_extraction(item, mapping, run, tenures)
                writer.write(mapped.quads)
                quads, documents = quads + len(mapped.quads), documents + 1
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(
        f"core: {documents} documents, {quads} quads, {cpu:.2f} CPU s ({wall:.2f} s wall): "
        f"{quads / cpu:,.0f} quads per CPU second  [{Path(kgload.__file__).parent}]"
    )


def _print_stats(profiler: cProfile.Profile, top: int) -> None:
    for key in ("tottime", "cumulative"):
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.strip_dirs().sort_stats(key).print_stats(top)
        text = out.getvalue()
        print(f"--- top {top} by {key} ---")
        print(text[text.index("   ncalls") :] if "   ncalls" in text else text)


class TimedResult:
    """Wraps a neo4j Result; the time from tx.run to the result's consumption goes to its query."""

    def __init__(
        self,
        result: Any,
        label: Any,
        started: float,
        into: dict[Any, list[float]] | None = None,
        server: tuple[int, float, str, bool] | None = None,
    ) -> None:
        self._result, self._label, self._started = result, label, started
        self._into = QUERY_TIMES if into is None else into
        self._server = server  # (pid, its CPU seconds at tx.run, statement kind, profiled)
        self._counted = False  # execute_query's transformer iterates the result and then consumes it

    def __getattr__(self, name: str) -> Any:  # driver internals (execute_query's eager transformer)
        return getattr(self._result, name)

    def _done(self) -> None:
        if self._counted:
            return
        self._counted = True
        self._into[self._label].append(time.perf_counter() - self._started)
        if self._server is not None:
            pid, cpu, kind, profiled = self._server
            summary = self._result.consume()
            if profiled and summary.profile:
                PROFILES.setdefault(kind, summary.profile)
            else:
                SERVER_CPU[kind].append(_cpu_seconds(pid)[1] - cpu)  # type: ignore[operator]

    def consume(self) -> Any:
        summary = self._result.consume()
        self._done()
        return summary

    def single(self, *args: Any, **kwargs: Any) -> Any:
        record = self._result.single(*args, **kwargs)
        self._done()
        return record

    def __iter__(self) -> Iterator[Any]:
        yield from self._result
        self._done()


def _label(query: str) -> str:
    words = " ".join(query.split())
    return words[:90]


def profile_neo4j(args: argparse.Namespace) -> None:
    import neo4j

    from kgload import api
    from kgload.mapping.spec import load_mapping
    from kgload.sinks.neo4j import Neo4jSink

    original_run = neo4j.ManagedTransaction.run

    batch = 0

    def timed_run(self: Any, query: str, parameters: Any = None, **kwargs: Any) -> TimedResult:
        nonlocal batch
        kind = _kind(query)
        batch += kind == "detach"  # the first statement of every batch
        profiled = batch == args.profile_batch and kind not in PROFILES and query.startswith("CYPHER replan=skip\n")
        if profiled:
            query = query.replace("CYPHER replan=skip\n", "CYPHER replan=skip\nPROFILE\n", 1)
        pid = args.server_pid
        server = None if pid is None else (pid, _cpu_seconds(pid)[1], kind, profiled)
        started = time.perf_counter()
        return TimedResult(original_run(self, query, parameters, **kwargs), _label(query), started, server=server)

    neo4j.ManagedTransaction.run = timed_run  # type: ignore[method-assign]
    original_execute = neo4j.Driver.execute_query

    def timed_execute(self: Any, query: Any, *a: Any, **kw: Any) -> Any:
        started = time.perf_counter()
        try:
            return original_execute(self, query, *a, **kw)
        finally:
            QUERY_TIMES["execute_query: " + _label(str(query))].append(time.perf_counter() - started)

    neo4j.Driver.execute_query = timed_execute  # type: ignore[method-assign]

    neo4j_reset(args.neo4j_uri)
    mapping = load_mapping(MAPPING)
    for label in ("first load", "re-run"):
        QUERY_TIMES.clear()
        SERVER_CPU.clear()
        batch = 0
        driver = neo4j.GraphDatabase.driver(args.neo4j_uri, auth=None)
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        report = api.load(
            [args.corpus / "corpus.jsonl"],
            sink=Neo4jSink(driver, None),
            mapping=mapping,
            validate=args.validate,
            batch_size=args.batch_size,
        )
        profiler.disable()
        elapsed = time.perf_counter() - started
        driver.close()
        print(
            f"=== {label}: {elapsed:.1f} s, {report.documents_loaded} documents loaded, "
            f"{report.documents_unchanged} unchanged, batch {args.batch_size} documents"
        )
        total = sum(sum(v) for v in QUERY_TIMES.values())
        print(f"--- Cypher statements: {total:.1f} s in all (server work + transfer) ---")
        print(f"{'seconds':>8} {'share':>6} {'calls':>6} {'mean ms':>8}  statement")
        for query, times in sorted(QUERY_TIMES.items(), key=lambda kv: -sum(kv[1])):
            print(
                f"{sum(times):8.2f} {sum(times) / elapsed:6.1%} {len(times):6d} "
                f"{1000 * sum(times) / len(times):8.1f}  {query}"
            )
        if args.server_pid is not None:
            cpu = sum(map(sum, SERVER_CPU.values()))
            print(f"--- the server's CPU per kind of write statement: {cpu:.1f} s in all (clock ticks) ---")
            print(f"{'CPU s':>7} {'calls':>6} {'ms/call':>8}  kind")
            for kind, times in sorted(SERVER_CPU.items(), key=lambda kv: -sum(kv[1])):
                print(f"{sum(times):7.2f} {len(times):6d} {1000 * sum(times) / len(times):8.1f}  {kind}")
            for kind, plan in PROFILES.items():
                print(f"--- PROFILE {kind} (batch {args.profile_batch}) ---")
                _print_profile(plan, 0)
            PROFILES.clear()
        _print_stats(profiler, args.top)


# What each writer statement is, by a fragment of its text (the first match wins).
STATEMENT_KINDS = (
    ("OPTIONAL MATCH (d)<-[:DERIVED_FROM]", "detach"),
    ("MATCH (c:Claim {key: key})-[:DERIVED_FROM]", "recompute"),
    ("+ p.evidence", "extend"),
    ("CREATE (c:Resource:Claim)", "claims"),
    ("CREATE (c)-[:$(row.type)]", "links"),
    ("CREATE (h)-[r:$(row.type)", "facts"),
    (":MENTIONS {name", "mentions"),
    ("MERGE (e:Resource", "entities"),
    ("SET d:Document", "documents"),
    ("WHERE EXISTS { MATCH (c:Claim", "supported"),
    ("collect([d.uri, d.fingerprint])", "fingerprints"),
    ("MATCH (n:Resource {uri: uri})", "element ids"),
    ("MATCH (a:KgloadAlias {document: uri})", "forget aliases"),
    ("MERGE (a:KgloadAlias", "remember aliases"),
)


def profile_growth(args: argparse.Namespace) -> None:
    import neo4j

    from kgload import api
    from kgload.mapping.spec import load_mapping
    from kgload.sinks.neo4j import Neo4jSink

    batch = 0
    starts: dict[int, float] = {}  # group -> when its first batch began
    original_run = neo4j.ManagedTransaction.run

    def timed_run(self: Any, query: str, parameters: Any = None, **kwargs: Any) -> TimedResult:
        nonlocal batch
        kind = next((k for fragment, k in STATEMENT_KINDS if fragment in query), "other")
        if kind == "detach":  # the first statement of every batch
            batch += 1
            starts.setdefault((batch - 1) // args.every, time.perf_counter())
        started = time.perf_counter()
        group = (max(batch, 1) - 1) // args.every
        return TimedResult(original_run(self, query, parameters, **kwargs), (group, kind), started, GROUP_TIMES)

    mapping = load_mapping(MAPPING)
    driver = neo4j.GraphDatabase.driver(args.neo4j_uri, auth=None, notifications_min_severity="OFF")
    neo4j_reset(args.neo4j_uri)
    if args.warm_up:
        api.load([args.warm_up / "corpus.jsonl"], sink=Neo4jSink(driver, None), mapping=mapping, validate=False)
        neo4j_reset(args.neo4j_uri)
    neo4j.ManagedTransaction.run = timed_run  # type: ignore[method-assign]
    started = time.perf_counter()
    api.load([args.corpus / "corpus.jsonl"], sink=Neo4jSink(driver, None), mapping=mapping, validate=False)
    ended = time.perf_counter()
    driver.close()
    print(f"=== {ended - started:.1f} s; statement seconds per {args.every} batches (tx.run to result consumed)")
    kinds = [k for _, k in STATEMENT_KINDS] + ["other"]
    print(f"{'batches':>9} {'wall':>7} " + " ".join(f"{k:>12}" for k in kinds))
    groups = sorted(starts)
    for i, group in enumerate(groups):
        wall = (starts[groups[i + 1]] if i + 1 < len(groups) else ended) - starts[group]
        sums = [sum(GROUP_TIMES.get((group, k), [])) for k in kinds]
        print(f"{group * args.every:>8}+ {wall:7.1f} " + " ".join(f"{v:12.1f}" for v in sums))


def _cpu_seconds(server_pid: int | None) -> tuple[float, float | None]:
    """CPU seconds so far of this process with its reaped children, and of the server's process."""
    import resource

    own = sum(
        usage.ru_utime + usage.ru_stime
        for usage in (resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN))
    )
    if server_pid is None:
        return own, None
    return own, process_cpu_s(server_pid)


def profile_replay(args: argparse.Namespace) -> None:
    import neo4j

    from kgload import api
    from kgload.mapping.spec import load_mapping
    from kgload.sinks.neo4j import Neo4jSink

    transactions: list[list[tuple[str, Any]]] = []
    original_run, original_write = neo4j.ManagedTransaction.run, neo4j.Session.execute_write

    writing: list[list[tuple[str, Any]]] = []  # the transaction being recorded (execute_query is not)

    def recording_run(self: Any, query: str, parameters: Any = None, **kwargs: Any) -> Any:
        if writing:
            writing[-1].append((query, parameters))
        return original_run(self, query, parameters, **kwargs)

    def recording_write(self: Any, work: Any, *a: Any, **kw: Any) -> Any:
        transactions.append([])  # a retried transaction would be recorded twice: none was in our runs
        writing.append(transactions[-1])
        try:
            return original_write(self, work, *a, **kw)
        finally:
            writing.clear()

    mapping = load_mapping(MAPPING)
    driver = neo4j.GraphDatabase.driver(args.neo4j_uri, auth=None, notifications_min_severity="OFF")
    neo4j_reset(args.neo4j_uri)
    neo4j.ManagedTransaction.run, neo4j.Session.execute_write = recording_run, recording_write  # type: ignore[method-assign]
    cpu, server, started = *_cpu_seconds(args.server_pid), time.perf_counter()
    api.load([args.corpus / "corpus.jsonl"], sink=Neo4jSink(driver, None), mapping=mapping, validate=False)
    load = time.perf_counter() - started, *(_minus(_cpu_seconds(args.server_pid), (cpu, server)))
    neo4j.ManagedTransaction.run, neo4j.Session.execute_write = original_run, original_write  # type: ignore[method-assign]
    loaded = neo4j_stats(args.neo4j_uri)

    neo4j_reset(args.neo4j_uri)
    Neo4jSink(driver, None).ensure_ontology(mapping.ontology.path, mapping.base)  # as the load's first step did

    def send(tx: Any, statements: list[tuple[str, Any]]) -> None:
        for query, parameters in statements:
            tx.run(query, parameters).consume()

    def replayed_in(batches: list[list[tuple[str, Any]]]) -> tuple[float, float, float | None]:
        cpu, server, started = *_cpu_seconds(args.server_pid), time.perf_counter()
        with driver.session() as session:
            for statements in batches:
                session.execute_write(send, statements)
        return time.perf_counter() - started, *(_minus(_cpu_seconds(args.server_pid), (cpu, server)))

    replay = replayed_in(transactions)
    replayed = neo4j_stats(args.neo4j_uri)
    rows = [("load (map, project, write)", load), ("replay of its statements", replay)]
    if args.light:  # the same statements for a lighter graph: how much of the server's work is the model's
        neo4j_reset(args.neo4j_uri)
        Neo4jSink(driver, None).ensure_ontology(mapping.ontology.path, mapping.base)
        rows.append(("replay, lighter model", replayed_in([[_lighter(*s) for s in t] for t in transactions])))
    driver.close()

    def cpu_text(seconds: float | None) -> str:
        return "n/a" if seconds is None else f"{seconds:.1f}"

    print(f"{'':30} {'wall s':>8} {'client CPU s':>13} {'server CPU s':>13}")
    for label, (wall, client, server_cpu) in rows:
        print(f"{label:30} {wall:8.1f} {client:13.1f} {cpu_text(server_cpu):>13}")
    print(
        f"{len(transactions)} write transactions, {sum(map(len, transactions))} statements; replay / load = "
        f"{replay[0] / load[0]:.0%}"
    )
    # the load's own LoadRun and lock nodes are written outside the recorded transactions
    same = loaded == {**replayed, "nodes": replayed["nodes"] + 2}
    verdict = "same" if same else "DIFFER"
    print(f"graph after the load {loaded}, after the replay {replayed} (+ LoadRun, lock): {verdict}")


def _lighter(query: str, parameters: Any) -> tuple[str, Any]:
    """A statement as it would be for a lighter graph: mentions without properties, claims with only
    their uri, key and status (the same nodes and relationships)."""
    if ":MENTIONS {name:" in query:
        return query.replace(
            "{name: row.name, names: row.names, wikidata: row.wikidata, isoCode: row.isoCode}", ""
        ), parameters
    if "CREATE (c:Resource:Claim)" in query:
        keep = ("uri", "key", "status")
        rows = [
            dict(r, props={k: r["props"][k] for k in keep if k in r["props"]}, datetimes=[]) for r in parameters["rows"]
        ]
        return query, dict(parameters, rows=rows)
    return query, parameters


def _minus(now: tuple[float, float | None], then: tuple[float, float | None]) -> tuple[float, float | None]:
    return now[0] - then[0], None if now[1] is None or then[1] is None else now[1] - then[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["map", "neo4j", "core", "growth", "replay"])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--neo4j-uri")
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--validate", action="store_true", help="neo4j: SHACL on (the compiled engine)")
    parser.add_argument("--every", type=int, default=20, help="growth: batches per row")
    parser.add_argument("--warm-up", type=Path, help="growth: a corpus to load untimed first")
    parser.add_argument(
        "--server-pid", type=int, help="replay, neo4j: the server pid, for its CPU (neo4j: per statement kind)"
    )
    parser.add_argument("--profile-batch", type=int, default=20, help="neo4j: PROFILE statements of this batch")
    parser.add_argument(
        "--light", action="store_true", help="replay: also send the statements for a lighter graph (see _lighter)"
    )
    parser.add_argument("--time-only", action="store_true", help="map: time without cProfile (true speed)")
    parser.add_argument("--what-if", action="append", default=[], choices=["fast-schema"])
    parser.add_argument("--kgload", type=Path, default=ROOT, help="core: the checkout whose kgload to measure")
    args = parser.parse_args()
    sys.path.insert(0, str(args.kgload))
    what_if(args.what_if)
    modes = {"map": profile_map, "neo4j": profile_neo4j, "core": profile_core, "growth": profile_growth}
    (modes | {"replay": profile_replay})[args.what](args)


if __name__ == "__main__":
    main()
