"""One process's live index: its directory, a pool of searchers and the follower that keeps it
current with the database's change journal (a background thread; a request never writes the
index, and one that committed a change waits for the thread so its next page shows it).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session, sessionmaker

from search_index.engine.layout import IndexLayout
from search_index.engine.store import IndexUnavailable, SearcherPool
from search_index.upkeep.follower import Follower
from search_index.upkeep.freshness import MIN_FREE_BYTES, index_status

if TYPE_CHECKING:
    from search_index.engine.store import Searcher

log = logging.getLogger(__name__)


class LiveIndex:
    """The index in ``directory``, its searcher pool (at most ``max_idle`` idle searchers) and
    its follower (journal reads every ``poll_interval`` seconds; a commit of at most
    ``inline_limit`` services waits for the index); a search waits ``ready_timeout`` seconds at
    most for a first index."""

    def __init__(self, directory: Path | str, session_factory: sessionmaker[Session], *, timezone: str,
                 ready_timeout: float = 15.0, max_idle: int = 4, poll_interval: float = 0.25,
                 inline_limit: int = 500) -> None:
        self.layout = IndexLayout(directory)
        self.timezone = timezone
        self.ready_timeout = ready_timeout
        self.pool = SearcherPool(self.layout, max_idle=max_idle)
        self.follower = Follower(self.layout, session_factory, timezone=timezone, interval=poll_interval,
                                 inline_limit=inline_limit)
        self.follower.start()
        self._had_index = False

    @contextmanager
    def searcher(self) -> Iterator[Searcher]:
        """A current searcher for the ``with`` block (raises ``IndexUnavailable``)."""
        if not self._had_index:  # until the first index is there (later, the pool raises)
            self.follower.wait_first_pass(self.ready_timeout)
            if self.layout.current() is None and not self.follower.wait_ready(self.ready_timeout):
                raise IndexUnavailable(f"{self.layout.root}: the index is still being built")
            self._had_index = True
        with self.pool.searcher() as s:
            yield s

    def report(self, session: Session | None, min_free_bytes: int = MIN_FREE_BYTES) -> dict[str, Any]:
        """Whether this index can be searched (``usable``, ``documents``), how current and
        healthy it is (:func:`~search_index.upkeep.freshness.index_status`, without the journal
        when ``session`` is None) and its ``problems``; never raises."""
        self.follower.wait_first_pass(self.ready_timeout)
        report: dict[str, Any] = {"usable": False, "documents": None}
        unreadable = None
        try:
            with self.pool.searcher() as searcher:
                report["documents"] = searcher.doc_count()
            report["usable"] = True
        except Exception as error:  # IndexUnavailable, or a damaged directory Whoosh cannot read
            unreadable = f"the index cannot be searched: {error}"
        try:
            status = index_status(self.layout, session, min_free_bytes=min_free_bytes)
        except Exception as error:  # noqa: BLE001 - report, never fail the health check
            log.warning("index status failed", exc_info=True)
            report["problems"] = [f"index status unknown: {error!r}"]
        else:
            report.update(dataclasses.asdict(status))
        problems = report.setdefault("problems", [])
        if unreadable and report.get("generation"):
            problems.insert(0, unreadable)
        if self.follower.last_error is not None:
            problems.append(self.follower.last_error[1])
        return report
