"""The source mapping language (docs/sources.md): validation with file:line problems, values, dates,
tables (encodings, quoting, layouts), JSON record sets, grouping, and every bad cell a reject."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgload.cli import app
from kgload.errors import MappingError
from kgload.readers import read
from kgload.readers.source import load_source
from kgload.readers.source.dates import FormatError, compile_format, date_parser
from tests.unit.readers_support import split

HEAD = """kgload_source: 1
name: test-source
file:
  format: csv
document:
  id: "doc-{id}"
"""
ENTITIES = """entities:
  a: {name: "{a}", type: Person}
  b: {name: "{b}", type: Person}
"""
RELATION = """relations:
  - {head: a, tail: b, type: called}
"""


def source(tmp_path: Path, text: str, name: str = "source.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def rows(tmp_path: Path, text: str, name: str = "data.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def run(tmp_path: Path, mapping: str, data: str, **kwargs):
    spec = source(tmp_path, mapping)
    return split(read(rows(tmp_path, data, **kwargs), str(spec)))


# -- validation ---------------------------------------------------------------------------------------


def test_every_problem_is_reported_at_its_line(tmp_path):
    path = source(
        tmp_path,
        HEAD
        + """entities:
  a: {name: "{a|slugg}", type: Person}
  b: {name: "{b}", type: Person, wikidata: {value: "{q}", check: "Q[0-9"}}
relations:
  - head: a
    tail: c
    type: called
    date: {value: "{d}", formats: ["%d %Q %Y"]}
""",
    )
    with pytest.raises(MappingError) as info:
        load_source(path)
    by_line = {p.line: str(p) for p in info.value.problems}
    assert "unknown transform |slugg" in by_line[8]
    assert "bad regular expression 'Q[0-9'" in by_line[9]
    assert "no entity 'c' in entities" in by_line[12] and "entities: a, b" in by_line[12]
    assert "unknown directive %Q" in by_line[14]
    assert all(str(p).startswith(f"{path}:") for p in info.value.problems)


def test_the_schema_names_an_unknown_key_and_what_is_allowed(tmp_path):
    path = source(tmp_path, HEAD + "entities:\n  a: {name: '{a}', type: Person, nmae: x}\n" + RELATION)
    with pytest.raises(MappingError) as info:
        load_source(path)
    (problem,) = info.value.problems
    assert problem.line == 8 and "unknown key 'nmae'" in str(problem) and "allowed keys here:" in str(problem)


def test_a_headerless_file_must_name_every_column_it_reads(tmp_path):
    text = HEAD.replace("  format: csv\n", "  format: tsv\n  header: false\n  columns: [id, a]\n") + ENTITIES + RELATION
    with pytest.raises(MappingError) as info:
        load_source(source(tmp_path, text))
    assert "the mapping reads column 'b', which file.columns does not name" in str(info.value)


def test_check_mapping_tells_a_source_mapping_apart(tmp_path, root):
    result = CliRunner().invoke(app, ["check-mapping", str(root / "mappings" / "sources" / "acled.yaml")])
    assert result.exit_code == 0 and "source mapping 'acled' (csv)" in result.output
    broken = source(tmp_path, HEAD + ENTITIES + "relations:\n  - {head: a, tail: zz, type: called}\n")
    result = CliRunner().invoke(app, ["check-mapping", str(broken)])
    assert result.exit_code == 2 and f"{broken}:11" in result.output and "no entity 'zz'" in result.output


def test_every_shipped_source_mapping_is_valid(root):
    names = {load_source(p).name: p.stem for p in (root / "mappings" / "sources").glob("*.yaml")}
    assert names == {n: n for n in ("acled", "gdelt", "icews", "llm-graph", "office-holders", "ucdp-ged")}


# -- values and rows ----------------------------------------------------------------------------------


def test_templates_tables_conditions_and_types(tmp_path):
    mapping = (
        HEAD
        + """nulls: ["", "NA"]
