"""How current and how healthy one process's index is, cheaply enough for every health check.

:func:`index_status` reads, without scanning anything, the journal's head and this index's
position (their difference is the ``lag``, with the age of the oldest entry not applied), whether
files can be created in the index directory and its live generation, and the free space left.
Whether the index is *readable* is the caller's part (a searcher checked out of its pool).
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory_data.models import ChangeJournalEntry
from search_index.engine.layout import IndexLayout
from search_index.upkeep.cursor import journal_head
from search_index.upkeep.sync import read_cursor

#: Below this many free bytes on the index's file system, the index is reported short of space.
MIN_FREE_BYTES = 64 * 1024 * 1024


@dataclass
class IndexStatus:
    """What :func:`index_status` found (``None`` where it could not be known)."""

    generation: str | None = None
    position: int | None = None
    journal_head: int | None = None
    lag: int | None = None
    seconds_behind: float | None = None
    writable: bool | None = None
    free_bytes: int | None = None
    problems: list[str] = field(default_factory=list)


def oldest_unapplied_at(session: Session, position: int) -> dt.datetime | None:
    """When the first journal entry past ``position`` was written (None when there is none)."""
    return session.scalar(
        select(ChangeJournalEntry.changed_at)
        .where(ChangeJournalEntry.seq > position)
        .order_by(ChangeJournalEntry.seq)
        .limit(1)
    )


def write_problem(directory: Path) -> str | None:
    """None when a file can be created (and removed) in ``directory``, else what went wrong."""
    probe = directory / f".health-{secrets.token_hex(4)}"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as error:
        return f"{directory}: cannot create files ({error.strerror or error})"
    os.close(fd)
    try:
        os.unlink(probe)
    except OSError as error:
        return f"{directory}: cannot remove files ({error.strerror or error})"
    return None


def free_bytes(directory: Path) -> int | None:
    """Bytes available to this process on the file system of ``directory`` (None if unknown)."""
    try:
        return shutil.disk_usage(directory).free
    except OSError:
        return None


def index_status(
    layout: IndexLayout,
    session: Session | None,
    *,
    now: dt.datetime | None = None,
    min_free_bytes: int = MIN_FREE_BYTES,
) -> IndexStatus:
    """Freshness and writability of the live index of ``layout`` (``session`` None: freshness unknown)."""
    status = IndexStatus()
    generation = layout.current()
    if generation is None:
        status.problems.append(f"{layout.root}: no index has been built")
        return status
    status.generation = generation.name
    status.position = read_cursor(generation).position
    if session is not None:
        status.journal_head = journal_head(session)
        status.lag = max(status.journal_head - status.position, 0)
        status.seconds_behind = 0.0
        if status.lag:
            oldest = oldest_unapplied_at(session, status.position)
            if oldest is not None:
                now = now or dt.datetime.now(dt.timezone.utc)
                status.seconds_behind = round(max((now - oldest).total_seconds(), 0.0), 3)
    problems = [p for p in (write_problem(layout.root), write_problem(generation.path)) if p]
    status.writable = not problems
    status.problems.extend(problems)
    status.free_bytes = free_bytes(generation.path)
    if status.free_bytes is not None and status.free_bytes < min_free_bytes:
        status.problems.append(
            f"{layout.root}: only {status.free_bytes // (1024 * 1024)} MiB free on its file system"
        )
    return status
