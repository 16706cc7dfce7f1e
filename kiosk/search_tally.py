"""This process's search counts (:class:`directory_data.search_counts.SearchCounts`), written in
one transaction once ``SEARCH_COUNTS_INTERVAL`` seconds (default 5; 0 writes after every search)
have passed, after the response that makes them due has been sent. A worker writes what it holds
when it stops (``kiosk serve``'s worker-exit hook, and at interpreter exit), and the gap report
writes this process's counts before it reads them.
"""

from __future__ import annotations

import atexit
import datetime as dt

from flask import Flask, Response, current_app

from directory_data.search_counts import SearchCounts

from kiosk.db import get_database

_EXTENSION = "kiosk_search_tally"

#: Default seconds between two writes of the counts.
DEFAULT_INTERVAL = 5.0


def init_app(app: Flask) -> None:
    """Give ``app`` its search counts, written at the latest when the process exits."""
    tally = SearchCounts(get_database(app).session_factory,
                         float(app.config.get("SEARCH_COUNTS_INTERVAL", DEFAULT_INTERVAL)))
    app.extensions[_EXTENSION] = tally
    atexit.register(tally.write)


def get_tally(app: Flask | None = None) -> SearchCounts:
    """The :class:`SearchCounts` of ``app`` (default: the current app)."""
    return (app or current_app).extensions[_EXTENSION]


def count_search(response: Response, day: dt.date, *, category: str | None, term: str, found: int,
                 station: str, unmet: tuple[str, ...] = (), district: str = "") -> None:
    """Count one search (see :meth:`SearchCounts.count_search`); when the counts are due, write
    them once ``response`` has been sent."""
    tally = get_tally()
    if tally.count_search(day, category=category, term=term, found=found, station=station,
                          unmet=unmet, district=district):
        response.call_on_close(tally.write)


def count_unmet(response: Response, day: dt.date, categories: tuple[str, ...], station: str,
                district: str = "") -> None:
    """Count only the categories of needs no listing served, for a view whose searches are not
    counted otherwise (the patrol view); written as :func:`count_search` writes."""
    tally = get_tally()
    if tally.count_unmet(day, categories, station, district):
        response.call_on_close(tally.write)
