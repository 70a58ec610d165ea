"""What a run did: counts, merges, rejects. The rejects file keeps every record not loaded."""

from __future__ import annotations

import itertools
import json
import math
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from kgload.errors import EXIT_FAILED, EXIT_OK, EXIT_REJECTS, RunFailed, UsageError
from kgload.model import HOWS, Merge, SelfLoop
from kgload.records import Reject
from kgload.spill import SpilledDict, SpilledSet

# A run's status, in its report and in the target's run ledger (kgload.ledger).
RUNNING, OK, REJECTS, FAILED = "running", "ok", "loaded with rejects", "failed"
# self-loops listed by name in the report file (all are counted): enough to review, bounded in memory
SELF_LOOPS_LISTED = 1000


def reject_line(reject: Reject, run: str) -> str:
    """A line of a rejects file: the run's id, then the reject. Always UTF-8 text, whatever the reject holds."""
    entry = {"run": run, **reject.as_json()}
    try:
        line = json.dumps(entry, ensure_ascii=False, default=str, allow_nan=False)
    except ValueError:  # Infinity or NaN in the data (1e400 parses to inf): not JSON, so kept as their names
        entry["data"] = _finite(entry["data"])
        line = json.dumps(entry, ensure_ascii=False, default=str)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate in the data: kept as its JSON escape (\ud800), which UTF-8 can hold
        line = json.dumps(entry, ensure_ascii=True, default=str)
    return line + "\n"


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def _check_writable(path: Path) -> None:
    """Raise a UsageError when ``path`` could not be created or appended to, without creating it."""
    if path.is_dir():
        raise UsageError(f"cannot write the rejects file {path}: it is a folder")
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir() or not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise UsageError(f"cannot write the rejects file {path}: {folder} is not a writable folder")


