"""Full rebuilds: built beside the live index, swapped in atomically, never losing a commit."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from directory_data.models import Service, ServiceStatus
from search_factory import make_service
from search_index.upkeep.follower import bring_up_to_date
from directory_data.journal import install_journal_hooks
from search_index.engine.layout import IndexLayout
from search_index.engine.locking import LockTimeout
from search_index.upkeep.rebuild import rebuild_index
from search_index.engine.store import SearcherPool, index_health
from search_index.upkeep.sync import IndexSync


@pytest.fixture
def factory(session_factory: sessionmaker[Session]) -> sessionmaker[Session]:
    install_journal_hooks(session_factory)
    return session_factory


@pytest.fixture
def layout(tmp_path: Path) -> IndexLayout:
    return IndexLayout(tmp_path / "index")


def add_services(factory: sessionmaker[Session], count: int, prefix: str = "Service") -> list[str]:
    with factory.begin() as session:
        return [make_service(session, f"{prefix} {i}").id for i in range(count)]


def indexed_ids(layout: IndexLayout) -> list[str]:
    with SearcherPool(layout).searcher() as s:
        return sorted(str(d["id"]) for d in s.documents())


def test_serial_rebuild_indexes_live_services_only(factory: sessionmaker[Session], layout: IndexLayout) -> None:
    ids = add_services(factory, 4)
    with factory.begin() as session:
        session.get(Service, ids[0]).status = ServiceStatus.defunct
    report = rebuild_index(layout, factory)
    assert report is not None and report.processes == 1
    assert indexed_ids(layout) == sorted(ids[1:])
    assert report.documents == 3 and report.size_bytes > 0


def test_parallel_rebuild_writes_one_segment_per_process(
    factory: sessionmaker[Session], layout: IndexLayout
) -> None:
    ids = add_services(factory, 30)
    report = rebuild_index(layout, factory, processes=2)
    assert report is not None and report.processes == 2
    assert indexed_ids(layout) == sorted(ids)
    with SearcherPool(layout).searcher() as s:
        assert len(list(s.reader().leaf_readers())) == 2
    generation = layout.current()
    assert generation is not None
    assert not list(generation.path.glob("*.tmp")), "temporary files are cleaned up"


def test_rebuild_swaps_while_readers_keep_searching(factory: sessionmaker[Session], layout: IndexLayout) -> None:
    ids = add_services(factory, 20)
    rebuild_index(layout, factory)
    pool = SearcherPool(layout)
    stop = threading.Event()
    counts: list[int] = []
    errors: list[BaseException] = []

    def search_loop() -> None:
        while not stop.is_set():
            try:
                with pool.searcher() as s:
                    counts.append(s.doc_count())
            except BaseException as error:  # pragma: no cover - reported below
                errors.append(error)

    readers = [threading.Thread(target=search_loop) for _ in range(3)]
    for t in readers:
        t.start()
    try:
        first = layout.current_name()
        for _ in range(3):
            rebuild_index(layout, factory, processes=2)
        assert layout.current_name() != first
    finally:
        stop.set()
        for t in readers:
            t.join()
    assert not errors
    assert counts and set(counts) == {len(ids)}, "readers never saw a partial or empty index"


def test_commit_during_rebuild_is_not_lost(factory: sessionmaker[Session], layout: IndexLayout) -> None:
    add_services(factory, 10)
    rebuild_index(layout, factory)
    done = threading.Event()
    late: list[str] = []

    def edit_during_rebuild() -> None:
        time.sleep(0.2)
        late.extend(add_services(factory, 1, prefix="Late"))
        done.set()

    editor = threading.Thread(target=edit_during_rebuild)
    editor.start()
    rebuild_index(layout, factory, processes=2)  # worker start-up takes longer than 0.2 s
    editor.join()
    IndexSync(layout, factory).catch_up()
    assert late[0] in indexed_ids(layout)


def test_bring_up_to_date_rebuilds_a_corrupt_index(factory: sessionmaker[Session], layout: IndexLayout) -> None:
    ids = add_services(factory, 3)
    rebuild_index(layout, factory)
    generation = layout.current()
    assert generation is not None
    for toc in generation.path.glob("_MAIN_*.toc"):
        toc.write_bytes(b"\x00garbage")
    assert index_health(layout) is not None
    said = bring_up_to_date(layout, factory)
    assert "rebuilt" in said and "cannot be opened" in said
    assert indexed_ids(layout) == sorted(ids)


def test_bring_up_to_date_builds_a_missing_index_then_catches_up(
    factory: sessionmaker[Session], layout: IndexLayout
) -> None:
    add_services(factory, 2)
    assert "rebuilt" in bring_up_to_date(layout, factory)
    add_services(factory, 1, prefix="New")
    assert "applied 1 journal entries" in bring_up_to_date(layout, factory)
    assert "up to date" in bring_up_to_date(layout, factory)


def test_one_rebuild_at_a_time(factory: sessionmaker[Session], layout: IndexLayout) -> None:
    with layout.rebuild_lock().hold():
        with pytest.raises(LockTimeout):
            rebuild_index(layout, factory, lock_timeout=0.0)


def test_if_needed_skips_a_sound_index(factory: sessionmaker[Session], layout: IndexLayout) -> None:
    rebuild_index(layout, factory)
    assert rebuild_index(layout, factory, if_needed=True) is None


def test_abandoned_builds_and_retired_generations_are_removed(
    factory: sessionmaker[Session], layout: IndexLayout
) -> None:
    rebuild_index(layout, factory)
    abandoned = layout.new_build_dir()  # as left by a rebuild killed half-way
    rebuild_index(layout, factory)
    assert not abandoned.exists()
    assert len(layout.generations()) == 2  # the retired one is kept for slow readers
    removed = layout.remove_retired(grace=0.0)
    assert len(removed) == 1 and [g.name for g in layout.generations()] == [layout.current_name()]


def _postings_by_id(layout: IndexLayout) -> set[tuple[str, bytes, str]]:
    with SearcherPool(layout).searcher() as s:
        reader = s.reader()
        ids = {docnum: str(fields["id"]) for docnum, fields in reader.iter_docs()}
        return {
            (field, term, ids[docnum])
            for field, term in reader.all_terms()
            for docnum in reader.postings(field, term).all_ids()
            if docnum in ids
        }


def test_parallel_rebuild_indexes_exactly_what_a_serial_one_does(
    factory: sessionmaker[Session], tmp_path: Path
) -> None:
    """Workers write with memoized field terms and without block length statistics."""
    with factory.begin() as session:
        for i in range(16):
            make_service(session, f"Clinic {i % 5}", description=f"Counseling and groceries {i}",
                         eligibility="Adults 18 and older", categories=["housing"], languages=["es"],
                         phones=["988"], fees="Free", min_age=18 if i % 2 else None)
    serial, parallel = IndexLayout(tmp_path / "serial"), IndexLayout(tmp_path / "parallel")
    rebuild_index(serial, factory, processes=1)
    rebuild_index(parallel, factory, processes=2)
    postings = _postings_by_id(serial)
    assert len(postings) > 200
    assert postings == _postings_by_id(parallel)
