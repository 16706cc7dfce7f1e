"""A search answered through the result cache after an edit is exactly what searching again gives.

The curated directory, its real index, and caseworker-style edits committed through the app's
sessions (journaled, applied to the index as every worker applies them, small segments merged
now and then). After every edit each query is answered twice, through the result cache and
without it; the answers must be equal.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import select

from curated_app import with_curated_directory
from directory_data.models import Category, Service, ServiceCategory, ServiceStatus
from kiosk.db import get_database
from kiosk.search import get_search
from search_index.query.cache import ResultCache
from search_index.query.searching import SearchRequest, search

NOW = dt.datetime(2026, 11, 23, 17, 0, tzinfo=dt.timezone.utc)

QUERIES = [
    SearchRequest(q="shelter", now=NOW),
    SearchRequest(q="counseling", now=NOW),
    SearchRequest(q="food", now=NOW),
    SearchRequest(q="rent help", now=NOW),
    SearchRequest(q="child care", now=NOW, per_page=20),
    SearchRequest(q="refugio", now=NOW, lang="es"),
    SearchRequest(q="legal aid eviction", now=NOW),
    SearchRequest(q="after school program", now=NOW, page=2),
    SearchRequest(q="counseling", categories=("mental-health",), now=NOW),
    SearchRequest(q="shelter", free=True, now=NOW),
    SearchRequest(q="parenting classes", languages=("es",), now=NOW),
    SearchRequest(q="quilting", now=NOW),  # nothing found: a "did you mean" is never kept
    SearchRequest(categories=("housing",), now=NOW),
    SearchRequest(categories=("abuse",), now=NOW, per_page=25),
    SearchRequest(categories=("childcare",), now=NOW, page=2),
    SearchRequest(q="", open_now=True, now=NOW),
    SearchRequest(q="i want to hurt myself", now=NOW),  # crisis lines: never kept
]

WORDS = ["shelter", "counseling", "food pantry", "rent", "eviction", "tutoring", "quilting", "refugio",
         "parenting", "after school"]


@pytest.fixture
def curated(app_factory: Callable[..., Flask]) -> Flask:
    """The curated directory with its index, in an app that applies each commit at once."""
    return with_curated_directory(app_factory())


def _answers(app: Flask, cache: ResultCache) -> list[tuple[object, object]]:
    search_state = get_search(app)
    search_state.follower.wait_caught_up()
    with search_state.pool.searcher() as searcher:
        return [(search(searcher, q, cache=cache), search(searcher, q, cache=None)) for q in QUERIES]


def _edit(app: Flask, rng: random.Random) -> str:
    """One random caseworker edit, committed through the app's journaled sessions."""
    with get_database(app).session_factory() as session:
        ids = list(session.scalars(select(Service.id).order_by(Service.id)))
        service = session.get(Service, rng.choice(ids))
        kind = rng.randrange(5)
        if kind == 0:
            service.description = f"{service.description or ''} {rng.choice(WORDS)}".strip()
        elif kind == 1:
            service.description = f"Checked on the phone: {rng.randrange(10_000)}."
        elif kind == 2:
            service.name = f"{service.name} ({rng.choice(['annex', 'north', 'refugio', 'counseling'])})"
        elif kind == 3:  # another category, or one less
            held = set(session.scalars(select(ServiceCategory.category_slug)
                                       .where(ServiceCategory.service_id == service.id)))
            others = sorted(set(session.scalars(select(Category.slug))) - held)
            if others and (not held or rng.random() < 0.5):
                session.add(ServiceCategory(service_id=service.id, category_slug=rng.choice(others),
                                            assigned_by="test"))
            else:
                session.delete(session.get(ServiceCategory, (service.id, rng.choice(sorted(held)))))
        else:
            service.status = rng.choice([ServiceStatus.inactive, ServiceStatus.active])
        session.commit()
        return f"{kind}:{service.id}"


def test_kept_results_equal_a_fresh_search_after_every_edit(curated: Flask) -> None:
    rng = random.Random(20261203)
    cache = ResultCache()
    for cached, fresh in _answers(curated, cache):
        assert cached == fresh
    for step in range(30):
        edit = _edit(curated, rng)
        for request, (cached, fresh) in zip(QUERIES, _answers(curated, cache)):
            assert cached == fresh, (step, edit, request)
    hits = cache.hits
    for cached, fresh in _answers(curated, cache):  # no edit since: every answer from the cache
        assert cached == fresh
    assert cache.hits == hits + len(QUERIES)


def test_an_edit_that_adds_a_query_word_is_found(curated: Flask) -> None:
    cache = ResultCache()
    request = SearchRequest(q="lessons", now=NOW, per_page=50)
    state = get_search(curated)
    with state.pool.searcher() as searcher:
        before = search(searcher, request, cache=cache)
    assert before.total >= 1
    with get_database(curated).session_factory() as session:
        service = session.scalars(select(Service).where(Service.status == ServiceStatus.active,
                                                        Service.id.not_in(before.service_ids))).first()
        service.description = "Zither lessons for teenagers, free."
        session.commit()
        edited = service.id
    state.follower.wait_caught_up()
    with state.pool.searcher() as searcher:
        after = search(searcher, request, cache=cache)
    assert after.total == before.total + 1 and edited in after.service_ids
