"""The Neo4j sink: RDF (as kgload maps it) projected onto a property graph.

projection.py turns a mapped document's quads into rows; direct.py makes the same rows straight
from the records when nothing needs the quads; preparing.py is what the mapping calls (in its
workers too) to turn each document into rows; cypher.py builds the query texts (pure functions,
labels and types validated first); writer.py batches rows through the driver's managed
transactions. See docs/neo4j.md for the projection table.
"""

from kgload.sinks.neo4j.settings import Neo4jSettings
from kgload.sinks.neo4j.writer import Neo4jSink

__all__ = ["Neo4jSettings", "Neo4jSink"]
