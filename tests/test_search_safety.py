"""Any text and any parameters are safe: search never raises and never logs a failure; bad
parameters are rejected by validation with a message per field."""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from whoosh.searching import Searcher

from search_factory import Sample, build_sample
from search_index.query.request import InvalidRequest, SearchRequest, parse_request, validate_request
from search_index.query.results import SearchResults
from search_index.query.searching import search

NASTY = [
    "",
    " ",
    '"',
    '"unclosed phrase',
    "title:food",
    "::::",
    "(((",
    ")",
    "AND",
    "OR NOT AND",
    "food AND OR shelter NOT",
    "*",
    "shel*",
    "?",
    "~2",
    "^3",
    "-",
    "+food -shelter",
    "[a TO z]",
    "{}",
    "\\",
    "/regex/",
    "a" * 2000,
    "shelter " * 400,
    "x" * 5000,
    "🏠🆘 help 🙏",
    "\x00\x01\x02\x1b[31m",
    "\ud800\udfff",
    "\u202e\u200f reversed",
    "ｓｈｅｌｔｅｒ",
    "'; DROP TABLE service; --",
    "<script>alert(1)</script>",
    "%00%ff",
    "null",
    "None",
    "0" * 100,
    "٣٤٥ مأوى",
    "避难所",
    "\t\n\r",
]


@pytest.fixture(scope="module")
def sample(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Sample:
    return build_sample(engine, tmp_path_factory.mktemp("safety-index"))


@pytest.fixture(scope="module")
def searcher(sample: Sample) -> Iterator[Searcher]:
    with sample.index.searcher() as s:
        yield s


def _check(results: SearchResults) -> None:
    assert isinstance(results, SearchResults)
    assert results.total >= len(results.hits)
    assert 1 <= results.per_page <= 50
    for hit in results.hits:
        assert "<script" not in hit.snippet


@pytest.mark.parametrize("text", NASTY)
def test_nasty_text(searcher: Searcher, text: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="search_index"):
        _check(search(searcher, SearchRequest(q=text), cache=None))
        _check(search(searcher, SearchRequest(q=text, categories=("housing",), open_now=True, lang="es"), cache=None))
    assert not caplog.records


floats = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-1000, 1000), st.none())
anything = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20), st.lists(st.text(max_size=5), max_size=3))
datetimes = st.one_of(
    st.none(),
    st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30)),
    st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30), timezones=st.timezones()),
    anything,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    q=st.one_of(st.text(max_size=300), st.text(alphabet=st.characters(codec="utf-8"), max_size=60), anything),
    categories=st.one_of(st.lists(st.text(max_size=12), max_size=4).map(tuple), anything),
    languages=st.one_of(st.lists(st.sampled_from(["en", "es", "ht", "", "EN", "xx-yy"]), max_size=3).map(tuple), anything),
    open_now=anything,
    near=st.one_of(st.none(), st.tuples(floats, floats), anything),
    zip_code=st.one_of(st.none(), st.sampled_from(["32771", "32701", "99999", "1234", ""]), anything),
    radius_km=st.one_of(floats, anything),
    free=anything,
    age=st.one_of(st.none(), st.integers(-5, 200), anything),
    walk_in=anything,
    page=st.one_of(st.integers(-3, 2000), anything),
    per_page=st.one_of(st.integers(-3, 200), anything),
    now=datetimes,
    today=st.one_of(st.none(), st.dates(), anything),
    stale_after_days=st.one_of(st.integers(-10, 100_000), anything),
    lang=st.one_of(st.sampled_from(["en", "es", "fr", ""]), anything),
)
def test_fuzz_never_raises(searcher: Searcher, caplog: pytest.LogCaptureFixture, **params: object) -> None:
    request = SearchRequest(**params)  # type: ignore[arg-type]
    with caplog.at_level(logging.ERROR, logger="search_index"):
        results = search(searcher, request, cache=None)
        validate_request(request)
    _check(results)
    assert not caplog.records, [r.getMessage() for r in caplog.records]


def test_validation_names_each_bad_field() -> None:
    request = SearchRequest(
        q=5,  # type: ignore[arg-type]
        categories=("Housing!",),
        languages=("english",),
        near=(91.0, 0.0),
        zip_code="3277",
        radius_km=-1,
        age=131,
        page=0,
        per_page=51,
        now=dt.datetime(2026, 1, 1),
        stale_after_days=0,
        lang="fr",
    )
    errors = validate_request(request)
    assert set(errors) == {
        "q", "category", "language", "lat", "zip", "radius_km", "age", "page", "per_page", "now",
        "stale_after_days", "lang",
    }
    assert validate_request(SearchRequest(q="food", near=(28.8, -81.2), radius_km=5)) == {}
    assert "radius_km" in validate_request(SearchRequest(radius_km=5))
    assert "lon" in validate_request(SearchRequest(near=(0.0, math.inf)))


def test_parse_request_from_query_parameters() -> None:
    now = dt.datetime(2026, 11, 24, 12, tzinfo=dt.timezone.utc)
    request = parse_request(
        {"q": " shelter ", "category": ["housing", "abuse,childcare"], "language": "es", "open_now": "true",
         "lat": "28.8", "lon": "-81.27", "radius_km": "10", "free": "1", "age": "15", "walk_in": "no",
         "page": "2", "per_page": "20", "lang": "es"},
        now=now,
    )
    assert request.categories == ("housing", "abuse", "childcare")
    assert request.languages == ("es",) and request.open_now and request.free and not request.walk_in
    assert request.near == (28.8, -81.27) and request.radius_km == 10.0 and request.age == 15
    assert (request.page, request.per_page, request.lang, request.now) == (2, 20, "es", now)
    with pytest.raises(InvalidRequest) as error:
        parse_request({"lat": "x", "age": "old", "page": "1.5", "open_now": "maybe", "lon": "nan"})
    assert set(error.value.errors) == {"lat", "lon", "age", "page", "open_now"}
    with pytest.raises(InvalidRequest) as error:
        parse_request({"lat": "28.8"})
    assert set(error.value.errors) == {"lon"}
    assert parse_request({}) == SearchRequest()
    assert parse_request({"near": "28.8, -81.27", "radius_km": "5"}).near == (28.8, -81.27)
    for params, wrong in (({"near": "28.8"}, {"near"}), ({"near": "28.8,-81.2", "zip": "32771"}, {"zip"}),
                          ({"near": "x,-81.2"}, {"lat"})):
        with pytest.raises(InvalidRequest) as error:
            parse_request(params)
        assert set(error.value.errors) == wrong, params
