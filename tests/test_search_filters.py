"""Every filter: open now (time zones, two spans a day, overnight, closures), distance with a
radius or a ZIP centroid, language, free, age and walk-in; and the opening-hours encoding."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from whoosh.searching import Searcher

from search_factory import no_search_errors, ALTAMONTE, MIAMI, OVIEDO, SANFORD, TODAY, Sample, build_sample
from directory_data.distance import haversine_km
from search_index.hours import is_open
from search_index.query.results import SearchResults
from search_index.query.searching import SearchRequest, search

NY = ZoneInfo("America/New_York")
CHI = ZoneInfo("America/Chicago")


@pytest.fixture(scope="module")
def sample(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Sample:
    return build_sample(engine, tmp_path_factory.mktemp("filter-index"))


@pytest.fixture(scope="module")
def searcher(sample: Sample) -> Iterator[Searcher]:
    with sample.index.searcher() as s:
        yield s


def run(searcher: Searcher, q: str = "", **kw: Any) -> SearchResults:
    kw.setdefault("now", dt.datetime(2026, 11, 24, 10, 30, tzinfo=NY))
    kw.setdefault("today", TODAY)
    kw.setdefault("per_page", 50)
    return search(searcher, SearchRequest(q=q, **kw), cache=None)


def found(sample: Sample, results: SearchResults) -> set[str]:
    return {sample.key_of(h.service_id) for h in results.hits}


def open_at(searcher: Searcher, sample: Sample, when: dt.datetime) -> set[str]:
    return found(sample, run(searcher, open_now=True, now=when))


# -- open now ----------------------------------------------------------------------------------


def test_open_now_with_two_spans_a_day(searcher: Searcher, sample: Sample) -> None:
    tuesday = dt.date(2026, 11, 24)
    morning = open_at(searcher, sample, dt.datetime.combine(tuesday, dt.time(10, 0), NY))
    lunch = open_at(searcher, sample, dt.datetime.combine(tuesday, dt.time(12, 30), NY))
    afternoon = open_at(searcher, sample, dt.datetime.combine(tuesday, dt.time(16, 59), NY))
    assert "counseling" in morning and "counseling" not in lunch and "counseling" in afternoon
    # Around the clock, and never for listings without hours.
    assert {"988", "dv-hotline", "csu"} <= morning & lunch
    assert "food" not in morning


def test_open_now_overnight_span(searcher: Searcher, sample: Sample) -> None:
    late = open_at(searcher, sample, dt.datetime(2026, 11, 24, 23, 30, tzinfo=NY))
    early = open_at(searcher, sample, dt.datetime(2026, 11, 25, 6, 0, tzinfo=NY))
    noon = open_at(searcher, sample, dt.datetime(2026, 11, 25, 12, 0, tzinfo=NY))
    assert "mens-shelter" in late and "mens-shelter" in early and "mens-shelter" not in noon
    # Sunday night into Monday morning wraps around the week.
    assert "mens-shelter" in open_at(searcher, sample, dt.datetime(2026, 11, 30, 3, 0, tzinfo=NY))


def test_open_now_respects_holiday_closures(searcher: Searcher, sample: Sample) -> None:
    thanksgiving = open_at(searcher, sample, dt.datetime(2026, 11, 26, 10, 0, tzinfo=NY))
    assert "counseling" not in thanksgiving and "daycare" in thanksgiving
    assert "counseling" in open_at(searcher, sample, dt.datetime(2026, 11, 30, 10, 0, tzinfo=NY))


def test_open_now_is_time_zone_aware(searcher: Searcher, sample: Sample) -> None:
    # 09:30 in New York is 08:30 in Chicago: the Chicago line is not open yet.
    assert "chicago" not in open_at(searcher, sample, dt.datetime(2026, 11, 24, 9, 30, tzinfo=NY))
    assert "chicago" in open_at(searcher, sample, dt.datetime(2026, 11, 24, 10, 30, tzinfo=NY))
    # The same instant given in UTC or in Chicago time gives the same answer.
    instant = dt.datetime(2026, 11, 24, 17, 30, tzinfo=dt.timezone.utc)  # 11:30 Chicago
    assert open_at(searcher, sample, instant) == open_at(searcher, sample, instant.astimezone(CHI))
    # 16:30 in Chicago is 17:30 in New York: New York counseling closed, Chicago line open.
    evening = open_at(searcher, sample, dt.datetime(2026, 11, 24, 16, 30, tzinfo=CHI))
    assert "chicago" in evening and "counseling" not in evening


def test_hits_say_whether_they_are_open(searcher: Searcher, sample: Sample) -> None:
    results = run(searcher, "", now=dt.datetime(2026, 11, 24, 12, 30, tzinfo=NY))
    flags = {sample.key_of(h.service_id): h.open_now for h in results.hits}
    assert flags["988"] is True and flags["counseling"] is False and flags["food"] is None


def test_is_open_edges() -> None:
    hours = {"tz": "America/New_York", "w": [[540, 1020]], "c": [[0, 0]], "s": []}
    monday_9 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=NY)
    assert is_open({"tz": "America/New_York", "w": [[540, 1020]]}, monday_9) is True
    assert is_open({"tz": "America/New_York", "w": [[540, 1020]]}, monday_9 - dt.timedelta(minutes=1)) is False
    assert is_open({"tz": "America/New_York", "w": [[540, 1020]]}, monday_9 + dt.timedelta(hours=8)) is False
    assert is_open(None, monday_9) is None
    assert is_open({"tz": "Not/AZone", "w": [[540, 1020]]}, monday_9) is True
    special = {"tz": "America/New_York", "w": [[540, 1020]], "s": [[TODAY.toordinal() - 1, TODAY.toordinal() - 1, 600, 660]]}
    assert is_open(special, monday_9) is False and is_open(special, monday_9.replace(hour=10, minute=30)) is True
    assert hours  # a closure with open bounds closes every day
    assert is_open(hours, monday_9) is False


# -- distance ----------------------------------------------------------------------------------


def test_radius_from_a_point(searcher: Searcher, sample: Sample) -> None:
    near = found(sample, run(searcher, "", near=SANFORD, radius_km=5))
    assert near == {"mens-shelter", "old-shelter", "csu", "daycare"}
    wider = found(sample, run(searcher, "", near=SANFORD, radius_km=25))
    assert {"dv-shelter", "food", "rent", "counseling"} <= wider and "miami" not in wider


def test_distance_aware_ranking_and_distances(searcher: Searcher, sample: Sample) -> None:
    results = run(searcher, "shelter", near=MIAMI)
    assert found(sample, results)
    first = results.hits[0]
    assert sample.key_of(first.service_id) == "miami"
    assert first.distance_km is not None and first.distance_km < 1
    from_sanford = run(searcher, "shelter", near=SANFORD)
    assert sample.key_of(from_sanford.hits[0].service_id) == "mens-shelter"
    miami = next(h for h in from_sanford.hits if sample.key_of(h.service_id) == "miami")
    assert miami.distance_km == pytest.approx(haversine_km(SANFORD, MIAMI), abs=0.05)


def test_sorted_by_distance_the_best_matches_come_nearest_first(searcher: Searcher, sample: Sample) -> None:
    relevance = run(searcher, "shelter", near=SANFORD)
    assert relevance.sorted_by == "relevance" and all(h.best_match for h in relevance.hits)
    nearest = run(searcher, "shelter", near=SANFORD, sort="distance")
    assert nearest.sorted_by == "distance" and nearest.total == relevance.total
    assert {h.service_id for h in nearest.hits} == {h.service_id for h in relevance.hits}
    best = [h for h in nearest.hits if h.best_match]
    others = [h for h in nearest.hits if not h.best_match]
    assert best and nearest.hits == best + others, "the best matches first, then the others"
    for group in (best, others):
        known = [h.distance_km for h in group if h.distance_km is not None]
        assert known == sorted(known)
    top = max(h.score for h in nearest.hits)
    assert all(h.score >= 0.5 * top for h in best) and all(h.score < 0.5 * top for h in others)
    # Browsing has no better or worse matches: everything nearest first.
    browse = run(searcher, "", near=OVIEDO, sort="distance")
    assert all(h.best_match for h in browse.hits)
    known = [h.distance_km for h in browse.hits if h.distance_km is not None]
    assert known == sorted(known) and len(known) > 3
    # Without a point there is nothing to sort by.
    assert run(searcher, "shelter", sort="distance").sorted_by == "relevance"


def test_browse_near_a_point_orders_by_distance(searcher: Searcher, sample: Sample) -> None:
    results = run(searcher, "", near=OVIEDO)
    distances = [h.distance_km for h in results.hits if h.distance_km is not None and not h.stale]
    assert distances[:3] == sorted(distances[:3])
    assert sample.key_of(results.hits[0].service_id) in {"dv-shelter", "teen-counseling", "food"}


def test_zip_code_centroid_from_the_directory(searcher: Searcher, sample: Sample) -> None:
    by_zip = found(sample, run(searcher, "", zip_code="32701", radius_km=3))
    by_point = found(sample, run(searcher, "", near=ALTAMONTE, radius_km=3))
    assert by_zip == by_point == {"rent", "counseling", "sexual-health"}
    unknown = run(searcher, "", zip_code="99999", radius_km=3)
    assert "zip-unknown" in unknown.notices and unknown.total > 0


# -- other filters -----------------------------------------------------------------------------


def test_language_filter(searcher: Searcher, sample: Sample) -> None:
    assert found(sample, run(searcher, "", languages=("es",))) == {"988", "counseling", "daycare"}
    assert "daycare" in found(sample, run(searcher, "guarderia", languages=("es",)))
    assert found(sample, run(searcher, "", languages=("ht",))) == set()


def test_free_filter(searcher: Searcher, sample: Sample) -> None:
    free = found(sample, run(searcher, "counseling", free=True))
    assert "teen-counseling" in free and "counseling" not in free


def test_age_filter(searcher: Searcher, sample: Sample) -> None:
    for_15 = found(sample, run(searcher, "counseling", age=15))
    assert "teen-counseling" in for_15 and "counseling" not in for_15
    for_30 = found(sample, run(searcher, "counseling", age=30))
    assert "counseling" in for_30 and "teen-counseling" not in for_30
    assert "mens-shelter" not in found(sample, run(searcher, "shelter", age=15))
    assert "vpk" in found(sample, run(searcher, "", age=4)) and "vpk" not in found(sample, run(searcher, "", age=6))


def test_walk_in_filter(searcher: Searcher, sample: Sample) -> None:
    assert found(sample, run(searcher, "", walk_in=True)) == {"mens-shelter", "teen-counseling", "food"}


def test_filters_combine(searcher: Searcher, sample: Sample) -> None:
    results = run(searcher, "counseling", free=True, walk_in=True, age=14, near=OVIEDO, radius_km=10)
    assert found(sample, results) == {"teen-counseling"}
    assert results.total == 1


def test_several_categories_are_any_of(searcher: Searcher, sample: Sample) -> None:
    both = found(sample, run(searcher, "", categories=("childcare", "abuse")))
    assert {"daycare", "vpk", "dv-shelter", "dv-hotline"} <= both and "mens-shelter" not in both


def test_open_mask_agrees_with_is_open_everywhere(searcher: Searcher) -> None:
    from search_index.engine.view import view_for

    view, leaves = view_for(searcher)
    start = dt.datetime(2026, 11, 23, 0, 7, tzinfo=dt.timezone.utc)
    for step in range(0, 8 * 24 * 60, 97):  # every 97 minutes over eight days
        when = start + dt.timedelta(minutes=step)
        mask = view.open_mask(leaves, when)
        for docnum in range(view.doc_count):
            assert bool(mask[docnum]) == bool(view.open_flag(leaves, docnum, when)), (docnum, when)


@pytest.fixture(autouse=True)
def _fail_on_search_errors(no_search_errors: None) -> None:
    """Every test here fails if the search layer logged an error."""