entities:
  a:
    name: "{a|trim}"
    type: {value: "{kind}", values: {"1": Person, "2": Organization}, default: Actor}
    aliases: {value: "{aka}", split: ";"}
    wikidata: {value: "{q}", check: "Q[1-9][0-9]*"}
    attributes:
      code: {value: "{code}", match: "^([A-Z]{3})"}
      flag: {value: "{flag}", as: boolean}
  b:
    name: {first: ["{b}", "{b_code}"]}
    type: Country
    iso_code: {value: "{b_code|iso3166_exact}", invalid: absent}
    cases:
      - when: {b_code: {present: false}}
        type: Organization
relations:
  - head: a
    tail: b
    type: called
    confidence: "{c}"
    sentence: "{s}"
    attributes:
      deaths: {value: "{deaths}", as: integer, min: 0}
      note: {value: "{note}", when: {deaths: {min: 1}}}
"""
    )
    data = (
        "id,a,kind,aka,q,code,flag,b,b_code,c,s,deaths,note\n"
        "1, Vladimir Putin ,1,Putin;  V. Putin,Q7747,RUSGOV,yes,,UKR,0.9,3,2,heavy\n"
        "2,Hamas,9,NA,NA,NA,no,Some Ministry,NA,NA,NA,0,skipped note\n"
    )
    good, bad = run(tmp_path, mapping, data)
    assert bad == []
    first, second = good
    putin, ukraine = first.entities
    assert (putin.name, putin.type, putin.aliases, putin.wikidata) == (
        "Vladimir Putin",
        "Person",
        ("Putin", "V. Putin"),
        "Q7747",
    )
    assert putin.attributes == {"code": "RUS", "flag": True}
    assert (ukraine.name, ukraine.type, ukraine.iso_code) == ("UKR", "Country", "UA")
    relation = first.relations[0]
    assert (relation.confidence, relation.sentence, relation.attributes) == (0.9, 3, {"deaths": 2, "note": "heavy"})
    hamas, ministry = second.entities
    assert (hamas.type, hamas.aliases, hamas.wikidata, hamas.attributes) == ("Actor", (), None, {"flag": False})
    assert (ministry.type, ministry.iso_code) == ("Organization", None)
    assert second.relations[0].attributes == {"deaths": 0}


def test_every_bad_cell_rejects_its_row_with_file_line_column_and_reason(tmp_path):
    mapping = (
        HEAD
        + ENTITIES
        + """relations:
  - head: a
    tail: b
    type: {value: "{kind}", values: {call: called, talk: negotiated-with}}
    date: {value: "{day}", formats: ["%d %B %Y", "%d/%m/%Y %H:%M:%S"]}
    attributes:
      fatalities: {value: "{dead}", as: integer, min: 0}
