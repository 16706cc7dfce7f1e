"""The app's search index: one per app (per process), kept current with the database
(:class:`search_index.upkeep.live_index.LiveIndex`); :func:`init_app` journals every commit of the
app's sessions. Views search in ``with searcher() as s:`` (a pooled searcher, never shared between
threads, refreshed only when the index changed). The index's follower tells the display caches
what changed (:func:`subscribe`); :func:`catch_up_index` is the one-shot update for commands.

Settings: ``SEARCH_POLL_INTERVAL`` (seconds between journal reads, default 0.25),
``SEARCH_INLINE_LIMIT`` (a commit of at most this many services waits for the index, default
500), ``SEARCH_READY_TIMEOUT`` (how long a search waits for a first index, default 15 s),
``SEARCH_MAX_IDLE_SEARCHERS`` (default 4).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask, current_app, has_app_context
from sqlalchemy.orm import Session, sessionmaker

from directory_data.journal import install_journal_hooks

from search_index.hours import DEFAULT_TIMEZONE

from kiosk.app_state import app_object
from kiosk.config import index_dir
from kiosk.db import get_database

if TYPE_CHECKING:
    from search_index.engine.store import Searcher
    from search_index.upkeep.follower import Subscriber
    from search_index.upkeep.live_index import LiveIndex

# Whoosh and the index modules load on first use (see get_search), not when the app starts.

_EXTENSION = "kiosk_search"


def init_app(app: Flask) -> None:
    """Give ``app`` its search index and journal every commit of its sessions."""
    app.extensions[_EXTENSION] = None  # created on first use
    install_journal_hooks(get_database(app).session_factory,
                          on_commit=lambda count: get_search(app).follower.committed(count))


def subscribe(subscriber: Subscriber, app: Flask | None = None) -> None:
    """Tell ``subscriber`` which services changed, each time the app's follower has read the
    journal and updated the index (``None``: anything may have changed)."""
    get_search(app).follower.subscribe(subscriber)


def wait_caught_up(app: Flask | None = None, timeout: float = 30.0) -> bool:
    """Wait until the app's index and display caches have every change committed before the
    call (by any process); whether they have within ``timeout`` seconds."""
    return get_search(app).follower.wait_caught_up(timeout)


def stop(app: Flask) -> None:
    """Stop the app's journal reader, if it has one (tests, before disposing of the database)."""
    search = app.extensions.get(_EXTENSION)
    if search is not None:
        search.follower.stop()


def get_search(app: Flask | None = None) -> LiveIndex:
    """The :class:`LiveIndex` of ``app`` (default: the current app), created on first use."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]

    def make() -> LiveIndex:
        from search_index.upkeep.live_index import LiveIndex

        config = app.config
        return LiveIndex(index_dir(config), get_database(app).session_factory,
                         timezone=str(config.get("TIMEZONE") or DEFAULT_TIMEZONE),
                         ready_timeout=float(config.get("SEARCH_READY_TIMEOUT", 15.0)),
                         max_idle=int(config.get("SEARCH_MAX_IDLE_SEARCHERS", 4)),
                         poll_interval=float(config.get("SEARCH_POLL_INTERVAL", 0.25)),
                         inline_limit=int(config.get("SEARCH_INLINE_LIMIT", 500)))

    return app_object(app, _EXTENSION, make)


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
        timezone = str((has_app_context() and current_app.config.get("TIMEZONE")) or DEFAULT_TIMEZONE)
    return bring_up_to_date(IndexLayout(directory), session_factory, timezone=timezone)
