"""A process's follower: rate-limited polls, inline catch-ups, background work for big backlogs."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from directory_data.journal import record_service_changes
from search_factory import make_service
from search_index.upkeep import follower as follower_module
from search_index.upkeep.follower import Follower, bring_up_to_date
from directory_data.journal import install_journal_hooks
from search_index.engine.layout import IndexLayout
from search_index.upkeep.rebuild import rebuild_index
from search_index.engine.store import SearcherPool, index_health
from search_index.upkeep.sync import IndexSync


@pytest.fixture
def layout(tmp_path: Path) -> IndexLayout:
    return IndexLayout(tmp_path / "index")


def doc_count(layout: IndexLayout) -> int:
    with SearcherPool(layout).searcher() as s:
        return s.doc_count()


def add(factory: sessionmaker[Session], count: int) -> None:
    with factory.begin() as session:
        for i in range(count):
            make_service(session, f"Service {i}")


def test_the_thread_brings_in_commits_made_elsewhere(session_factory: sessionmaker[Session], layout: IndexLayout) -> None:
    install_journal_hooks(session_factory)
    rebuild_index(layout, session_factory)
    follower = Follower(layout, session_factory, interval=0.05)
    follower.start()
    try:
        add(session_factory, 1)  # committed elsewhere: no after-commit call reaches this follower
        assert follower.wait_caught_up(timeout=30)
        assert doc_count(layout) == 1
    finally:
        follower.stop()


def test_a_small_commit_here_is_searchable_when_the_commit_returns(
    session_factory: sessionmaker[Session], layout: IndexLayout
) -> None:
    rebuild_index(layout, session_factory)
    follower = Follower(layout, session_factory, interval=60.0, inline_limit=5)
    install_journal_hooks(session_factory, on_commit=follower.committed)
    try:
        add(session_factory, 2)
        assert doc_count(layout) == 2  # the commit waited for the thread
        add(session_factory, 7)  # more than inline_limit: the thread is woken, not waited for
        assert follower.wait_caught_up(timeout=60)
        assert doc_count(layout) == 9
        assert not IndexSync(layout, session_factory).pending()
    finally:
        follower.stop()


def test_a_pass_applies_a_backlog_and_a_stopped_follower_waits_no_more(
    session_factory: sessionmaker[Session], layout: IndexLayout
) -> None:
    install_journal_hooks(session_factory)
    rebuild_index(layout, session_factory)
    add(session_factory, 6)
    follower = Follower(layout, session_factory)
    assert follower.poll()  # what the thread does each interval
    assert doc_count(layout) == 6
    follower.stop()
    assert not follower.wait_caught_up(timeout=1)


def test_a_missing_index_is_built_by_the_thread(session_factory: sessionmaker[Session], layout: IndexLayout) -> None:
    add(session_factory, 3)
    follower = Follower(layout, session_factory)
    try:
        assert index_health(layout) is not None
        assert follower.wait_ready(timeout=60)
        assert doc_count(layout) == 3
    finally:
        follower.stop()


def test_bring_up_to_date_rebuilds_when_far_behind(
    session_factory: sessionmaker[Session], layout: IndexLayout, monkeypatch: pytest.MonkeyPatch
) -> None:
    rebuild_index(layout, session_factory)
    monkeypatch.setattr(follower_module, "REBUILD_BACKLOG", 3)
    with session_factory.begin() as session:
        record_service_changes(session, ["a", "b"])
    assert "applied 2" in bring_up_to_date(layout, session_factory)
    with session_factory.begin() as session:
        record_service_changes(session, ["c", "d", "e", "f"])
    said = bring_up_to_date(layout, session_factory)
    assert said.startswith("rebuilt") and "journal entries pending" in said


def test_bring_up_to_date_rebuilds_a_backlog_larger_than_a_process_share(
    session_factory: sessionmaker[Session], layout: IndexLayout, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first big import into a small index: rebuilding in 2 processes beats applying it."""
    install_journal_hooks(session_factory)
    monkeypatch.setattr(follower_module, "PARALLEL_MIN", 4)
    add(session_factory, 4)
    rebuild_index(layout, session_factory)
    add(session_factory, 3)  # 3 entries < PARALLEL_MIN: applied
    assert bring_up_to_date(layout, session_factory, processes=2).startswith("applied")
    add(session_factory, 8)  # 8 entries * 2 processes > 15 services: rebuilt
    said = bring_up_to_date(layout, session_factory, processes=2)
    assert said.startswith("rebuilt") and "with 2 writer process(es)" in said, said
    assert doc_count(layout) == 15
    add(session_factory, 6)  # 6 * 2 < 21 services: applied
    assert bring_up_to_date(layout, session_factory, processes=2).startswith("applied")
    assert not follower_module.rebuild_pays(100, 1, session_factory), "one process never rebuilds"
    assert doc_count(layout) == 21


def test_idle_passes_open_the_index_again_only_once_its_files_change(
    session_factory: sessionmaker[Session], layout: IndexLayout, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_journal_hooks(session_factory)
    add(session_factory, 2)
    rebuild_index(layout, session_factory)
    opened: list[str | None] = []

    def counted(checked: IndexLayout) -> str | None:
        opened.append(index_health(checked))
        return opened[-1]

    monkeypatch.setattr(follower_module, "index_health", counted)
    follower = Follower(layout, session_factory)
    assert follower.poll() and follower.poll()  # the first pass starts reading; the second is idle
    before = len(opened)
    for _ in range(5):
        assert follower.poll()
    assert len(opened) == before  # nothing changed: not opened
    generation = layout.current()
    assert generation is not None
    meta = generation.meta_path
    meta.write_text(meta.read_text())  # rewritten, same content
    assert follower.poll()
    assert opened[before:] == [None]  # opened once, sound
    assert follower.poll() and opened[before + 1:] == []


def test_an_idle_follower_rebuilds_a_live_index_damaged_under_it(
    session_factory: sessionmaker[Session], layout: IndexLayout
) -> None:
    install_journal_hooks(session_factory)
    add(session_factory, 3)
    rebuild_index(layout, session_factory)
    follower = Follower(layout, session_factory)
    assert follower.poll() and follower.poll()
    damaged = layout.current()
    assert damaged is not None
    next(damaged.path.glob("_MAIN_*.toc")).write_bytes(b"\x00garbage")
    assert index_health(layout) is not None
    assert follower.poll()
    assert index_health(layout) is None
    assert layout.current_name() != damaged.name
    assert doc_count(layout) == 3
