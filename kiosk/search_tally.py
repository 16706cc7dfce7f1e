"""This process's search counts, written to the database every few seconds instead of per search.

The kiosk and the patrol view count every first results page (day, category, station, and the
term when nothing was found: see :mod:`directory_data.search_stats`; and the categories of the
needs no listing serves: :mod:`directory_data.unmet_needs`). Writing that row in a
transaction of its own after every page costs a commit per search, and every worker on every
host updates the same few rows. Instead the counts are added up in memory
(:class:`~directory_data.search_stats.SearchTally`, aggregates only) and written in one
transaction once ``SEARCH_COUNTS_INTERVAL`` seconds (default 5; 0 writes after every search)
have passed, after the response that makes them due has been sent. A worker writes what it holds
when it stops (``kiosk serve``'s worker-exit hook, and at interpreter exit), and the gap report
writes this process's counts before it reads them. A crash loses at most the last few seconds
of counts; a database that does not answer keeps them in memory until it does.
"""

from __future__ import annotations

import atexit
import datetime as dt
import logging
import threading
import time

from flask import Flask, Response, current_app
from sqlalchemy.orm import Session, sessionmaker

from directory_data.search_stats import SearchTally, record_tally
from directory_data.unmet_needs import UnmetNeedTally, record_unmet_needs

from kiosk.db import get_database

log = logging.getLogger(__name__)

_EXTENSION = "kiosk_search_tally"

#: Default seconds between two writes of the counts.
DEFAULT_INTERVAL = 5.0


class AppTally:
    """One app's :class:`SearchTally` and when it was last written."""

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


def init_app(app: Flask) -> None:
    """Give ``app`` its search tally, written at the latest when the process exits."""
    tally = AppTally(get_database(app).session_factory,
                     float(app.config.get("SEARCH_COUNTS_INTERVAL", DEFAULT_INTERVAL)))
    app.extensions[_EXTENSION] = tally
    atexit.register(tally.write)


def get_tally(app: Flask | None = None) -> AppTally:
    """The :class:`AppTally` of ``app`` (default: the current app)."""
    return (app or current_app).extensions[_EXTENSION]


def count_search(response: Response, day: dt.date, *, category: str | None, term: str, found: int,
                 station: str, unmet: tuple[str, ...] = (), district: str = "") -> None:
    """Count one search (and the categories of the needs it asked for that no listing serves,
    ``unmet``); when the counts are due, write them once ``response`` has been sent."""
    tally = get_tally()
    tally.tally.add(day, category=category, term=term, found=found, station=station)
    tally.unmet.add(day, unmet, station, district)
    if tally.due():
        response.call_on_close(tally.write)


def count_unmet(response: Response, day: dt.date, categories: tuple[str, ...], station: str,
                district: str = "") -> None:
    """Count only the categories of needs no listing served, for a view whose searches are not
    counted otherwise (the patrol view); written as :func:`count_search` writes."""
    tally = get_tally()
    tally.unmet.add(day, categories, station, district)
    if categories and tally.due():
        response.call_on_close(tally.write)