"""
    )
    data = (
        "id,a,b,kind,day,dead\n"
        "1,Putin,Trump,call,28 December 2022,0\n"
        "2,Putin,Trump,call,31 February 2022,0\n"
        "3,Putin,Trump,call,2022-12-28,0\n"
        "4,Putin,Trump,call,28/12/2022 10:00:00,several\n"
        "5,Putin,Trump,call,28/12/2022 10:00:00,-3\n"
        "6,Putin,Trump,wave,28/12/2022 10:00:00,1\n"
        "7,Putin,,call,28 December 2022,1\n"
        "8,Putin,Trump,call\n"
    )
    good, bad = run(tmp_path, mapping, data)
    assert [g.document.id for g in good] == ["doc-1"]
    assert good[0].relations[0].date == "2022-12-28"
    reasons = {b.origin.record: b.reason for b in bad}
    assert all(b.origin.file == str(tmp_path / "data.csv") and b.data for b in bad)
    assert reasons == {
        3: "column day: '31 February 2022': 2022-02-31 is not a real day",
        4: "column day: '2022-12-28' is not a date in the declared format(s) %d %B %Y, %d/%m/%Y %H:%M:%S",
        5: "column dead: 'several' is not a whole number",
        6: "column dead: -3 is below the minimum 0",
        7: "column kind: 'wave' is not in the mapping's value table (known: 'call', 'talk')",
        8: "column b: is empty, and the relation needs its tail (b)",
        9: "expected 6 columns as in the header, got 4",
    }


def test_skip_conditions_reject_rows_as_skipped(tmp_path):
    mapping = HEAD + "skip: {kind: {in: [test, drill]}}\n" + ENTITIES + RELATION
    good, bad = run(tmp_path, mapping, "id,a,b,kind\n1,A,B,real\n2,A,B,drill\n")
    assert [g.document.id for g in good] == ["doc-1"]
    assert (
        bad[0].origin.record == 3
        and bad[0].reason == "skipped by the source mapping test-source (skip: kind in ['test', 'drill'])"
    )


def test_encodings_quoted_line_breaks_and_undecodable_lines(tmp_path):
    mapping = HEAD.replace("  format: csv\n", "  format: csv\n  encoding: cp1252\n") + ENTITIES + RELATION
    data = 'id,a,b\n1,"Jean-Yves\nLe Drian",Sébastien Lecornu\n2,A,B\n'
    good, bad = run(tmp_path, mapping, data, encoding="cp1252")
    assert (
        bad == []
        and good[0].entities[0].name == "Jean-Yves\nLe Drian"
        and good[0].entities[1].name == "Sébastien Lecornu"
    )
    assert [g.origin.record for g in good] == [2, 4]  # a row is where it starts; the quoted break takes a line
    utf8 = source(tmp_path, HEAD + ENTITIES + RELATION, "utf8.yaml")
    path = tmp_path / "broken.csv"
    path.write_bytes(b"id,a,b\n1,A,B\n2,Caf\xe9,B\n3,C,D\n")
    good, bad = split(read(path, str(utf8)))
    assert [g.document.id for g in good] == ["doc-1", "doc-3"]
    assert bad[0].origin.record == 3 and bad[0].reason == "line 3: not utf-8 text: byte b'\\xe9' at column 6"


def test_a_bom_is_no_part_of_the_first_column(tmp_path):
    good, bad = run(tmp_path, HEAD + ENTITIES + RELATION, "\ufeffid,a,b\n1,A,B\n")
    assert bad == [] and good[0].document.id == "doc-1"


def test_layouts_are_told_apart_by_their_column_count(tmp_path):
    mapping = (
        HEAD.replace(
            "  format: csv\n",
            "  format: tsv\n  header: false\n  columns: [id, a, extra, b, url]\n"
            "  layouts: [5, {count: 4, without: [extra]}, 3]\n",
        )
        + ENTITIES
        + RELATION.replace("type: called}", "type: called}\n").rstrip()
        + "\n"
    ).replace('  id: "doc-{id}"\n', '  id: "doc-{id}"\n  url: "{url}"\n')
    data = "1\tA\tx\tB\thttps://e.org/1\n2\tA\tB\thttps://e.org/2\n3\tA\tx\n4\tA\n"
    good, bad = run(tmp_path, mapping, data, name="data.tsv")
    assert [(g.document.id, g.document.url) for g in good] == [
        ("doc-1", "https://e.org/1"),
        ("doc-2", "https://e.org/2"),
    ]
    assert [b.origin.record for b in bad] == [3, 4]
    assert bad[0].reason == "column b: is empty, and the relation needs its tail (b)"  # 3 columns: id, a, extra
    assert bad[1].reason == "expected 5 or 4 or 3 columns as the source mapping declares, got 2"


def test_rows_of_one_document_make_one_document_with_each_entity_once(tmp_path):
    mapping = (
        HEAD.replace('"doc-{id}"', '"{doc}"')
        + ENTITIES
        + RELATION.replace("type: called}", "type: called, date: '{day}'}")
    )
    data = "doc,a,b,day\nd1,Putin,Trump,2025-06-14\nd1,Putin,Erdogan,2025-06-15\nd2,Putin,Trump,2025-06-16\n"
    good, bad = run(tmp_path, mapping, data)
    assert bad == []
    d1, d2 = good
    assert [e.name for e in d1.entities] == ["Putin", "Trump", "Erdogan"]
    assert [(r.head, r.tail) for r in d1.relations] == [("a-1", "b-1"), ("a-1", "b-2")]
    assert [e.id for e in d2.entities] == ["a", "b"]


def test_a_name_split_into_several_entities_gives_a_relation_for_each(tmp_path):
    mapping = (
        HEAD + "entities:\n  a: {name: '{a}', type: Person}\n  b: {name: '{b}', split: ';', type: Person}\n" + RELATION
    )
    good, _ = run(tmp_path, mapping, "id,a,b\n1,Putin,Trump; Erdogan\n")
    assert [(r.head, r.tail) for r in good[0].relations] == [("a", "b-1"), ("a", "b-2")]


def test_a_missing_second_end_falls_back_and_optional_relations_are_left_out(tmp_path):
    mapping = (
        HEAD
        + """entities:
  a: {name: "{a}", type: Actor}
  b: {name: "{b}", type: Actor}
  c: {name: "{c}", type: Actor}
  place: {name: "{where}", type: City, coordinates: {latitude: "{lat}", longitude: "{lon}"}}
