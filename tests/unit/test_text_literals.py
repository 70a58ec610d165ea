"""kgload.rdf.convert.text_literal makes the literal rdflib's constructor makes, without its cost."""

from __future__ import annotations

import pytest
import rdflib
from hypothesis import given
from hypothesis import strategies as st

from kgload.rdf.convert import text_literal

TAGS = st.sampled_from([None, "en", "fr-be", "zh-hant-tw", "de-ch-1996"])


@given(st.text(), TAGS)
def test_a_text_literal_is_rdflibs(text: str, language: str | None) -> None:
    made, expected = text_literal(text, language), rdflib.Literal(text, lang=language)
    assert type(made) is type(expected)
    assert (str(made), made.language, made.datatype, made.value, made.ill_typed) == (
        str(expected),
        expected.language,
        expected.datatype,
        expected.value,
        expected.ill_typed,
    )
    assert made == expected and hash(made) == hash(expected) and made.eq(expected)
    assert made.n3() == expected.n3() and repr(made) == repr(expected) and bool(made) == bool(expected)


def test_a_language_tag_rdflib_refuses_is_refused() -> None:
    with pytest.raises(ValueError):
        rdflib.Literal("x", lang="not a tag")
    with pytest.raises(ValueError):
        text_literal("x", "not a tag")


def test_the_shortcut_is_taken_with_this_rdflib_and_the_constructor_otherwise(monkeypatch) -> None:
    from kgload.rdf import convert

    assert convert._SHORTCUT  # the rdflib the project installs keeps the slots the shortcut fills
    monkeypatch.setattr(convert, "_SHORTCUT", False)
    made = text_literal("x", "fr")
    assert made == rdflib.Literal("x", lang="fr") and made.language == "fr"
