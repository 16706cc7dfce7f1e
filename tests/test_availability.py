"""Availability: capacities, freshness and its words, providers' update links (hashed, revocable,
one service each, throttled, audited), the caseworkers' page, and the patrol's "has room now"."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from directory_data.availability import age_words, has_room, is_fresh, max_age, room_since
from directory_data.availability_links import find_link, hash_token, issue_link, revoke_links
from directory_data.availability_updates import InvalidAvailability, add_capacity, update_counts
from directory_data.models import AuditEntry, AvailabilityLink, ChangeJournalEntry, ServiceCapacity, utcnow
from kiosk.config import index_dir
from kiosk.db import get_database
from kiosk.search import catch_up_index
from kiosk_directory import Directory, make_directory
from staff import csrf_token, signed_in

NOW = dt.datetime(2026, 12, 7, 18, 0, tzinfo=dt.timezone.utc)
TWELVE_HOURS = dt.timedelta(hours=12)


@pytest.fixture
def directory(app: Flask, session_factory: sessionmaker[Session]) -> Directory:
    with session_factory() as session:
        made = make_directory(session)
    return made


def _catch_up(app: Flask) -> None:
    with app.app_context():
        catch_up_index(get_database(app).session_factory, index_dir(app.config))


def _capacity(session_factory: sessionmaker[Session], service_id: str, *, unit: str = "family beds",
              available: int = 3, maximum: int | None = 10, updated: dt.datetime | None = None) -> str:
    with session_factory() as session:
        capacity = add_capacity(session, service_id, unit=unit, unit_es="camas para familias",
                                available=available, maximum=maximum, actor="case.worker", now=updated)
        session.commit()
        return capacity.id


def _provider_post(app: Flask, token: str, counts: dict[str, str], address: str = "10.1.1.1") -> int:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    page = client.get(f"/u/{token}")
    data = {"csrf_token": csrf_token(page.get_data(as_text=True))}
    data.update({f"count-{k}": v for k, v in counts.items()})
    return client.post(f"/u/{token}", data=data).status_code


# -- the rules ---------------------------------------------------------------------------------


class _Row:
    def __init__(self, available: int, updated: dt.datetime) -> None:
        self.available, self.updated = available, updated


def test_freshness_and_has_room() -> None:
    assert is_fresh(NOW - dt.timedelta(hours=11, minutes=59), NOW, TWELVE_HOURS)
    assert not is_fresh(NOW - dt.timedelta(hours=12, minutes=1), NOW, TWELVE_HOURS)
    fresh_full, stale_room = _Row(0, NOW - dt.timedelta(minutes=5)), _Row(4, NOW - dt.timedelta(hours=13))
    assert not has_room([fresh_full, stale_room], NOW, TWELVE_HOURS), "room only in a stale count"
    assert has_room([fresh_full, _Row(1, NOW - dt.timedelta(hours=2))], NOW, TWELVE_HOURS)
    assert room_since([fresh_full, stale_room]) == stale_room.updated
    assert room_since([fresh_full]) is None
    assert max_age(None) == TWELVE_HOURS and max_age("0.5") == dt.timedelta(minutes=30)
    assert max_age("nonsense") == TWELVE_HOURS and max_age(-3) == TWELVE_HOURS


def test_age_in_words_in_english_and_spanish() -> None:
    assert age_words(NOW - dt.timedelta(minutes=40), NOW, "en") == "40 minutes ago"
    assert age_words(NOW - dt.timedelta(minutes=40), NOW, "es") == "hace 40 minutos"
    assert age_words(NOW - dt.timedelta(hours=3), NOW, "en") == "3 hours ago"
    assert age_words(NOW + dt.timedelta(minutes=3), NOW, "en") == "1 minute ago"


# -- links -----------------------------------------------------------------------------------


def test_a_token_is_stored_only_as_its_hash(directory: Directory, session_factory: sessionmaker[Session]) -> None:
    with session_factory() as session:
        issued = issue_link(session, directory.shelter, "case.worker")
        session.commit()
        assert len(issued.token) >= 43
        stored = session.scalars(select(AvailabilityLink)).all()
        assert [row.token_hash for row in stored] == [hash_token(issued.token)]
        assert all(issued.token not in str(value) for row in stored for value in vars(row).values())
        assert find_link(session, issued.token).service_id == directory.shelter
        assert find_link(session, issued.token[:-1] + ("A" if issued.token[-1] != "A" else "B")) is None


def test_a_revoked_or_replaced_link_is_refused(
    app: Flask, directory: Directory, session_factory: sessionmaker[Session]
) -> None:
    capacity = _capacity(session_factory, directory.shelter)
    with session_factory() as session:
        first = issue_link(session, directory.shelter, "case.worker").token
        second = issue_link(session, directory.shelter, "case.worker").token
        session.commit()
    assert app.test_client().get(f"/u/{first}").status_code == 404, "a new link replaces the old"
    assert _provider_post(app, second, {capacity: "2"}) == 303
    with session_factory() as session:
        assert revoke_links(session, directory.shelter, "case.worker") == 1
        session.commit()
    assert app.test_client().get(f"/u/{second}").status_code == 404
    assert _provider_post_without_page(app, second, {capacity: "1"}) in (400, 404)
    with session_factory() as session:
        assert session.get(ServiceCapacity, capacity).available == 2


def _provider_post_without_page(app: Flask, token: str, counts: dict[str, str]) -> int:
    """A POST to a link whose page no longer opens (a CSRF token from another page)."""
    client = app.test_client()
    page = client.get("/officer/login").get_data(as_text=True)
    data = {"csrf_token": csrf_token(page, required=False), **{f"count-{k}": v for k, v in counts.items()}}
    return client.post(f"/u/{token}", data=data).status_code


def test_a_token_reaches_only_its_own_service(
    app: Flask, directory: Directory, session_factory: sessionmaker[Session]
) -> None:
    mine = _capacity(session_factory, directory.shelter)
    theirs = _capacity(session_factory, directory.childcare, unit="child care slots", available=5)
    with session_factory() as session:
        token = issue_link(session, directory.shelter, "case.worker").token
        session.commit()
    page = app.test_client().get(f"/u/{token}").get_data(as_text=True)
    assert "How many family beds are free right now?" in page and "child care" not in page
    assert _provider_post(app, token, {theirs: "0"}) == 422
    assert _provider_post(app, token, {mine: "1", theirs: "0"}) == 422, "all or nothing"
    with session_factory() as session:
        assert session.get(ServiceCapacity, theirs).available == 5
        assert session.get(ServiceCapacity, mine).available == 3
        with pytest.raises(InvalidAvailability):
            update_counts(session, directory.shelter, {theirs: "0"}, "someone")


def test_a_provider_update_is_audited_and_journaled(
    app: Flask, directory: Directory, session_factory: sessionmaker[Session]
) -> None:
    capacity = _capacity(session_factory, directory.shelter, updated=utcnow() - dt.timedelta(hours=20))
    with session_factory() as session:
        token = issue_link(session, directory.shelter, "case.worker").token
        session.commit()
        journal_before = len(session.scalars(select(ChangeJournalEntry.seq)).all())
    assert _provider_post(app, token, {capacity: "7"}) == 303
    with session_factory() as session:
        row = session.get(ServiceCapacity, capacity)
        assert row.available == 7 and utcnow() - row.updated < dt.timedelta(minutes=1)
        audit = session.scalars(select(AuditEntry).where(AuditEntry.resource_id == capacity,
                                                         AuditEntry.last_action_type == "update")).all()
        assert [(a.previous_value, a.replacement_value, a.updated_by, a.listing_id) for a in audit] == [
            ("3", "7", "provider link", directory.shelter)]
        journal = session.scalars(select(ChangeJournalEntry.service_id)).all()
        assert len(journal) > journal_before and journal[-1] == directory.shelter
        link = session.scalar(select(AvailabilityLink))
        assert link.last_used_at is not None


def test_counts_are_checked(app: Flask, directory: Directory, session_factory: sessionmaker[Session]) -> None:
    capacity = _capacity(session_factory, directory.shelter, maximum=10)
    with session_factory() as session:
        token = issue_link(session, directory.shelter, "case.worker").token
        session.commit()
    for bad in ("11", "-1", "two", "", "3.5"):
        assert _provider_post(app, token, {capacity: bad}) == 422, bad
    with session_factory() as session:
        assert session.get(ServiceCapacity, capacity).available == 3


def test_provider_saves_are_throttled_per_address(
    app_factory: Callable[..., Flask], directory: Directory, session_factory: sessionmaker[Session]
) -> None:
    app = app_factory(ANONYMOUS_WRITE_LIMIT="3 per minute")
    capacity = _capacity(session_factory, directory.shelter)
    with session_factory() as session:
        token = issue_link(session, directory.shelter, "case.worker").token
        session.commit()
    statuses = [_provider_post(app, token, {capacity: str(n)}, address="10.9.9.9") for n in range(5)]
    assert statuses == [303, 303, 303, 429, 429]
    assert _provider_post(app, token, {capacity: "1"}, address="10.9.9.10") == 303
    with session_factory() as session:
        assert session.get(ServiceCapacity, capacity).available == 1


# -- the pages -------------------------------------------------------------------------------


def test_cards_say_the_count_and_its_age_then_call_to_check(
    app: Flask, directory: Directory, session_factory: sessionmaker[Session]
) -> None:
    _capacity(session_factory, directory.shelter, available=3, maximum=None,
              updated=utcnow() - dt.timedelta(minutes=40))
    _capacity(session_factory, directory.childcare, unit="child care slots", available=2, maximum=None,
              updated=utcnow() - dt.timedelta(hours=13))
    _catch_up(app)
    client = app.test_client()
    shelter = client.get(f"/services/{directory.shelter}").get_data(as_text=True)
    assert "3 family beds free, updated 40 minutes ago" in shelter
    childcare = client.get(f"/services/{directory.childcare}").get_data(as_text=True)
    assert "Child care slots: call to check" in childcare and "2 child care slots" not in childcare
    spanish = client.get(f"/services/{directory.shelter}", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "3 camas para familias libres, actualizado hace 40 minutos" in spanish


def test_patrol_filters_has_room_now(
    app_factory: Callable[..., Flask], directory: Directory, session_factory: sessionmaker[Session]
) -> None:
    app = app_factory(AVAILABILITY_MAX_AGE_HOURS=1)
    _capacity(session_factory, directory.shelter, available=2, updated=utcnow() - dt.timedelta(minutes=10))
    _capacity(session_factory, directory.childcare, unit="child care slots", available=0)
    _capacity(session_factory, directory.housing_near, unit="beds", available=4,
              updated=utcnow() - dt.timedelta(hours=2))
    _catch_up(app)
    officer = signed_in(app, session_factory)("officer")
    page = officer.get("/patrol/?open=0&room=1").get_data(as_text=True)
    found = set(re.findall(r'id="name-([0-9a-f-]{36})"', page))
    assert found == {directory.shelter}
    everything = set(re.findall(r'id="name-([0-9a-f-]{36})"', officer.get("/patrol/?open=0").get_data(as_text=True)))
    assert {directory.shelter, directory.childcare, directory.housing_near} <= everything


def test_caseworkers_add_count_and_issue_links(
    app: Flask, directory: Directory, session_factory: sessionmaker[Session]
) -> None:
    make = signed_in(app, session_factory)
    url = f"/admin/availability/{directory.shelter}"
    assert make("officer").get(url).status_code == 403
    client = make("caseworker")
    token = csrf_token(client.get(url).get_data(as_text=True))
    added = client.post(url + "/add", data={"csrf_token": token, "unit": "single women's beds",
                                            "unit_es": "camas para mujeres solas", "available": "4",
                                            "maximum": "12"})
    assert added.status_code == 303
    page = client.post(url + "/link", data={"csrf_token": token}).get_data(as_text=True)
    link = re.search(r'<code id="new-link">([^<]+)</code>', page).group(1)
    path = link[link.index("/u/"):]
    assert app.test_client().get(path).status_code == 200
    assert link.split("/u/")[1] not in client.get(url).get_data(as_text=True), "shown once"
    with session_factory() as session:
        capacity = session.scalar(select(ServiceCapacity))
        assert capacity.unit.name == "single women's beds" and capacity.maximum == 12
        actions = {(a.resource_type, a.last_action_type, a.updated_by)
                   for a in session.scalars(select(AuditEntry))}
        assert {("service_capacity", "create"), ("availability_link", "issue")} <= {a[:2] for a in actions}
    assert client.post(url + "/link/revoke", data={"csrf_token": token}).status_code == 303
    assert app.test_client().get(path).status_code == 404


def test_the_search_api_says_availability_and_filters_has_room(
    app_factory: Callable[..., Flask], directory: Directory, session_factory: sessionmaker[Session]
) -> None:
    app = app_factory(AVAILABILITY_MAX_AGE_HOURS=1)
    _capacity(session_factory, directory.shelter, available=2, updated=utcnow() - dt.timedelta(minutes=10))
    _capacity(session_factory, directory.childcare, unit="child care slots", available=6,
              updated=utcnow() - dt.timedelta(hours=2))
    _catch_up(app)
    client = app.test_client()
    answer = client.get("/api/v1/search?has_room=true").get_json()
    assert [r["id"] for r in answer["results"]] == [directory.shelter]
    [shelter] = answer["results"][0]["availability"]
    assert (shelter["unit"], shelter["available"], shelter["maximum"], shelter["call_to_check"]) == (
        "family beds", 2, 10, False)
    everything = {r["id"]: r for r in client.get("/api/v1/search?open_now=false").get_json()["results"]}
    [old] = everything[directory.childcare]["availability"]
    assert old["available"] is None and old["call_to_check"] is True and old["updated"].endswith("Z")
    assert everything[directory.counseling]["availability"] == []
    assert client.get("/api/v1/search?has_room=maybe").status_code == 400


def test_logs_never_hold_a_providers_token() -> None:
    from kiosk.logs import private_free
    from kiosk.request_log import loggable_path

    token = "Q2x1Y2tZb3VyVG9rZW5Jc05vdEluVGhlTG9nXzEyMzQ1Ng"
    assert loggable_path({"PATH_INFO": f"/u/{token}"}) == "/u/..."
    assert token not in private_free(f"error on POST /u/{token}?saved=1 here")
    assert "/u/..." in private_free(f"GET /u/{token}") and "/r/..." in private_free("GET /r/abcDEF123")


def test_caseworkers_are_told_what_to_fix(
    app: Flask, directory: Directory, session_factory: sessionmaker[Session]
) -> None:
    client = signed_in(app, session_factory)("caseworker")
    url = f"/admin/availability/{directory.shelter}"
    token = csrf_token(client.get(url).get_data(as_text=True))
    answer = client.post(url + "/add", data={"csrf_token": token, "unit": " ", "available": "x"})
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert "Name what is counted" in page and "Enter whole numbers" in page
    with session_factory() as session:
        assert session.scalars(select(ServiceCapacity)).all() == []