relations:
  - {head: a, tail: [b, place], type: protested, location: place}
  - {head: c, tail: [b, place], type: protested, optional: true}
"""
    )
    good, bad = run(
        tmp_path, mapping, "id,a,b,c,where,lat,lon\n1,Protesters,,,Kyiv,50.45,30.52\n2,Protesters,,,Kyiv,95,30\n"
    )
    (doc,) = good
    assert [(r.head, r.tail, r.location) for r in doc.relations] == [("a", "place", "place")]
    assert doc.entities[-1].coordinates == (50.45, 30.52)
    assert bad[0].reason == "column lat: 95 is above the maximum 90"


# -- dates --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("formats", "text", "day"),
    [
        (["%d %B %Y"], "28 December 2022", "2022-12-28"),
        (["%d/%m/%Y %H:%M:%S"], "05/02/2014 13:45:00", "2014-02-05"),
        (["%m/%d/%Y %I:%M:%S %p"], "1/22/2014 12:00:00 AM", "2014-01-22"),
        (["%Y%m%d"], "20250614", "2025-06-14"),
        (["%Y%m%d%H%M%S"], "20191024143000", "2019-10-24"),
        (["%b %Y"], "Sep 2021", "2021-09"),
        (["%Y"], "1991", "1991"),
        (["%d-%b-%y"], "14-Jun-25", "2025-06-14"),
        (["iso"], "2025-06-14T10:00:00Z", "2025-06-14"),
        (["%m/%d/%Y %H:%M", "%m/%d/%Y %I:%M:%S %p"], "05/02/2014 00:00", "2014-05-02"),
    ],
)
def test_declared_date_formats(formats, text, day):
    assert date_parser(formats)(text) == day


def test_a_date_format_without_a_year_is_refused():
    with pytest.raises(FormatError, match="has no year"):
        compile_format("%d %B")


def test_precision_and_periods(tmp_path):
    mapping = (
        HEAD
        + ENTITIES
        + """relations:
  - head: a
    tail: b
    type: fought
    period: {start: "{from}", end: "{to}"}
    precision: {value: "{prec}", values: {"1": day, "4": month, "5": year}}
"""
    )
    data = (
        "id,a,b,from,to,prec\n1,A,B,2025-06-14,2025-06-14,1\n2,A,B,2025-06-14,2025-06-20,1\n"
        "3,A,B,2025-06-14,2025-06-20,4\n4,A,B,2025-06-14,2025-07-02,5\n"
    )
    good, bad = run(tmp_path, mapping, data)
    assert bad == []
    assert [(r.date, r.start, r.end) for g in good for r in g.relations] == [
        ("2025-06-14", None, None),
        (None, "2025-06-14", "2025-06-20"),
        ("2025-06", None, None),
        ("2025", None, None),
    ]


# -- JSON ---------------------------------------------------------------------------------------------


def test_json_record_sets_grouped_into_documents_by_id(tmp_path):
    mapping = """kgload_source: 1
