"""Opening the live index, and pooled searchers that are refreshed correctly."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker
from whoosh import index as whoosh_index
from whoosh.fields import ID, TEXT, Schema

from search_factory import make_service
from directory_data.journal import install_journal_hooks
from search_index.engine.layout import IndexLayout
from search_index.upkeep.rebuild import rebuild_index
from search_index.engine.store import IndexUnavailable, SearcherPool, index_health, open_current, refresh_searcher
from search_index.upkeep.sync import IndexSync


def _toy_index(path: Path) -> whoosh_index.FileIndex:
    return whoosh_index.create_in(str(path), Schema(id=ID(stored=True, unique=True), t=TEXT))


def test_whoosh_refresh_is_broken_and_ours_is_not(tmp_path: Path) -> None:
    """Whoosh 2.7.x ``Searcher.refresh()`` shows merged-away and updated documents twice."""
    ix = _toy_index(tmp_path)
    for i in range(3):
        with ix.writer() as w:
            w.merge = False
            w.add_document(id=str(i), t="x")
    theirs = ix.searcher()
    ours = ix.searcher()
    ix.optimize()
    with ix.writer() as w:
        w.update_document(id="1", t="y")
    with ix.writer() as w:
        w.delete_by_term("id", "2")
    theirs = theirs.refresh()
    ours = refresh_searcher(ix, ours)
    assert sorted(d["id"] for d in ours.documents()) == ["0", "1"]
    assert sorted(d["id"] for d in theirs.documents()) != ["0", "1"]  # the upstream bug, kept in view
    assert ours.up_to_date()
    ours.close()


def test_refresh_reuses_unchanged_segments(tmp_path: Path) -> None:
    ix = _toy_index(tmp_path)
    with ix.writer() as w:
        for i in range(50):
            w.add_document(id=str(i), t="x")
    searcher = ix.searcher()
    (big,) = [leaf for leaf, _ in searcher.reader().leaf_readers()]
    with ix.writer() as w:
        w.merge = False
        w.add_document(id="new", t="x")
    searcher = refresh_searcher(ix, searcher)
    leaves = [leaf for leaf, _ in searcher.reader().leaf_readers()]
    assert big in leaves and len(leaves) == 2
    assert searcher.doc_count() == 51


@pytest.fixture
def built(session_factory: sessionmaker[Session], tmp_path: Path) -> tuple[IndexLayout, sessionmaker[Session]]:
    install_journal_hooks(session_factory)
    with session_factory.begin() as session:
        for name in ("Food Pantry", "Night Shelter", "Legal Aid"):
            make_service(session, name)
    layout = IndexLayout(tmp_path / "index")
    rebuild_index(layout, session_factory)
    return layout, session_factory


def test_pool_gives_each_thread_its_own_searcher(built: tuple[IndexLayout, sessionmaker[Session]]) -> None:
    layout, _factory = built
    pool = SearcherPool(layout)
    inside = threading.Barrier(4)
    held: list[int] = []
    lock = threading.Lock()

    def use() -> None:
        with pool.searcher() as s:
            with lock:
                held.append(id(s))
            inside.wait(timeout=10)
            assert s.doc_count() == 3

    threads = [threading.Thread(target=use) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(held)) == 4, "a searcher is never used by two threads at once"
    assert pool.stats["idle"] == 4
    with pool.searcher() as s:  # kept and reused afterwards
        assert id(s) in held
    pool.close()


def test_pool_follows_a_swap_to_a_new_generation(built: tuple[IndexLayout, sessionmaker[Session]]) -> None:
    layout, factory = built
    pool = SearcherPool(layout)
    with pool.searcher() as s:
        assert s.doc_count() == 3
    with factory.begin() as session:
        make_service(session, "Youth Center")
    rebuild_index(layout, factory)
    with pool.searcher() as s:
        assert s.doc_count() == 4
    assert pool.stats["opened"] == 2


def test_searcher_left_broken_by_an_error_is_not_reused(built: tuple[IndexLayout, sessionmaker[Session]]) -> None:
    layout, _factory = built
    pool = SearcherPool(layout)
    with pytest.raises(RuntimeError):
        with pool.searcher():
            raise RuntimeError("boom")
    assert pool.stats["idle"] == 0


def test_schema_version_mismatch_is_unavailable(built: tuple[IndexLayout, sessionmaker[Session]]) -> None:
    layout, factory = built
    generation = layout.current()
    assert generation is not None
    meta = json.loads(generation.meta_path.read_text())
    generation.meta_path.write_text(json.dumps({**meta, "schema_version": -1}))
    assert "schema version" in (index_health(layout) or "")
    with pytest.raises(IndexUnavailable):
        IndexSync(layout, factory).catch_up()


def test_corrupt_index_is_unavailable(built: tuple[IndexLayout, sessionmaker[Session]]) -> None:
    layout, _factory = built
    generation = layout.current()
    assert generation is not None
    for toc in generation.path.glob("_MAIN_*.toc"):
        toc.write_bytes(b"garbage")
    with pytest.raises(IndexUnavailable):
        open_current(layout)


def test_no_pointer_is_unavailable(tmp_path: Path) -> None:
    assert "no index" in (index_health(IndexLayout(tmp_path / "none")) or "")
