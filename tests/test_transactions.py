"""One transaction per request and per command, committed or rolled back at its boundary
(:mod:`kiosk.db`), and savepoints that undo a use-case's own work only (also on SQLite, whose
driver opens a transaction only before a write)."""

from __future__ import annotations

import pytest
from flask import Flask, abort
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from directory_data.models import Organization
from kiosk.db import get_database, get_session


def _names(session_factory: sessionmaker[Session]) -> set[str]:
    with session_factory() as session:
        return set(session.scalars(select(Organization.name)))


def _add(name: str) -> None:
    get_session().add(Organization(source="kiosk-test", source_id=name, name=name))
    get_session().flush()


@pytest.fixture
def writer(app: Flask) -> Flask:
    """``app`` with a view that adds an organization, then answers as its name says."""

    @app.post("/test-write/<name>")
    def write(name: str) -> tuple[str, int]:
        _add(name)
        if name == "raises":
            raise RuntimeError("the view failed after writing")
        if name == "aborts":
            abort(404)
        return "ok", 422 if name == "refused" else 303

    app.config.update(PROPAGATE_EXCEPTIONS=False, WTF_CSRF_ENABLED=False)
    return app


def test_a_request_commits_after_success_and_rolls_back_on_error(
    writer: Flask, session_factory: sessionmaker[Session]
) -> None:
    client = writer.test_client()
    for name, status in (("saved", 303), ("refused", 422), ("raises", 500), ("aborts", 404)):
        assert client.post(f"/test-write/{name}").status_code == status
    assert _names(session_factory) == {"saved"}


def test_a_command_transaction_commits_at_its_end_and_not_on_error_or_dry_run(
    app: Flask, session_factory: sessionmaker[Session]
) -> None:
    database = get_database(app)
    with database.transaction() as session:
        session.add(Organization(source="kiosk-test", source_id="a", name="done"))
    with pytest.raises(SystemExit), database.transaction() as session:
        session.add(Organization(source="kiosk-test", source_id="b", name="failed"))
        session.flush()
        raise SystemExit(2)
    with database.transaction(commit=False) as session:
        session.add(Organization(source="kiosk-test", source_id="c", name="dry run"))
        session.flush()
    assert _names(session_factory) == {"done"}


def test_releasing_a_savepoint_commits_nothing(session_factory: sessionmaker[Session]) -> None:
    with session_factory() as session:
        session.scalar(select(func.count(Organization.id)))  # reads only: no transaction yet on SQLite
        with session.begin_nested():
            session.add(Organization(source="kiosk-test", source_id="s", name="in a savepoint"))
        session.rollback()
    assert _names(session_factory) == set()
