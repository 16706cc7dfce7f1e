"""The database for the app: one engine per app, one session and one transaction per request.

The request's transaction is its only boundary: committed once the view has answered with a
status below 400, rolled back otherwise and on an exception, and the session closed at teardown.
A command runs in :meth:`Database.transaction`, the same boundary around one block. Views and
use-cases never commit.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, Response, current_app, g
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from directory_data.db import make_engine, make_session_factory

from kiosk.config import database_url

_EXTENSION = "kiosk_db"

#: Every Database of this process (see :func:`dispose_all`).
_databases: weakref.WeakSet[Database] = weakref.WeakSet()


class Database:
    """The engine and session factory of one app (creating an engine does not connect)."""

    def __init__(self, url: str) -> None:
        self.engine: Engine = make_engine(url)
        self.session_factory: sessionmaker[Session] = make_session_factory(self.engine)
        _databases.add(self)

    @contextmanager
    def transaction(self, *, commit: bool = True) -> Iterator[Session]:
        """A session of its own for one unit of work: committed when the block ends normally
        (rolled back instead when ``commit`` is false, a dry run), rolled back when it raises or
        exits, closed either way. The boundary of a command, and of the few writes that must
        last whatever becomes of the request around them (throttle and search counts)."""
        with self.session_factory() as session:
            yield session
            if commit:
                session.commit()

    def dispose(self) -> None:
        """Close every pooled connection (tests and forked workers call this)."""
        self.engine.dispose()


def dispose_all() -> None:
    """Close the pooled connections of every :class:`Database` of this process (SQLite then
    folds its write-ahead log into the database file, as it does when a connection closes)."""
    for database in list(_databases):
        database.dispose()


def init_app(app: Flask) -> None:
    """Register the database with ``app``: commit after a successful view, close at teardown."""
    app.extensions[_EXTENSION] = Database(database_url(app.config))
    app.after_request(end_transaction)
    app.teardown_appcontext(close_session)


def get_database(app: Flask | None = None) -> Database:
    """The :class:`Database` of ``app`` (default: the current app)."""
    return (app or current_app).extensions[_EXTENSION]


def get_session() -> Session:
    """The session of the current request or app context, opened on first use."""
    if "db_session" not in g:
        g.db_session = get_database().session_factory()
    return g.db_session


def end_transaction(response: Response) -> Response:
    """Commit the request's session when the view succeeded (status below 400); anything else
    is rolled back when it closes at teardown."""
    session: Session | None = g.get("db_session")
    if session is not None and response.status_code < 400:
        session.commit()
    return response


def close_session(_exc: BaseException | None = None) -> None:
    """Close the context's session; anything not committed is rolled back."""
    session: Any = g.pop("db_session", None)
    if session is not None:
        session.close()
