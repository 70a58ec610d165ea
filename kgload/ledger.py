"""The run ledger: one record per run, kept in the target itself (a :LoadRun node in Neo4j,
a kg:LoadRun resource in the embedded store), so the graph says how it was made."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from kgload.report import FAILED, RUNNING, LoadReport


@dataclass
class RunRecord:
    id: str
    started: datetime
    target: str
    kgload_version: str
    mapping_hash: str
    inputs: list[str] = field(default_factory=list)
    ended: datetime | None = None
    status: str = RUNNING
    counts: dict[str, int] = field(default_factory=dict)
    note: str = ""

    def finish(self, report: LoadReport | None, status: str | None = None, note: str = "") -> None:
        self.ended = datetime.now(UTC).replace(microsecond=0)
        if report is not None:
            self.counts = {
                "documents_read": report.documents_read,
                "documents_added": report.documents_added,
                "documents_updated": report.documents_updated,
                "documents_unchanged": report.documents_unchanged,
                "documents_replaced": report.documents_replaced,
                "entities": report.entities,
                "relations": report.relations,
                "triples": report.triples,
                "rejected": report.rejected_total,
            }
        self.status = status or (report.status if report is not None else FAILED)
        self.note = note

    def properties(self) -> dict[str, Any]:
        """Flat properties for storage (Neo4j node properties, RDF literals)."""
        return {
            "id": self.id,
            "started": self.started,
            "ended": self.ended,
            "status": self.status,
            "target": self.target,
            "kgloadVersion": self.kgload_version,
            "mappingHash": self.mapping_hash,
            "inputs": self.inputs,
            "note": self.note,
            **{camel(k): v for k, v in self.counts.items()},
        }

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["started"] = self.started.isoformat()
        data["ended"] = self.ended.isoformat() if self.ended else None
        return data

    @classmethod
    def from_properties(cls, props: dict[str, Any]) -> RunRecord:
        counts = {k: int(props[camel(k)]) for k in COUNT_KEYS if props.get(camel(k)) is not None}
        return cls(
            id=str(props["id"]),
            started=_when(props["started"]),
            ended=_when(props["ended"]) if props.get("ended") else None,
            target=str(props.get("target", "")),
            kgload_version=str(props.get("kgloadVersion", "")),
            mapping_hash=str(props.get("mappingHash", "")),
            inputs=list(props.get("inputs") or [])
            if not isinstance(props.get("inputs"), str)
            else json.loads(props["inputs"]),
            status=str(props.get("status", "")),
            counts=counts,
            note=str(props.get("note") or ""),
        )


COUNT_KEYS = (
    "documents_read",
    "documents_added",
    "documents_updated",
    "documents_unchanged",
    "documents_replaced",
    "entities",
    "relations",
    "triples",
    "rejected",
)


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _when(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    if hasattr(value, "to_native"):  # neo4j.time.DateTime
        return value.to_native()
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