name: graph-test
file:
  format: json
  records: {nodes: data.nodes, edges: data.edges}
document:
  id: {value: "{0}", match: "^(.+)_[0-9]+$"}
entities:
  node: {from: nodes, id: "{0}", name: "{1}", type: {value: "{2|lower}", values: {person: Person}}}
relations:
  - {from: edges, head: {ref: "{0}"}, tail: {ref: "{2}"}, type: "{1}", attributes_from: {field: "3"}}
"""
    data = """{"data": {"nodes": [["p1_1", "Putin", "PERSON"], ["p2_1", "Trump", "person"], ["p1_2", "Trump", "Person"],
                         ["p1_3", "sanctions", "concept"]],
               "edges": [["p1_1", "called", "p1_2", {"mood": "frank"}], ["p1_1", "discussed", "p1_3", {}]]}}"""
    good, bad = run(tmp_path, mapping, data, name="graph.json")
    assert [(g.document.id, len(g.entities), len(g.relations)) for g in good] == [("p1", 2, 1), ("p2", 1, 0)]
    assert good[0].relations[0].attributes == {"mood": "frank"}
    reasons = sorted((b.origin.path, b.reason) for b in bad)
    assert reasons[0] == (
        "data.edges[1]",
        "tail names entity 'p1_3', rejected with its record (data.nodes[3]): "
        "field 2: 'concept' is not in the mapping's value table",
    )
    assert reasons[1] == ("data.nodes[3]", "field 2: 'concept' is not in the mapping's value table (known: 'person')")


def test_jsonl_records_one_per_line(tmp_path):
    mapping = """kgload_source: 1
name: jsonl-test
file: {format: jsonl}
document: {id: "{event.id}", published: "{event.day}"}
entities:
  a: {name: "{who}", type: Person}
  b: {name: "{whom}", type: Person}
relations:
  - {head: a, tail: b, type: called}
"""
    data = '{"event": {"id": 1, "day": "2025-06-14"}, "who": "Putin", "whom": "Trump"}\nnot json\n'
    good, bad = run(tmp_path, mapping, data, name="events.jsonl")
    assert (good[0].document.id, good[0].document.published) == ("1", "2025-06-14")
    assert bad[0].origin.record == 2 and bad[0].reason.startswith("invalid JSON")


def test_a_yaml_that_is_no_source_mapping_is_refused_as_a_format(tmp_path, root):
    from kgload.errors import UsageError

    data = rows(tmp_path, "id,a,b\n1,A,B\n")
    with pytest.raises(UsageError, match="not a source mapping"):
        read(data, str(root / "mappings" / "kgload.yaml"))


def test_a_changed_source_mapping_changes_the_fingerprints(tmp_path):
    """A re-run skips documents whose fingerprint is unchanged: it must not skip those a changed
    source mapping now reads otherwise."""
    data = rows(tmp_path, "id,a,b\n1,A,B\n")
    first = source(tmp_path, HEAD + ENTITIES + RELATION, "first.yaml")
    second = source(tmp_path, HEAD + ENTITIES + RELATION.replace("called", "negotiated-with"), "second.yaml")
    (one,), _ = split(read(data, str(first)))
    (other,), _ = split(read(data, str(second)))
    assert one.fingerprint != other.fingerprint
    (again,), _ = split(read(data, str(first)))
    assert again.fingerprint == one.fingerprint


def test_a_run_configuration_names_a_source_mapping_relative_to_itself(tmp_path):
    from kgload.runs.config import load_config

    (tmp_path / "conf").mkdir()
    config = tmp_path / "conf" / "run.yaml"
    config.write_text(
        "kgload_config: 1\nsources:\n  - {path: ../events.csv, format: ../mine.yaml}\n"
        "  - {path: ../x.tab, format: icews}\ntargets:\n  embedded: {path: store}\n",
        encoding="utf-8",
    )
    first, second = load_config(config).sources
    assert (first.format, second.format) == (str(tmp_path / "mine.yaml"), "icews")
