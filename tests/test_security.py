"""Security of the workspace and every surface: CSRF on every POST, XSS payloads in every listing
field come out escaped everywhere, SQL-injection strings are harmless, the login ``next`` stays
on this site, the session changes at login, brute force gets HTTP 429 (in memory and on Redis),
idle sessions end, and the safety headers are on every response."""

from __future__ import annotations

import datetime as dt
import json
import os
import time
import uuid
from collections.abc import Callable
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from directory_data.models import (
    Address,
    CostOption,
    Language,
    Location,
    Organization,
    Phone,
    PhoneAudience,
    ProblemKind,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceCategory,
    User,
)
from directory_data.problems import report_problem
from kiosk.config import index_dir
from kiosk.db import get_database
from kiosk.search import catch_up_index
from kiosk_directory import TODAY, Directory, make_directory, src
from staff import csrf_token, form_of, make_account, sign_in, signed_in
from test_role_matrix import _routes, _url

XSS = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
RAW_MARKERS = ("<script>alert(1)", "<img src=x onerror")
SQL = ["' OR '1'='1", "1; DROP TABLE service; --", "%' UNION SELECT password_hash FROM user_account --",
       "\\'; DELETE FROM user_account WHERE ''='", "Robert'); DROP TABLE audit_entry;--"]


@pytest.fixture
def directory(app: Flask, session_factory: sessionmaker[Session]) -> Directory:
    with session_factory() as session:
        made = make_directory(session)
    return made


def _index(app: Flask) -> None:
    with app.app_context():
        catch_up_index(get_database(app).session_factory, index_dir(app.config))


# --------------------------------------------------------------------------------------------
# CSRF
# --------------------------------------------------------------------------------------------


def test_every_post_without_or_with_a_wrong_csrf_token_is_refused(
    app: Flask, directory: Directory, session_factory: sessionmaker[Session]
) -> None:
    client = signed_in(app, session_factory)("admin")
    args = {"service_id": directory.counseling, "organization_id": str(uuid.uuid4()), "location_id": str(uuid.uuid4()),
            "report_id": str(uuid.uuid4()), "user_id": str(uuid.uuid4()), "token": "x",
            "slug": "housing", "code": "es", "mode": "large", "filename": "kiosk.css",
            "event_id": str(uuid.uuid4()), "capacity_id": str(uuid.uuid4())}
    posts = [(e, _url(rule, args)) for e, method, rule in _routes(app) if method == "POST"]
    assert len(posts) > 20
    for endpoint, url in posts:
        for data in ({}, {"csrf_token": "not-the-token"}):
            response = client.post(url, data=data)
            assert response.status_code == 400, f"{endpoint} {url} {data}: {response.status_code}"
    assert client.get("/admin/").status_code == 200, "still signed in: the refused logout did nothing"
    # with the right token the same request goes through
    token = csrf_token(client.get(f"/admin/listings/{directory.counseling}").get_data(as_text=True))
    assert client.post(f"/admin/listings/{directory.counseling}/verify",
                       data={"csrf_token": token}).status_code == 303


# --------------------------------------------------------------------------------------------
# XSS
# --------------------------------------------------------------------------------------------


def _poisoned_listing(session_factory: sessionmaker[Session]) -> str:
    """A listing with the payload in every text field of it and of its parts; its id."""
    with session_factory() as session:
        org = Organization(**src(), name=f"Harbor org {XSS}", description=XSS, email=None, website=None)
        service = Service(
            **src(), name=f"Harborlight {XSS}", alternate_name=XSS, description=f"Harborlight {XSS}",
            organization=org, name_es=f"Harborlight {XSS}", description_es=XSS, officer_notes=XSS,
            eligibility_description=XSS, application_process=XSS, fees_description=XSS,
            wait_time=XSS, alert=XSS, url="https://example.org/?q=%22%3E%3Cscript%3E", interpretation_services=XSS,
            assured_date=TODAY)
        location = Location(**src(), name=XSS, description=XSS, latitude=28.8, longitude=-81.27,
                            organization=org)
        location.addresses.append(Address(**src(), address_1=XSS, city=XSS, state_province="FL",
                                          postal_code="32771"))
        session.add_all([org, service, location])
        session.flush()
        session.add(ServiceAtLocation(**src(), service_id=service.id, location_id=location.id))
        session.add(ServiceCategory(service_id=service.id, category_slug="housing"))
        session.add(Phone(**src(), service_id=service.id, number="(407) 555-0170", description=XSS))
        session.add(Phone(**src(), service_id=service.id, number="(407) 555-0171", description=XSS,
                          audience=PhoneAudience.officer))
        session.add(Language(**src(), service_id=service.id, name=XSS, code="es"))
        session.add(CostOption(**src(), service_id=service.id, option=XSS, amount=Decimal("5")))
        session.add(Schedule(**src(), service_id=service.id, freq="WEEKLY", byday="MO",
                             opens_at=dt.time(9), closes_at=dt.time(17), description=XSS))
        session.add(Schedule(**src(), service_id=service.id, valid_from=TODAY, valid_to=TODAY,
                             description=XSS))
        report_problem(session, service.id, ProblemKind.other, XSS, surface="kiosk", today=TODAY)
        session.commit()
        return service.id


