"""One process's search counts, written to the database every few seconds instead of per search.

The kiosk and the patrol view count every first results page (day, category, station, and the
term when nothing was found: see :mod:`directory_data.search_stats`; and the categories of the
needs no listing serves: :mod:`directory_data.unmet_needs`). Writing that row in a
transaction of its own after every page costs a commit per search, and every worker on every
host updates the same few rows. Instead the counts are added up in memory
(:class:`~directory_data.search_stats.SearchTally`, aggregates only) and written in one
transaction once ``interval`` seconds have passed (0: after every search). A crash loses at most
the last few seconds of counts; a database that does not answer keeps them in memory until it
does.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time

from sqlalchemy.orm import Session, sessionmaker

from directory_data.search_stats import SearchTally, record_tally
from directory_data.unmet_needs import UnmetNeedTally, record_unmet_needs

log = logging.getLogger(__name__)


class SearchCounts:
    """One process's :class:`SearchTally` and unmet needs, and when they were last written."""

    def __init__(self, session_factory: sessionmaker[Session], interval: float) -> None:
        self.session_factory = session_factory
        self.interval = interval
        self.tally = SearchTally()
        self.unmet = UnmetNeedTally()
        self._written_at = time.monotonic()
        self._lock = threading.Lock()

    def due(self) -> bool:
        """Whether the counts should be written now."""
        return time.monotonic() - self._written_at >= self.interval

    def count_search(self, day: dt.date, *, category: str | None, term: str, found: int, station: str,
                     unmet: tuple[str, ...] = (), district: str = "") -> bool:
        """Count one search (and the categories of the needs it asked for that no listing serves,
        ``unmet``); whether the counts are due to be written."""
        self.tally.add(day, category=category, term=term, found=found, station=station)
        self.unmet.add(day, unmet, station, district)
        return self.due()

    def count_unmet(self, day: dt.date, categories: tuple[str, ...], station: str, district: str = "") -> bool:
        """Count only the categories of needs no listing served; whether the counts are due."""
        self.unmet.add(day, categories, station, district)
        return bool(categories) and self.due()

    def write(self) -> None:
        """Write the counts gathered so far in one transaction (never raises; a failure keeps
        them for the next write). Another thread writing already: nothing to do."""
        if not self._lock.acquire(blocking=False):
            return
        try:
            self._written_at = time.monotonic()
            counts = self.tally.drain()
            unmet = self.unmet.drain()
            if not counts and not unmet:
                return
            try:
                with self.session_factory.begin() as session:  # its own, after the response
                    record_tally(session, counts)
                    record_unmet_needs(session, unmet)
            except Exception:  # noqa: BLE001 - statistics never break a page
                self.tally.restore(counts)
                self.unmet.restore(unmet)
                log.warning("search statistics not written yet; kept for the next try", exc_info=True)
        finally:
            self._lock.release()
