"""The rebuild's fast term extraction yields exactly what Whoosh's field.index() yields."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search_index.fast_terms import fast_index, memoized_index, speed_up_fields
from search_index.schema import build_schema

SCHEMA = build_schema()
FAST = {name: fast_index(SCHEMA[name]) for name in SCHEMA.names() if SCHEMA[name].indexed}

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
    fast = [name for name, index in FAST.items() if index is not None]
    assert {"name", "description", "description_es", "spell"} <= set(fast)
    assert FAST["id"] is None and FAST["categories"] is None  # keyword/ID fields keep Whoosh's


@pytest.mark.parametrize("text", SAMPLES)
def test_same_postings_on_samples(text: str) -> None:
    for name, fast in FAST.items():
        if fast is not None:
            assert list(fast(text)) == list(SCHEMA[name].index(text)), name


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200))
def test_same_postings_on_any_text(text: str) -> None:
    for name, fast in FAST.items():
        if fast is not None:
            assert list(fast(text)) == list(SCHEMA[name].index(text)), name


def test_memoized_values_are_the_same_and_reused() -> None:
    field = SCHEMA["categories"]
    index = memoized_index(field)
    first = index("housing,abuse")
    assert first == list(field.index("housing,abuse"))
    assert index("housing,abuse") is first


def test_speed_up_fields_touches_only_a_private_schema() -> None:
    private = build_schema()
    fast = speed_up_fields(private)
    assert "description" in fast
    assert "index" in vars(private["description"])
    assert "index" not in vars(build_schema()["description"])
