"""The entity rows a Neo4j sink has written, so that a later batch leaves out a row the node already took.

An entity's upsert (cypher.UPSERT_ENTITIES) merges its row into the node: labels and names by union,
the identifiers by max, the place by min, and ``props`` over what the node holds. Written again just
after it, the same row changes nothing, yet it costs the server a locking seek, every property set
again and their commit. An event feed names the same few hundred actors in every batch, so most of
a batch's entity rows are the rows the batch before wrote. A row equal to the last one written for
its entity is left out; the statements after it find the node's element id by its uri. Anything that
may change an entity otherwise (a detach's refresh, a re-link, a retraction, a statement of the
caller's, a failed transaction) makes the sink forget every row.
"""

from __future__ import annotations

from typing import Any

# entity rows remembered: bounded, so memory does not grow with a feed's actors; when full, all go
# (the next batches write their entities again, and are remembered again)
MAX_ENTITIES = 100_000


class WrittenEntities:
    """The last row written for each entity (by uri), as long as nothing else changed the nodes."""

    def __init__(self) -> None:
        self._rows: dict[str, dict[str, Any]] = {}

    def unwritten(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The rows that would change their node (all but those equal to the last row written for it),
        remembered as written."""
        written = self._rows
        out = [row for row in rows if written.get(row["uri"]) != row]
        if len(written) + len(out) > MAX_ENTITIES:
            written.clear()
        written.update((row["uri"], row) for row in out)
        return out

    def forget(self) -> None:
        self._rows.clear()
