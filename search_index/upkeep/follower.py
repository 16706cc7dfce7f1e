"""Keeping one process's view of the index current: polls, after-commit catch-ups, backlogs.

Every process that searches (each gunicorn worker, on each host) has one :class:`Follower` for
its index directory. It never blocks a reader:

* :meth:`Follower.poll` is called before searches. At most every ``interval`` seconds it asks
  the journal (one indexed query) whether anything committed anywhere is not in this index yet;
  a small backlog is applied at once if no other process is applying it (their commit shows up
  through the searcher refresh instead); a large one, or a missing index, goes to one background
  thread, and searches go on against the current index meanwhile.
* :meth:`Follower.after_commit` is called after this process committed a change: the change is
  applied before the request returns, so it is searchable in this process at once.

:func:`bring_up_to_date` is the one-shot version for commands: rebuild when there is no sound
index or when rebuilding is faster than applying the backlog (:func:`rebuild_pays`), otherwise
catch up.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from directory_data.models import Service
from directory_data.service_rows import searchable
from search_index.hours import DEFAULT_TIMEZONE
from search_index.engine.integrity import verify_current
from search_index.engine.layout import IndexLayout
from search_index.engine.locking import LockTimeout
from search_index.upkeep.rebuild import PARALLEL_MIN, default_processes, rebuild_index
from search_index.engine.store import IndexUnavailable, index_health
from search_index.upkeep.sync import IndexSync

log = logging.getLogger(__name__)

#: A backlog of at least this many journal entries is always rebuilt rather than applied.
REBUILD_BACKLOG = 25_000

#: A missing index over at most this many services is built inline, in the request.
INLINE_REBUILD_MAX = 2_000


def rebuild_pays(backlog: int, processes: int, session_factory: sessionmaker[Session]) -> bool:
    """Whether rebuilding the index beats applying a backlog of ``backlog`` journal entries.

    Applying re-indexes the backlog's services in one process; a rebuild re-indexes every
    service that belongs in the index in ``processes`` writer processes, at the same cost per
    service (the same loader and writer). So a rebuild finishes first once the backlog is larger
    than one process's share of the directory -- a first large import, or a re-import that
    changed most listings -- provided it is worth starting the processes
    (:data:`~search_index.upkeep.rebuild.PARALLEL_MIN` entries). From :data:`REBUILD_BACKLOG` entries
    on it always rebuilds.
    """
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
    """Keeps one process's index directory caught up with the journal (see the module docstring)."""

    def __init__(
        self,
        layout: IndexLayout,
        session_factory: sessionmaker[Session],
        *,
        timezone: str = DEFAULT_TIMEZONE,
        interval: float = 0.5,
        inline_limit: int = 500,
        commit_lock_timeout: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.layout = layout
        self.session_factory = session_factory
        self.timezone = timezone
        self.sync = IndexSync(layout, session_factory, timezone=timezone)
        self.interval = interval
        self.inline_limit = inline_limit
        self.commit_lock_timeout = commit_lock_timeout
        self._clock = clock
        self._last_poll = float("-inf")
        self._poll_lock = threading.Lock()
        self._job_lock = threading.Lock()
        self._job: threading.Thread | None = None
        self._verified: set[str] = set()  # generations whose checksums were checked
        #: ``(epoch seconds, what failed)`` of the last failed poll or background catch-up; None
        #: once a poll succeeds again (``/healthz`` reports it).
        self.last_error: tuple[float, str] | None = None

    # Called by the serving process -----------------------------------------------------------

    def poll(self, *, force: bool = False) -> None:
        """Catch up if the last look at the journal is older than ``interval`` (or ``force``).

        Never raises and never waits for another process: problems are logged and retried on a
        later poll.
        """
        now = self._clock()
        if not force and now - self._last_poll < self.interval:
            return
        if not self._poll_lock.acquire(blocking=force):
            return  # another thread of this process is polling right now
        try:
            self._last_poll = now
            self._poll_once()
            self._recovered()
        except Exception as error:
            self._failed("index poll failed", error)
        finally:
            self._poll_lock.release()

    def after_commit(self, count: int) -> None:
        """This process committed changes to ``count`` services: apply them now if few."""
        if count > self.inline_limit:
            self._last_poll = float("-inf")  # the next poll hands the backlog to the background
            return
        try:
            result = self.sync.catch_up(lock_timeout=self.commit_lock_timeout, max_entries=self.inline_limit)
        except IndexUnavailable:
            return  # nothing to keep current yet; the first poll builds the index
        except Exception as error:  # the commit stands; the journal keeps it for a later poll
            self._failed("index catch-up after a commit failed", error)
            self._last_poll = float("-inf")
            return
        if result.more or result.busy:
            self._last_poll = float("-inf")

    def wait_ready(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for a sound index; return whether there is one."""
        if index_health(self.layout) is None:
            return True
        self.poll(force=True)
        deadline = self._clock() + timeout
        while self._clock() < deadline:
            if index_health(self.layout) is None:
                return True
            time.sleep(0.05)
        return index_health(self.layout) is None

    def busy(self) -> bool:
        """Whether a background catch-up or rebuild is running."""
        job = self._job
        return job is not None and job.is_alive()

    def join(self, timeout: float | None = None) -> None:
        """Wait for the background job, if any, to finish."""
        job = self._job
        if job is not None:
            job.join(timeout)

    # Internals -------------------------------------------------------------------------------

    def _poll_once(self) -> None:
        if self.busy():
            return
        damaged = self._verify_once()
        if damaged is not None:
            self._rebuild_damaged(damaged)
            return
        try:
            pending = self.sync.pending(limit=self.inline_limit + 1)
        except IndexUnavailable:
            if self._service_count() <= INLINE_REBUILD_MAX:
                self._rebuild()
            else:
                self._start_job()
            return
        if not pending:
            return
        if len(pending.entries) <= self.inline_limit:
            result = self.sync.catch_up(lock_timeout=0.0, max_entries=self.inline_limit)
            if not result.more:
                return
        self._start_job()

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

    def _rebuild_damaged(self, name: str) -> None:
        """Rebuild the damaged generation ``name`` (inline when small, else in the background)."""
        if self._service_count() <= INLINE_REBUILD_MAX:
            if self.layout.current_name() == name:
                rebuild_index(self.layout, self.session_factory, timezone=self.timezone, lock_timeout=60.0)
            return
        with self._job_lock:
            if not self.busy():
                self._job = threading.Thread(target=self._rebuild_if_current, args=(name,),
                                             name="index-rebuild", daemon=True)
                self._job.start()

    def _rebuild_if_current(self, name: str) -> None:
        """Background job: rebuild unless another process already replaced the generation ``name``."""
        try:
            if self.layout.current_name() == name:
                rebuild_index(self.layout, self.session_factory, timezone=self.timezone, lock_timeout=60.0)
        except Exception as error:
            self._failed("rebuilding a damaged index failed", error)

    def _service_count(self) -> int:
        with self.session_factory() as session:
            return int(session.scalar(select(func.count()).select_from(Service)) or 0)

    def _rebuild(self) -> None:
        try:
            rebuild_index(self.layout, self.session_factory, timezone=self.timezone, lock_timeout=60.0, if_needed=True)
        except LockTimeout:
            log.info("index %s: another process is rebuilding", self.layout.root)

    def _start_job(self) -> None:
        with self._job_lock:
            if self.busy():
                return
            self._job = threading.Thread(target=self._run_job, name="index-follower", daemon=True)
            self._job.start()

    def _run_job(self) -> None:
        try:
            if index_health(self.layout) is not None:
                self._rebuild()
                return
            while True:
                backlog = len(self.sync.pending(limit=REBUILD_BACKLOG).entries)
                if rebuild_pays(backlog, default_processes(), self.session_factory):
                    self._rebuild_large_backlog()
                    return
                result = self.sync.catch_up(lock_timeout=1.0, max_entries=REBUILD_BACKLOG)
                if not result.more and not result.busy:
                    return
                if result.busy:
                    time.sleep(self.interval)
        except Exception as error:
            self._failed("background index catch-up failed", error)

    def _failed(self, what: str, error: Exception) -> None:
        """Note a failed index update for ``/healthz``; log it in full only when it starts.

        While the index cannot be written (a full or read-only disk) or the database does not
        answer, every poll fails the same way; one error with its traceback says so, later
        failures are logged at debug level, and :meth:`_recovered` says when it ends.
        """
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

    def _rebuild_large_backlog(self) -> None:
        try:
            rebuild_index(self.layout, self.session_factory, timezone=self.timezone, lock_timeout=0.0)
        except LockTimeout:
            log.info("index %s: another process is rebuilding", self.layout.root)
