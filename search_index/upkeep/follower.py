"""One process's single reader of the change journal, feeding its index and its display caches.

Every process that searches has one :class:`Follower`. Its background thread reads the journal
every ``interval`` seconds, brings the index directory up to date (rebuilding a missing or
damaged index, or one whose backlog a rebuild beats), and only then tells its subscribers
(display caches) which services changed, so ranking and cards move together. Requests never
write the index; a process that commits a change waits for it (:meth:`Follower.committed`).
:func:`bring_up_to_date` is the one-shot version for commands.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from directory_data.models import Service
from directory_data.service_rows import searchable
from search_index.hours import DEFAULT_TIMEZONE
from search_index.engine.integrity import verify_current
from search_index.engine.layout import POINTER, IndexLayout
from search_index.engine.locking import LockTimeout
from search_index.upkeep.rebuild import PARALLEL_MIN, default_processes, rebuild_index
from search_index.engine.store import index_health
from search_index.upkeep.cursor import JournalCursor
from search_index.upkeep.sync import IndexSync

log = logging.getLogger(__name__)

#: A backlog of at least this many journal entries is always rebuilt rather than applied.
REBUILD_BACKLOG = 25_000

#: A subscriber gets the changed service ids, or None: "anything may have changed".
Subscriber = Callable[[frozenset[str] | None], None]

#: Journal entries read per pass; a larger backlog is reported to subscribers as "anything changed".
READ_LIMIT = 5000

#: What :func:`live_files` returns: the pointer's and the live generation's files' identities.
FileStamp = tuple[tuple[str, int, int, int], ...]


def live_files(layout: IndexLayout) -> FileStamp | None:
    """Name, inode, size and modification time of the ``CURRENT`` pointer and of every file of
    the generation it names (None when either cannot be listed). Writing, truncating, replacing
    or removing any of them changes the stamp; taking it costs a directory listing, where opening
    the index (:func:`~search_index.engine.store.index_health`) reads its term files."""
    try:
        pointer = os.stat(layout.root / POINTER)
        name = layout.current_name()
        if name is None:
            return None
        entries = [(e.name, e.stat()) for e in os.scandir(layout.root / name)]
    except OSError:
        return None
    files = [(POINTER, pointer.st_ino, pointer.st_size, pointer.st_mtime_ns), (name, 0, 0, 0)]
    files += sorted((n, st.st_ino, st.st_size, st.st_mtime_ns) for n, st in entries)
    return tuple(files)


def rebuild_pays(backlog: int, processes: int, session_factory: sessionmaker[Session]) -> bool:
    """Whether rebuilding the index beats applying a backlog of ``backlog`` journal entries: a
    rebuild re-indexes every service in ``processes``, applying the backlog in one, at the same
    cost per service (and from :data:`REBUILD_BACKLOG` entries on it always rebuilds)."""
    if backlog >= REBUILD_BACKLOG:
        return True
    if processes < 2 or backlog < PARALLEL_MIN:
        return False
    with session_factory() as session:
        services = session.scalar(
            select(func.count()).select_from(Service).where(searchable()))
    return backlog * processes > int(services or 0)


def bring_up_to_date(
    layout: IndexLayout,
    session_factory: sessionmaker[Session],
    *,
    timezone: str = DEFAULT_TIMEZONE,
    processes: int | None = None,
    lock_timeout: float = 600.0,
) -> str:
    """Make the index of ``layout`` current with the database; return what was done, in words."""
    problem = index_health(layout) or verify_current(layout)
    if problem is None:
        sync = IndexSync(layout, session_factory, timezone=timezone)
        backlog = len(sync.pending(limit=REBUILD_BACKLOG).entries)
        if not rebuild_pays(backlog, processes or default_processes(), session_factory):
            return sync.catch_up(lock_timeout=lock_timeout).summary()
        problem = f"{backlog}{'+' if backlog >= REBUILD_BACKLOG else ''} journal entries pending"
    report = rebuild_index(
        layout, session_factory, processes=processes, timezone=timezone, lock_timeout=lock_timeout
    )
    assert report is not None
    return f"{report.summary()} ({problem})"


class Follower:
    """The journal reader of one process and its index directory (thread-safe). A commit of at
    most ``inline_limit`` services waits for the thread (``commit_wait`` seconds); a bigger one
    only wakes it."""

    def __init__(
        self,
        layout: IndexLayout,
        session_factory: sessionmaker[Session],
        *,
        timezone: str = DEFAULT_TIMEZONE,
        interval: float = 0.25,
        inline_limit: int = 500,
        commit_wait: float = 10.0,
        lock_timeout: float = 5.0,
        read_limit: int = READ_LIMIT,
    ) -> None:
        self.layout = layout
        self.session_factory = session_factory
        self.timezone = timezone
        self.sync = IndexSync(layout, session_factory, timezone=timezone)
        self.interval = interval
        self.inline_limit = inline_limit
        self.commit_wait = commit_wait
        self.lock_timeout = lock_timeout
        self.read_limit = read_limit
        self._cursor: JournalCursor | None = None  # how far this process has read the journal
        self._index_due = True  # the index may be behind what was read
        self._subscribers: list[Subscriber] = []
        self._verified: set[str] = set()  # generations whose checksums were checked
        self._sound_files: FileStamp | None = None  # the live files when they last opened soundly
        self._pass_lock = threading.Lock()
        self._passes = threading.Condition()
        self._started = self._finished = self._ended = 0  # passes started; last completed; last ended
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._stopped = False
        #: ``(epoch seconds, what failed)`` of the last failed pass; None once one succeeds
        #: again (``/healthz`` reports it).
        self.last_error: tuple[float, str] | None = None
        #: What the last read of the journal raised (None once a read succeeds).
        self.read_error: Exception | None = None

    def check_read(self) -> None:
        """Raise what the last read of the journal raised, if it failed; start the thread if needed."""
        self.start()
        error = self.read_error
        if error is not None:
            raise error.with_traceback(None)

    def subscribe(self, subscriber: Subscriber) -> None:
        """Tell ``subscriber`` about every change read from now on (after the index has it)."""
        self._subscribers.append(subscriber)

    def start(self) -> None:
        """Start the background thread (again, in a forked process); idempotent."""
        with self._passes:
            if self._stopped or (self._thread is not None and self._thread.is_alive()):
                return
            self._thread = threading.Thread(target=_run, args=(weakref.ref(self),),
                                            name="journal-follower", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the background thread and wait for its pass to end."""
        self._stopped = True
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def wait_caught_up(self, timeout: float = 30.0) -> bool:
        """Whether a pass starting after this call completed within ``timeout`` seconds."""
        self.start()
        with self._passes:
            target = self._started + 1
            self._wake.set()
            self._passes.wait_for(lambda: self._ended >= target or self._stopped, timeout)
            return self._finished >= target

    def committed(self, count: int) -> None:
        """This process committed changes to ``count`` services: wait for them when few."""
        if count > self.inline_limit:
            self.start()
            self._wake.set()
        elif not self.wait_caught_up(self.commit_wait):
            log.warning("index %s: a commit is not searchable after %.0f s; the journal keeps it",
                        self.layout.root, self.commit_wait)

    def wait_ready(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for a sound index; return whether there is one."""
        deadline = time.monotonic() + timeout
        while index_health(self.layout) is not None and time.monotonic() < deadline and not self._stopped:
            if not self.wait_caught_up(max(deadline - time.monotonic(), 0.0)):
                time.sleep(min(self.interval, max(deadline - time.monotonic(), 0.0)))
        return index_health(self.layout) is None

    def poll(self) -> bool:
        """One pass: read the journal, update the index, tell the subscribers; whether it completed."""
        with self._pass_lock:
            with self._passes:
                self._started += 1
                number = self._started
            done = False
            try:
                try:
                    changed = self._read()
                except Exception as error:
                    self.read_error = error
                    raise
                self.read_error = None
                try:
                    done = self._update_index(changed)
                finally:
                    if changed != frozenset():
                        for subscriber in list(self._subscribers):
                            subscriber(changed)
                if done:
                    self._recovered()
            except Exception as error:
                self._failed("reading the journal or updating the index failed", error)
            with self._passes:
                self._ended = number
                if done:
                    self._finished = number
                self._passes.notify_all()
            return done

    def wait_first_pass(self, timeout: float) -> None:
        """Start the thread and wait up to ``timeout`` seconds for its first pass to end."""
        self.start()
        if self._ended:
            return
        with self._passes:
            self._wake.set()
            self._passes.wait_for(lambda: self._ended > 0 or self._stopped, timeout)

    # Internals -------------------------------------------------------------------------------

    def _read(self) -> frozenset[str] | None:
        """The ids of the services journaled since the last read (None: anything may have)."""
        with self.session_factory() as session:
            cursor = self._cursor
            if cursor is not None:
                batch = cursor.read(session, limit=self.read_limit)
                if not batch.truncated:
                    self._cursor = cursor.advance(batch) if batch else cursor.expire()
                    return frozenset(batch.service_ids)
            self._cursor = JournalCursor.start(session)
            return None

    def _update_index(self, changed: frozenset[str] | None) -> bool:
        """Bring the index up to the journal when it may be behind; whether it is now."""
        if changed == frozenset() and not self._index_due and self._still_sound():
            return True
        # A few changes read by a reader that was caught up: no backlog worth a rebuild.
        few = changed is not None and len(changed) < PARALLEL_MIN and not self._index_due
        self._index_due = True
        damaged = self._verify_once()
        if damaged is not None:
            if self.layout.current_name() == damaged:
                rebuild_index(self.layout, self.session_factory, timezone=self.timezone, lock_timeout=60.0)
        elif index_health(self.layout) is not None:
            self._rebuild(if_needed=True, lock_timeout=60.0)
        else:
            backlog = 0 if few else len(self.sync.pending(limit=REBUILD_BACKLOG).entries)
            if rebuild_pays(backlog, default_processes(), self.session_factory):
                self._rebuild(lock_timeout=0.0)
            else:
                result = self.sync.catch_up(lock_timeout=self.lock_timeout)
                self._index_due = result.busy
                return not self._index_due
        self._index_due = index_health(self.layout) is not None or bool(self.sync.pending())
        return not self._index_due

    def _still_sound(self) -> bool:
        """Whether the live index is sound, opening it only when its files changed since it last
        opened soundly: an idle pass runs every ``interval`` seconds in every worker, and opening
        a 10,000-service index took 10 ms of CPU (holding the interpreter lock, so the worker's
        requests waited), 40 ms a second."""
        files = live_files(self.layout)  # before opening: a change meanwhile is seen next pass
        if files is not None and files == self._sound_files:
            return True
        sound = index_health(self.layout) is None
        self._sound_files = files if sound else None
        return sound

    def _verify_once(self) -> str | None:
        """The live generation's name when it is damaged; its checksums are checked once per process."""
        name = self.layout.current_name()
        if name is None or name in self._verified:
            return None
        self._verified.add(name)
        problem = verify_current(self.layout)
        if problem is None:
            return None
        log.error("index %s: %s; rebuilding it from the database", self.layout.root, problem)
        return name

    def _rebuild(self, **options: object) -> None:
        try:
            rebuild_index(self.layout, self.session_factory, timezone=self.timezone, **options)  # type: ignore[arg-type]
        except LockTimeout:
            log.info("index %s: another process is rebuilding", self.layout.root)

    def _failed(self, what: str, error: Exception) -> None:
        """Note a failed index update for ``/healthz``; log it in full only when failures start."""
        first = self.last_error is None
        since = time.time() if self.last_error is None else self.last_error[0]
        self.last_error = (since, f"{what}: {error!r}")
        if first:
            log.error("index %s: %s; searches use the last good index and the journal keeps every "
                      "change until it can be applied", self.layout.root, what, exc_info=error)
        else:
            log.debug("index %s: %s again: %r", self.layout.root, what, error)

    def _recovered(self) -> None:
        """A poll succeeded: clear the noted failure, and log that updates work again."""
        failed = self.last_error
        if failed is not None:
            self.last_error = None
            log.warning("index %s: updates work again (they had failed for %.0f s: %s)",
                        self.layout.root, time.time() - failed[0], failed[1])


def _run(ref: weakref.ReferenceType[Follower]) -> None:
    """The background thread: a pass every ``interval`` seconds or when woken, until stopped."""
    while True:
        follower = ref()
        if follower is None or follower._stopped:
            return
        wake, interval = follower._wake, follower.interval
        del follower
        wake.wait(interval)
        wake.clear()
        follower = ref()
        if follower is None or follower._stopped:
            return
        follower.poll()
        del follower
