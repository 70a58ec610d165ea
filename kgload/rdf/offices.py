"""Offices and who held them: the run's tenure index, seeded from the gazetteer and learnt from the
relations that state a tenure, and the holder a role phrase designates on a day."""

from __future__ import annotations

from pyoxigraph import NamedNode

from kgload.mapping.spec import Mapping
from kgload.mapping.tenures import Holding, TenureIndex
from kgload.rdf.iris import gazetteer_iri
from kgload.rdf.lookups import relation_rule, relation_rule_of
from kgload.records import Relation


def tenure_index(mapping: Mapping) -> TenureIndex:
    """A fresh index holding the gazetteer's reference tenures."""
    index = TenureIndex()
    for tenure in mapping.gazetteer.tenures:
        rule = mapping.relation_rule(tenure.office)
        if rule is None:
            continue
        holder_iri, entry = gazetteer_iri(mapping, tenure.holder, "Person")
        of_iri, _ = gazetteer_iri(mapping, tenure.of, "Country")
        index.add(
            rule.property.iri,
            of_iri,
            Holding(holder_iri, entry.name if entry else tenure.holder, tenure.start, tenure.end),
        )
    return index


def office_properties(mapping: Mapping) -> list[str]:
    """The relation properties that role phrases refer to (e.g. kg:leaderOf)."""
    rules = (mapping.relation_rule(role.office) for role in mapping.gazetteer.roles)
    return sorted({r.property.iri for r in rules if r is not None})


def learn_tenure(
    tenures: TenureIndex, mapping: Mapping, relation: Relation, iris: dict[str, NamedNode], labels: dict[str, str]
) -> None:
    rule = relation_rule_of(mapping, relation)
    if rule is None or rule.inverse:
        return
    offices = mapping.memo.get(
        "offices", None, lambda: {mapping.relation_rule(r.office) for r in mapping.gazetteer.roles}
    )
    if rule not in offices:
        return
    head = iris[relation.head].value
    tenures.add(
        rule.property.iri,
        iris[relation.tail].value,
        Holding(head, labels.get(head, head), relation.start or "", relation.end),
    )


def role_holder(names: list[str], mapping: Mapping, tenures: TenureIndex | None, day: str | None):
    """(IRI, name) of whoever a role phrase among ``names`` designates on ``day``, if known.

    Which office a phrase names is memoised; who held it that day is asked every time, since the
    index learns as the run goes (and a parallel run records each question)."""
    if tenures is None or not day:
        return None
    role = mapping.gazetteer.role(names)
    rule = relation_rule(mapping, role.office) if role else None
    if role is None or rule is None:
        return None
    of_iri, _ = gazetteer_iri(mapping, role.of, "Country")
    return tenures.holder(rule.property.iri, of_iri, day)
