"""Staff sessions end on the server: signing out, a new password, disabling the account, a change
of role and the idle limit end every copy of a session's cookie for good (re-enabling an account
brings none back), and a session ends 12 hours after sign-in however busy it is."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from directory_data.models import User
from staff import PASSWORD, csrf_token, make_account, sign_in

def _signed_in(app: Flask, name: str) -> FlaskClient:
    client = app.test_client()
    assert sign_in(client, name).status_code == 303
    return client


def _copy(app: Flask, client: FlaskClient) -> FlaskClient:
    """Another browser holding a copy of ``client``'s session cookie."""
    thief = app.test_client()
    thief.set_cookie("kiosk", client.get_cookie("kiosk").value)
    return thief


def _user_id(session_factory: sessionmaker[Session], name: str) -> str:
    with session_factory() as session:
        return session.scalars(select(User.id).where(User.name == name)).one()


@pytest.fixture
def admin(app: Flask, session_factory: sessionmaker[Session]) -> FlaskClient:
    make_account(session_factory, "admin", "admin.sessions")
    return _signed_in(app, "admin.sessions")


def _admin_post(admin: FlaskClient, url: str, **form: str) -> None:
    token = csrf_token(admin.get("/admin/users").get_data(as_text=True))
    assert admin.post(url, data={"csrf_token": token, **form}).status_code == 303


def test_a_copied_cookie_no_longer_opens_the_patrol_view_after_sign_out(
    app: Flask, session_factory: sessionmaker[Session]
) -> None:
    make_account(session_factory, "officer", "officer.copy")
    officer = _signed_in(app, "officer.copy")
    thief = _copy(app, officer)
    assert thief.get("/patrol/").status_code == 200, "a copy works while the session lives"
    token = csrf_token(officer.get("/patrol/").get_data(as_text=True))
    assert officer.post("/officer/logout", data={"csrf_token": token}).status_code == 303
    assert officer.get("/patrol/").status_code == 302
    assert thief.get("/patrol/").status_code == 302, "signing out ends every copy"
    assert _signed_in(app, "officer.copy").get("/patrol/").status_code == 200, "signing in again works"


@pytest.mark.parametrize("change", ["disable", "password", "role"])
def test_admin_changes_end_every_session_for_good(
    app: Flask, session_factory: sessionmaker[Session], admin: FlaskClient, change: str
) -> None:
    make_account(session_factory, "officer", "officer.changed")
    user_id = _user_id(session_factory, "officer.changed")
    officer = _signed_in(app, "officer.changed")
    thief = _copy(app, officer)
    assert thief.get("/patrol/").status_code == 200
    if change == "disable":
        _admin_post(admin, f"/admin/users/{user_id}/active", active="0")
        assert thief.get("/patrol/").status_code == 302
        _admin_post(admin, f"/admin/users/{user_id}/active", active="1")  # enabled again
    elif change == "password":
        _admin_post(admin, f"/admin/users/{user_id}/password", password="another passphrase",
                    confirm="another passphrase")
    else:
        _admin_post(admin, f"/admin/users/{user_id}/role", role="caseworker")
    for client in (officer, thief):
        assert client.get("/patrol/").status_code == 302, change
        assert client.get("/admin/").status_code == 302, change
    password = "another passphrase" if change == "password" else PASSWORD
    assert sign_in(app.test_client(), "officer.changed", password).status_code == 303


def test_the_cli_disable_and_enable_bring_no_session_back(
    app: Flask, session_factory: sessionmaker[Session]
) -> None:
    make_account(session_factory, "officer", "officer.cli")
    thief = _copy(app, _signed_in(app, "officer.cli"))
    runner = app.test_cli_runner()
    assert runner.invoke(args=["user", "disable", "officer.cli"]).exit_code == 0
    assert runner.invoke(args=["user", "enable", "officer.cli"]).exit_code == 0
    assert thief.get("/patrol/").status_code == 302


def test_an_idle_session_ends_on_the_server_even_for_a_busy_copy(
    app: Flask, session_factory: sessionmaker[Session]
) -> None:
    make_account(session_factory, "officer", "officer.idle")
    officer = _signed_in(app, "officer.idle")
    thief = _copy(app, officer)
    assert thief.get("/patrol/").status_code == 200  # the copy keeps itself fresh
    with officer.session_transaction() as session:
        session["seen"] = int(time.time()) - 31 * 60
    assert officer.get("/patrol/").status_code == 303  # the idle limit ends it
    assert thief.get("/patrol/").status_code == 302


def test_a_session_ends_twelve_hours_after_sign_in(
    app: Flask, session_factory: sessionmaker[Session]
) -> None:
    from directory_data.models import StaffSession

    make_account(session_factory, "officer", "officer.shift")
    officer = _signed_in(app, "officer.shift")
    assert officer.get("/patrol/").status_code == 200
    with session_factory() as session:
        session.execute(update(StaffSession).values(
            created_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=12, minutes=1)))
        session.commit()
    assert officer.get("/patrol/").status_code == 302
    # the next sign-in purges sessions past their age
    _signed_in(app, "officer.shift")
    with session_factory() as session:
        assert len(session.scalars(select(StaffSession)).all()) == 1


def test_only_a_hash_of_the_token_is_stored(app: Flask, session_factory: sessionmaker[Session]) -> None:
    from directory_data.models import StaffSession
    from directory_data.staff_sessions import token_hash

    make_account(session_factory, "officer", "officer.hash")
    officer = _signed_in(app, "officer.hash")
    with officer.session_transaction() as session:
        token = session["sid"]
    with session_factory() as db:
        stored = db.scalars(select(StaffSession)).one()
    assert stored.token_hash == token_hash(token) and token not in stored.token_hash
    assert len(token) >= 43  # 256 random bits


def test_a_forged_or_stale_session_id_is_not_signed_in(
    app: Flask, session_factory: sessionmaker[Session]
) -> None:
    make_account(session_factory, "officer", "officer.forged")
    officer = _signed_in(app, "officer.forged")
    with officer.session_transaction() as session:
        session["sid"] = "not-a-session-token"
    assert officer.get("/patrol/").status_code == 302
