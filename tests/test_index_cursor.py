"""The journal cursor: no entry is skipped when commits arrive out of seq order."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

from directory_data.journal import record_service_changes
from directory_data.models import ChangeJournalEntry, utcnow
from search_index.upkeep.cursor import Gap, JournalBatch, JournalCursor


def _insert_at(session: Session, seq: int, service_id: str) -> None:
    session.execute(insert(ChangeJournalEntry).values(seq=seq, service_id=service_id, changed_at=utcnow()))


def test_reads_new_entries_and_advances(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as session:
        record_service_changes(session, ["a", "b", "a"])
        record_service_changes(session, ["c"])
    cursor = JournalCursor()
    with session_factory() as session:
        batch = cursor.read(session)
    assert [sid for _s, sid in batch.entries] == ["a", "b", "c"]
    assert batch.service_ids == ["a", "b", "c"]
    cursor = cursor.advance(batch, now=100.0)
    assert cursor.position == batch.entries[-1][0] and cursor.gaps == ()
    with session_factory() as session:
        assert not cursor.read(session)


def test_late_commit_with_lower_seq_is_not_skipped(session_factory: sessionmaker[Session]) -> None:
    """Seq 2 becomes visible after seq 3 (as on PostgreSQL when its transaction commits later)."""
    with session_factory.begin() as session:
        _insert_at(session, 1, "first")
        _insert_at(session, 3, "early-committer")
    cursor = JournalCursor()
    with session_factory() as session:
        batch = cursor.read(session)
    cursor = cursor.advance(batch, now=100.0)
    assert cursor.position == 3
    assert cursor.gaps == (Gap(2, 2, 100.0),)
    with session_factory.begin() as session:
        _insert_at(session, 2, "late-committer")
    with session_factory() as session:
        late = cursor.read(session)
    assert late.service_ids == ["late-committer"]
    cursor = cursor.advance(late, now=101.0)
    assert cursor.gaps == () and cursor.position == 3


def test_gaps_expire_after_the_horizon() -> None:
    cursor = JournalCursor(10, (Gap(4, 5, 100.0), Gap(8, 8, 500.0)))
    assert cursor.expire(now=750.0, horizon=600.0).gaps == (Gap(8, 8, 500.0),)
    advanced = cursor.advance(JournalBatch(((12, "x"),), False), now=750.0, horizon=600.0)
    assert advanced.position == 12
    assert advanced.gaps == (Gap(8, 8, 500.0), Gap(11, 11, 750.0))


def test_filling_the_middle_of_a_gap_splits_it() -> None:
    cursor = JournalCursor(20, (Gap(5, 15, 1.0),))
    batch = JournalBatch(((7, "a"), (15, "b")), False)
    assert cursor.advance(batch, now=2.0).gaps == (Gap(5, 6, 1.0), Gap(8, 14, 1.0))


def test_many_gaps_are_merged_but_never_lost() -> None:
    entries = tuple((seq, "s") for seq in range(2, 1000, 2))  # every odd seq is missing
    cursor = JournalCursor().advance(JournalBatch(entries, False), now=1.0)
    covered = {s for g in cursor.gaps for s in range(g.lo, g.hi + 1)}
    assert len(cursor.gaps) <= 200
    assert all(seq in covered for seq in range(1, 998, 2))


def test_truncated_read_resumes_where_it_stopped(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as session:
        record_service_changes(session, [f"s{i}" for i in range(7)])
    cursor = JournalCursor()
    seen: list[str] = []
    with session_factory() as session:
        while batch := cursor.read(session, limit=3):
            seen += batch.service_ids
            cursor = cursor.advance(batch)
    assert seen == [f"s{i}" for i in range(7)] and cursor.gaps == ()


def test_start_marks_recent_missing_seqs_as_gaps(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as session:
        for seq in (1, 2, 5, 6):
            _insert_at(session, seq, f"s{seq}")
    with session_factory() as session:
        cursor = JournalCursor.start(session, now=5.0)
    assert cursor.position == 6
    assert cursor.gaps == (Gap(3, 4, 5.0),)
    assert JournalCursor.from_json(cursor.to_json()) == cursor


def test_concurrent_transactions_commit_out_of_order(
    require_postgres: str, session_factory: sessionmaker[Session]
) -> None:
    """Real PostgreSQL: transaction A takes a seq first and commits last; the reader still gets it."""
    a = session_factory()
    b = session_factory()
    try:
        record_service_changes(a, ["from-a"])
        a.flush()
        record_service_changes(b, ["from-b"])
        b.commit()
        cursor = JournalCursor()
        with session_factory() as reader:
            batch = cursor.read(reader)
        assert batch.service_ids == ["from-b"]
        cursor = cursor.advance(batch)
        assert cursor.gaps, "the seq A holds must stay open"
        a.commit()
        with session_factory() as reader:
            late = cursor.read(reader)
        assert late.service_ids == ["from-a"]
        assert cursor.advance(late).gaps == ()
    finally:
        a.close()
        b.close()


@pytest.mark.parametrize("writers", [4])
def test_no_entry_lost_under_concurrent_writers(
    session_factory: sessionmaker[Session], writers: int
) -> None:
    """Several threads commit journal entries while a reader follows; the reader sees all of them."""
    per_writer = 25
    done = threading.Event()
    errors: list[BaseException] = []

    def write(k: int) -> None:
        try:
            for i in range(per_writer):
                with session_factory.begin() as session:
                    record_service_changes(session, [f"w{k}-{i}"])
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(k,)) for k in range(writers)]
    for t in threads:
        t.start()
    cursor = JournalCursor()
    seen: set[str] = set()
    while True:
        finished = all(not t.is_alive() for t in threads)
        with session_factory() as session:
            batch = cursor.read(session)
        seen.update(batch.service_ids)
        cursor = cursor.advance(batch)
        if finished and not batch:
            break
    done.set()
    assert not errors
    assert seen == {f"w{k}-{i}" for k in range(writers) for i in range(per_writer)}