def test_xss_payloads_come_out_escaped_on_every_surface(
    app: Flask, directory: Directory, session_factory: sessionmaker[Session]
) -> None:
    app.config["PUBLIC_BASE_URL"] = "https://help.example.org"  # link codes too
    service_id = _poisoned_listing(session_factory)
    _index(app)
    anonymous = app.test_client()
    officer = signed_in(app, session_factory)("officer")
    caseworker = signed_in(app, session_factory)("caseworker")
    page = anonymous.get("/referral").get_data(as_text=True)
    csrf = page.split('<meta name="csrf-token" content="', 1)[1].split('"', 1)[0]
    made = [anonymous.post("/api/v1/referrals", headers={"X-CSRFToken": csrf},
                           json={"service_ids": [service_id], "note": XSS, "mode": mode,
                                 "discreet": False}).get_json()["token"]
            for mode in ("text", "link")]
    token = made[0]
    with session_factory() as session:
        org_id = session.get(Service, service_id).organization_id
    pages = [
        (anonymous, "/search?q=harborlight"), (anonymous, f"/services/{service_id}"),
        (anonymous, f"/r/{token}"), (anonymous, f"/r/{token}/print"),
        (anonymous, f"/r/{made[1]}"), (anonymous, f"/r/{made[1]}/print?layout=receipt"),
        (anonymous, f"/problem/{service_id}"),
        (anonymous, "/search?q=" + XSS),
        (officer, "/patrol/?q=harborlight&open=0"), (officer, f"/patrol/services/{service_id}"),
        (caseworker, "/admin/?q=harborlight"), (caseworker, f"/admin/listings/{service_id}"),
        (caseworker, f"/admin/listings/{service_id}/history"), (caseworker, "/admin/problems"),
        (caseworker, "/admin/organizations?q=harbor"), (caseworker, f"/admin/organizations/{org_id}"),
        (caseworker, "/admin/?q=" + XSS),
    ]
    for client, url in pages:
        response = client.get(url)
        body = response.get_data(as_text=True)
        assert response.status_code == 200, url
        for marker in RAW_MARKERS:
            assert marker not in body, f"unescaped payload on {url}"
    detail = anonymous.get(f"/services/{service_id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in detail  # shown, as text
    # the history page shows the payload the caseworker saves through the editor, escaped
    values = form_of(caseworker, f"/admin/listings/{service_id}")
    values["wait_time"] = ["<b>bold</b>" + XSS]
    assert caseworker.post(f"/admin/listings/{service_id}", data=values).status_code == 303
    history = caseworker.get(f"/admin/listings/{service_id}/history").get_data(as_text=True)
    assert "&lt;b&gt;bold&lt;/b&gt;" in history and "<b>bold" not in history
    for url in (f"/api/v1/services/{service_id}", "/api/v1/search?q=harborlight",
                "/api/v1/services?search=harborlight"):
        response = anonymous.get(url)
        assert response.status_code == 200 and response.mimetype == "application/json", url
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert XSS in json.dumps(response.get_json(), ensure_ascii=False), "data kept, not mangled"
    exported = caseworker.get(f"/admin/listings/{service_id}/history.csv")
    assert exported.mimetype == "text/csv" and "attachment" in exported.headers["Content-Disposition"]


# --------------------------------------------------------------------------------------------
# SQL injection
# --------------------------------------------------------------------------------------------


def _counts(session_factory: sessionmaker[Session]) -> tuple[int, int, int]:
    with session_factory() as session:
        return (session.scalar(select(func.count()).select_from(Service)),
                session.scalar(select(func.count()).select_from(User)),
                session.scalar(select(func.count()).select_from(Organization)))


def test_sql_injection_strings_in_every_input_are_harmless(
    app: Flask, directory: Directory, session_factory: sessionmaker[Session]
) -> None:
    _index(app)
    caseworker = signed_in(app, session_factory)("caseworker")
    anonymous = app.test_client()
    before = _counts(session_factory)
    for attack in SQL:
        for client, url, params in (
            (anonymous, "/search", {"q": attack, "category": attack, "page": attack, "open": attack}),
            (anonymous, "/api/v1/search", {"q": attack}),
            (anonymous, "/api/v1/services", {"search": attack, "page": attack}),
            (caseworker, "/admin/", {"q": attack, "category": attack, "status": attack, "page": attack}),
            (caseworker, "/admin/organizations", {"q": attack}),
            (caseworker, "/admin/reports", {"weeks": attack}),
            (anonymous, f"/services/{attack}", {}),
            (caseworker, f"/admin/listings/{attack}", {}),
        ):
            response = client.get(url, query_string=params)
            assert response.status_code < 500, (url, attack, response.status_code)
        assert sign_in(app.test_client(), attack).status_code in (401, 429)
    # saved through the editor and problem form: stored verbatim, shown as text
    url = f"/admin/listings/{directory.counseling}"
    values = form_of(caseworker, url)
    values["name"] = [SQL[0]]
    values["description"] = [SQL[1]]
    values["languages-0-name"] = [SQL[2]]
    assert caseworker.post(url, data=values).status_code == 303
    page = anonymous.get(f"/problem/{directory.shelter}").get_data(as_text=True)
    assert anonymous.post(f"/problem/{directory.shelter}", data={
        "csrf_token": csrf_token(page), "kind": "other", "details": SQL[4]}).status_code == 303
    with session_factory() as session:
        saved = session.get(Service, directory.counseling)
        assert (saved.name, saved.description) == (SQL[0], SQL[1])
    assert _counts(session_factory) == before, "no table lost or gained rows"


# --------------------------------------------------------------------------------------------
# Login: next, session id, brute force, idle expiry
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/", "/\\evil.example", "\\\\evil.example",
    "javascript:alert(1)", "http:/evil.example", "https:evil.example", " //evil.example",
])
def test_login_next_cannot_leave_the_site(app: Flask, session_factory: sessionmaker[Session], target: str) -> None:
    make_account(session_factory, "caseworker", "case.next")
    response = sign_in(app.test_client(), "case.next", next_url=target.replace("\\", "%5C"))
    assert response.status_code == 303
    location = urlsplit(response.headers["Location"])
    assert location.netloc in ("", "localhost") and location.path.startswith("/") \
        and not location.path.startswith("//") and "evil" not in response.headers["Location"]


