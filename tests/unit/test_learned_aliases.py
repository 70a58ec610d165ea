"""Which free-name entities learned aliases join: a function of the set of rows, never their order."""

import itertools
import random

from kgload.mapping.aliases import Learned, learned_rows, link, targets
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


def test_rows_read_from_disk_link_as_the_whole_table_does():
    """``targets`` (the re-link's bounded reading, ``link`` run on the distinct (IRI, names) of each group
    of names) gives each row what ``link`` gives of every row: the same node and name, the same names
    kept apart (shown in the same spelling), each row once with its payload, in document order."""
    ids = "https://w3id.org/kgload/id/"
    ambiguous_seen = repeated = 0
    for seed in range(200):
        rnd = random.Random(seed)
        pool = [f"Name {i}" for i in range(rnd.randint(2, 15))] + ["Wagner", "wagner", "Wagner Group", "Hawks"]
        rows = []
        for d in range(rnd.randint(0, 40)):
            for _ in range(rnd.randint(1, 3)):
                names = tuple(dict.fromkeys(rnd.sample(pool, rnd.randint(1, 3))))
                scope = rnd.choice(["name", "place"])
                rows.append(Learned(f"doc-{d:02}", f"{ids}{scope}/{names[0].lower().replace(' ', '-')}", names))
        rows = list({(r.document, r.iri): r for r in rows}.values())  # one row a document and entity, as stored
        rnd.shuffle(rows)
        whole = link(rows)
        ambiguous: set = set()
        given = list(targets(((r, [r.iri, i]) for i, r in enumerate(rows)), ambiguous))
        assert [(r, p[1]) for r, p, _ in sorted(given, key=lambda x: x[1][1])] == [(r, i) for i, r in enumerate(rows)]
        assert [(r.document, r.iri) for r, _, _ in given] == sorted((r.document, r.iri) for r in rows)
        assert {(r.document, r.iri): t for r, _, t in given} == whole.target, seed
        assert ambiguous == whole.ambiguous, seed
        ambiguous_seen += bool(whole.ambiguous)
        repeated += len({(r.iri, r.names) for r in rows}) < len(rows)
    assert ambiguous_seen > 10, "the cases never reach an ambiguous name"
    assert repeated > 100, "the cases never repeat a variant in two documents"


def test_rows_keep_their_payloads_as_given_and_a_lone_row_links_as_link_does():
    """The rows wait on disk pickled (JSON, slower, gave a tuple back as a list); a group of one
    variant (most of an event feed's) is linked without ``link``, to the same result."""
    payload = {"linked": ("id/name/x", "X"), "names": ["Ünïcode", "X"], "n": 1.5, "none": None}
    ambiguous: set = set()
    given = list(targets([(OTHER, payload), (TEACHER, "t"), (BARE, "b")], ambiguous))
    assert [(r, p) for r, p, _ in given] == [(TEACHER, "t"), (BARE, "b"), (OTHER, payload)]
    assert isinstance(given[2][1]["linked"], tuple)
    assert given[2][2] == link([OTHER]).target[(OTHER.document, OTHER.iri)]
    together = link([TEACHER, BARE]).target
    assert [t for _, _, t in given[:2]] == [together[(r.document, r.iri)] for r in (TEACHER, BARE)]
    assert not ambiguous


def test_many_documents_of_one_variant_link_as_one():
    """An event feed repeats an actor's few spellings in thousands of documents: each lands where
    ``link`` of all of them puts it, the ambiguous name shown as the last document spelled it."""
    rows = [Learned(f"d{i:04}", "n/wagner-group", ("Wagner Group", "Wagner")) for i in range(300)]
    rows += [Learned(f"e{i:04}", "n/wagner", ("Wagner",)) for i in range(300)]
    rows += [Learned(f"f{i:04}", "n/richard-wagner-society", ("Richard Wagner Society", "wagner")) for i in range(3)]
    ambiguous: set = set()
    given = {(r.document, r.iri): t for r, _, t in targets(((r, None) for r in rows), ambiguous)}
    whole = link(rows)
    assert given == whole.target
    assert ambiguous == whole.ambiguous == {"wagner"}
