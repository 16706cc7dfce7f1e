"""The change feed: display caches learn what changed without a query per request."""

from __future__ import annotations

import time

import pytest
from flask import Flask
from sqlalchemy import insert
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from directory_data.journal import record_service_changes
from directory_data.models import ChangeJournalEntry, Phone, Service, utcnow
from kiosk.db import get_database
from kiosk_directory import make_directory
from search_index.upkeep.change_feed import ChangeFeed


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _feed(session_factory: sessionmaker[Session], clock: Clock, **kwargs: object) -> tuple[ChangeFeed, list]:
    heard: list[frozenset[str] | None] = []
    feed = ChangeFeed(session_factory, interval=0.25, clock=clock, **kwargs)  # type: ignore[arg-type]
    feed.subscribe(heard.append)
    return feed, heard


def test_reads_at_most_every_interval_and_at_once_after_a_commit(session_factory: sessionmaker[Session]) -> None:
    clock = Clock()
    feed, heard = _feed(session_factory, clock)
    feed.poll()
    assert heard == [None]  # the first read: anything may have changed before it
    with session_factory.begin() as session:
        record_service_changes(session, ["a", "b"])
    clock.now += 0.1
    feed.poll()
    assert heard == [None]  # not due yet: no query
    clock.now += 0.2
    feed.poll()
    assert heard == [None, frozenset({"a", "b"})]
    with session_factory.begin() as session:
        record_service_changes(session, ["c"])
    feed.committed()  # this process committed: read now, whatever the clock says
    assert heard[-1] == frozenset({"c"})
    clock.now += 1.0
    feed.poll()
    assert len(heard) == 3  # nothing new: nobody is told


def test_a_late_commit_with_a_lower_seq_is_still_reported(session_factory: sessionmaker[Session]) -> None:
    """Seq 2 becomes visible after seq 3, as on PostgreSQL when its transaction commits later."""
    def insert_at(seq: int, service_id: str) -> None:
        with session_factory.begin() as session:
            session.execute(insert(ChangeJournalEntry).values(seq=seq, service_id=service_id, changed_at=utcnow()))

    insert_at(1, "first")
    insert_at(3, "early-committer")
    clock = Clock()
    feed, heard = _feed(session_factory, clock)
    feed.poll()
    insert_at(2, "late-committer")
    feed.poll(force=True)
    assert heard == [None, frozenset({"late-committer"})]


def test_a_backlog_beyond_the_read_limit_means_anything_changed(session_factory: sessionmaker[Session]) -> None:
    clock = Clock()
    feed, heard = _feed(session_factory, clock, read_limit=3)
    feed.poll()
    with session_factory.begin() as session:
        record_service_changes(session, ["a", "b", "c", "d"])
    feed.poll(force=True)
    assert heard == [None, None]
    with session_factory.begin() as session:
        record_service_changes(session, ["e"])
    feed.poll(force=True)  # the feed starts again from the journal's end
    assert heard[-1] == frozenset({"e"})


def test_a_failed_read_raises_and_the_next_poll_tries_again(
    session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock()
    feed, heard = _feed(session_factory, clock)
    feed.poll()

    def unreachable() -> Session:
        raise OperationalError("connect", {}, Exception("database unreachable"))

    monkeypatch.setattr(feed, "session_factory", unreachable)
    clock.now += 1.0
    with pytest.raises(OperationalError):
        feed.poll()
    feed.committed()  # after a commit a failure is only logged: the commit stands
    monkeypatch.undo()
    with session_factory.begin() as session:
        record_service_changes(session, ["a"])
    feed.poll()  # due at once: the failed reads did not count as reads
    assert heard == [None, frozenset({"a"})]


def test_pages_follow_another_process_within_the_interval(
    app_factory: object, session_factory: sessionmaker[Session]
) -> None:
    """An edit committed elsewhere (another worker or host: here, a session factory of another
    app) reaches a cached detail page once the interval has passed, without a restart."""
    app: Flask = app_factory(LISTING_FRESHNESS_SECONDS=0.2)  # type: ignore[operator]
    other: Flask = app_factory()  # type: ignore[operator]
    with session_factory() as session:
        directory = make_directory(session)
    client = app.test_client()
    path = f"/services/{directory.counseling}"
    assert "Seminole Crisis Counseling Center" in client.get(path).get_data(as_text=True)

    with get_database(other).session_factory() as session:  # journals the edit, as every app does
        service = session.get(Service, directory.counseling)
        service.name = "Seminole Crisis Care"
        session.add(Phone(service_id=service.id, number="(407) 555-0177", source="t", source_id="p1"))
        session.commit()
    time.sleep(0.25)
    html = client.get(path).get_data(as_text=True)
    assert "Seminole Crisis Care" in html and "(407) 555-0177" in html


def test_a_renamed_category_is_named_on_its_results_page(app: Flask, session_factory: sessionmaker[Session]) -> None:
    from directory_data.models import Category

    with session_factory() as session:
        make_directory(session)
    client = app.test_client()
    assert "Housing" in client.get("/search?category=housing").get_data(as_text=True)
    try:
        with get_database(app).session_factory() as session:  # journals the listings that carry it
            session.get(Category, "housing").name_en = "Housing and shelter"
            session.commit()
        assert "Housing and shelter" in client.get("/search?category=housing").get_data(as_text=True)
    finally:  # the mission categories outlive a test's rows
        with session_factory() as session:
            session.get(Category, "housing").name_en = "Housing"
            session.commit()
