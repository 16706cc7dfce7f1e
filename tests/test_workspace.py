"""The caseworker workspace through HTTP: listing pages, editing with field errors, the conflict
view, verify/retire/restore, audit log and CSV, organizations, retiring and restoring places,
problem reports, reports, users, import and export, and the ``kiosk user`` commands."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import time
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from directory_data.models import (
    AuditEntry,
    ChangeJournalEntry,
    Location,
    ProblemReport,
    Service,
    ServiceAtLocation,
)
from kiosk.config import index_dir
from kiosk.db import get_database
from kiosk.search import catch_up_index
from kiosk_directory import Directory, make_directory
from staff import PASSWORD, csrf_token, form_of, sign_in, signed_in


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


def test_caseworker_edits_a_listing_and_sees_the_audit_log(
    staff: Callable[[str], FlaskClient], directory: Directory
) -> None:
    client = staff("caseworker")
    page = client.get("/admin/?stale=1")
    assert page.status_code == 200 and "Sanford Housing Help Desk" in page.get_data(as_text=True)
    url = f"/admin/listings/{directory.housing_near}"
    values = form_of(client, url)
    values["phones-0-number"] = ["407-555-0199"]
    response = client.post(url, data=values)
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    assert "(407) 555-0199" in client.get(url).get_data(as_text=True)
    history = client.get(url + "/history").get_data(as_text=True)
    assert "(407) 555-0133" in history and "(407) 555-0199" in history
    rows = list(csv.DictReader(io.StringIO(client.get(url + "/history.csv").get_data(as_text=True))))
    assert any(r["field_name"] == "number" and r["replacement_value"] == "(407) 555-0199" for r in rows)


def test_user_commands_disable_and_reset_password(
    app: Flask, runner: FlaskCliRunner, session_factory: sessionmaker[Session]
) -> None:
    added = runner.invoke(args=["user", "add", "Case.Ruiz", "--role", "caseworker", "--password-stdin"],
                          input=PASSWORD + "\n")
    assert added.exit_code == 0 and "added caseworker case.ruiz" in added.output
    client = app.test_client()
    assert sign_in(client, "case.ruiz").status_code == 303
    assert client.get("/admin/").status_code == 200
    reset = runner.invoke(args=["user", "reset-password", "case.ruiz", "--password-stdin"],
                          input="another long passphrase\n")
    assert reset.exit_code == 0, reset.output
    assert client.get("/admin/").status_code == 302, "a new password ends open sessions"
    assert sign_in(client, "case.ruiz").status_code == 401
    assert sign_in(client, "case.ruiz", "another long passphrase").status_code == 303
    disabled = runner.invoke(args=["user", "disable", "case.ruiz"])
    assert disabled.exit_code == 0 and "disabled case.ruiz" in disabled.output
    assert client.get("/admin/").status_code == 302, "a disabled account is signed out"
    assert sign_in(client, "case.ruiz", "another long passphrase").status_code == 401
    assert runner.invoke(args=["user", "disable", "nobody"]).exit_code == 2
    with session_factory() as session:
        trail = session.scalars(select(AuditEntry).where(AuditEntry.resource_type == "user_account")).all()
        assert {e.field_name for e in trail} >= {"active", "name", "role"}
        assert all(e.updated_by.startswith("cli") for e in trail)
        assert not any("scrypt" in (e.replacement_value + e.previous_value) for e in trail)


def test_two_caseworkers_edit_the_same_listing(
    staff: Callable[[str], FlaskClient], directory: Directory, session_factory: sessionmaker[Session]
) -> None:
    first, second = staff("caseworker"), staff("caseworker")
    url = f"/admin/listings/{directory.childcare}"
    mine, theirs = form_of(first, url), form_of(second, url)  # both load the same version
    mine["description"] = ["Daycare for ages 1 to 5, now with evening hours."]
    assert first.post(url, data=mine).status_code == 303
    theirs["description"] = ["Daycare for toddlers."]
    theirs["phones-0-number"] = ["407-555-0123"]
    conflict = second.post(url, data=theirs)
    assert conflict.status_code == 409
    page = conflict.get_data(as_text=True)
    assert "Someone else saved this listing" in page
    assert "now with evening hours" in page and "Daycare for toddlers." in page  # side by side
    with session_factory() as session:
        saved = session.get(Service, directory.childcare)
        assert saved.description == "Daycare for ages 1 to 5, now with evening hours."
        assert [p.number for p in saved.phones] == ["(407) 555-0122"], "nothing of theirs was saved"
    # Choosing "save my version" posts the form again with the version it was shown
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    theirs["version"] = [version]
    assert second.post(url, data=theirs).status_code == 303
    with session_factory() as session:
        assert session.get(Service, directory.childcare).description == "Daycare for toddlers."


def test_an_edit_is_found_by_the_kiosk_search_within_a_second(
    app: Flask, staff: Callable[[str], FlaskClient], directory: Directory
) -> None:
    kiosk = app.test_client()
    assert "Quokkaville" not in kiosk.get("/search?q=quokkaville").get_data(as_text=True)
    client = staff("caseworker")
    url = f"/admin/listings/{directory.housing_far}"
    values = form_of(client, url)
    values["name"] = ["Quokkaville Family Housing"]
    assert client.post(url, data=values).status_code == 303
    saved = time.monotonic()
    found = False
    while time.monotonic() - saved < 1.0:
        if "Quokkaville Family Housing" in kiosk.get("/search?q=quokkaville").get_data(as_text=True):
            found = True
            break
        time.sleep(0.05)
    assert found, "the kiosk did not find the edited listing within 1 s"


def test_field_errors_are_shown_next_to_the_field(staff: Callable[[str], FlaskClient], directory: Directory) -> None:
    client = staff("caseworker")
    url = f"/admin/listings/{directory.counseling}"
    values = form_of(client, url)
    values["phones-0-number"] = ["12"]
    values["hours-0-opens"] = ["half past never"]
    values["url"] = ["not a web address at all"]
    response = client.post(url, data=values)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="err-phones-0-number"' in page and 'id="err-hours-0-opens"' in page and 'id="err-url"' in page
    assert 'aria-describedby="err-phones-0-number"' in page
    assert "Nothing was saved" in page


def test_verify_retire_restore_through_the_workspace(
    app: Flask, staff: Callable[[str], FlaskClient], directory: Directory, session_factory: sessionmaker[Session]
) -> None:
    client = staff("caseworker")
    base = f"/admin/listings/{directory.housing_near}"
    token = csrf_token(client.get(base).get_data(as_text=True))
    assert client.post(base + "/verify", data={"csrf_token": token}).status_code == 303
    assert "Sanford Housing Help Desk" not in client.get("/admin/?stale=1").get_data(as_text=True)
    asked = client.post(base + "/retire", data={"csrf_token": token})  # not from the question
    assert asked.status_code == 303 and asked.headers["Location"].endswith(base + "/retire")
    assert app.test_client().get(f"/services/{directory.housing_near}").status_code == 200, "not retired"
    question = client.get(base + "/retire").get_data(as_text=True)
    assert "Retire “Sanford Housing Help Desk”?" in question and 'name="confirmed" value="1"' in question
    assert client.post(base + "/retire", data={"csrf_token": token, "confirmed": "1"}).status_code == 303
    assert app.test_client().get(f"/services/{directory.housing_near}").status_code == 404
    # The HSDS API keeps serving it, as inactive, so copies kept in sync learn of the retirement.
    assert app.test_client().get(f"/api/v1/services/{directory.housing_near}").get_json()["status"] == "inactive"
    assert "Retired" in client.get("/admin/?status=retired").get_data(as_text=True)
    assert client.post(base + "/restore", data={"csrf_token": token}).status_code == 303
    assert app.test_client().get(f"/services/{directory.housing_near}").status_code == 200
    assert app.test_client().get(f"/api/v1/services/{directory.housing_near}").get_json()["status"] == "active"
    history = client.get(base + "/history").get_data(as_text=True)
    assert "assured_date" in history and "retired_at" in history


def test_problem_report_from_the_kiosk_reaches_the_queue(
    app: Flask, staff: Callable[[str], FlaskClient], directory: Directory, session_factory: sessionmaker[Session]
) -> None:
    kiosk = app.test_client()
    detail = kiosk.get(f"/services/{directory.counseling}").get_data(as_text=True)
    link = re.search(r'href="(/problem/[^"]+)"', detail).group(1).replace("&amp;", "&")
    page = kiosk.get(link).get_data(as_text=True)
    assert "Report a problem with this listing" in page
    asked = set(re.findall(r'<(?:input|textarea|select)[^>]* name="([^"]+)"', page.split("<main")[1]))
    assert asked == {"csrf_token", "from", "back", "kind", "details"}, "nothing personal is asked for"
    sent = kiosk.post(link, data={"csrf_token": csrf_token(page), "kind": "phone-wrong",
                                  "details": "Line is dead. Call me 407 555 0100", "from": "kiosk"})
    assert sent.status_code == 303 and "/problem/thanks" in sent.headers["Location"]
    assert "Thank you" in kiosk.get(sent.headers["Location"]).get_data(as_text=True)
    assert kiosk.post(link, data={"csrf_token": csrf_token(page), "kind": "nonsense"}).status_code == 422
    client = staff("caseworker")
    queue = client.get("/admin/problems").get_data(as_text=True)
    assert "Seminole Crisis Counseling Center" in queue and "The phone number is wrong" in queue
    assert "407 555 0100" not in queue and "(withheld)" in queue
    with session_factory() as session:
        report = session.scalars(select(ProblemReport)).one()
        assert report.surface == "kiosk"
    token = csrf_token(queue)
    assert client.post(f"/admin/problems/{report.id}/resolve", data={"csrf_token": token}).status_code == 303
    assert "No open report" in client.get("/admin/problems").get_data(as_text=True)


def test_gap_report_page_chart_and_csv(app: Flask, staff: Callable[[str], FlaskClient], directory: Directory) -> None:
    kiosk = app.test_client()
    for _ in range(5):
        kiosk.get("/search?q=diaper+bank").close()  # a search is counted once its page is sent
    kiosk.get("/search?q=lonely+unique+need").close()
    kiosk.get("/search?category=housing").close()
    client = staff("caseworker")
    page = client.get("/admin/reports").get_data(as_text=True)
    assert "diaper bank" in page and "lonely unique need" not in page
    assert '<svg class="chart"' in page and "<script" not in page
    assert "Sanford Police Department" in page  # per station
    text = client.get("/admin/reports.csv").get_data(as_text=True)
    assert text.startswith("week,category,station,searches") and "diaper bank,5" in text


def test_stale_report_links_to_the_list(staff: Callable[[str], FlaskClient], directory: Directory) -> None:
    client = staff("caseworker")
    page = client.get("/admin/stale").get_data(as_text=True)
    assert "/admin/?stale=1&amp;category=housing" in page
    listed = client.get("/admin/?stale=1&category=housing").get_data(as_text=True)
    assert "Sanford Housing Help Desk" in listed and "Altamonte Family Housing" not in listed


def test_new_listing_and_organization(
    staff: Callable[[str], FlaskClient], directory: Directory, session_factory: sessionmaker[Session]
) -> None:
    client = staff("caseworker")
    values = form_of(client, "/admin/organizations/new")
    values.update(name=["Helping Hands"], website=["helpinghands.example.org"])
    created = client.post("/admin/organizations/new", data=values)
    assert created.status_code == 303
    org_url = created.headers["Location"]
    values = form_of(client, "/admin/listings/new")
    values.update(name=["Helping Hands Pantry"], categories=["housing"],
                  organization_id=[org_url.rsplit("/", 1)[1]])
    values["phones-0-number"] = ["(407) 555-0160"]
    values["hours-0-days"] = ["SA"]
    values["hours-0-opens"] = ["9am"]
    values["hours-0-closes"] = ["noon"]
    made = client.post("/admin/listings/new", data=values)
    assert made.status_code == 303, made.get_data(as_text=True)[:2000]
    with session_factory() as session:
        service = session.scalars(select(Service).where(Service.name == "Helping Hands Pantry")).one()
        assert service.organization.website == "https://helpinghands.example.org"
        assert [s.byday for s in service.schedules] == ["SA"]
    # the organization editor detects a stale version too
    a, b = form_of(client, org_url), form_of(client, org_url)
    a["description"] = ["first"]
    b["description"] = ["second"]
    assert client.post(org_url, data=a).status_code == 303
    assert client.post(org_url, data=b).status_code == 409


def test_admin_manages_accounts(app: Flask, staff: Callable[[str], FlaskClient]) -> None:
    admin = staff("admin")
    page = admin.get("/admin/users").get_data(as_text=True)
    token = csrf_token(page)
    added = admin.post("/admin/users", data={"csrf_token": token, "name": "officer.new", "role": "officer",
                                             "password": PASSWORD, "confirm": PASSWORD})
    assert added.status_code == 303
    weak = admin.post("/admin/users", data={"csrf_token": token, "name": "x.y", "role": "officer",
                                            "password": "short", "confirm": "short"})
    assert weak.status_code == 422
    page = admin.get("/admin/users").get_data(as_text=True)
    officer = app.test_client()
    assert sign_in(officer, "officer.new").status_code == 303
    ids = re.findall(r'/admin/users/([0-9a-f-]{36})/active', page)
    for ident in ids:
        admin.post(f"/admin/users/{ident}/active", data={"csrf_token": token, "active": "0"})
    assert officer.get("/patrol/").status_code == 302, "disabled: signed out"
    assert admin.get("/admin/users").status_code == 200, "an admin cannot disable themself"


def test_import_preview_then_confirm_and_export(
    staff: Callable[[str], FlaskClient], directory: Directory, tmp_path, session_factory: sessionmaker[Session]
) -> None:
    import json
    import zipfile

    from hsds_packages import small_v1_package

    folder = small_v1_package(tmp_path / "pkg")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for file in folder.rglob("*.csv"):
            archive.write(file, f"pkg/{file.name}")
    client = staff("caseworker")
    token = csrf_token(client.get("/admin/import").get_data(as_text=True))
    preview = client.post("/admin/import", data={"csrf_token": token, "source": "harbor",
                                                 "package": (io.BytesIO(buffer.getvalue()), "pkg.zip")},
                          content_type="multipart/form-data")
    assert preview.status_code == 200, preview.get_data(as_text=True)[:2000]
    page = preview.get_data(as_text=True)
    assert "Import preview" in page and "Nothing is saved yet." in page
    with session_factory() as session:
        assert session.scalars(select(Service).where(Service.name == "Emergency Shelter")).first() is None
    upload = re.search(r'name="token" value="([0-9a-f]{32})"', page).group(1)
    done = client.post("/admin/import/confirm", data={"csrf_token": token, "token": upload, "decision": "import"})
    assert done.status_code == 303
    with session_factory() as session:
        assert session.scalars(select(Service).where(Service.name == "Emergency Shelter")).first() is not None
        assert session.scalars(select(AuditEntry).where(AuditEntry.last_action_type == "import")).one()
    again = client.post("/admin/import/confirm", data={"csrf_token": token, "token": upload, "decision": "import"})
    assert again.status_code == 400, "an upload is imported once"
    evil = io.BytesIO()
    with zipfile.ZipFile(evil, "w") as archive:
        archive.writestr("../../escape.csv", "id\n1\n")
    refused = client.post("/admin/import", data={"csrf_token": token, "package": (io.BytesIO(evil.getvalue()), "evil.zip")},
                          content_type="multipart/form-data")
    assert refused.status_code == 422 and "outside its folder" in refused.get_data(as_text=True), re.findall(r"role=\"alert\"><p>([^<]*)", refused.get_data(as_text=True))
    exported = client.get("/admin/export?format=json")
    assert exported.status_code == 200 and exported.mimetype == "application/json"
    names = {item["name"] for item in json.loads(exported.data)["contents"]}
    assert "Emergency Shelter" in names and "Seminole Crisis Counseling Center" in names
    package = zipfile.ZipFile(io.BytesIO(client.get("/admin/export?format=csv").data))
    assert "directory/datapackage.json" in package.namelist()


def test_the_editor_offers_blank_rows_to_add_records(staff: Callable[[str], FlaskClient], directory: Directory) -> None:
    client = staff("caseworker")
    page = client.get("/admin/listings/new").get_data(as_text=True)
    for name in ("phones-1-number", "hours-1-opens", "closures-1-start", "languages-1-name", "costs-1-amount"):
        assert f'name="{name}"' in page, name
    page = client.get(f"/admin/listings/{directory.counseling}").get_data(as_text=True)
    assert 'name="phones-3-number"' in page and 'name="phones-4-number"' not in page  # 2 + 2 blank


def _location_of(session: Session, service_id: str) -> Location:
    return session.scalars(select(Location).join(ServiceAtLocation)
                           .where(ServiceAtLocation.service_id == service_id)).one()


STREET = "300 N Park Ave"  # directory.housing_near's only place


def _place_state(session_factory: sessionmaker[Session], location_id: str,
                 service_id: str) -> tuple[dt.datetime | None, int, int]:
    """The place's ``retired_at`` and ``version``, and how often the journal names the service."""
    with session_factory() as session:
        location = session.get(Location, location_id)
        assert location is not None
        journaled = session.scalar(select(func.count()).select_from(ChangeJournalEntry)
                                   .where(ChangeJournalEntry.service_id == service_id))
        return location.retired_at, location.version, int(journaled or 0)


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
    assert location.retired_at is None
    journaled = _place_state(session_factory, location.id, directory.housing_near)[2]
    done = client.post(retire, data={"csrf_token": token, "version": location.version,
                                     "next": "/admin/locations?q=park"})
    assert done.status_code == 303 and done.headers["Location"].endswith("/admin/locations?q=park")
    retired_at, version, now_journaled = _place_state(session_factory, location.id, directory.housing_near)
    assert retired_at is not None and retired_at.tzinfo is not None and version == location.version + 1
    assert now_journaled > journaled  # the change journal re-indexes the listings delivered there
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
    retired_at, version, restored_journaled = _place_state(session_factory, location.id, directory.housing_near)
    assert retired_at is None and version == location.version + 2 and restored_journaled > now_journaled
    assert STREET in kiosk.get(detail).get_data(as_text=True)
    assert STREET in officer.get(patrol).get_data(as_text=True)
    assert _distance(app, directory.housing_near) is not None
    assert "Restored" in client.get(f"/admin/listings/{directory.housing_near}/history").get_data(as_text=True)
    assert client.post("/admin/locations/no-such-place/retire",
                       data={"csrf_token": token, "version": 1}).status_code == 404
