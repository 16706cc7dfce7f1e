"""Word-at-a-time term extraction (the grouped segment writer's) yields what Whoosh's field.index() yields."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search_index.engine.fast_terms import analyze_word, analyze_words, word_splitter
from search_index.engine.schema import build_schema
from search_index.engine.term_table import TextTable

SCHEMA = build_schema()
FAST = {name: word_splitter(SCHEMA[name]) for name in SCHEMA.names() if SCHEMA[name].indexed}


def same_as_whoosh(name: str, text: str) -> bool:
    """Whether a :class:`TextTable` of field ``name`` records ``text``'s terms, frequencies and
    length as Whoosh's ``field.index(text)`` gives them."""
    field = SCHEMA[name]
    split = FAST[name]
    assert split is not None
    table = TextTable(split, field.analyzer, {})
    length = table.add_text(0, text)
    ours = {term: freqs[0] for term, _docs, freqs in table.grouped()}
    theirs = {term: freq for term, freq, _weight, _value in field.index(text)}
    return ours == theirs and length == sum(theirs.values())

SAMPLES = [
    "",
    "Emergency shelter beds for families; case management, showers and hot meals.",
    "Guardería y Vivienda: ayuda con el alquiler para familias en Sanford. Servicios gratuitos.",
    "O'Brien & Sons, U.S. Veterans -- PTSD / VA benefits (24 hours) 407-555-0100 ext. 12",
    "the and of THE The a an",  # stop words only
    "Niño niños NIÑO nino café CAFÉ crème brûlée",
    "running runs ran runner's counseling counselling",
]


def test_the_schema_text_fields_take_the_fast_path() -> None:
    fast = [name for name, split in FAST.items() if split is not None]
    assert {"name", "description", "description_es", "spell"} <= set(fast)
    assert FAST["id"] is None and FAST["categories"] is None  # keyword/ID fields keep Whoosh's


@pytest.mark.parametrize("text", SAMPLES)
def test_same_postings_on_samples(text: str) -> None:
    for name, split in FAST.items():
        if split is not None:
            assert same_as_whoosh(name, text), name


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200))
def test_same_postings_on_any_text(text: str) -> None:
    for name, split in FAST.items():
        if split is not None:
            assert same_as_whoosh(name, text), name


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200))
def test_words_analysed_together_as_alone(text: str) -> None:
    for name in ("name", "name_es", "spell"):
        field = SCHEMA[name]
        split = word_splitter(field)
        assert split is not None
        words = list(dict.fromkeys(split(text)))
        assert analyze_words(field.analyzer, words) == [analyze_word(field.analyzer, w) for w in words]


def test_words_the_tokenizer_would_split_are_analysed_alone() -> None:
    """A "word" that is not one token of the tokenizer (so the joined pass does not line up)."""
    analyzer = SCHEMA["name"].analyzer
    words = ["shelters", "two words", "the", "naïve"]
    assert analyze_words(analyzer, words) == [analyze_word(analyzer, w) for w in words]
    assert analyze_word(analyzer, "the") == ()
    assert word_splitter(SCHEMA["id"]) is None and word_splitter(SCHEMA["categories"]) is None
    split = word_splitter(SCHEMA["description"])
    assert split is not None and split("O'Brien & Sons, U.S.") == ["O'Brien", "Sons", "U.S"]
