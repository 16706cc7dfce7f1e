"""One process's reader of the change journal: tells display caches which services changed.

Display caches (the kiosk's listing facts, the API's listing fields) must not show a listing older
than its last committed change. Asking the database about it on every request costs a query per
request, a third of a cached search's work. A :class:`ChangeFeed` instead reads the journal

* at most every ``interval`` seconds (default 0.25), from whichever request thread asks first;
  the others go on without waiting, and
* at once after this process commits a change (the journal hooks call :meth:`ChangeFeed.committed`),

and tells its subscribers the ids of the services journaled since its last read, or ``None`` when
too many changed to list them (drop everything). A change made by this process is therefore seen
by its next request; one made by another process or host within ``interval`` seconds, as the
search index's own :class:`~search_index.upkeep.follower.Follower` sees it.

It reads with a :class:`~search_index.upkeep.cursor.JournalCursor`, so an entry whose transaction
commits after a later entry's (PostgreSQL hands out sequence numbers before commit) is not
skipped. When the journal cannot be read, :meth:`ChangeFeed.poll` raises: a page is not served
from a cache whose freshness cannot be checked (callers turn the error into a 503).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from search_index.upkeep.cursor import JournalCursor

log = logging.getLogger(__name__)

#: A subscriber gets the changed service ids, or None: "anything may have changed".
Subscriber = Callable[[frozenset[str] | None], None]

#: Default seconds between two reads of the journal.
DEFAULT_INTERVAL = 0.25

#: A poll waits for another thread's read once the last read is this much older than ``interval``
#: (a read that hangs on an unreachable database does not leave the others serving old pages).
WAIT_AFTER = 1.0

#: Entries read per query; a backlog larger than this is reported as "anything changed".
READ_LIMIT = 5000


class ChangeFeed:
    """Reads the change journal for one process and notifies subscribers (module docstring).

    Thread-safe. ``interval=0`` reads on every :meth:`poll`.
    """

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        *,
        interval: float = DEFAULT_INTERVAL,
        read_limit: int = READ_LIMIT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.session_factory = session_factory
        self.interval = interval
        self.read_limit = read_limit
        self._clock = clock
        self._cursor: JournalCursor | None = None
        self._read_at = float("-inf")
        self._lock = threading.Lock()
        self._subscribers: list[Subscriber] = []

    def subscribe(self, subscriber: Subscriber) -> None:
        """Tell ``subscriber`` about every change read from now on."""
        with self._lock:
            self._subscribers.append(subscriber)

    def poll(self, *, force: bool = False) -> None:
        """Read the journal if the last read is older than ``interval`` (or ``force``).

        Without ``force`` it does not wait for a read another thread is doing, unless the last
        good read is more than :data:`WAIT_AFTER` seconds overdue. Raises what the database
        raised when the journal cannot be read; the next poll tries again.
        """
        age = self._clock() - self._read_at
        if not force and age < self.interval:
            return
        if not self._lock.acquire(blocking=force or age > self.interval + WAIT_AFTER):
            return  # another thread is reading right now
        try:
            started = self._clock()
            if not force and started - self._read_at < self.interval:
                return  # read by the thread this one waited for
            self._read()
            self._read_at = started
        finally:
            self._lock.release()

    def committed(self) -> None:
        """This process committed journaled changes: read them now (never raises)."""
        try:
            self.poll(force=True)
        except Exception:  # noqa: BLE001 - the commit stands; the next poll reads it
            log.warning("reading the change journal after a commit failed", exc_info=True)

    def _read(self) -> None:
        with self.session_factory() as session:
            if self._cursor is None:
                self._cursor = JournalCursor.start(session)
                self._notify(None)
                return
            batch = self._cursor.read(session, limit=self.read_limit)
            if batch.truncated:
                self._cursor = JournalCursor.start(session)
                self._notify(None)
                return
            if batch:
                self._cursor = self._cursor.advance(batch)
                self._notify(frozenset(batch.service_ids))
            else:
                self._cursor = self._cursor.expire()

    def _notify(self, ids: frozenset[str] | None) -> None:
        for subscriber in list(self._subscribers):
            subscriber(ids)
