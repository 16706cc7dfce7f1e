"""Every route x every role: anonymous, officer, caseworker and admin are let in or refused as
intended. The routes come from the app's URL map, so a new route without a rule here fails."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from directory_data.models import Location, Organization, ProblemKind, User
from directory_data.problems import report_problem
from kiosk_directory import TODAY, make_directory
from staff import make_account, sign_in

#: Who may use each endpoint: "public", or the least role that may.
ACCESS: dict[str, str] = {
    "static": "public",
    "health.healthz": "public",
    "api.search_endpoint": "public",
    "api_directory.openapi": "public",
    "api_directory.root": "public",
    "api_directory.service": "public",
    "api_directory.services": "public",
    "api_directory.taxonomies": "public",
    "api_directory.taxonomy": "public",
    "api_directory.taxonomy_terms": "public",
    "api_directory.taxonomy_term": "public",
    "api_directory.organizations": "public",
    "api_directory.organization": "public",
    "api_directory.service_at_locations": "public",
    "api_directory.service_at_location": "public",
    "auth.login": "public",
    "auth.logout": "public",
    "lobby.home": "public", "lobby.results": "public", "lobby.category": "public",
    "lobby.service": "public", "lobby.referral": "public", "lobby.referral_add": "public",
    "lobby.referral_remove": "public", "lobby.referral_clear": "public",
    "lobby.referral_make": "public", "lobby.referral_print": "public", "lobby.language": "public",
    "lobby.display": "public",
    "referrals.public": "public", "referrals.print_slip": "public", "referrals.qr_svg": "public",
    "referrals.qr_png": "public", "api_referrals.create": "public",
    "lobby.quick_exit": "public", "lobby.welcome": "public", "lobby.reset": "public",
    "problems.report": "public", "problems.thanks": "public",
    "availability.provider": "public",
    "availability_admin.staff": "caseworker", "availability_admin.staff_counts": "caseworker",
    "availability_admin.staff_add": "caseworker", "availability_admin.staff_remove": "caseworker",
    "availability_admin.staff_issue": "caseworker", "availability_admin.staff_revoke": "caseworker",
    "patrol.home": "officer", "patrol.service": "officer", "patrol.referral": "officer",
    "patrol.referral_add": "officer", "patrol.referral_remove": "officer",
    "patrol.referral_clear": "officer", "patrol.referral_qr": "officer",
    "patrol.referral_make": "officer",
    "admin.home": "caseworker", "admin.new_listing": "caseworker",
    "admin.edit_listing": "caseworker", "admin.verify": "caseworker", "admin.retire": "caseworker",
    "admin.publish": "caseworker",
    "admin.restore": "caseworker", "admin.history": "caseworker", "admin.history_csv": "caseworker",
    "admin.audit_export": "caseworker", "admin.organizations": "caseworker",
    "admin.new_organization": "caseworker", "admin.edit_organization": "caseworker",
    "admin.retire_organization_view": "caseworker", "admin.restore_organization_view": "caseworker",
    "admin.locations": "caseworker", "admin.retire_location_view": "caseworker",
    "admin.restore_location_view": "caseworker",
    "admin.problems": "caseworker", "admin.resolve": "caseworker", "admin.stale": "caseworker",
    "admin.reports": "caseworker", "admin.reports_csv": "caseworker",
    "admin.import_package": "caseworker", "admin.confirm_import": "caseworker",
    "admin.export_package": "caseworker",
    "events.meet": "public", "events.feed": "public", "events.event_ics": "public",
    "events.patrol_week": "officer",
    "events.workspace": "caseworker", "events.publish": "caseworker", "events.cancel": "caseworker",
    "districts.index": "caseworker", "districts.upload": "caseworker", "districts.sheet": "caseworker",
    "districts.sheet_as_csv": "caseworker",
    "admin.users": "admin", "admin.add_account": "admin", "admin.set_account_active": "admin",
    "admin.set_account_role": "admin", "admin.reset_account_password": "admin",
}
RANK = {"public": 0, "officer": 1, "caseworker": 2, "admin": 3}
ROLES = ("anonymous", "officer", "caseworker", "admin")


def _routes(app: Flask) -> list[tuple[str, str, str]]:
    """``(endpoint, method, rule)`` for every route and method (GETs first, logout last)."""
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, rule.rule))
    return sorted(found, key=lambda r: (r[0] == "auth.logout", r[1] != "GET", r[0], r[1]))


def test_every_route_has_a_rule(app: Flask) -> None:
    missing = sorted({endpoint for endpoint, _, _ in _routes(app)} - set(ACCESS))
    assert not missing, f"add these endpoints to ACCESS in {__file__}: {missing}"


@pytest.fixture
def matrix_app(app_factory, session_factory: sessionmaker[Session]) -> tuple[Flask, dict[str, str]]:
    app = app_factory(WTF_CSRF_ENABLED=False)  # CSRF is tested on its own; here only roles
    with session_factory() as session:
        directory = make_directory(session)
        report = report_problem(session, directory.counseling, ProblemKind.closed, "",
                                surface="kiosk", today=TODAY)
        organization = session.scalar(select(Organization.id).limit(1))
        location = session.scalar(select(Location.id).limit(1))
        session.commit()
        report_id = report.id
    spare = make_account(session_factory, "officer", "spare.account")
    with session_factory() as session:
        spare_id = session.scalar(select(User.id).where(User.name == spare))
    made = app.test_client().post("/api/v1/referrals", json={"service_ids": [directory.counseling]})
    token = made.get_json()["token"]
    args = {"service_id": directory.counseling, "organization_id": organization, "location_id": location,
            "report_id": report_id, "user_id": spare_id, "token": token, "slug": "housing",
            "code": "es", "mode": "large", "filename": "kiosk.css", "id": directory.counseling,
            "event_id": "no-such-event",
            "capacity_id": "00000000-0000-4000-8000-000000000000"}
    for role in ROLES[1:]:
        make_account(session_factory, role, f"matrix.{role}")
    return app, args


def _url(rule: str, args: dict[str, str]) -> str:
    import re

    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: args[m.group(1)], rule)


def _signed_in(client: FlaskClient) -> bool:
    with client.session_transaction() as session:
        return "_user_id" in session


def test_role_matrix(matrix_app: tuple[Flask, dict[str, str]]) -> None:
    app, args = matrix_app
    wrong: list[str] = []
    for role in ROLES:
        _check_role(app, args, role, wrong)
    assert not wrong, "\n".join(wrong)


def _check_role(app: Flask, args: dict[str, str], role: str, wrong: list[str]) -> None:
    client = app.test_client()
    for endpoint, method, rule in _routes(app):
        if role != "anonymous" and not _signed_in(client):
            assert sign_in(client, f"matrix.{role}").status_code == 303
        url = _url(rule, args)
        response = client.open(url, method=method, data={} if method == "POST" else None)
        needed = ACCESS[endpoint]
        allowed = role != "anonymous" and RANK[role] >= RANK[needed] or needed == "public"
        location = response.headers.get("Location", "")
        to_login = response.status_code == 302 and "/officer/login?next=" in location
        refused = response.status_code == 403 or to_login
        if allowed == refused:
            wrong.append(f"{role}: {method} {url} ({endpoint}, needs {needed}): "
                         f"{response.status_code} {location}")
        if refused and role == "anonymous" and response.status_code != 302:
            wrong.append(f"{method} {url}: anonymous should be sent to the login page")
        if refused and role != "anonymous" and response.status_code != 403:
            wrong.append(f"{method} {url}: a signed-in {role} should get 403")