def test_login_next_keeps_a_local_page(app: Flask, session_factory: sessionmaker[Session]) -> None:
    make_account(session_factory, "caseworker", "case.local")
    response = sign_in(app.test_client(), "case.local", next_url="/admin/stale")
    assert response.headers["Location"].endswith("/admin/stale")


def _cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("kiosk")
    return cookie.value if cookie else ""


def test_the_session_changes_at_login(app: Flask, session_factory: sessionmaker[Session]) -> None:
    make_account(session_factory, "caseworker", "case.session")
    client = app.test_client()
    client.get("/officer/login")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    before = _cookie(client)
    assert sign_in(client, "case.session").status_code == 303
    after = _cookie(client)
    assert before and after and before != after
    with client.session_transaction() as session:
        first_sid = session["sid"]
        assert "planted" not in session, "the session is cleared at login"
    attacker = app.test_client()
    attacker.set_cookie("kiosk", before)
    assert attacker.get("/admin/").status_code == 302, "the pre-login cookie is not signed in"
    client.post("/officer/logout", data={"csrf_token": csrf_token(client.get("/admin/").get_data(as_text=True))})
    assert sign_in(client, "case.session").status_code == 303
    with client.session_transaction() as session:
        assert session["sid"] != first_sid


def _throttled_app(app_factory: Callable[..., Flask], **config: object) -> Flask:
    return app_factory(LOGIN_LIMIT_PER_ACCOUNT="3 per minute", LOGIN_LIMIT_PER_ADDRESS="6 per minute",
                       RATELIMIT_KEY_PREFIX=f"test-{uuid.uuid4().hex}", **config)


