import pytest
from hypothesis import given
from hypothesis import strategies as st

from kgload.mapping.templates import TemplateError, compile_template
from kgload.vocabulary.dates import iso_date
from kgload.vocabulary.transforms import iso3166, slug

FIELDS = frozenset({"base", "name", "class"})


def test_slug_is_readable():
    assert slug("Russian President Vladimir Putin") == "russian-president-vladimir-putin"
    assert slug("Zelens'kyi, Volodymyr") == "zelens-kyi-volodymyr"
    assert slug("Śląsk") == "slask"


def test_slug_keeps_other_scripts_and_never_empties():
    assert slug("Владимир Путин") == "владимир-путин"
    assert slug("!!!").startswith("x-")


@given(st.text(min_size=1, max_size=80))
def test_slug_is_safe_for_iris(text):
    out = slug(text)
    assert out and out == out.strip("-")
    assert not set(out) & set(' /#?<>"{}|\\^`')


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2025-06-14", "2025-06-14"),
        ("2025/6/14", "2025-06-14"),
        ("14.06.2025", "2025-06-14"),
        ("20250614", "2025-06-14"),
        ("2025-06-14T10:00:00Z", "2025-06-14"),
        ("2022-02", "2022-02"),
        ("2022", "2022"),
    ],
)
def test_iso_date(raw, expected):
    assert iso_date(raw) == expected


def test_iso_date_rejects_nonsense():
    with pytest.raises(ValueError, match="not a date"):
        iso_date("last Friday")


def test_iso3166():
    assert iso3166("Russia") == "RU"
    assert iso3166("United States") == "US"
    assert iso3166("UKR") == "UA"


def test_template_renders_and_encodes_values():
    t = compile_template("{base}id/{class|lower}/{name|slug}", FIELDS)
    assert t.render({"base": "https://x.org/", "class": "Person", "name": "Vladimir Putin"}) == (
        "https://x.org/id/person/vladimir-putin"
    )
    raw = compile_template("{base}doc/{name}", FIELDS)
    assert raw.render({"base": "https://x.org/", "name": "a b/c?d#e>"}) == "https://x.org/doc/a%20b%2Fc%3Fd%23e%3E"


@given(st.text(min_size=1, max_size=60))
def test_template_output_cannot_escape_its_slot(value):
    t = compile_template("{base}doc/{name}", FIELDS)
    iri = t.render({"base": "https://x.org/", "name": value})
    assert iri.startswith("https://x.org/doc/")
    assert not set(iri[len("https://x.org/doc/") :]) & set('/#?<> "{}|\\^`\n')


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{base}{nmae}", "unknown template field {nmae}"),
        ("{base}{name|shout}", "unknown transform |shout"),
        ("{base}{name", "unbalanced braces"),
    ],
)
def test_template_errors_say_what_is_wrong(text, message):
    with pytest.raises(TemplateError, match=message.replace("|", r"\|").replace("{", r"\{").replace("}", r"\}")):
        compile_template(text, FIELDS)
