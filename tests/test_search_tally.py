"""Search counts are added up in memory and written in one transaction every few seconds."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from directory_data.models import SearchCount, ZeroResultTerm
from kiosk.search_tally import get_tally
from kiosk_directory import make_directory


def _counts(session_factory: sessionmaker[Session]) -> tuple[dict[str, int], dict[str, int]]:
    with session_factory() as session:
        searches = {row.category: row.searches for row in session.scalars(select(SearchCount))}
        terms = {row.term: row.searches for row in session.scalars(select(ZeroResultTerm))}
    return searches, terms


@pytest.fixture
def slow_app(app_factory: Callable[..., Flask], session_factory: sessionmaker[Session]) -> Flask:
    """An app that writes its counts once an hour (or when asked)."""
    with session_factory() as session:
        make_directory(session)
    return app_factory(SEARCH_COUNTS_INTERVAL=3600)


def test_searches_are_written_together_when_due(slow_app: Flask, session_factory: sessionmaker[Session]) -> None:
    client = slow_app.test_client()
    for path in ("/search?category=housing", "/search?category=housing", "/search?q=tax+storage",
                 "/search?q=tax+storage"):
        client.get(path).close()
    assert _counts(session_factory) == ({}, {})  # not due: nothing written yet, no query made
    tally = get_tally(slow_app)
    tally.interval = 0
    client.get("/search?category=housing&page=2").close()  # due, but a second page is not counted
    assert _counts(session_factory) == ({}, {})
    client.get("/search?category=abuse").close()  # due: everything so far, in one transaction
    assert _counts(session_factory) == ({"housing": 2, "": 2, "abuse": 1}, {"tax storage": 2})


def test_counts_survive_a_failed_write(
    slow_app: Flask, session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    client = slow_app.test_client()
    client.get("/search?category=housing").close()
    tally = get_tally(slow_app)

    def unreachable() -> Session:
        raise ConnectionError("database unreachable")

    monkeypatch.setattr(tally, "session_factory", unreachable)
    tally.write()
    monkeypatch.undo()
    client.get("/search?category=housing").close()
    tally.write()
    assert _counts(session_factory)[0] == {"housing": 2}


def test_the_gap_report_writes_this_process_counts_first(
    slow_app: Flask, session_factory: sessionmaker[Session]
) -> None:
    from staff import make_account, sign_in

    client = slow_app.test_client()
    client.get("/search?category=childcare").close()
    name = make_account(session_factory, "caseworker")
    staff = slow_app.test_client()
    sign_in(staff, name)
    assert staff.get("/admin/reports").status_code == 200
    assert _counts(session_factory)[0] == {"childcare": 1}


def test_a_workers_warm_up_renders_pages_without_counting_searches(
    slow_app: Flask, session_factory: sessionmaker[Session]
) -> None:
    from kiosk.warm_pages import LANGUAGES, PAGES, warm_pages

    sent = warm_pages(slow_app)
    assert sent == len(LANGUAGES) * (len(PAGES) + 1)  # every page, and a listing, in each language
    assert len(get_tally(slow_app).tally) == 0
    assert "lobby/results.html" in {name for _loader, name in slow_app.jinja_env.cache}
    get_tally(slow_app).interval = 0
    slow_app.test_client().get("/search?category=abuse").close()  # a resident's search still counts
    assert _counts(session_factory)[0] == {"abuse": 1}