class RejectsFile:
    """Appends rejects as JSON lines; the file is created only when there is something to keep."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._out: IO[str] | None = None
        self.count = 0
        if path is not None:
            _check_writable(path)  # before anything loads: a bad path is a usage error, not a failed run

    def write(self, reject: Reject, *, run: str) -> None:
        """One line; ``run`` (the run's id) tells the runs apart in a file that several append to."""
        self.count += 1
        if self.path is None:
            return
        # The path passed its check before the load, so a failure here (disk full, a folder gone)
        # comes part-way through a run whose finished batches are kept: a re-run finishes it.
        try:
            if self._out is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._out = self.path.open("a", encoding="utf-8")
            self._out.write(reject_line(reject, run))
            self._out.flush()
        except OSError as exc:
            raise RunFailed(f"cannot write the rejects file {self.path}: {exc.strerror or exc}") from None

    def close(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None


def _merges() -> SpilledDict[Merge]:
    return SpilledDict(order=lambda m: m.canonical)


@dataclass
class LoadReport:
    run_id: str
    target: str
    inputs: list[str] = field(default_factory=list)
    documents_read: int = 0
    documents_added: int = 0
    documents_updated: int = 0
    documents_unchanged: int = 0
    documents_replaced: int = 0  # read, then replaced by a later version of the same document in this run
    entities: int = 0
    relations: int = 0
    triples: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    rejects_path: str | None = None
    # The maps and sets below hold one entry per distinct entity or name: past a few thousand entries
    # they live on disk (kgload.spill), so that a run's memory does not grow with its input.
    merges: SpilledDict[Merge] = field(default_factory=lambda: _merges())
    unresolved: SpilledSet = field(default_factory=SpilledSet)
    # distinct entity IRI -> how it was identified (gazetteer, code, role, learned, unresolved)
    identities: SpilledDict[str] = field(default_factory=SpilledDict)
    ambiguous: SpilledSet = field(default_factory=SpilledSet)  # names kept apart: ambiguous or of another kind
    self_loops: Counter[bool] = field(default_factory=Counter)  # relations with one entity at both ends, by .resolved
    self_loop_list: list[SelfLoop] = field(default_factory=list)  # the first SELF_LOOPS_LISTED of them
    # entity IRI -> the unresolved names it has
    free_names: SpilledDict[frozenset[str]] = field(default_factory=SpilledDict)
    messages: list[str] = field(default_factory=list)  # one line per reject, for the terminal
    notes: list[str] = field(default_factory=list)  # one line per document a later version replaced
    status: str = RUNNING

    def add_replacement(self, message: str) -> None:
        """A document read twice in one run: the later version is the one kept; the report says so."""
        self.documents_replaced += 1
        if len(self.notes) < 1000:
            self.notes.append(message)

    def add_reject(self, reject: Reject) -> None:
        self.rejected[reject.stage] += 1
        if len(self.messages) < 1000:
            self.messages.append(f"{reject.origin}: {reject.reason}")

    def note_identity(self, iri: str, how: str) -> None:
        """Count an entity once, by the strongest way any document identified it."""
        known = self.identities.get(iri)
        if known is None or HOWS.index(how) < HOWS.index(known):
            self.identities[iri] = how

    @property
    def resolution(self) -> dict[str, int]:
        """Distinct entities by how they were identified, every way listed (0 included)."""
        counts = Counter(self.identities.values())
        return {how: counts.get(how, 0) for how in HOWS}

    def merge_lines(self) -> Iterator[dict[str, Any]]:
        """The merges by canonical name, then IRI, read one at a time."""
        for m in self.merges.sorted_values():
            yield {"entity": m.canonical, "iri": m.iri, "names": list(m.names), "by": m.source}

    @property
    def merged_names(self) -> int:
        return sum(len(m.names) for m in self.merges.values())

    def add_self_loop(self, loop: SelfLoop) -> None:
        """A relation with one entity at both ends: counted, and listed in the report file."""
        self.self_loops[loop.resolved] += 1
        if len(self.self_loop_list) < SELF_LOOPS_LISTED:
            self.self_loop_list.append(loop)

    def self_loop_line(self) -> str | None:
        """The run report's line about self-loops, with an example of a merge that made one."""
        total = sum(self.self_loops.values())
        if not total:
            return None
        resolved, twice = self.self_loops[True], self.self_loops[False]
        example = next((loop for loop in self.self_loop_list if loop.resolved), None)
        shown = f" (e.g. {example.names[0]} → {example.names[1]}, {example.type})" if example else ""
        return (
            f"  self-loops: {total} relation(s) with one entity at both ends: {resolved} where two names"
            f" resolved to one entity{shown}, {twice} where the source gives both ends one name"
        )

    def resolution_lines(self) -> list[str]:
        """The run report's lines about resolution: counts by how, and the names kept apart."""
        counts = ", ".join(f"{n} {how}" for how, n in self.resolution.items() if n or how == "unresolved")
        lines = [f"  entities by resolution: {counts}"]
        if self.ambiguous:
            shown = list(itertools.islice(self.ambiguous, 10))  # sorted
            more = f" … and {len(self.ambiguous) - 10} more" if len(self.ambiguous) > 10 else ""
            lines.append(f"  kept apart (ambiguous or of another kind): {', '.join(shown)}{more}")
        loops = self.self_loop_line()
        if loops:
            lines.append(loops)
        return lines

    @property
    def documents_loaded(self) -> int:
        return self.documents_added + self.documents_updated

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())

    @property
    def exit_code(self) -> int:
        if self.status == FAILED:
            return EXIT_FAILED
        return EXIT_REJECTS if self.rejected_total else EXIT_OK

    def as_json(self, *, lazy: bool = False) -> dict[str, Any]:
        """The report as JSON data. ``lazy``: its lists of merges and names as ``Listing``s, read from
        disk as ``write_json`` writes them, instead of lists held whole."""

        def listed(size: int, items: Callable[[], Iterable[Any]]) -> Any:
            return Listing(size, items) if lazy else list(items())

        return {
            "run": self.run_id,
            "target": self.target,
            "status": self.status,
            "inputs": self.inputs,
            "documents": {
                "read": self.documents_read,
                "added": self.documents_added,
                "updated": self.documents_updated,
                "unchanged": self.documents_unchanged,
                "replaced": self.documents_replaced,
            },
            "entities": self.entities,
            "relations": self.relations,
            "triples": self.triples,
            "rejected": dict(self.rejected),
            "rejects_file": self.rejects_path,
            "resolution": self.resolution,
            "merged": listed(len(self.merges), self.merge_lines),
            "unresolved": listed(len(self.unresolved), self.unresolved.__iter__),
            "ambiguous": listed(len(self.ambiguous), self.ambiguous.__iter__),
            "self_loops": {
                "resolved": self.self_loops[True],
                "named_twice": self.self_loops[False],
                "listed": [
                    {
                        "document": s.document,
                        "claim": s.claim,
                        "entity": s.entity,
                        "type": s.type,
                        "names": list(s.names),
                    }
                    for s in self.self_loop_list
                ],
            },
            "replaced": self.notes,
        }


@dataclass(frozen=True)
class Listing:
    """A list in a report's JSON that ``write_json`` writes item by item, read when it is written."""

    size: int
    items: Callable[[], Iterable[Any]]


def write_json(data: dict[str, Any], write: Callable[[str], object], *, indent: int | None = None) -> None:
    """Write the text ``json.dumps(data, indent=indent, ensure_ascii=False)`` gives, its top-level
    ``Listing`` values written one item at a time (a run's lists of names can be long)."""
    listings = {key: value for key, value in data.items() if isinstance(value, Listing)}
    marks = {key: f"\x00listing {n}\x00" for n, key in enumerate(listings)}
    text = json.dumps({k: marks.get(k, v) for k, v in data.items()}, indent=indent, ensure_ascii=False)
    item_sep, outer = ("," if indent is not None else ", "), " " * (indent or 0)
    for key, listing in listings.items():
        before, text = text.split(json.dumps(marks[key], ensure_ascii=False), 1)
        write(before)
        if not listing.size:
            write("[]")
            continue
        inner = "\n" + outer * 2 if indent is not None else ""
        write("[")
        for n, item in enumerate(listing.items()):
            encoded = json.dumps(item, indent=indent, ensure_ascii=False)
            write((item_sep if n else "") + inner + encoded.replace("\n", inner))
        write(("\n" + outer if indent is not None else "") + "]")
    write(text)
