"""The app's search index: one per app (per process), kept current with the database.

:func:`init_app` installs the change-journal hooks on the app's session factory (so every ORM
commit is journaled in its own transaction) and, after each commit, applies it to this process's
index at once. :func:`searcher` is what views use::

    with searcher() as s:
        results = search(s, request)

It checks out a pooled searcher (never shared between threads, refreshed only when the index
changed), after a cheap, rate-limited look at the journal that brings in commits made by other
processes and hosts. :func:`catch_up_index` is the one-shot version for commands.

Settings: ``SEARCH_POLL_INTERVAL`` (seconds between journal looks, default 0.5),
``SEARCH_INLINE_LIMIT`` (changes applied inside a request, default 500; bigger backlogs go to a
background thread), ``SEARCH_READY_TIMEOUT`` (how long a search waits for a first index, default
15 s), ``SEARCH_MAX_IDLE_SEARCHERS`` (default 4).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask, current_app, has_app_context
from sqlalchemy.orm import Session, sessionmaker

from search_index.hours import DEFAULT_TIMEZONE
from search_index.upkeep.journal_hooks import install_journal_hooks

from kiosk.app_state import app_object
from kiosk.config import index_dir
from kiosk.db import get_database

if TYPE_CHECKING:
    from search_index.engine.store import Searcher
    from search_index.upkeep.change_feed import ChangeFeed

# Whoosh and the index modules load on first use (see AppSearch), not when the app starts.

_EXTENSION = "kiosk_search"
_FEED = "kiosk_change_feed"


class AppSearch:
    """One app's index directory, searcher pool and follower."""

    def __init__(self, app: Flask) -> None:
        from search_index.upkeep.follower import Follower
        from search_index.engine.layout import IndexLayout
        from search_index.engine.store import SearcherPool

        config = app.config
        self.layout = IndexLayout(index_dir(config))
        self.timezone = str(config.get("TIMEZONE") or DEFAULT_TIMEZONE)
        self.ready_timeout = float(config.get("SEARCH_READY_TIMEOUT", 15.0))
        self.pool = SearcherPool(self.layout, max_idle=int(config.get("SEARCH_MAX_IDLE_SEARCHERS", 4)))
        self.follower = Follower(
            self.layout,
            get_database(app).session_factory,
            timezone=self.timezone,
            interval=float(config.get("SEARCH_POLL_INTERVAL", 0.5)),
            inline_limit=int(config.get("SEARCH_INLINE_LIMIT", 500)),
        )

    @contextmanager
    def searcher(self) -> Iterator[Searcher]:
        """A current searcher for the ``with`` block (raises ``IndexUnavailable``)."""
        from search_index.engine.store import IndexUnavailable

        self.follower.poll()
        if self.layout.current() is None and not self.follower.wait_ready(self.ready_timeout):
            raise IndexUnavailable(f"{self.layout.root}: the index is still being built")
        with self.pool.searcher() as s:
            yield s

    def after_commit(self, count: int) -> None:
        """A session of this app committed changes to ``count`` services."""
        self.follower.after_commit(count)


def init_app(app: Flask) -> None:
    """Give ``app`` its search index and journal every commit of its sessions."""
    app.extensions[_EXTENSION] = None  # created on first use

    def on_commit(count: int) -> None:
        feed = app.extensions.get(_FEED)
        if feed is not None:  # display caches exist: tell them first (one query)
            feed.committed()
        get_search(app).after_commit(count)

    install_journal_hooks(get_database(app).session_factory, on_commit=on_commit)


def get_change_feed(app: Flask | None = None) -> ChangeFeed:
    """The app's :class:`~search_index.upkeep.change_feed.ChangeFeed` (made on first use), which tells
    its display caches what changed; ``LISTING_FRESHNESS_SECONDS`` between reads (0.25)."""
    from search_index.upkeep.change_feed import DEFAULT_INTERVAL, ChangeFeed

    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    interval = float(app.config.get("LISTING_FRESHNESS_SECONDS", DEFAULT_INTERVAL))
    return app_object(app, _FEED, lambda: ChangeFeed(get_database(app).session_factory, interval=interval))


def get_search(app: Flask | None = None) -> AppSearch:
    """The :class:`AppSearch` of ``app`` (default: the current app), created on first use."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    return app_object(app, _EXTENSION, lambda: AppSearch(app))


@contextmanager
def searcher() -> Iterator[Searcher]:
    """A current searcher of the current app's index, for one ``with`` block in one thread."""
    with get_search().searcher() as s:
        yield s


def catch_up_index(
    session_factory: sessionmaker[Session], directory: Path | str, *, timezone: str | None = None
) -> str:
    """Bring the index in ``directory`` up to date with the database; say what was done.

    Builds it when it is missing, corrupt or of another schema version (or far behind), else
    applies the journal entries it has not seen. Used by ``kiosk init`` and ``kiosk import``.
    """
    from search_index.upkeep.follower import bring_up_to_date
    from search_index.engine.layout import IndexLayout

    if timezone is None:
        timezone = DEFAULT_TIMEZONE
        if has_app_context():
            timezone = str(current_app.config.get("TIMEZONE") or DEFAULT_TIMEZONE)
    return bring_up_to_date(IndexLayout(directory), session_factory, timezone=timezone)
