"""The Neo4j re-link's pure parts: which stored alias rows move, and the claims' new keys."""

import datetime as dt

import neo4j.time
import pytest

from kgload.sinks.neo4j import relink
from kgload.sinks.neo4j.projection import relationship_key

ID = "https://w3id.org/kgload/id/name/"
DOC = "https://w3id.org/kgload/doc/"


def row(doc: str, iri: str, names: list[str], linked: str | None = None, linked_name: str | None = None) -> dict:
    return {
        "id": relink.alias_id(DOC + doc, ID + iri), "document": DOC + doc, "iri": ID + iri, "names": names,
        "mentionNames": names, "labels": ["Organization"], "linked": ID + (linked or iri),
        "linkedName": linked_name or names[0],
    }  # fmt: skip


def test_a_bare_name_moves_to_the_group_of_the_document_that_taught_it():
    rows = [row("teacher", "wagner-group", ["Wagner Group", "Wagner"]), row("bare", "wagner", ["Wagner"])]
    moves, ambiguous = relink.moves(rows)
    assert [(m["document"], m["old"], m["new"], m["name"], m["moved"]) for m in moves] == [
        (DOC + "bare", ID + "wagner", ID + "wagner-group", "Wagner Group", ["Wagner Group", "Wagner"])
    ]
    assert not ambiguous
    assert relink.moves(list(reversed(rows)))[0] == moves  # the order of the rows does not matter


def test_rows_read_lean_give_the_same_moves_once_completed():
    """The Neo4j re-link reads rows without mention names and labels, then those of the moved rows only."""
    rows = [
        row("teacher", "wagner-group", ["Wagner Group", "Wagner"]),
        row("bare", "wagner", ["Wagner"]) | {"mentionNames": ["Wagner", "the Wagner"], "labels": ["Organization"]},
        row("other", "acme", ["Acme"]),
    ]
    lean = [{k: v for k, v in r.items() if k not in ("mentionNames", "labels")} for r in rows]
    moves, ambiguous = relink.moves(lean)
    assert all("moved" not in m and "mentionNames" not in m for m in moves)
    by_id = {r["id"]: r for r in rows}
    assert ([relink.with_details(m, by_id[m["id"]]) for m in moves], ambiguous) == relink.moves(rows)


def test_rows_linked_where_they_belong_move_nothing():
    rows = [
        row("teacher", "wagner-group", ["Wagner Group", "Wagner"]),
        row("bare", "wagner", ["Wagner"], linked="wagner-group", linked_name="Wagner Group"),
    ]
    assert relink.moves(rows) == ([], frozenset())


def test_without_its_teacher_a_moved_row_goes_back():
    moves, _ = relink.moves([row("bare", "wagner", ["Wagner"], linked="wagner-group", linked_name="Wagner Group")])
    assert [(m["old"], m["new"], m["moved"]) for m in moves] == [(ID + "wagner-group", ID + "wagner", ["Wagner"])]


def claim(head: str, tail: str, **when) -> dict:
    key = relationship_key(head, "https://w3id.org/kgload/ontology#attacked", tail, when)
    stored = {k: (neo4j.time.Date.from_native(v) if isinstance(v, dt.date) else v) for k, v in when.items()}
    return {"document": DOC + "bare", "uri": DOC + "bare#c1", "key": key, "type": "ATTACKED", "status": "asserted",
            "predicate": "https://w3id.org/kgload/ontology#attacked", "head": head, "tail": tail,
            "date": None, "start": None, "end": None, **stored}  # fmt: skip


def test_a_claims_key_follows_its_moved_end_and_its_stored_date():
    stored = claim(ID + "wagner", ID + "ukraine", date=dt.date(2025, 6, 14))
    [changed] = relink.rekeyed([stored], {DOC + "bare": {ID + "wagner": ID + "wagner-group"}})
    attacked = "https://w3id.org/kgload/ontology#attacked"
    expected = relationship_key(ID + "wagner-group", attacked, ID + "ukraine", {"date": dt.date(2025, 6, 14)})
    assert changed == {"uri": stored["uri"], "old": stored["key"], "key": expected, "type": "ATTACKED",
                       "status": "asserted"}  # fmt: skip


def test_a_stored_key_kgload_would_not_derive_is_never_replaced():
    stored = claim(ID + "wagner", ID + "ukraine") | {"key": "0" * 32}
    with pytest.raises(RuntimeError, match="not the one kgload derives"):
        relink.rekeyed([stored], {DOC + "bare": {ID + "wagner": ID + "wagner-group"}})


def test_a_relationship_moves_whole_only_when_its_claims_go_to_one_key_no_other_key_joins():
    def changed(uri: str, old: str, key: str, status: str = "asserted") -> dict:
        return {"uri": uri, "old": old, "key": key, "type": "ATTACKED", "status": status}

    claims = [
        changed("c1", "k1", "n1"), changed("c2", "k1", "n1"),  # one key to one key: the relationship moves
        changed("c3", "k2", "n2"), changed("c4", "k2", "n3"),  # one key to two: recomputed
        changed("c5", "k3", "n4"), changed("c6", "k4", "n4"),  # two keys to one: recomputed
        changed("c7", "k5", "n5", status="disputed"),  # no relationship
    ]  # fmt: skip
    assert relink.whole_moves(claims) == [{"type": "ATTACKED", "old": "k1", "key": "n1", "claim": "c1", "claims": 2}]


def test_the_transactions_hold_whole_documents_of_about_the_size_given():
    sizes = (("a", 3), ("b", 1), ("c", 2))
    moves = [{"document": d, "old": f"{d}-{i}", "new": "n"} for d, n in sizes for i in range(n)]
    assert [[m["document"] for m in c] for c in relink.transactions(moves, 2)] == [["a", "a", "a"], ["b", "c", "c"]]
    assert [len(c) for c in relink.transactions(moves, 1)] == [3, 1, 2]
    assert list(relink.transactions(moves, 10)) == [moves]
    assert list(relink.transactions([], 1)) == []


def test_a_node_a_later_transaction_moves_a_mention_to_is_kept():
    chunks = [
        [{"document": "a", "old": "x", "new": "y"}],
        [{"document": "b", "old": "z", "new": "x"}],
        [{"document": "c", "old": "x", "new": "x"}],
    ]
    assert relink.kept_for_later(chunks) == [frozenset({"x"}), frozenset({"x"}), frozenset()]
