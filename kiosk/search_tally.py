"""This process's search counts (:class:`directory_data.search_counts.SearchCounts`), written in
one transaction once ``SEARCH_COUNTS_INTERVAL`` seconds (default 5; 0 writes after every search)
have passed, after the response that makes them due has been sent. A worker writes what it holds
when it stops (``kiosk serve``'s worker-exit hook, and at interpreter exit), and the gap report
writes this process's counts before it reads them.
"""

from __future__ import annotations

import atexit

from flask import Flask, current_app

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
