"""Retiring and restoring locations: the use-cases (audited in the same transaction, optimistic
locking on ``version``) and the workspace pages; a retired location's address leaves the kiosk,
patrol and API, and search results no longer measure a distance to it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from directory_data.audit import install_audit_hooks, listing_history
from directory_data.locations import (
    LocationConflict,
    find_locations,
    is_retired,
    restore_location,
    retire_location,
)
from directory_data.models import Location, ServiceAtLocation
from directory_data.service_rows import shown_service
from kiosk.config import index_dir
from kiosk.db import get_database
from kiosk.search import catch_up_index
from kiosk_directory import Directory, make_directory
from staff import csrf_token, signed_in

STREET = "300 N Park Ave"  # directory.housing_near's only place


def _location_of(session: Session, service_id: str) -> Location:
    return session.scalars(select(Location).join(ServiceAtLocation)
                           .where(ServiceAtLocation.service_id == service_id)).one()


@pytest.fixture
def audited(session_factory: sessionmaker[Session]) -> sessionmaker[Session]:
    install_audit_hooks(session_factory)
    return session_factory


@pytest.fixture
def made(audited: sessionmaker[Session]) -> Directory:
    with audited() as session:
        return make_directory(session)


def test_retire_and_restore_are_audited_in_the_same_transaction(
    audited: sessionmaker[Session], made: Directory
) -> None:
    with audited() as session:
        location = _location_of(session, made.housing_near)
        version = location.version
        assert retire_location(session, location, expected_version=version, actor="case.kim") == 1
        session.rollback()  # the retirement and its trail go together
        assert not is_retired(session, location)
        assert listing_history(session, made.housing_near) == []
        assert shown_service(session, made.housing_near).location_links  # type: ignore[union-attr]

        location = _location_of(session, made.housing_near)
        retire_location(session, location, expected_version=version, actor="case.kim")
        session.commit()
        assert location.version == version + 1
        assert is_retired(session, location)
        entry = listing_history(session, made.housing_near)[0]
        assert (entry.resource_type, entry.resource_id, entry.last_action_type, entry.updated_by,
                entry.previous_value, entry.replacement_value) == (
            "location", location.id, "retire", "case.kim", "active", "retired")
        assert retire_location(session, location, expected_version=location.version, actor="x") == 0

    with audited() as session:  # a new session: the retirement is in the database
        service = shown_service(session, made.housing_near)
        assert service is not None and service.location_links == []
        assert [row.retired for row in find_locations(session, "park ave")] == [True]
        assert find_locations(session, "park ave", retired=False) == []
        location = _location_of(session, made.housing_near)
        assert restore_location(session, location, expected_version=location.version,
                                actor="case.kim") == 1
        session.commit()
        assert not is_retired(session, location)
        assert listing_history(session, made.housing_near)[0].last_action_type == "restore"

    with audited() as session:
        service = shown_service(session, made.housing_near)
        assert service is not None
        assert [link.location.physical_address.address_1 for link in service.location_links] == [STREET]


def test_a_stale_version_is_a_conflict_and_changes_nothing(
    audited: sessionmaker[Session], made: Directory
) -> None:
    with audited() as first, audited() as second:
        a = _location_of(first, made.childcare)
        b = _location_of(second, made.childcare)
        version = a.version
        a.name = "Little Steps, back building"
        first.commit()
        with pytest.raises(LocationConflict) as raised:  # b still believes it has the current version
            retire_location(second, b, expected_version=version, actor="case.two")
        assert raised.value.current.version == version + 1
        second.rollback()
        with pytest.raises(LocationConflict):  # told the version, but it is not the current one
            retire_location(second, _location_of(second, made.childcare), expected_version=version,
                            actor="case.two")
        second.rollback()
    with audited() as check:
        assert not is_retired(check, _location_of(check, made.childcare))
        assert listing_history(check, made.childcare) == []


@pytest.fixture
def directory(app: Flask, session_factory: sessionmaker[Session]) -> Directory:
    with session_factory() as session:
        made = make_directory(session)
    with app.app_context():
        catch_up_index(get_database(app).session_factory, index_dir(app.config))
    return made


@pytest.fixture
def staff(app: Flask, session_factory: sessionmaker[Session]) -> Callable[[str], FlaskClient]:
    return signed_in(app, session_factory)


def _distance(app: Flask, service_id: str) -> float | None:
    answer = app.test_client().get("/api/v1/search?q=housing&near=28.8003,-81.2731").get_json()
    return next(r["distance_km"] for r in answer["results"] if r["id"] == service_id)


def test_a_caseworker_retires_and_restores_a_place(
    app: Flask, staff: Callable[[str], FlaskClient], directory: Directory,
    session_factory: sessionmaker[Session],
) -> None:
    kiosk, officer, client = app.test_client(), staff("officer"), staff("caseworker")
    detail, patrol = f"/services/{directory.housing_near}", f"/patrol/services/{directory.housing_near}"
    assert STREET in kiosk.get(detail).get_data(as_text=True)
    assert STREET in officer.get(patrol).get_data(as_text=True)
    assert STREET in kiosk.get("/search?q=housing").get_data(as_text=True)
    assert _distance(app, directory.housing_near) is not None

    page = client.get("/admin/locations?q=park").get_data(as_text=True)
    assert STREET in page and "Sanford Housing Help Desk" in page
    with session_factory() as session:
        location = _location_of(session, directory.housing_near)
    retire = f"/admin/locations/{location.id}/retire"
    assert client.post(retire, data={"version": location.version}).status_code == 400  # no CSRF token
    token = csrf_token(page)
    stale = client.post(retire, data={"csrf_token": token, "version": location.version - 1})
    assert stale.status_code == 409 and "Someone changed this place" in stale.get_data(as_text=True)
    done = client.post(retire, data={"csrf_token": token, "version": location.version,
                                     "next": "/admin/locations?q=park"})
    assert done.status_code == 303 and done.headers["Location"].endswith("/admin/locations?q=park")
    assert "Retired" in client.get("/admin/locations?shown=retired").get_data(as_text=True)

    assert STREET not in kiosk.get(detail).get_data(as_text=True)  # the listing itself stays
    assert "Sanford Housing Help Desk" in kiosk.get(detail).get_data(as_text=True)
    assert STREET not in officer.get(patrol).get_data(as_text=True)
    assert STREET not in kiosk.get("/search?q=housing").get_data(as_text=True)
    assert app.test_client().get(f"/api/v1/services/{directory.housing_near}").status_code == 200
    assert STREET not in app.test_client().get(f"/api/v1/services/{directory.housing_near}").get_data(as_text=True)
    assert _distance(app, directory.housing_near) is None
    history = client.get(f"/admin/listings/{directory.housing_near}/history").get_data(as_text=True)
    assert "location" in history and "Retired" in history

    restore = f"/admin/locations/{location.id}/restore"
    assert client.post(restore, data={"csrf_token": token, "version": location.version + 1}).status_code == 303
    assert STREET in kiosk.get(detail).get_data(as_text=True)
    assert STREET in officer.get(patrol).get_data(as_text=True)
    assert _distance(app, directory.housing_near) is not None
    assert "Restored" in client.get(f"/admin/listings/{directory.housing_near}/history").get_data(as_text=True)
    assert client.post("/admin/locations/no-such-place/retire",
                       data={"csrf_token": token, "version": 1}).status_code == 404
