"""The neo4j-admin bulk writer: a sink that turns a first load into the CSV files
``neo4j-admin database import full`` takes (docs/bulk-import.md)."""
