"""The files around the CSVs: ``import.sh``, which runs Neo4j's bulk importer over them, and
``post-import.cypher``, the schema and empty lists the importer cannot make."""

from __future__ import annotations

from collections.abc import Iterable

from kgload.sinks.bulk.cells import ARRAY_DELIMITER_OPTION, CsvGroups
from kgload.sinks.neo4j import cypher

IMPORT_SCRIPT = "import.sh"
POST_IMPORT = "post-import.cypher"


def import_script(groups: CsvGroups) -> str:
    lines = [
        "#!/bin/sh",
        "# Written by `kgload export --format neo4j-admin`: imports the CSV files of this folder into",
        "# an empty database with Neo4j's bulk importer. Stop the server (or the database) first.",
        "#   sh import.sh [OPTION...]   options go on to neo4j-admin, e.g. --overwrite-destination=true",
        "# NEO4J_ADMIN: the neo4j-admin command (default: neo4j-admin on PATH);",
        "# NEO4J_DATABASE: the database to create (default: neo4j). Then run post-import.cypher.",
        "set -eu",
        "# a NEO4J_ADMIN given as a relative path names it from where the script was started",
        'case "${NEO4J_ADMIN:-}" in',
        '  */*) NEO4J_ADMIN="$(cd "$(dirname "$NEO4J_ADMIN")" && pwd)/${NEO4J_ADMIN##*/}" ;;',
        "esac",
        'cd "$(dirname "$0")"',
        'exec "${NEO4J_ADMIN:-neo4j-admin}" database import full "${NEO4J_DATABASE:-neo4j}" \\',
        "  --id-type=string \\",
        f"  --array-delimiter={ARRAY_DELIMITER_OPTION} \\",
        f"  --multiline-fields={'true' if groups.multiline else 'false'} \\",
        *(f"  --nodes={files} \\" for files in groups.files(nodes=True)),
        *(f"  --relationships={files} \\" for files in groups.files(nodes=False)),
        '  "$@"',
    ]
    return "\n".join(lines) + "\n"


def post_import(rel_types: Iterable[str], empty_lists: set[tuple[str, str, str]]) -> str:
    """The sink's schema, then the empty lists (an importer array cell cannot be empty)."""
    lines = [
        "// Written by `kgload export --format neo4j-admin`. Run once after the import, with the",
        "// database started:  cypher-shell -u neo4j -p ... -f post-import.cypher",
        "// The same constraints and indexes `kgload load` creates (it would create them too):",
        *(statement + ";" for statement in cypher.schema_statements(rel_types)),
    ]
    if empty_lists:
        lines.append("// kgload stores empty lists (no aliases, no evidence); CSV cannot carry them:")
    for kind, scope, key in sorted(empty_lists):
        pattern = f"(x:`{scope}`)" if kind == "node" else f"()-[x:`{scope}`]->()"
        lines.append(
            f"MATCH {pattern} WHERE x.`{key}` IS NULL CALL (x) {{ SET x.`{key}` = [] }} IN TRANSACTIONS OF 10000 ROWS;"
        )
    return "\n".join(lines) + "\n"


def statements(text: str) -> list[str]:
    """The statements of a post-import.cypher (for drivers, which run one at a time)."""
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))
    return [s.strip().rstrip(";").strip() for s in body.split(";\n") if s.strip().rstrip(";").strip()]