def _brute_force(apps: list[Flask], session_factory: sessionmaker[Session]) -> None:
    make_account(session_factory, "caseworker", "case.target")
    clients = [a.test_client() for a in apps]
    statuses = [sign_in(clients[i % len(clients)], "case.target", "wrong guess!!").status_code
                for i in range(3)]
    assert statuses == [401, 401, 401]
    # per account: even the right password is refused now, on every host
    for client in clients:
        assert sign_in(client, "case.target").status_code == 429
    # per address: other names from the same address
    statuses = [sign_in(clients[0], f"nobody.{i}", "wrong guess!!").status_code for i in range(4)]
    assert statuses[:3] == [401, 401, 401] and statuses[3] == 429
    page = sign_in(clients[0], "nobody.x", "wrong").get_data(as_text=True)
    assert "Too many attempts" in page


def test_brute_force_is_throttled_in_memory(app_factory: Callable[..., Flask],
                                            session_factory: sessionmaker[Session]) -> None:
    _brute_force([_throttled_app(app_factory)], session_factory)


def test_brute_force_is_throttled_across_hosts_with_redis(app_factory: Callable[..., Flask],
                                                          session_factory: sessionmaker[Session]) -> None:
    url = os.environ.get("KIOSK_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:  # noqa: BLE001 - Redis is optional: the in-memory test above always runs
        pytest.skip(f"Redis is not reachable at {url}")
    prefix = f"test-{uuid.uuid4().hex}"
    hosts = [app_factory(LOGIN_LIMIT_PER_ACCOUNT="3 per minute", LOGIN_LIMIT_PER_ADDRESS="6 per minute",
                         RATELIMIT_KEY_PREFIX=prefix, RATELIMIT_STORAGE_URI=url) for _ in range(2)]
    _brute_force(hosts, session_factory)


def test_idle_staff_sessions_end(app: Flask, session_factory: sessionmaker[Session]) -> None:
    client = signed_in(app, session_factory)("caseworker")
    assert client.get("/admin/").status_code == 200
    with client.session_transaction() as session:
        session["seen"] = int(time.time()) - 31 * 60
    response = client.get("/admin/")
    assert response.status_code == 303 and "/officer/login" in response.headers["Location"]
    assert client.get("/admin/").status_code == 302, "signed out for good"


# --------------------------------------------------------------------------------------------
# Headers
# --------------------------------------------------------------------------------------------

REQUIRED_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options",
                    "Referrer-Policy", "Cross-Origin-Opener-Policy")


def test_security_headers_on_every_response(
    app: Flask, directory: Directory, session_factory: sessionmaker[Session]
) -> None:
    _index(app)
    admin = signed_in(app, session_factory)("admin")
    args = {"service_id": directory.counseling, "organization_id": "none", "report_id": "none",
            "user_id": "none", "token": "none", "slug": "housing", "code": "es", "mode": "large",
            "filename": "kiosk.css", "id": directory.counseling, "event_id": "none", "capacity_id": "none"}
    seen = []
    for client in (app.test_client(), admin):
        for endpoint, method, rule in _routes(app):
            if method != "GET" or endpoint in ("lobby.quick_exit", "lobby.reset"):
                continue
            response = client.get(_url(rule, args))
            seen.append(response.status_code)
            for header in REQUIRED_HEADERS:
                assert header in response.headers, f"{header} missing on {rule}"
            assert "script-src 'self'" in response.headers["Content-Security-Policy"]
            assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
            if endpoint != "static":
                assert response.headers["Cache-Control"] == "no-store", rule
        for url, method in (("/no/such/page", "GET"), ("/admin/", "POST"), ("/exit", "GET")):
            response = client.open(url, method=method)
            for header in REQUIRED_HEADERS:
                assert header in response.headers, f"{header} missing on {method} {url}"
    assert 200 in seen and 404 in seen
