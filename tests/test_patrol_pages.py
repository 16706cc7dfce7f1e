"""The patrol view and the officer login: guarded pages, officer-only fields, CSRF, the
``kiosk user add`` command, search statistics kept as day-level aggregates."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from directory_data.models import SearchCount, User, ZeroResultTerm
from kiosk.config import index_dir
from kiosk.db import get_database
from kiosk.search import catch_up_index
from kiosk.search_tally import get_tally
from kiosk_directory import Directory, make_directory

PASSWORD = "officer password here"


@pytest.fixture
def directory(app: Flask, session_factory: sessionmaker[Session], runner: FlaskCliRunner) -> Directory:
    with session_factory() as session:
        made = make_directory(session)
    result = runner.invoke(args=["user", "add", "Officer.Lee", "--role", "officer", "--password-stdin"],
                           input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        catch_up_index(get_database(app).session_factory, index_dir(app.config))
    return made


def _token(html: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert found
    return found.group(1)


def sign_in(client: FlaskClient, password: str = PASSWORD) -> int:
    token = _token(client.get("/officer/login").get_data(as_text=True))
    response = client.post("/officer/login", data={"csrf_token": token, "name": "officer.lee",
                                                   "password": password})
    return response.status_code


def test_user_add_stores_a_scrypt_hash(directory: Directory, session_factory: sessionmaker[Session],
                                       runner: FlaskCliRunner) -> None:
    with session_factory() as session:
        user = session.scalars(select(User)).one()
    assert user.name == "officer.lee" and user.password_hash.startswith("scrypt$")
    again = runner.invoke(args=["user", "add", "officer.lee", "--password-stdin"], input=PASSWORD)
    assert again.exit_code == 2 and "taken" in again.output


def test_patrol_is_for_signed_in_officers(client: FlaskClient, directory: Directory) -> None:
    response = client.get("/patrol/")
    assert response.status_code == 302 and "/officer/login" in response.headers["Location"]
    assert sign_in(client, "wrong password!!") == 401
    assert sign_in(client) == 303
    assert client.get("/patrol/").status_code == 200


def test_login_needs_the_csrf_token(client: FlaskClient, directory: Directory) -> None:
    response = client.post("/officer/login", data={"name": "officer.lee", "password": PASSWORD})
    assert response.status_code in (400, 401) and client.get("/patrol/").status_code == 302


def test_patrol_shows_officer_fields_and_open_now_by_default(client: FlaskClient, directory: Directory) -> None:
    sign_in(client)
    html = client.get("/patrol/?category=mental-health").get_data(as_text=True)
    assert 'name="open" value="1" checked' in html
    detail = client.get(f"/patrol/services/{directory.counseling}").get_data(as_text=True)
    assert "tel:+14075550199" in detail and "Officer intake line" in detail
    assert "on-call clinician" in detail


def test_sign_out_forgets_the_officer(client: FlaskClient, directory: Directory) -> None:
    sign_in(client)
    token = _token(client.get("/patrol/").get_data(as_text=True))
    client.post("/officer/logout", data={"csrf_token": token})
    assert client.get("/patrol/").status_code == 302


def test_kiosk_searches_are_counted_without_identifying_anyone(
    app: Flask, client: FlaskClient, directory: Directory, session_factory: sessionmaker[Session]
) -> None:
    # Counts are written once the page has been sent (the WSGI server closes the response); this
    # app writes them after every search (SEARCH_COUNTS_INTERVAL 0).
    get_tally(app).interval = 0
    client.get("/search?category=housing", environ_base={"REMOTE_ADDR": "203.0.113.9"}).close()
    client.get("/search?category=housing&page=2").close()
    client.get("/search?q=tax+storage").close()
    with session_factory() as session:
        rows = session.scalars(select(SearchCount)).all()
        counts = {row.category: row.searches for row in rows}
        assert {row.station for row in rows} == {"Sanford Police Department"}
        terms = [(row.term, row.searches) for row in session.scalars(select(ZeroResultTerm))]
    assert counts == {"housing": 1, "": 1}
    assert terms == [("tax storage", 1)]


def test_a_visit_measures_its_detail_and_referral_pages_from_its_results_point(
    client: FlaskClient, directory: Directory
) -> None:
    """The results page keeps its point (the tablet's, rounded; or none for the station) in the
    visit; the detail and referral pages measure from it, until it is too old."""
    assert sign_in(client) == 303

    def distance(html: str) -> str:
        found = re.search(r"<dt>Distance</dt><dd>([^<]+)</dd>", html)
        assert found, html
        return found.group(1)

    results = client.get("/patrol/?category=housing&open=0&lat=28.6615&lon=-81.3655").get_data(as_text=True)
    on_card = re.search(r'id="card-' + directory.housing_near + r'".*?<span>([\d.]+ mi away)</span>', results, re.S)
    assert on_card, results
    with client.session_transaction() as session:
        assert session["patrol_point"][:2] == [round(28.6615, 3), round(-81.3655, 3)]  # about 100 m
    detail = client.get(f"/patrol/services/{directory.housing_near}").get_data(as_text=True)
    assert distance(detail) == on_card.group(1)
    token = _token(detail)
    client.post("/patrol/referral/add", data={"csrf_token": token, "service_id": directory.housing_near})
    referral = client.get("/patrol/referral").get_data(as_text=True)
    assert f"<span>{on_card.group(1)}</span>" in referral

    with client.session_transaction() as session:  # taken 31 minutes ago: the station again
        session["patrol_point"] = session["patrol_point"][:2] + [session["patrol_point"][2] - 31]
    assert distance(client.get(f"/patrol/services/{directory.housing_near}").get_data(as_text=True)).endswith(
        "from the station")
    client.get("/patrol/?category=housing&open=0")  # results from the station: the point is dropped
    with client.session_transaction() as session:
        assert "patrol_point" not in session
    assert distance(client.get(f"/patrol/services/{directory.housing_near}").get_data(as_text=True)).endswith(
        "from the station")
