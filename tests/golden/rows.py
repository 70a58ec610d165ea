"""The Neo4j rows of a golden case: what the Neo4j sinks write for its documents, as JSON text.

Rows are rendered from each document's plan (``kgload.sinks.neo4j.direct``) and, for the check,
also projected from its quads; values keep their Neo4j type (``{"$date": …}``, ``{"$datetime": …}``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

from kgload.mapping.spec import load_mapping
from kgload.ontology import load_ontology
from kgload.rdf.offices import tenure_index
from kgload.rdf.plan import map_extraction
from kgload.readers import read
from kgload.records import Extraction
from kgload.sinks.neo4j.direct import map_to_rows
from kgload.sinks.neo4j.projection import DocumentRows, project
from tests.common import ROOT

MAPPING = ROOT / "mappings" / "kgload.yaml"


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k != "fingerprint"}  # it hashes the mapping files
    return value


def _document(rows: DocumentRows) -> dict[str, Any]:
    return {
        "uri": rows.uri,
        "props": _plain(rows.props),
        "entities": [_plain(dataclasses.asdict(e)) for e in rows.entities],
        "claims": [_plain(dataclasses.asdict(c)) for c in rows.claims],
    }


def case_rows(source: Path, run, *, through_quads: bool = False) -> str:
    """The case's rows as JSON text, one document after another in reading order."""
    mapping = load_mapping(MAPPING)
    ontology = load_ontology(mapping.ontology.path)
    tenures = tenure_index(mapping)
    documents = []
    for item in read(source):
        if not isinstance(item, Extraction):
            continue
        if through_quads:
            mapped = map_extraction(item, mapping, run, tenures)
            rows = project(mapped, ontology) if mapped.iri else None
        else:
            rows = map_to_rows(item, mapping, run, ontology, tenures).prepared
        if rows is not None:
            documents.append(_document(rows))
    return json.dumps(documents, indent=1, ensure_ascii=False, sort_keys=False) + "\n"
