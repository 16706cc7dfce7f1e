"""Bring an index up to date with the change journal: commit-safe, idempotent, crash-safe.

One catch-up of a generation: read its cursor (``sync-state.json``) and ask the journal for
entries past it; if any, take its ``sync.lock`` (one applier across processes), re-read the
services of a batch from the database, delete and re-add their documents, commit, and only then
save the advanced cursor atomically. A process killed half-way leaves the cursor where it was,
so the next catch-up applies the same entries again.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Collection, Iterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from directory_data.models import Service
from directory_data.service_rows import load_listings, searchable
from search_index.upkeep.cursor import GAP_HORIZON, JournalBatch, JournalCursor
from search_index.documents import service_document
from search_index.hours import DEFAULT_TIMEZONE
from search_index.engine.integrity import record_checksums
from search_index.engine.layout import Generation, IndexLayout, read_json, write_atomic
from search_index.engine.store import ID_FIELD, FileIndex, open_current, open_generation
from search_index.engine.writing import abandon_writer, open_writer

log = logging.getLogger(__name__)

#: Journal entries applied per Whoosh commit.
BATCH_ENTRIES = 2000

#: Seconds a writer waits for Whoosh's own write lock (normally free: ``sync.lock`` is held).
WRITER_TIMEOUT = 30.0

#: Services the bulk loader reads per query.
BULK_CHUNK = 500


def read_cursor(generation: Generation) -> JournalCursor:
    """The journal cursor saved in ``generation`` (at 0 when none was saved)."""
    return JournalCursor.from_json(read_json(generation.state_path))


def write_cursor(generation: Generation, cursor: JournalCursor) -> None:
    """Save ``cursor`` in ``generation``, atomically."""
    payload = {**cursor.to_json(), "saved_at": time.time()}
    write_atomic(generation.state_path, json.dumps(payload, sort_keys=True))


def documents_for(
    session: Session, ids: Collection[str] | None, timezone: str = DEFAULT_TIMEZONE
) -> Iterator[dict[str, object]]:
    """The index documents of the services among ``ids`` (all when None) that belong in the index."""
    if ids is None:
        ids = session.scalars(select(Service.id).where(searchable())).all()
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), BULK_CHUNK):
        for service in load_listings(session, wanted[start : start + BULK_CHUNK]):
            yield service_document(service, default_timezone=timezone)


def apply_services(
    ix: FileIndex,
    session_factory: sessionmaker[Session],
    ids: Collection[str],
    *,
    timezone: str = DEFAULT_TIMEZONE,
    writer_timeout: float = WRITER_TIMEOUT,
) -> tuple[int, int]:
    """Re-index the services ``ids`` from the database; return (documents written, ids deleted)."""
    if not ids:
        return 0, 0
    with session_factory() as session:
        docs = list(documents_for(session, ids, timezone))
    present = {str(doc[ID_FIELD]) for doc in docs}
    gone = sorted(set(ids) - present)
    writer = open_writer(ix, writer_timeout)
    try:
        # Delete every document of each id, then add: Whoosh's update_document() replaces only
        # one document per unique value, so it would keep a duplicate (and it is slower).
        with writer.searcher() as searcher:
            for service_id in sorted(set(ids)):
                writer.delete_by_term(ID_FIELD, service_id, searcher=searcher)
        for doc in docs:
            writer.add_document(**doc)
        writer.commit()
    except BaseException:
        abandon_writer(writer)
        raise
    record_checksums(ix)
    return len(docs), len(gone)


@dataclass
class CatchUp:
    """What one catch-up did."""

    entries: int = 0
    written: int = 0
    deleted: int = 0
    position: int = 0
    busy: bool = False

    def summary(self) -> str:
        if self.busy:
            return "another process is applying the journal"
        if not self.entries:
            return f"up to date (journal position {self.position})"
        return (f"applied {self.entries} journal entries: {self.written} documents written, "
                f"{self.deleted} removed (journal position {self.position})")


class IndexSync:
    """Applies the change journal to the live generation of one index directory (thread-safe)."""

    def __init__(
        self,
        layout: IndexLayout,
        session_factory: sessionmaker[Session],
        *,
        timezone: str = DEFAULT_TIMEZONE,
        batch: int = BATCH_ENTRIES,
        horizon: float = GAP_HORIZON,
    ) -> None:
        self.layout = layout
        self.session_factory = session_factory
        self.timezone = timezone
        self.batch = batch
        self.horizon = horizon
        self._open: tuple[str, FileIndex] | None = None
        self._lock = threading.Lock()

    def live(self) -> tuple[Generation, FileIndex]:
        """The live generation and its index (cached while the pointer does not move)."""
        generation = self.layout.current()
        with self._lock:
            cached = self._open
        if generation is not None and cached is not None and cached[0] == generation.name:
            return generation, cached[1]
        generation, ix = open_current(self.layout)
        with self._lock:
            self._open = (generation.name, ix)
        return generation, ix

    def pending(self, limit: int = 1) -> JournalBatch:
        """Up to ``limit`` journal entries the live index has not applied (takes no lock)."""
        generation, _ix = self.live()
        return self._pending(generation, limit)

    def catch_up(self, *, lock_timeout: float = 10.0) -> CatchUp:
        """Apply pending journal entries to the live index (see the module docstring); ``busy``
        when another process held the lock for ``lock_timeout`` seconds."""
        generation, ix = self.live()
        return self._catch_up(generation, ix, lock_timeout)

    def catch_up_generation(self, generation: Generation, *, lock_timeout: float = 10.0) -> CatchUp:
        """Apply pending journal entries to ``generation`` (live or not: a rebuild before its swap)."""
        return self._catch_up(generation, open_generation(generation), lock_timeout)

    def _pending(self, generation: Generation, limit: int) -> JournalBatch:
        cursor = read_cursor(generation)
        with self.session_factory() as session:
            return cursor.read(session, limit=limit)

    def _catch_up(self, generation: Generation, ix: FileIndex, lock_timeout: float) -> CatchUp:
        cursor = read_cursor(generation)
        if not self._pending(generation, 1) and cursor.expire(horizon=self.horizon) == cursor:
            return CatchUp(position=cursor.position)
        lock = generation.sync_lock()
        if not lock.acquire(lock_timeout):
            return CatchUp(busy=True, position=read_cursor(generation).position)
        result = CatchUp()
        try:
            while True:
                cursor = read_cursor(generation)
                with self.session_factory() as session:
                    batch = cursor.read(session, limit=self.batch)
                if not batch:
                    expired = cursor.expire(horizon=self.horizon)
                    if expired != cursor:
                        write_cursor(generation, expired)
                    result.position = cursor.position
                    break
                written, deleted = apply_services(
                    ix, self.session_factory, batch.service_ids, timezone=self.timezone
                )
                advanced = cursor.advance(batch, horizon=self.horizon)
                write_cursor(generation, advanced)
                result.entries += len(batch.entries)
                result.written += written
                result.deleted += deleted
                result.position = advanced.position
        finally:
            lock.release()
        if result.entries:
            log.info("index %s: %s", generation.name, result.summary())
        return result
