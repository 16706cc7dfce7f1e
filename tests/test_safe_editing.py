"""Safe editing in the workspace: "Save and mark verified" keeps the form's changes (and verifies
nothing when they cannot be saved), retiring asks first and can be undone from its message.

Run on SQLite and on PostgreSQL (``KIOSK_TEST_DATABASE_URL``) like the rest of the suite."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from directory_data.models import Service
from kiosk.config import index_dir
from kiosk.db import get_database
from kiosk.search import catch_up_index
from kiosk_directory import Directory, make_directory, station_today
from staff import csrf_token, form_of, signed_in


@pytest.fixture
def directory(app: Flask, session_factory: sessionmaker[Session]) -> Directory:
    with session_factory() as session:
        made = make_directory(session)
    with app.app_context():
        catch_up_index(get_database(app).session_factory, index_dir(app.config))
    return made


@pytest.fixture
def caseworker(app: Flask, session_factory: sessionmaker[Session], directory: Directory) -> FlaskClient:
    return signed_in(app, session_factory)("caseworker")


def _listing(session_factory: sessionmaker[Session], service_id: str) -> Service:
    with session_factory() as session:
        service = session.get_one(Service, service_id)
        session.expunge(service)
        return service


def _phones(session_factory: sessionmaker[Session], service_id: str) -> set[str]:
    with session_factory() as session:
        return {p.number for p in session.get_one(Service, service_id).phones}


def test_an_edit_then_mark_verified_keeps_the_edit(
    app: Flask, caseworker: FlaskClient, directory: Directory, session_factory: sessionmaker[Session]
) -> None:
    """The caseworker fixes the phone in the form and presses "Save and mark verified": the new
    number is saved and the listing is certified checked today, by them, with that number."""
    url = f"/admin/listings/{directory.housing_near}"
    page = caseworker.get(url).get_data(as_text=True)
    assert 'name="verify" value="1"' in page, "the button belongs to the listing's form"
    assert f'action="/admin/listings/{directory.housing_near}/verify"' not in page, "no separate form"
    before = _listing(session_factory, directory.housing_near)
    assert before.assured_date != station_today()
    values = form_of(caseworker, url)
    values["phones-0-number"] = ["(407) 555-0177"]
    values["description"] = ["Help with rent, deposits and utility bills. Fixed by the caseworker."]
    done = caseworker.post(url, data={**values, "verify": "1"})
    assert done.status_code == 303
    after = _listing(session_factory, directory.housing_near)
    assert _phones(session_factory, directory.housing_near) == {"(407) 555-0177"}
    assert after.description == "Help with rent, deposits and utility bills. Fixed by the caseworker."
    assert after.assured_date == station_today() and after.assured_by.startswith("caseworker.")
    page = caseworker.get(done.headers["Location"]).get_data(as_text=True)
    assert "Your changes were saved and the listing was marked verified today." in page
    shown = app.test_client().get(f"/services/{directory.housing_near}").get_data(as_text=True)
    assert "(407) 555-0177" in shown and "(407) 555-0133" not in shown


def test_mark_verified_verifies_nothing_when_the_form_has_an_error(
    caseworker: FlaskClient, directory: Directory, session_factory: sessionmaker[Session]
) -> None:
    url = f"/admin/listings/{directory.housing_near}"
    before = _listing(session_factory, directory.housing_near)
    values = form_of(caseworker, url)
    values["phones-0-number"] = ["12"]
    values["description"] = ["A new description that must not be saved."]
    refused = caseworker.post(url, data={**values, "verify": "1"})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Nothing was saved, and the listing was not marked verified." in page
    assert 'id="err-phones-0-number"' in page and 'value="12"' in page, "the entered values stay"
    after = _listing(session_factory, directory.housing_near)
    assert (after.assured_date, after.assured_by, after.version, after.description) == (
        before.assured_date, before.assured_by, before.version, before.description)


def test_mark_verified_verifies_nothing_after_someone_else_saved(
    app: Flask, session_factory: sessionmaker[Session], caseworker: FlaskClient, directory: Directory
) -> None:
    url = f"/admin/listings/{directory.housing_near}"
    mine = form_of(caseworker, url)
    other = signed_in(app, session_factory)("caseworker")
    theirs = form_of(other, url)
    theirs["wait_time"] = ["Two days"]
    assert other.post(url, data=theirs).status_code == 303
    mine["phones-0-number"] = ["(407) 555-0178"]
    conflict = caseworker.post(url, data={**mine, "verify": "1"})
    assert conflict.status_code == 409
    page = conflict.get_data(as_text=True)
    assert "The listing was not marked verified either." in page
    assert "Save my version and mark verified" in page
    after = _listing(session_factory, directory.housing_near)
    assert after.assured_by is None and _phones(session_factory, directory.housing_near) == {"(407) 555-0133"}


def test_plain_save_does_not_verify(
    caseworker: FlaskClient, directory: Directory, session_factory: sessionmaker[Session]
) -> None:
    url = f"/admin/listings/{directory.housing_near}"
    values = form_of(caseworker, url)
    values["wait_time"] = ["A week"]
    assert caseworker.post(url, data=values).status_code == 303
    after = _listing(session_factory, directory.housing_near)
    assert after.wait_time == "A week" and after.assured_by is None


def test_retiring_asks_first_and_can_be_undone_from_the_message(
    app: Flask, caseworker: FlaskClient, directory: Directory, session_factory: sessionmaker[Session]
) -> None:
    base = f"/admin/listings/{directory.counseling}"
    editor = caseworker.get(base).get_data(as_text=True)
    assert f'href="{base}/retire"' in editor, "Retire is a link to the question, not a button that acts"
    token = csrf_token(editor)
    question = caseworker.get(base + "/retire").get_data(as_text=True)
    assert "Retire “Seminole Crisis Counseling Center”?" in question
    assert "Keep it" in question and 'name="confirmed" value="1"' in question
    assert caseworker.post(base + "/retire", data={"csrf_token": token}).status_code == 303
    assert _listing(session_factory, directory.counseling).retired_at is None, "no question, no retirement"
    assert caseworker.post(base + "/retire", data={"confirmed": "1"}).status_code == 400, "CSRF"

    done = caseworker.post(base + "/retire", data={"csrf_token": token, "confirmed": "1"})
    assert done.status_code == 303
    assert _listing(session_factory, directory.counseling).retired_at is not None
    assert app.test_client().get(f"/services/{directory.counseling}").status_code == 404
    page = caseworker.get(done.headers["Location"]).get_data(as_text=True)
    message = re.search(r'<div class="notice" role="status">(.*?)</div>', page, re.S).group(1)
    assert "was retired. Residents and officers no longer see it." in message
    undo = re.search(r'<form class="undo" method="post" action="([^"]+)">', message).group(1)
    assert undo == f"{base}/restore"
    assert caseworker.post(undo, data={"csrf_token": csrf_token(message)}).status_code == 303
    assert _listing(session_factory, directory.counseling).retired_at is None
    assert app.test_client().get(f"/services/{directory.counseling}").status_code == 200
