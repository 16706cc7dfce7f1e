"""Catching an index up with the change journal: committed data only, idempotent, crash-safe."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker
from whoosh.searching import Searcher

from directory_data.journal import record_service_changes
from directory_data.models import Service, ServiceStatus
from search_factory import make_service
from directory_data.journal import install_journal_hooks
from search_index.engine.layout import IndexLayout
from search_index.upkeep.rebuild import rebuild_index
from search_index.engine.store import IndexUnavailable, SearcherPool
from search_index.upkeep.sync import IndexSync, read_cursor


@pytest.fixture
def factory(session_factory: sessionmaker[Session]) -> sessionmaker[Session]:
    install_journal_hooks(session_factory)
    return session_factory


@pytest.fixture
def layout(tmp_path: Path) -> IndexLayout:
    return IndexLayout(tmp_path / "index")


def names(searcher: Searcher) -> list[str]:
    return sorted(str(doc["name"]) for doc in searcher.documents())


def test_catch_up_needs_an_index(factory: sessionmaker[Session], layout: IndexLayout) -> None:
    with pytest.raises(IndexUnavailable):
        IndexSync(layout, factory).catch_up()


def test_commits_are_applied_and_deletes_removed(factory: sessionmaker[Session], layout: IndexLayout) -> None:
    with factory.begin() as session:
        pantry = make_service(session, "Food Pantry")
    rebuild_index(layout, factory)
    sync = IndexSync(layout, factory)
    pool = SearcherPool(layout)
    with factory.begin() as session:
        make_service(session, "Night Shelter")
        session.get(Service, pantry.id).name = "Food Pantry Plus"
    result = sync.catch_up()
    assert (result.written, result.deleted) == (2, 0)
    with pool.searcher() as s:
        assert names(s) == ["Food Pantry Plus", "Night Shelter"]
    with factory.begin() as session:
        session.get(Service, pantry.id).status = ServiceStatus.defunct
    assert sync.catch_up().deleted == 1
    with pool.searcher() as s:
        assert names(s) == ["Night Shelter"]
        assert s.doc_count() == 1
    assert pool.stats["opened"] == 1, "searchers are refreshed, not reopened"
    assert "up to date" in sync.catch_up().summary()


def test_rollback_leaves_no_phantom_document(factory: sessionmaker[Session], layout: IndexLayout) -> None:
    rebuild_index(layout, factory)
    sync = IndexSync(layout, factory)
    with factory() as session:
        make_service(session, "Phantom Clinic")
        session.flush()
        session.rollback()
    assert sync.catch_up().entries == 0
    with SearcherPool(layout).searcher() as s:
        assert s.doc_count() == 0


def test_entries_of_services_that_never_existed_are_harmless(
    factory: sessionmaker[Session], layout: IndexLayout
) -> None:
    rebuild_index(layout, factory)
    with factory.begin() as session:
        record_service_changes(session, ["no-such-service"])
    result = IndexSync(layout, factory).catch_up()
    assert (result.entries, result.written, result.deleted) == (1, 0, 1)


def test_applying_twice_is_idempotent(factory: sessionmaker[Session], layout: IndexLayout) -> None:
    """A process killed after the index commit but before saving the cursor re-applies: no harm."""
    rebuild_index(layout, factory)
    sync = IndexSync(layout, factory)
    with factory.begin() as session:
        for i in range(3):
            make_service(session, f"Clinic {i}")
    generation = layout.current()
    assert generation is not None
    before = generation.state_path.read_text()
    sync.catch_up()
    generation.state_path.write_text(before)  # as if the cursor had never been saved
    assert sync.catch_up().entries == 3
    with SearcherPool(layout).searcher() as s:
        assert names(s) == ["Clinic 0", "Clinic 1", "Clinic 2"]


def test_busy_lock_is_reported_not_waited_for(factory: sessionmaker[Session], layout: IndexLayout) -> None:
    rebuild_index(layout, factory)
    with factory.begin() as session:
        make_service(session, "Clinic")
    generation = layout.current()
    assert generation is not None
    with generation.sync_lock().hold():
        result = IndexSync(layout, factory).catch_up(lock_timeout=0.0)
    assert result.busy and "another process" in result.summary()
    assert IndexSync(layout, factory).catch_up().written == 1


def test_one_call_applies_every_batch(factory: sessionmaker[Session], layout: IndexLayout) -> None:
    rebuild_index(layout, factory)
    with factory.begin() as session:
        record_service_changes(session, [f"id-{i}" for i in range(5)])
    sync = IndexSync(layout, factory, batch=2)
    assert sync.catch_up().entries == 5
    assert sync.catch_up().entries == 0


def test_cursor_is_saved_as_json(factory: sessionmaker[Session], layout: IndexLayout) -> None:
    rebuild_index(layout, factory)
    with factory.begin() as session:
        make_service(session, "Clinic")
    IndexSync(layout, factory).catch_up()
    generation = layout.current()
    assert generation is not None
    saved = json.loads(generation.state_path.read_text())
    assert saved["position"] == read_cursor(generation).position > 0


def stored_documents(layout: IndexLayout) -> dict[str, dict[str, object]]:
    with SearcherPool(layout).searcher() as s:
        return {str(doc["id"]): doc for doc in s.documents()}


def test_a_catch_up_of_many_services_holds_what_a_rebuild_holds(
    factory: sessionmaker[Session], layout: IndexLayout, tmp_path: Path
) -> None:
    """New, edited and defunct services applied in one batch: the index then holds what a
    rebuild holds, the edited one replaced and the defunct one removed."""
    with factory.begin() as session:
        old = [make_service(session, f"Old Clinic {i}", description="counseling").id for i in range(3)]
    rebuild_index(layout, factory)
    with factory.begin() as session:
        for i in range(8):
            make_service(session, f"Shelter {i}", description="emergency shelter beds", categories=["housing"])
        session.get(Service, old[0]).name = "Renamed Clinic"
        session.get(Service, old[1]).status = ServiceStatus.defunct
    result = IndexSync(layout, factory).catch_up()
    assert (result.written, result.deleted) == (9, 1)
    with SearcherPool(layout).searcher() as s:
        assert s.doc_count() == 10
    fresh = IndexLayout(tmp_path / "fresh")
    rebuild_index(fresh, factory)
    assert stored_documents(layout) == stored_documents(fresh)
    with SearcherPool(layout).searcher() as s:
        assert len(list(s.documents(description="shelter"))) == 8
        assert [d["name"] for d in s.documents(name="renam")] == ["Renamed Clinic"]
