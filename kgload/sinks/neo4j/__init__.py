"""The Neo4j sink: RDF (as kgload maps it) projected onto a property graph.

projection.py turns a mapped document's quads into rows; direct.py makes the same rows straight
from the records when nothing needs the quads; preparing.py is what the mapping calls (in its
workers too) to turn each document into rows; cypher.py builds the query texts (pure functions,
labels and types validated first); writer.py batches rows through the driver's managed
transactions. See docs/neo4j.md for the projection table.
"""

from typing import TYPE_CHECKING, Any

from kgload.sinks.neo4j.settings import Neo4jSettings

if TYPE_CHECKING:
    from kgload.sinks.neo4j.writer import Neo4jSink


def __getattr__(name: str) -> Any:
    # the writer (and with it the driver, slow to import) only when a Neo4j sink is used: importing
    # this package's settings or row helpers, as every command does, must not import it
    if name == "Neo4jSink":
        from kgload.sinks.neo4j.writer import Neo4jSink

        return Neo4jSink
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["Neo4jSettings", "Neo4jSink"]
