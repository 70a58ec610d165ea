"""SPARQL over the embedded store as SPARQL tools expect it: SELECT, ASK, CONSTRUCT and DESCRIBE,
answered in the W3C result formats (SPARQL 1.1 Query Results JSON, XML, CSV, TSV) or, for graph
results, in RDF. ``kgload query`` and ``kgload serve`` (serve.py, the SPARQL 1.1 Protocol) both
answer through here.

    from kgload.sparql import answer
    with open_store(".kgload/store", read_only=True) as store, answer(store, "ASK { ?a kg:called ?b }") as result:
        result.write(sys.stdout.buffer, "json")  # see kgload.api.sparql_answer

An ``Answer`` is read inside its ``with`` block, on the thread that ran the query: pyoxigraph's
results may only be freed on their own thread, and the block lets go of them there.
"""

from __future__ import annotations

import contextlib
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Literal

import pyoxigraph as ox

from kgload.errors import UsageError
from kgload.sinks.embedded import EmbeddedStore

__all__ = ["GRAPH_FORMATS", "RESULT_FORMATS", "Answer", "QueryError", "answer"]

RESULT_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}
ALIASES = {"ttl": "turtle", "nt": "ntriples", "n-triples": "ntriples", "rdf": "rdfxml", "xml-rdf": "rdfxml"}
ALIASES |= {"json-ld": "jsonld", "srj": "json", "srx": "xml"}

Kind = Literal["select", "ask", "graph"]


class QueryError(UsageError):
    """A query the store cannot run: the message is the parser's, with the user's line numbers."""


@dataclass
class Answer:
    """One query's result, still to be read (it holds the store's iterator); a context manager whose
    exit lets go of it (``close``)."""

    kind: Kind
    result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | None
    _readers: list[Generator[Any, None, None]] = field(default_factory=list, repr=False, compare=False)

    def __enter__(self) -> Answer:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Let go of pyoxigraph's result (and stop the readers over it) here: it may only be freed on
        the thread that ran the query, and a read that failed leaves this answer in a reference cycle
        (its exception's frames) that the collector may free later on any thread."""
        for reader in self._readers:
            reader.close()
        self._readers.clear()
        self.result = None

    def _open(self) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        if self.result is None:
            raise UsageError("this SPARQL answer was closed: read it inside its with block")
        return self.result

    @property
    def variables(self) -> list[str]:
        result = self._open()
        return [v.value for v in result.variables] if isinstance(result, ox.QuerySolutions) else []

    @property
    def boolean(self) -> bool:
        return bool(self._open())

    def rows(self) -> Iterator[dict[str, Any]]:
        """SELECT solutions as {variable: Python value or None} (for a table)."""
        return self._reader(self._rows(self.variables))

    def _rows(self, names: list[str]) -> Generator[dict[str, Any], None, None]:
        with _evaluating():
            for solution in self._open():  # type: ignore[union-attr]
                yield {name: None if solution[name] is None else solution[name].value for name in names}

    def triples(self) -> Iterator[ox.Triple]:
        return self._reader(self._triples())

    def _triples(self) -> Generator[ox.Triple, None, None]:
        with _evaluating():
            yield from self._open()  # type: ignore[misc]

    def _reader(self, reader: Generator[Any, None, None]) -> Generator[Any, None, None]:
        self._readers.append(reader)  # a reader left half-read holds the result too: close stops it
        return reader

    def default_format(self) -> str:
        return "turtle" if self.kind == "graph" else "json"

    def media_type(self, fmt: str) -> str:
        fmt = self.check(fmt)
        return (GRAPH_FORMATS[fmt] if self.kind == "graph" else RESULT_FORMATS[fmt]).media_type

    def check(self, fmt: str) -> str:
        """The format's canonical name, or a UsageError saying which formats fit this answer."""
        fmt = ALIASES.get(fmt.lower(), fmt.lower())
        if self.kind == "graph":
            if fmt not in GRAPH_FORMATS:
                raise UsageError(
                    f"a CONSTRUCT or DESCRIBE query gives RDF: choose one of {', '.join(GRAPH_FORMATS)}, not {fmt!r}"
                )
            return fmt
        allowed = ("json", "xml") if self.kind == "ask" else tuple(RESULT_FORMATS)
        if fmt not in allowed:
            what = "an ASK query gives true or false" if self.kind == "ask" else "a SELECT query gives a table"
            raise UsageError(f"{what}: choose one of {', '.join(allowed)}, not {fmt!r}")
        return fmt

    def write(self, out: BinaryIO, fmt: str) -> None:
        """Serialise in ``fmt`` (W3C result formats; RDF for graph results)."""
        fmt = self.check(fmt)
        with _evaluating():
            if self.kind == "graph":
                self._open().serialize(out, GRAPH_FORMATS[fmt])  # type: ignore[call-arg]
            else:
                self._open().serialize(out, RESULT_FORMATS[fmt])  # type: ignore[call-arg]


@contextlib.contextmanager
def _evaluating() -> Iterator[None]:
    """pyoxigraph evaluates lazily, so a failing SERVICE call surfaces while the results are read."""
    try:
        yield
    except BrokenPipeError:  # the reader went away (| head): not the query's fault
        raise
    except OSError as exc:
        raise QueryError(f"SPARQL query failed: {exc}") from None


def answer(store: EmbeddedStore, sparql: str) -> Answer:
    """Run one query (the union of the documents as default graph, kgload's prefixes declared); read
    the answer in ``with answer(store, sparql) as result:``."""
    try:
        result = store.query(sparql)
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error: {exc}") from None
    except OSError as exc:  # evaluation errors (e.g. a SERVICE call) come as OSError
        raise QueryError(f"SPARQL query failed: {exc}") from None
    if isinstance(result, ox.QuerySolutions):
        return Answer("select", result)
    if isinstance(result, ox.QueryBoolean):
        return Answer("ask", result)
    return Answer("graph", result)
