"""Which free-name entities learned aliases join: a function of the set of rows, never their order."""

import itertools
import random

from kgload.mapping.aliases import Learned, grouped, learned_rows, link
from kgload.model import MappedDocument, Merge
from kgload.records import Document, Extraction, Origin


def row(document: str, *names: str) -> Learned:
    return Learned(document, f"id/name/{names[0].lower().replace(' ', '-')}", names)


TEACHER = row("a", "Northern Hawks Battalion", "Northern Hawks")
BARE = row("b", "Northern Hawks")
OTHER = row("c", "Blue Ridge Militia")


def test_a_bare_name_joins_the_group_that_taught_it_in_any_order():
    for order in itertools.permutations([TEACHER, BARE, OTHER]):
        links = link(order)
        assert links.target[("b", BARE.iri)] == (TEACHER.iri, "Northern Hawks Battalion")
        assert links.target[("a", TEACHER.iri)] == (TEACHER.iri, "Northern Hawks Battalion")
        assert links.target[("c", OTHER.iri)] == (OTHER.iri, "Blue Ridge Militia")
        assert links.ambiguous == frozenset()


def test_the_canonical_name_is_the_longest_then_the_greatest():
    short = row("a", "Hawks", "Northern Hawks")
    long = row("b", "Northern Hawks")
    assert link([short, long]).target[("a", short.iri)] == (long.iri, "Northern Hawks")
    one, two = row("a", "Hawks Alpha", "Hawks Omega"), row("b", "Hawks Omega")
    assert link([one, two]).target[("a", one.iri)] == (two.iri, "Hawks Omega")


def test_a_name_two_learned_entities_share_joins_nothing():
    society = row("c", "Northern Hawks Society", "Northern Hawks")
    links = link([TEACHER, society, BARE])
    assert links.ambiguous == {"Northern Hawks"}
    assert links.target[("b", BARE.iri)] == (BARE.iri, "Northern Hawks")
    assert links.target[("c", society.iri)] == (society.iri, "Northern Hawks Society")
    assert links.target[("a", TEACHER.iri)] == (TEACHER.iri, "Northern Hawks Battalion")


def test_a_shared_name_is_not_ambiguous_when_the_groups_are_one_anyway():
    # "NH" joins both, but the two groups also share "Northern Hawks": one entity, nothing ambiguous
    rows = [row("a", "Northern Hawks Battalion", "NH"), row("b", "Northern Hawks", "NH", "Northern Hawks Battalion")]
    links = link(rows)
    assert links.ambiguous == frozenset()
    assert {t for t in links.target.values()} == {(rows[0].iri, "Northern Hawks Battalion")}


def test_rows_come_from_a_documents_free_names_and_merges_but_kept_apart_names():
    extraction = Extraction(Document("d1", "t"), (), (), Origin("x.json", 1), "fp")
    doc = MappedDocument(extraction, "doc/d1", "graph/d1", "fp")
    doc.free_names = [("id/name/nhb", "Northern Hawks Battalion"), ("id/name/assad", "Assad")]
    doc.merges = [Merge("id/name/nhb", "Northern Hawks Battalion", ("Northern Hawks",), "document")]
    doc.ambiguous = ["Assad (ambiguous)"]
    assert learned_rows(doc) == [Learned("doc/d1", "id/name/nhb", ("Northern Hawks Battalion", "Northern Hawks"))]


def test_a_name_joins_free_entities_of_one_namespace_only():
    town = Learned("a", "id/place/kharkiv", ("Kharkiv",))
    actor = Learned("b", "id/name/kharkiv", ("KHARKIV",))
    taught = Learned("c", "id/name/kharkiv-council", ("Kharkiv Council", "Kharkiv"))
    for order in itertools.permutations([town, actor, taught]):
        links = link(order)
        assert links.target[("a", town.iri)] == (town.iri, "Kharkiv")
        assert links.target[("b", actor.iri)] == (taught.iri, "Kharkiv Council")


def test_groups_read_from_disk_link_as_the_whole_table_does():
    """``grouped`` (the re-link's bounded reading) gives, group by group, what ``link`` gives of every row:
    the same node and name for each row, the same names kept apart, each row once with its payload."""
    ids = "https://w3id.org/kgload/id/"
    ambiguous_seen = 0
    for seed in range(200):
        rnd = random.Random(seed)
        pool = [f"Name {i}" for i in range(rnd.randint(2, 15))] + ["Wagner", "wagner", "Wagner Group", "Hawks"]
        rows = []
        for d in range(rnd.randint(0, 40)):
            for _ in range(rnd.randint(1, 3)):
                names = tuple(dict.fromkeys(rnd.sample(pool, rnd.randint(1, 3))))
                scope = rnd.choice(["name", "place"])
                rows.append(Learned(f"doc-{d}", f"{ids}{scope}/{names[0].lower().replace(' ', '-')}", names))
        rows = list({(r.document, r.iri): r for r in rows}.values())  # one row a document and entity, as stored
        whole = link(rows)
        target: dict = {}
        ambiguous: set = set()
        payloads = []
        for group, links in grouped((r, [r.iri, i]) for i, r in enumerate(rows)):
            target.update(links.target)
            ambiguous |= links.ambiguous
            payloads += [(r, p[1]) for r, p in group]
        assert sorted(payloads, key=lambda x: x[1]) == [(r, i) for i, r in enumerate(rows)]
        assert target == whole.target, seed
        assert ambiguous == whole.ambiguous, seed
        ambiguous_seen += bool(whole.ambiguous)
    assert ambiguous_seen > 10, "the cases never reach an ambiguous name"


def test_groups_keep_their_payloads_as_given_and_a_lone_row_links_as_link_does():
    """The rows wait on disk pickled (JSON, slower, gave a tuple back as a list); a group of one row
    (most of an event feed's) is linked without ``link``, to the same result."""
    payload = {"linked": ("id/name/x", "X"), "names": ["Ünïcode", "X"], "n": 1.5, "none": None}
    groups = list(grouped([(OTHER, payload), (TEACHER, "t"), (BARE, "b")]))
    assert [[p for _, p in group] for group, _ in groups] == [[payload], ["t", "b"]]
    assert isinstance(groups[0][0][0][1]["linked"], tuple)
    assert groups[0][1] == link([OTHER])
    assert groups[1][1] == link([TEACHER, BARE])
