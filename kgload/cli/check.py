"""``kgload check-mapping`` and ``kgload schema``: look at mappings and formats without loading."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from kgload.cli.errors import user_errors
from kgload.mapping import load_mapping
from kgload.readers.kgload_json import schema
from kgload.readers.source import is_source_mapping, load_source


@user_errors
def check_mapping_command(
    mapping: Annotated[
        Path | None,
        typer.Argument(help="Mapping or source mapping YAML. Default: the bundled mapping.", show_default=False),
    ] = None,
) -> None:
    """Validate a mapping, or a source mapping (docs/sources.md), without loading anything."""
    if mapping is not None and is_source_mapping(mapping):
        source = load_source(mapping)
        entities = ", ".join(rule.role for rule in source.entities)
        typer.echo(
            f"{source.path}: ok — source mapping {source.name!r} ({source.format}): "
            f"{len(source.fields)} fields read, entities {entities}, {len(source.relations)} relation rule(s)"
        )
        return
    compiled = load_mapping(mapping)
    entity_types = {r.source_type for r in compiled.entity_rules.values()}
    relation_types = {r.source_type for r in compiled.relation_rules.values()}
    typer.echo(
        f"{compiled.path}: ok — {len(entity_types)} entity types, {len(relation_types)} relation types, "
        f"{len(compiled.gazetteer)} gazetteer entries, ontology {compiled.ontology.path.name}"
    )


def schema_command() -> None:
    """Print the JSON Schema of kgload's extraction format."""
    typer.echo(json.dumps(schema(), indent=2))
