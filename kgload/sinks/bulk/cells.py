"""Values into the typed cells and CSV files ``neo4j-admin database import full`` reads: one header
and data file per kind of row and set of typed properties, labels, types and keys checked against
the ontology, and a refusal for anything the importer would read back differently."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from kgload.errors import KgloadError
from kgload.ontology import NEO4J_NAME, NEO4J_TYPE
from kgload.sinks.neo4j import cypher

ID_GROUP = "Resource"  # every kgload node but the run ledger is a :Resource keyed by its uri
# Array elements are separated by a character no text kgload writes contains (checked per value):
# neo4j-admin's default ';' is common in evidence sentences.
ARRAY_DELIMITER = "\x1f"
ARRAY_DELIMITER_OPTION = "U+001F"
CLAIM_LINKS = ("DERIVED_FROM", "SUBJECT", "OBJECT", *cypher.CLAIM_LINK_TYPES)
FIXED_LABELS = ("Resource", "Entity", "Document", "Claim", "LoadRun", "KgloadAlias")
_PROPERTY_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_OPEN_FILES = 64  # CSV data files kept open at once; the rest are reopened for appending


class ExportError(KgloadError):
    """The corpus holds something the neo4j-admin CSV format cannot express as the online sink
    stores it; nothing was exported."""

    exit_code = 2


# -- values -> typed CSV cells -----------------------------------------------------------------


# the exact types of nearly every value: answered by one lookup before the general isinstance path
_TYPE_OF = {bool: "boolean", int: "long", float: "double", str: "string"}


@dataclass(frozen=True)
class Wgs84Point:
    """A place's ``location``: neo4j-admin's ``point{crs:WGS-84}`` column, as the online load's point()."""

    latitude: float
    longitude: float


def neo4j_type(value: Any) -> str:
    """The neo4j-admin header type that stores ``value`` as the Python driver would."""
    kind = _TYPE_OF.get(type(value))
    if kind is not None:
        return kind
    if isinstance(value, list) and value:
        kinds = {type(v) for v in value}
        if len(kinds) == 1 and (kind := _TYPE_OF.get(kinds.pop())) is not None:
            return kind + "[]"
    return _neo4j_type(value)


def _neo4j_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "long"  # the driver sends Python ints as 64-bit integers
    if isinstance(value, float):
        return "double"  # not "float": a 32-bit float would not read back equal
    if isinstance(value, str):
        return "string"
    if isinstance(value, dt.datetime):
        return "datetime" if value.tzinfo is not None else "localdatetime"
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, Wgs84Point):
        return "point{crs:WGS-84}"
    if isinstance(value, list) and value:
        kinds = {neo4j_type(v) for v in value}
        if len(kinds) != 1 or next(iter(kinds)).endswith("[]"):
            raise ExportError(f"a list of {sorted(kinds)} cannot be one Neo4j property")
        return kinds.pop() + "[]"
    raise ExportError(f"no neo4j-admin type for {type(value).__name__} {value!r}")


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(value)  # the shortest text that reads back as the same double
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Wgs84Point):
        return f"{{latitude:{_scalar(value.latitude)}, longitude:{_scalar(value.longitude)}}}"
    return str(value)


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _date_cell(value: dt.date) -> str:
    return '"' + value.isoformat() + '"'


# a cell of one of these exact types, as ``cell`` writes it (a str is quoted inline by the caller)
_SCALAR_CELLS: dict[type, Callable[[Any], str]] = {
    str: _quoted,
    bool: _scalar,
    int: int.__repr__,
    float: _scalar,
    dt.date: _date_cell,
}


def cell(value: Any) -> str:
    """One CSV cell: strings, temporals and arrays quoted (RFC 4180 doubling), numbers bare."""
    if type(value) is str:
        return _quoted(value)
    if isinstance(value, list):
        parts = value if all(type(v) is str for v in value) else [_scalar(v) for v in value]
        joined = ARRAY_DELIMITER.join(parts)
        if parts and ("" in parts or joined.count(ARRAY_DELIMITER) != len(parts) - 1):
            # neo4j-admin would split an element holding the delimiter, or drop an empty one:
            # refuse rather than import wrong
            part = next(p for p in parts if p == "" or ARRAY_DELIMITER in p)
            raise ExportError(f"list element {part!r} cannot be written as a neo4j-admin array")
        return _quoted(joined)
    if isinstance(value, bool | int | float):
        return _scalar(value)
    return _quoted(_scalar(value))


def check_key(key: str) -> str:
    if not _PROPERTY_KEY.match(key):
        raise ExportError(f"property key {key!r} cannot go into a neo4j-admin header")
    return key


# -- CSV groups ----------------------------------------------------------------------------------


@dataclass
class _Group:
    name: str
    header: list[str]
    rows: int = 0


