"""Publication rules: a listing nobody can reach, or without a category, is held for review in
the workspace -- out of the search index, the pages, the API and referrals -- until a caseworker
fixes it (a save that fixes it publishes it) or publishes it once it passes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from directory_data.hsds.importer import import_path
from directory_data.models import Service
from directory_data.publication import NO_CATEGORY, NO_CONTACT, hold_reasons
from hsds_packages import small_v1_package, write_csv
from kiosk.config import index_dir
from kiosk.db import get_database
from kiosk_directory import make_directory
from search_index.upkeep.drift import find_drift, index_fingerprints
from search_index.engine.layout import IndexLayout
from search_index.engine.store import open_current
from staff import csrf_token, form_of, signed_in

HELD = "Support Group"  # the small package's listing with no phone, no address and no term


@pytest.fixture
def imported(app: Flask, tmp_path: Path) -> Path:
    """The small HSDS 1.1 package imported with ``kiosk import`` (index caught up)."""
    folder = small_v1_package(tmp_path / "pkg")
    result = app.test_cli_runner().invoke(args=["import", str(folder), "--source", "harbor"])
    assert result.exit_code == 0, result.output
    assert "1 services held for review: 1 with no public phone, address or web site; " \
           "1 with no category or taxonomy term" in result.output
    assert 'held for review: 1 services are not shown until a caseworker fixes them' in result.output
    return folder


def _id(session_factory: sessionmaker[Session], name: str) -> str:
    with session_factory() as session:
        return session.scalars(select(Service.id).where(Service.name == name)).one()


def _indexed(app: Flask) -> set[str]:
    _, ix = open_current(IndexLayout(index_dir(app.config)))
    return set(index_fingerprints(ix)[0])


def _content_shown(service: dict[str, object]) -> bool:
    """Whether an HSDS API service object shows the listing, not its withdrawn stub (``id``,
    ``name``, ``status`` ``inactive``, ``last_modified``: what a held listing is, so a copy kept in
    sync learns that it went)."""
    if service.keys() == {"id", "name", "status", "last_modified"}:
        assert service["status"] == "inactive"
        return False
    return "error" not in service


def _public(app: Flask, service_id: str, query: str) -> dict[str, bool]:
    """Where an anonymous caller finds the service."""
    client = app.test_client()
    search = client.get("/api/v1/search", query_string={"q": query}).get_json()
    listed = client.get("/api/v1/services", query_string={"per_page": 50}).get_json()
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', client.get("/").get_data(as_text=True))
    made = client.post("/api/v1/referrals", json={"service_ids": [service_id], "mode": "text"},
                       headers={"X-CSRFToken": token.group(1)})
    assert made.status_code == 201 or "no longer listed" in made.get_json()["fields"]["service_ids"], made.get_json()
    def in_list(path: str, **query: str) -> bool:
        answer = client.get(path, query_string={"per_page": 50, **query}).get_json()
        assert answer["total_pages"] == 1, path
        return service_id in json.dumps(answer["contents"])

    return {
        "organizations": in_list("/api/v1/organizations", full="true"),
        "organizations, services in full": in_list("/api/v1/organizations", full_service="true"),
        "service_at_locations": in_list("/api/v1/service_at_locations"),
        "detail": client.get(f"/services/{service_id}").status_code == 200,
        "api": _content_shown(client.get(f"/api/v1/services/{service_id}").get_json()),
        "search": service_id in [hit["id"] for hit in search["results"]],
        "results page": service_id in client.get("/search", query_string={"q": query}).get_data(as_text=True),
        "list": any(s["id"] == service_id and _content_shown(s) for s in listed["contents"]),
        "referral": made.status_code == 201,
        "index": service_id in _indexed(app),
    }


def test_an_import_holds_what_cannot_be_shown_and_says_why(
    app: Flask, imported: Path, session_factory: sessionmaker[Session]
) -> None:
    held = _id(session_factory, HELD)
    # (the shelter: the package codes its counseling at the top level "R" only, which the needs
    # layer does not read as serving a counseling need)
    shown = _id(session_factory, "Emergency Shelter")
    with session_factory() as session:
        assert session.get_one(Service, held).held_for == [NO_CONTACT, NO_CATEGORY]
        assert session.get_one(Service, shown).review_reasons is None
    assert not any(_public(app, held, "support group").values())
    assert all(_public(app, shown, "emergency shelter").values())
    with app.app_context():
        assert find_drift(IndexLayout(index_dir(app.config)), get_database(app).session_factory).clean


def test_the_report_counts_the_held_listings(session_factory: sessionmaker[Session], tmp_path: Path) -> None:
    folder = small_v1_package(tmp_path / "pkg")
    with session_factory() as session:
        report = import_path(session, folder, source="harbor")
        session.commit()
    assert (report.held_total, report.held, report.published) == (1, {NO_CONTACT: 1, NO_CATEGORY: 1}, 0)
    assert report.to_dict()["held_for_review"] == {"services": 1, "by_reason": {NO_CONTACT: 1, NO_CATEGORY: 1},
                                                   "published": 0}
    write_csv(folder / "phones.csv", ["id", "location_id", "service_id", "number", "type"],
              [[20, "", 10, "407-555-0101", ""], [22, "", 11, "407-555-0103", ""], [23, "", 12, "407-555-0104", ""]])
    write_csv(folder / "services_taxonomy.csv", ["id", "service_id", "taxonomy_id"],
              [[40, 10, "BH-1800"], [41, 11, "R"], [42, 12, "R"]])
    with session_factory() as session:
        again = import_path(session, folder, source="harbor")
        session.commit()
        assert session.scalars(select(Service.review_reasons)).all() == [None, None, None]
    assert (again.held_total, again.published) == (0, 1), "the source fixed it: published by the re-import"


def test_the_rules(session_factory: sessionmaker[Session]) -> None:
    """A public phone, a public address or a web site is a way to reach it; an officer-only
    phone, a confidential or retired place is not. A category or a taxonomy term classifies it."""
    with session_factory() as session:
        directory = make_directory(session)
        ids = [directory.counseling, directory.shelter, directory.childcare]
        assert hold_reasons(session, ids) == dict.fromkeys(ids, ())
        for phone in session.get_one(Service, directory.shelter).phones:
            session.delete(phone)
        session.flush()
        assert hold_reasons(session, [directory.shelter]) == {directory.shelter: (NO_CONTACT,)}, \
            "a confidential place's address reaches nobody"
        counseling = session.get_one(Service, directory.counseling)
        for phone in [p for p in counseling.phones if p.audience.value == "public"]:
            session.delete(phone)
        for link in counseling.category_links:
            session.delete(link)
        session.flush()
        assert hold_reasons(session, [directory.counseling]) == {directory.counseling: (NO_CATEGORY,)}, \
            "its street address reaches it"
        session.execute(update(Service).where(Service.id == directory.shelter).values(url="https://example.org"))
        assert hold_reasons(session, [directory.shelter]) == {directory.shelter: ()}
        session.rollback()


@pytest.fixture
def caseworker(app: Flask, session_factory: sessionmaker[Session]) -> FlaskClient:
    return signed_in(app, session_factory)("caseworker")


def test_the_workspace_lists_held_listings_and_a_fix_publishes(
    app: Flask, imported: Path, caseworker: FlaskClient, session_factory: sessionmaker[Session]
) -> None:
    held = _id(session_factory, HELD)
    home = caseworker.get("/admin/").get_data(as_text=True)
    assert "1 listing is held for review" in home
    listed = caseworker.get("/admin/?status=held").get_data(as_text=True)
    assert HELD in listed and "Held for review" in listed
    assert "no public phone, address or web site; no category" in listed
    assert "Emergency Shelter" not in listed
    url = f"/admin/listings/{held}"
    editor = caseworker.get(url).get_data(as_text=True)
    assert "Residents and officers do not see it" in editor and "See it on the kiosk" not in editor

    values = form_of(caseworker, url)
    values["phones-0-number"] = ["(407) 555-0188"]
    saved = caseworker.post(url, data=values)  # a phone, still no category
    page = caseworker.get(saved.headers["Location"]).get_data(as_text=True)
    assert "It is held for review, not shown to residents or officers, until it is fixed: no category." in page
    assert not _public(app, held, "support group")["api"]

    values = form_of(caseworker, url)
    values["categories"] = ["mental-health"]
    saved = caseworker.post(url, data=values)
    page = caseworker.get(saved.headers["Location"]).get_data(as_text=True)
    assert "It is published: residents and officers can see it now." in page
    assert all(_public(app, held, "support group").values())


def test_an_edit_that_leaves_no_way_to_reach_it_holds_it(
    app: Flask, imported: Path, caseworker: FlaskClient, session_factory: sessionmaker[Session]
) -> None:
    shown = _id(session_factory, "Counseling")
    url = f"/admin/listings/{shown}"
    values = form_of(caseworker, url)
    values = {k: v for k, v in values.items() if not re.match(r"phones-\d+-", k)}
    saved = caseworker.post(url, data=values)
    assert saved.status_code == 303
    page = caseworker.get(saved.headers["Location"]).get_data(as_text=True)
    assert "until it is fixed: no public phone, address or web site." in page
    assert not any(_public(app, shown, "counseling").values())


def test_publish_checks_again(
    app: Flask, imported: Path, caseworker: FlaskClient, session_factory: sessionmaker[Session]
) -> None:
    held = _id(session_factory, HELD)
    token = csrf_token(caseworker.get("/admin/?status=held").get_data(as_text=True))
    refused = caseworker.post(f"/admin/listings/{held}/publish", data={"csrf_token": token})
    page = caseworker.get(refused.headers["Location"]).get_data(as_text=True)
    assert "until it is fixed: no public phone, address or web site; no category." in page
    assert caseworker.post(f"/admin/listings/{held}/publish", data={}).status_code == 400, "CSRF"
    with session_factory.begin() as session:  # fixed elsewhere: a web site and a category
        service = session.get_one(Service, held)
        service.url = "https://group.example.org"
        from directory_data.models import ServiceCategory

        session.add(ServiceCategory(service_id=held, category_slug="mental-health", assigned_by="listing"))
    done = caseworker.post(f"/admin/listings/{held}/publish", data={"csrf_token": token})
    page = caseworker.get(done.headers["Location"]).get_data(as_text=True)
    assert "“Support Group” is published" in page
    assert all(_public(app, held, "support group").values())


def test_a_new_listing_without_contact_is_held(
    app: Flask, caseworker: FlaskClient, session_factory: sessionmaker[Session]
) -> None:
    values = form_of(caseworker, "/admin/listings/new")
    values["name"] = ["Quiet Listing"]
    values["categories"] = ["housing"]
    made = caseworker.post("/admin/listings/new", data=values)
    assert made.status_code == 303
    page = caseworker.get(made.headers["Location"]).get_data(as_text=True)
    assert "The listing was created." in page and "until it is fixed: no public phone, address or web site." in page
    quiet = _id(session_factory, "Quiet Listing")
    listed = app.test_client().get("/api/v1/services", query_string={"per_page": 1000}).get_json()["contents"]
    assert [s for s in listed if s["id"] == quiet] == [app.test_client().get(f"/api/v1/services/{quiet}").get_json()]
    assert not _content_shown(next(s for s in listed if s["id"] == quiet)), "only its withdrawn stub"


def test_held_listings_stay_out_after_an_index_rebuild(
    app: Flask, imported: Path, session_factory: sessionmaker[Session]
) -> None:
    held = _id(session_factory, HELD)
    result = app.test_cli_runner().invoke(args=["index", "rebuild"])
    assert result.exit_code == 0, result.output
    assert held not in _indexed(app) and _id(session_factory, "Counseling") in _indexed(app)
