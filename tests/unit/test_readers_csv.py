"""CSV files: both layouts against their kgload equivalents, grouping, rejects, detection."""

import csv
from pathlib import Path

from kgload.readers import detect, read
from tests.unit.readers_support import ROOT, graph, split

EXAMPLES = ROOT / "examples" / "inputs"
NAMES = ["document_id", "head", "head_type", "type", "tail", "tail_type", "date", "evidence"]


def write(path: Path, header: list[str], *rows: list[str]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(header)
        out.writerows(rows)
    return path


def test_names_layout_maps_to_the_same_graph_as_its_kgload_equivalent():
    assert graph(EXAMPLES / "csv" / "relations.csv") == graph(EXAMPLES / "csv" / "equivalent.kgload.json", "kgload")


def test_ids_layout_maps_to_the_same_graph_as_its_kgload_equivalent():
    folder = EXAMPLES / "csv-ids"
    assert graph(folder / "relations.csv") == graph(folder / "equivalent.kgload.json", "kgload")


def test_the_other_files_of_a_set_are_read_with_its_relations_file():
    folder = EXAMPLES / "csv-ids"
    assert list(read(folder / "entities.csv", "csv")) == [] and list(read(folder / "documents.csv", "csv")) == []
    good, bad = split(read(folder / "relations.csv", "csv"))
    assert bad == [] and len(good) == 1
    assert good[0].document.publisher == "AFP" and len(good[0].entities) == 5


def test_rows_group_into_documents(tmp_path):
    path = write(
        tmp_path / "rel.csv",
        NAMES,
        ["d1", "Vladimir Putin", "Person", "called", "Donald Trump", "Person", "2025-06-14", "Putin called."],
        ["d1", "Vladimir Putin", "Person", "leader-of", "Russia", "Country", "", ""],
        ["d2", "Ukraine", "Country", "exchanged-prisoners-with", "Russia", "Country", "2025-06", ""],
    )
    good, bad = split(read(path, "csv"))
    assert bad == []
    assert [(g.document.id, g.document.title, len(g.entities), len(g.relations)) for g in good] == [
        ("d1", "d1", 3, 2),
        ("d2", "d2", 2, 1),
    ]
    assert good[0].relation_origins[1].record == 3


def test_broken_rows_are_rejected_with_line_and_reason(tmp_path):
    path = write(
        tmp_path / "rel.csv",
        NAMES,
        ["d1", "Putin", "Person", "called", "Trump", "Person", "14 June", ""],
        ["d1", "Putin", "", "called", "Trump", "Person", "", ""],
        ["d1", "Putin", "Person", "called", "Trump", "Person", "NA", ""],
        ["d2", "Putin", "Person", "called", "Trump", "Person", "", ""],
        ["d1", "Putin", "Person", "called", "Trump", "Person", "", ""],
        ["d3", "too", "few"],
    )
    good, bad = split(read(path, "csv"))
    assert [(b.origin.record, b.reason) for b in bad] == [
        (2, "date '14 June' is not a date (expected e.g. 2025-06-14, 20250614, 2025-06 or 2025)"),
        (3, "head_type is missing"),
        (6, "the rows of document 'd1' must be contiguous (sort the file by document_id)"),
        (7, "expected 8 columns as in the header, got 3"),
    ]
    assert [len(g.relations) for g in good] == [1, 1]  # the NA date is simply absent
    assert all(b.data is not None for b in bad)


def test_ids_layout_rejects_unknown_entities_and_keeps_entity_only_documents(tmp_path):
    write(
        tmp_path / "entities.csv",
        ["document_id", "id", "name", "type"],
        ["d1", "p", "Vladimir Putin", "Person"],
        ["d1", "t", "", "Person"],
        ["d2", "r", "Russia", "Country"],
    )
    relations = write(
        tmp_path / "relations.csv",
        ["document_id", "type", "head", "tail"],
        ["d1", "called", "p", "t"],
        ["d1", "leader-of", "p", "x"],
    )
    good, bad = split(read(relations, "csv"))
    assert [g.document.id for g in good] == ["d1", "d2"]
    reasons = {(Path(b.origin.file).name, b.origin.record): b.reason for b in bad}
    assert reasons[("entities.csv", 3)] == "name is missing"
    assert "unknown entity 't'" in reasons[("relations.csv", 2)]
    assert "unknown entity 'x'" in reasons[("relations.csv", 3)]


def test_document_fields_must_agree(tmp_path):
    header = ["document_id", "document_title", "head", "head_type", "type", "tail", "tail_type"]
    path = write(
        tmp_path / "rel.csv",
        header,
        ["d1", "A", "Putin", "Person", "called", "Trump", "Person"],
        ["d1", "B", "Putin", "Person", "called", "Trump", "Person"],
    )
    good, bad = split(read(path, "csv"))
    assert good[0].document.title == "A" and bad[0].origin.path == "document_title" and "differs" in bad[0].reason


def test_extra_columns_become_attributes_and_lists_split(tmp_path):
    header = [*NAMES, "asserted_by", "confidence", "note"]
    path = write(
        tmp_path / "rel.csv",
        header,
        ["d1", "Putin", "Person", "called", "Trump", "Person", "", "", "Putin", "0.9", "by phone"],
    )
    good, _ = split(read(path, "csv"))
    relation = good[0].relations[0]
    assert relation.attributes == {"note": "by phone"} and relation.asserted_by == ("Putin",)
    assert relation.confidence == 0.9


def test_unknown_layout_is_rejected(tmp_path):
    _, bad = split(read(write(tmp_path / "x.csv", ["a", "b"], ["1", "2"]), "csv"))
    assert "no kgload CSV layout" in bad[0].reason


def test_detected():
    assert detect(EXAMPLES / "csv" / "relations.csv") == "csv"
    assert detect(EXAMPLES / "csv-ids" / "entities.csv") == "csv"
