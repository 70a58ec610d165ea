"""Mapping files: the bundled one validates; broken ones get every error with file:line."""

import shutil
from pathlib import Path

import pytest

from kgload.errors import MappingError
from kgload.mapping import load_mapping


def test_bundled_mapping_is_valid(mapping):
    assert mapping.relation_rule("leader-of").property.neo4j_type == "LEADER_OF"
    assert mapping.relation_rule("LEADER_OF") is mapping.relation_rule("leader_of")
    assert mapping.relation_rule("exchanged-prisoners-with").property.symmetric
    assert mapping.relation_rule("successor-of").inverse
    assert mapping.entity_rule("GPE").class_iri.endswith("#Country")
    assert mapping.hash.startswith("sha256:")


def broken(tmp_path: Path, root: Path, text: str) -> Path:
    for name in ("kgload.ttl", "shapes.ttl"):
        (tmp_path / "ontology").mkdir(exist_ok=True)
        shutil.copy(root / "ontology" / name, tmp_path / "ontology" / name)
    path = tmp_path / "mappings" / "broken.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


GOOD_HEAD = """kgload_mapping: 1
ontology: ../ontology/kgload.ttl
base: https://example.org/
entities:
"""


def test_three_mistakes_give_three_located_errors(tmp_path, root):
    path = broken(
        tmp_path,
        root,
        GOOD_HEAD
        + """  iri: "{base}id/{nmae|slug}"
  types:
    Person: kg:Persn
relations:
  types:
    called: kg:caled
""",
    )
    with pytest.raises(MappingError) as info:
        load_mapping(path)
    problems = info.value.problems
    assert len(problems) == 3
    by_line = {p.line: str(p) for p in problems}
    assert "unknown template field {nmae}" in by_line[5]
    assert "class kg:Persn is not in the ontology" in by_line[7] and "did you mean kg:Person?" in by_line[7]
    assert "property kg:caled is not a relation property" in by_line[10] and "did you mean kg:called?" in by_line[10]
    assert all(str(p).startswith(f"{path}:") for p in problems)


def test_unknown_key_is_named_with_the_allowed_ones(tmp_path, root):
    path = broken(
        tmp_path,
        root,
        GOOD_HEAD
        + """  types:
    Person: kg:Person
relations:
  treshold: 0.5
  types:
    called: kg:called
""",
    )
    with pytest.raises(MappingError) as info:
        load_mapping(path)
    (problem,) = info.value.problems
    assert problem.line == 8
    assert "unknown key 'treshold'" in str(problem) and "min_confidence" in str(problem)


def test_yaml_syntax_error_has_a_line(tmp_path, root):
    path = broken(tmp_path, root, GOOD_HEAD + "  types: [unclosed\n")
    with pytest.raises(MappingError) as info:
        load_mapping(path)
    assert info.value.problems[0].line is not None
    assert "not valid YAML" in str(info.value)


def test_yaml_tags_are_not_executed(tmp_path, root):
    path = broken(tmp_path, root, GOOD_HEAD + "  types: !!python/object/apply:os.system ['echo pwned']\n")
    with pytest.raises(MappingError, match="not valid YAML"):
        load_mapping(path)


def test_missing_ontology_file(tmp_path, root):
    path = broken(
        tmp_path,
        root,
        GOOD_HEAD.replace("../ontology/kgload.ttl", "nowhere.ttl")
        + """  types:
    Person: kg:Person
relations:
  types:
    called: kg:called
""",
    )
    with pytest.raises(MappingError, match=r"nowhere\.ttl' not found"):
        load_mapping(path)