class CsvGroups:
    """Appends rows to one header+data file pair per (kind, header)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.groups: dict[tuple[str, tuple[str, ...]], _Group] = {}
        self._open: dict[str, TextIO] = {}  # insertion order = least recently used first
        self._per_kind: dict[str, int] = {}
        # whether a cell holds a line break: only then must the importer read fields spanning lines,
        # which slows it down (docs/bulk-import.md)
        self.multiline = False

    def add(self, kind: str, header: list[str], cells: list[str]) -> None:
        key = (kind, tuple(header))
        group = self.groups.get(key)
        if group is None:
            number = self._per_kind[kind] = self._per_kind.get(kind, 0) + 1
            group = self.groups[key] = _Group(f"{kind}-{number:03d}", header)
            (self.folder / f"{group.name}.header.csv").write_text(",".join(header) + "\n", encoding="utf-8")
        line = ",".join(cells)
        if not self.multiline and ("\n" in line or "\r" in line):
            self.multiline = True
        self._file(group.name).write(line + "\n")
        group.rows += 1

    def _file(self, name: str) -> TextIO:
        if self._open and next(reversed(self._open)) == name:  # most rows: the group of the row before
            return self._open[name]
        out = self._open.pop(name, None)
        if out is None:
            if len(self._open) >= _OPEN_FILES:
                self._open.pop(next(iter(self._open))).close()
            out = (self.folder / f"{name}.csv").open("a", encoding="utf-8", newline="")
        self._open[name] = out
        return out

    def close(self) -> None:
        for out in self._open.values():
            out.close()
        self._open.clear()

    def order(self, kinds: tuple[str, ...]) -> None:
        """Groups in the order of their kinds (then of their making): the same import.sh whichever
        process wrote which group."""
        rank = {kind: i for i, kind in enumerate(kinds)}
        self.groups = dict(sorted(self.groups.items(), key=lambda item: rank.get(item[0][0], len(rank))))

    def files(self, nodes: bool) -> list[str]:
        """``--nodes=`` / ``--relationships=`` values, in the order the groups were made."""
        return [
            f"{g.name}.header.csv,{g.name}.csv"
            for (kind, _), g in self.groups.items()
            if kind.startswith("node") == nodes
        ]


class RowWriter:
    """Nodes and relationships as typed rows; remembers the empty lists neo4j-admin cannot store."""

    def __init__(self, groups: CsvGroups, labels: Iterable[str], rel_types: Iterable[str]) -> None:
        self.groups = groups
        self.labels = set(labels) | set(FIXED_LABELS)
        self.rel_types = set(rel_types) | set(CLAIM_LINKS) | {"MENTIONS"}
        self.empty_lists: set[tuple[str, str, str]] = set()  # (node|rel, label or type, key)
        # found good: each label, type and property key is checked once
        self._checked_labels: set[str] = set()
        self._checked_types: set[str] = set()
        self._checked_keys: set[str] = set()
        self._columns: dict[tuple[str, type], str] = {}  # (key, scalar type): its checked header column
        self._label_cells: dict[tuple[str, ...], str] = {}  # a node's sorted labels: their cell
        self.nodes = 0
        self.relationships = 0

    def node(self, kind: str, labels: Iterable[str], props: dict[str, Any], *, scope: str) -> None:
        names = sorted(set(labels))
        for label in names:
            if label not in self._checked_labels:
                if label not in self.labels or not NEO4J_NAME.match(label):
                    raise ExportError(f"label {label!r} is not declared by the ontology")
                self._checked_labels.add(label)
        labelled = self._label_cells.get(tuple(names))
        if labelled is None:
            labelled = self._label_cells[tuple(names)] = cell(names)
        if kind in ("node-runs", "node-aliases"):  # bookkeeping nodes, outside the :Resource id group
            header, cells = [f"id:ID({scope})", ":LABEL"], [cell(props.pop("id")), labelled]
        else:
            header, cells = [f"uri:ID({ID_GROUP})", ":LABEL"], [cell(props.pop("uri")), labelled]
        self._props(props, header, cells, ("node", scope))
        self.groups.add(kind, header, cells)
        self.nodes += 1

    def relationship(self, kind: str, rel_type: str, start: str, end: str, props: dict[str, Any]) -> None:
        if rel_type not in self._checked_types:
            if rel_type not in self.rel_types or not NEO4J_TYPE.match(rel_type):
                raise ExportError(f"relationship type {rel_type!r} is not declared by the ontology")
            self._checked_types.add(rel_type)
        header = [f":START_ID({ID_GROUP})", f":END_ID({ID_GROUP})", ":TYPE"]
        if type(start) is str and type(end) is str:  # uris, nearly always: cell's first case, without its call
            cells = [_quoted(start), _quoted(end), rel_type]
        else:
            cells = [cell(start), cell(end), rel_type]
        self._props(props, header, cells, ("rel", rel_type))
        self.groups.add(kind, header, cells)
        self.relationships += 1

    def merge(self, other: RowWriter) -> None:
        """Take in what the writer of the other side of the same export wrote (its files closed)."""
        if set(other.groups.groups) & set(self.groups.groups):
            raise RuntimeError("both sides of the export wrote the same CSV group")
        self.groups.groups.update(other.groups.groups)
        self.groups.multiline |= other.groups.multiline
        self.empty_lists |= other.empty_lists
        self.nodes += other.nodes
        self.relationships += other.relationships

    def _key(self, key: str) -> str:
        if key not in self._checked_keys:
            self._checked_keys.add(check_key(key))
        return key

    def _props(self, props: dict[str, Any], header: list[str], cells: list[str], scope: tuple[str, str]) -> None:
        columns = self._columns
        for key in sorted(props):
            value = props[key]
            kind = type(value)
            column = columns.get((key, kind))
            if column is not None:  # a scalar of a type met with this key before: most cells
                header.append(column)
                cells.append('"' + value.replace('"', '""') + '"' if kind is str else _SCALAR_CELLS[kind](value))
                continue
            if value is None:
                continue  # Cypher's SET of null: no property
            if isinstance(value, list) and not value:
                self.empty_lists.add((*scope, self._key(key)))
                continue
            column = f"{self._key(key)}:{neo4j_type(value)}"
            if kind in _SCALAR_CELLS:  # the column depends on the type alone, and the cell on the value alone
                columns[key, kind] = column
            header.append(column)
            cells.append(cell(value))
