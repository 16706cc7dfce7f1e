"""The journal reader tells display caches what changed, after the index has it."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import insert
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from directory_data.journal import install_journal_hooks, record_service_changes
from directory_data.models import ChangeJournalEntry, Phone, Service, utcnow
from kiosk.db import get_database
from kiosk.search import wait_caught_up
from kiosk_directory import make_directory
from search_factory import make_service
from search_index.engine.layout import IndexLayout
from search_index.engine.store import SearcherPool
from search_index.upkeep.follower import Follower
from search_index.upkeep.rebuild import rebuild_index


def _follower(session_factory: sessionmaker[Session], tmp_path: Path, **kwargs: object) -> tuple[Follower, list]:
    """A follower whose passes the test runs by hand (its thread is never started)."""
    layout = IndexLayout(tmp_path / "index")
    rebuild_index(layout, session_factory)
    heard: list[frozenset[str] | None] = []
    follower = Follower(layout, session_factory, **kwargs)  # type: ignore[arg-type]
    follower.subscribe(heard.append)
    return follower, heard


def test_each_pass_reports_what_was_journaled_since_the_last(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    follower, heard = _follower(session_factory, tmp_path)
    assert follower.poll()
    assert heard == [None]  # the first read: anything may have changed before it
    with session_factory.begin() as session:
        record_service_changes(session, ["a", "b"])
    assert follower.poll()
    assert heard == [None, frozenset({"a", "b"})]
    assert follower.poll()
    assert len(heard) == 2  # nothing new: nobody is told


def test_subscribers_hear_of_a_change_once_the_index_has_it(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    install_journal_hooks(session_factory)
    follower, _heard = _follower(session_factory, tmp_path)
    follower.poll()
    seen: list[int] = []

    def count_documents(_ids: frozenset[str] | None) -> None:
        with SearcherPool(follower.layout).searcher() as searcher:
            seen.append(searcher.doc_count())

    follower.subscribe(count_documents)
    with session_factory.begin() as session:
        make_service(session, "Harbor House")
    follower.poll()
    assert seen == [1]


def test_a_late_commit_with_a_lower_seq_is_still_reported(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    """Seq 2 becomes visible after seq 3, as on PostgreSQL when its transaction commits later."""
    def insert_at(seq: int, service_id: str) -> None:
        with session_factory.begin() as session:
            session.execute(insert(ChangeJournalEntry).values(seq=seq, service_id=service_id, changed_at=utcnow()))

    insert_at(1, "first")
    insert_at(3, "early-committer")
    follower, heard = _follower(session_factory, tmp_path)
    follower.poll()
    insert_at(2, "late-committer")
    follower.poll()
    assert heard == [None, frozenset({"late-committer"})]


def test_a_backlog_beyond_the_read_limit_means_anything_changed(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    follower, heard = _follower(session_factory, tmp_path, read_limit=3)
    follower.poll()
    with session_factory.begin() as session:
        record_service_changes(session, ["a", "b", "c", "d"])
    follower.poll()
    assert heard == [None, None]
    with session_factory.begin() as session:
        record_service_changes(session, ["e"])
    follower.poll()  # the reader starts again from the journal's end
    assert heard[-1] == frozenset({"e"})


def test_a_failed_read_is_noted_and_the_next_pass_tries_again(
    session_factory: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    follower, heard = _follower(session_factory, tmp_path)
    follower.poll()

    def unreachable() -> Session:
        raise OperationalError("connect", {}, Exception("database unreachable"))

    monkeypatch.setattr(follower, "session_factory", unreachable)
    assert not follower.poll()
    assert follower.last_error is not None and "unreachable" in follower.last_error[1]
    monkeypatch.undo()
    with session_factory.begin() as session:
        record_service_changes(session, ["a"])
    assert follower.poll()
    assert heard == [None, frozenset({"a"})] and follower.last_error is None


def test_pages_follow_another_process_within_the_interval(
    app_factory: object, session_factory: sessionmaker[Session]
) -> None:
    """An edit committed elsewhere (another worker or host: here, a session factory of another
    app) reaches a cached detail page through the app's journal reader, without a restart."""
    app: Flask = app_factory()  # type: ignore[operator]
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
    assert wait_caught_up(app)  # the app's journal reader, in its own thread
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
