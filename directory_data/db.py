"""Engines and sessions for the directory database (SQLite embedded, PostgreSQL for servers)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _begin_before_savepoint(connection: Connection, _name: str) -> None:
    """Open the SQLite transaction before a savepoint. The driver begins one only before a write,
    and a savepoint opened outside any makes its release commit the whole of it."""
    driver = connection.connection.dbapi_connection
    if driver is not None and not driver.in_transaction:
        driver.execute("BEGIN")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite connections get foreign keys, WAL, a busy timeout and
    savepoints inside the transaction."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "savepoint", _begin_before_savepoint)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory bound to ``engine``; objects stay readable after commit. Every session
    keeps locations assigned to their district (:mod:`directory_data.districts`)."""
    from directory_data.districts import install_hooks

    install_hooks()
    return sessionmaker(bind=engine, expire_on_commit=False)
