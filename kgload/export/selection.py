"""What to export: a Selection, and how it becomes a set of claims, whatever the backend.

The claims that pass the filters (relation types, time window, documents, raw query) form a
graph of entities. ``--around`` keeps the entities within ``depth`` hops of the named ones and
the claims among them (an induced subgraph); without it every passing claim is kept. Filters
combine: a claim must pass all of them. Traversal uses only passing claims, so "around Putin,
CALLED only" follows calls, not any relation.

Backends answer a few narrow questions (``Backend``); the traversal and the filters live here
once, so Neo4j and the embedded store select the same subgraph.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from kgload.errors import UsageError
from kgload.mapping.spec import Mapping, type_key
from kgload.ontology import local_name
from kgload.vocabulary.namespaces import PREFIXES, expand


class EmptySelection(UsageError):
    """The selection is valid but nothing in the graph matches it."""


@dataclass
class Selection:
    around: list[str] = field(default_factory=list)  # entity names, aliases or IRIs
    depth: int = 1
    relation_types: list[str] = field(default_factory=list)  # "called", "kg:called", "CALLED", …
    since: str | None = None  # YYYY, YYYY-MM or YYYY-MM-DD
    until: str | None = None
    documents: list[str] = field(default_factory=list)  # document ids or IRIs
    query: str | None = None  # Cypher (Neo4j) or SPARQL CONSTRUCT/SELECT (embedded)

    def describe(self) -> str:
        parts = []
        if self.around:
            parts.append(f"around {', '.join(self.around)} (depth {self.depth})")
        if self.relation_types:
            parts.append(f"relations {', '.join(self.relation_types)}")
        if self.since or self.until:
            parts.append(f"between {self.since or '…'} and {self.until or '…'}")
        if self.documents:
            parts.append(f"documents {', '.join(self.documents)}")
        if self.query:
            parts.append("a raw query")
        return "; ".join(parts) or "the whole graph"


@dataclass(frozen=True)
class ClaimBrief:
    """What the selection needs to know about a claim (details are fetched afterwards)."""

    uri: str
    type: str
    subject: str
    object: str
    document: str
    date: str | None = None
    start: str | None = None
    end: str | None = None
    published: str | None = None


@dataclass
class Scope:
    """What a raw query returned: the resources it named."""

    entities: set[str] = field(default_factory=set)
    claims: set[str] = field(default_factory=set)
    documents: set[str] = field(default_factory=set)


class Backend(Protocol):
    def entity_names(self, keys: list[str]) -> dict[str, set[str]]:
        """Entities whose IRI, name or alias equals one of ``keys`` (case-insensitively): key -> IRIs."""
        ...

    def all_entity_names(self) -> Iterable[str]:
        """Every entity name and alias (for suggestions)."""
        ...

    def document_ids(self) -> dict[str, str]:
        """Every document: IRI -> id."""
        ...

    def claims_touching(
        self, entities: list[str], types: list[str] | None, documents: list[str] | None
    ) -> Iterable[ClaimBrief]: ...

    def all_claims(self, types: list[str] | None, documents: list[str] | None) -> Iterable[ClaimBrief]: ...

    def raw_scope(self, query: str) -> Scope: ...


# -- relation types ---------------------------------------------------------------------------


def relation_types(names: list[str], mapping: Mapping) -> list[str] | None:
    """Neo4j types for relation names given as a mapping source type ("called", "phoned"), an
    ontology property (kg:called, its IRI, "exchangedPrisonersWith") or a Neo4j type (CALLED)."""
    if not names:
        return None
    known: dict[str, str] = {}
    for rel in mapping.ontology.relations.values():
        for alias in (rel.iri, local_name(rel.iri), f"kg:{local_name(rel.iri)}", rel.neo4j_type):
            known[alias.lower()] = rel.neo4j_type
    for key, rule in mapping.relation_rules.items():
        known.setdefault(key, rule.property.neo4j_type)
    out: list[str] = []
    for name in names:
        iri = expand(name, {**PREFIXES, **mapping.prefixes})
        found = known.get(name.lower()) or known.get(type_key(name)) or (known.get(iri.lower()) if iri else None)
        if found is None:
            close = difflib.get_close_matches(name.lower(), list(known), n=3, cutoff=0.6)
            hint = (
                f"; did you mean {', '.join(close)}?" if close else f"; known: {', '.join(sorted(set(known.values())))}"
            )
            raise UsageError(f"unknown relation type {name!r}{hint}")
        if found not in out:
            out.append(found)
    return out


# -- time window --------------------------------------------------------------------------------

_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def period(text: str | None) -> tuple[dt.date, dt.date] | None:
    """The days a (partial) date covers: "2025" is the whole year. None if it is not a date."""
    if not text:
        return None
    match = _PARTIAL.match(text)
    if not match:
        return None
    year, month, day = match.groups()
    try:
        if day:
            one = dt.date(int(year), int(month), int(day))
            return one, one
        if month:
            first = dt.date(int(year), int(month), 1)
            following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
            return first, following - dt.timedelta(days=1)
        return dt.date(int(year), 1, 1), dt.date(int(year), 12, 31)
    except ValueError:
        return None


@dataclass(frozen=True)
class Window:
    since: dt.date
    until: dt.date

    @classmethod
    def of(cls, since: str | None, until: str | None) -> Window | None:
        if since is None and until is None:
            return None
        lo = _bound(since, "since", 0) if since else dt.date.min
        hi = _bound(until, "until", 1) if until else dt.date.max
        if lo > hi:
            raise UsageError(f"--since {since} is after --until {until}")
        return cls(lo, hi)

    def admits(self, claim: ClaimBrief) -> bool:
        """True when the fact held at some time in the window, or was reported in it."""
        reported = period(claim.published)
        if reported and reported[0] <= self.until and reported[1] >= self.since:
            return True
        if claim.date and not (claim.start or claim.end):
            held = period(claim.date)
        else:
            first, last = period(claim.start), period(claim.end)
            if first is None and last is None:
                return False
            held = (first[0] if first else dt.date.min, last[1] if last else dt.date.max)
        return held is not None and held[0] <= self.until and held[1] >= self.since


def _bound(text: str, option: str, side: int) -> dt.date:
    found = period(text) if _PARTIAL.fullmatch(text) else None
    if found is None:
        raise UsageError(f"--{option} {text!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    return found[side]


# -- the selection itself -------------------------------------------------------------------------


@dataclass
class Picked:
    claims: list[ClaimBrief]
    seeds: set[str]
    documents: set[str]  # documents named by --document (beyond those of the claims)


def pick(backend: Backend, selection: Selection, mapping: Mapping) -> Picked:
    """Resolve names and run the traversal; raise UsageError / EmptySelection with a reason."""
    if selection.depth < 0:
        raise UsageError("--depth must be 0 or more")
    types = relation_types(selection.relation_types, mapping)
    documents = resolve_documents(backend, selection.documents)
    window = Window.of(selection.since, selection.until)
    scope = backend.raw_scope(selection.query) if selection.query else None
    if scope is not None:
        if not (scope.entities or scope.claims or scope.documents):
            raise EmptySelection("the query returned no kgload entities, claims, relationships or documents")
        if scope.documents and not (scope.entities or scope.claims):
            documents = sorted(set(documents or scope.documents) & scope.documents)

    def passes(claim: ClaimBrief) -> bool:
        if window is not None and not window.admits(claim):
            return False
        if scope is not None and (scope.claims or scope.entities):
            if scope.claims:
                return claim.uri in scope.claims
            return claim.subject in scope.entities and claim.object in scope.entities
        return True

    seeds: set[str] = set()
    if selection.around:
        seeds = resolve_entities(backend, selection.around)
        claims = _around(backend, seeds, selection.depth, types, documents, passes)
    else:
        claims = _unique(c for c in backend.all_claims(types, documents) if passes(c))
    if not claims:
        raise EmptySelection(f"nothing matches {selection.describe()}: no relation passes the filters")
    return Picked(claims, seeds, set(documents or ()))


def _around(
    backend: Backend, seeds: set[str], depth: int, types: list[str] | None, documents: list[str] | None, passes
) -> list[ClaimBrief]:
    reached = set(seeds)
    frontier = sorted(seeds)
    found: dict[str, ClaimBrief] = {}
    # depth rounds grow the entity set; one more round finds the claims among the last ring
    for level in range(depth + 1):
        if not frontier:
            break
        ring: set[str] = set()
        for claim in backend.claims_touching(frontier, types, documents):
            if not passes(claim):
                continue
            found.setdefault(claim.uri, claim)
            if level < depth:
                ring.update(e for e in (claim.subject, claim.object) if e not in reached)
        reached |= ring
        frontier = sorted(ring)
    return [c for c in found.values() if c.subject in reached and c.object in reached]


def _unique(claims: Iterator[ClaimBrief] | Iterable[ClaimBrief]) -> list[ClaimBrief]:
    return list({c.uri: c for c in claims}.values())


def resolve_entities(backend: Backend, names: list[str]) -> set[str]:
    found = backend.entity_names(names)
    missing = [n for n in names if not found.get(n)]
    if missing:
        pool = sorted(set(backend.all_entity_names()))
        lowered: dict[str, str] = {}
        for name in pool:
            lowered.setdefault(name.lower(), name)
        hints = []
        for name in missing:
            close = difflib.get_close_matches(name.lower(), list(lowered), n=3, cutoff=0.5)
            suggestion = f" (closest: {', '.join(lowered[c] for c in close)})" if close else ""
            hints.append(f"{name!r}{suggestion}")
        raise UsageError(f"unknown entity {'; '.join(hints)}")
    return {uri for uris in found.values() for uri in uris}


def resolve_documents(backend: Backend, names: list[str]) -> list[str] | None:
    if not names:
        return None
    documents = backend.document_ids()
    by_id = {doc_id: uri for uri, doc_id in documents.items()}
    out: list[str] = []
    for name in names:
        uri = name if name in documents else by_id.get(name)
        if uri is None:
            close = difflib.get_close_matches(name, list(by_id), n=3, cutoff=0.5)
            hint = f"; closest: {', '.join(close)}" if close else ""
            raise UsageError(f"unknown document {name!r}{hint}")
        out.append(uri)
    return out
