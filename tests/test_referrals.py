"""Referrals: the rules (validation, token, expiry, payloads, purge, weekly counts), the JSON API
with its CSRF token, the HTML forms of the kiosk and the patrol view, the public page, the slip,
the stored codes (decoded with zbar), bad input (clear errors, nothing stored, no 500), and the
gap report's referral column."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from pyzbar.pyzbar import decode
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from directory_data.gap_report import gap_report, report_csv
from directory_data.models import Referral, ReferralCount, Service
from directory_data.referral_payload import Labels, contact_payload, entries_for, text_payload
from directory_data.referrals import MAX_TEXT_BYTES, purge_expired
from directory_data.service_rows import services_in_order
from kiosk_directory import Directory, make_directory
from staff import csrf_token, signed_in

LABELS = Labels("Your referral", "Community resources", "Support service",
                "If you are in danger, call 911", "Address given by phone",
                ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])
ABUSE_WORDS = re.compile(r"abuse|violence|domestic|shelter|harbor", re.IGNORECASE)


@pytest.fixture
def app(app_factory: Callable[..., Flask]) -> Flask:
    """An app configured as a deployment with link codes is: with its public address
    (without one, link codes are not offered: tests/test_public_links.py)."""
    return app_factory(PUBLIC_BASE_URL="https://help.example.org")


@pytest.fixture
def directory(app: Flask, session_factory: sessionmaker[Session]) -> Directory:
    with session_factory() as session:
        return make_directory(session)


def _meta_token(client: FlaskClient, url: str = "/referral") -> str:
    page = client.get(url).get_data(as_text=True)
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)


@pytest.fixture
def api(client: FlaskClient) -> Callable[..., object]:
    """Post JSON to the API as the kiosk's pages do (the meta tag's token in X-CSRFToken)."""
    token = _meta_token(client)

    def post(body: object, **headers: str):
        return client.post("/api/v1/referrals", json=body,
                           headers={"X-CSRFToken": token, **headers})

    return post


def _count(session_factory: sessionmaker[Session], model: type = Referral) -> int:
    with session_factory() as session:
        return session.scalar(select(func.count()).select_from(model))


def _qr(data: bytes) -> list[str]:
    return [s.data.decode("utf-8") for s in decode(Image.open(io.BytesIO(data)))]


# --------------------------------------------------------------------------------------------
# The API
# --------------------------------------------------------------------------------------------


def test_api_makes_a_referral_with_its_urls_and_codes(
    app: Flask, client: FlaskClient, api, directory: Directory, session_factory: sessionmaker[Session]
) -> None:
    app.config["PUBLIC_BASE_URL"] = "https://help.example.org"
    response = api({"service_ids": [directory.counseling, directory.housing_near],
                    "note": "Ask for Maria's team", "lang": "en", "mode": "link"})
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    token = body["token"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", token)  # 128 bits, URL-safe
    assert body["url"] == f"https://help.example.org/r/{token}"
    assert body["print_url"] == f"https://help.example.org/r/{token}/print"
    assert body["qr_svg_url"].endswith(f"/r/{token}/qr.svg") and body["qr_png_url"].endswith("/qr.png")
    expires = dt.datetime.fromisoformat(body["expires_at"])
    # stored to the hour: at least the 30 days, at most an hour more
    assert dt.timedelta(days=30) - dt.timedelta(minutes=1) < expires - dt.datetime.now(dt.timezone.utc) <= dt.timedelta(days=30, hours=1)
    png = client.get(f"/r/{token}/qr.png")
    assert png.mimetype == "image/png" and _qr(png.data) == [body["url"]]
    svg = client.get(f"/r/{token}/qr.svg")
    assert svg.mimetype == "image/svg+xml" and "<path" in svg.get_data(as_text=True)
    with session_factory() as session:
        referral = session.scalars(select(Referral)).one()
        assert referral.service_ids == [directory.counseling, directory.housing_near]
        assert referral.surface == "kiosk" and referral.station == "Sanford Police Department"
        assert referral.district == "Sanford, Seminole County" and referral.lang == "en"
        columns = {c.name for c in Referral.__table__.columns}
        assert not columns & {"ip", "ip_address", "user_agent", "session", "session_id", "user_id", "name"}


def test_codes_are_made_once_and_served_as_stored(
    client: FlaskClient, api, directory: Directory, session_factory: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    token = api({"service_ids": [directory.counseling]}).get_json()["token"]
    from kiosk import qr

    def fail(payload: str) -> None:
        raise AssertionError("a stored code was made again")

    monkeypatch.setattr(qr, "render", fail)
    monkeypatch.setattr(qr, "matrix", fail)
    for url in (f"/r/{token}/qr.svg", f"/r/{token}/qr.png", f"/r/{token}", f"/r/{token}/print"):
        assert client.get(url).status_code == 200, url


def test_text_mode_carries_the_referral_in_spanish_with_accents(
    api, client: FlaskClient, directory: Directory, session_factory: sessionmaker[Session]
) -> None:
    body = api({"service_ids": [directory.counseling, directory.shelter], "lang": "es",
                "mode": "text", "discreet": False}).get_json()
    assert body["qr_mode"] == "text"
    decoded = _qr(client.get(f"/r/{body['token']}/qr.png").data)
    with session_factory() as session:
        stored = session.scalars(select(Referral)).one().qr_payload
    assert decoded == [stored]
    text = decoded[0]
    assert "Centro de Consejería en Crisis de Seminole" in text  # the Spanish name, accents intact
    assert "(407) 555-0100" in text and "100 E 1st St, Sanford, FL 32771" in text
    assert "Lun-Dom" in text or "Lu-Do" in text or "Dom" in text, text  # hours in Spanish
    assert "999 Hidden Way" not in text and "555-0199" not in text  # confidential, officer-only
    assert "911" in text


def test_text_mode_falls_back_to_a_link_when_too_long(
    api, client: FlaskClient, directory: Directory, session_factory: sessionmaker[Session]
) -> None:
    with session_factory() as session:
        from directory_data.models import Service

        service = session.get(Service, directory.housing_far)
        service.name = "Altamonte Family Housing " + "and transitional living program " * 8
        session.commit()
    ids = [directory.housing_far, directory.counseling, directory.housing_near, directory.childcare,
           directory.shelter]
    body = api({"service_ids": ids, "mode": "text", "discreet": False}).get_json()
    assert body["mode"] == "text" and body["qr_mode"] == "link"
    assert _qr(client.get(f"/r/{body['token']}/qr.png").data) == [body["url"]]
    page = client.get(f"/r/{body['token']}/print").get_data(as_text=True)
    assert "too long to fit in the code" in page


def test_contact_and_hotline_modes(api, client: FlaskClient, directory: Directory) -> None:
    contact = api({"service_ids": [directory.housing_near], "mode": "contact"}).get_json()
    (card,) = _qr(client.get(f"/r/{contact['token']}/qr.png").data)
    assert card.startswith("MECARD:N:Sanford Housing Help Desk;TEL:+14075550133;")
    assert "ADR:300 N Park Ave\\, Sanford\\, FL 32771" in card and card.endswith(";;")
    hotline = api({"service_ids": [directory.shelter], "mode": "hotline"}).get_json()
    assert _qr(client.get(f"/r/{hotline['token']}/qr.png").data) == ["tel:+18007997233"]
    crisis = api({"service_ids": [directory.counseling], "mode": "hotline"}).get_json()
    assert _qr(client.get(f"/r/{crisis['token']}/qr.png").data) == ["tel:988"]


def test_discreet_is_on_by_default_for_abuse_services_and_hides_abuse_words(
    api, client: FlaskClient, directory: Directory
) -> None:
    body = api({"service_ids": [directory.shelter, directory.housing_near], "mode": "text"}).get_json()
    assert body["discreet"] is True  # not asked: on, because the shelter is an abuse service
    (text,) = _qr(client.get(f"/r/{body['token']}/qr.png").data)
    assert text.startswith("Community resources") and not ABUSE_WORDS.search(text.replace("Housing", ""))
    assert "(407) 555-0111" in text and "Support service" in text
    for url in (f"/r/{body['token']}", f"/r/{body['token']}/print"):
        page = client.get(url).get_data(as_text=True)
        headings = " ".join(re.findall(r"<(?:h1|h2|title)[^>]*>(.*?)</", page, re.S))
        assert "Community resources" in headings and not ABUSE_WORDS.search(headings), headings
    plain = api({"service_ids": [directory.housing_near]}).get_json()
    assert plain["discreet"] is False
    hotline_only = api({"service_ids": [directory.shelter], "mode": "hotline", "discreet": True}).get_json()
    page = client.get(f"/r/{hotline_only['token']}/print").get_data(as_text=True)
    assert "Support line" in page and "555-0111" not in page and "tel:+18007997233" in page


@pytest.mark.parametrize("body, field", [
    ({"service_ids": ["no-such-id"]}, "service_ids"),
    ({"service_ids": []}, "service_ids"),
    ({}, "service_ids"),
    ({"service_ids": "abc"}, "service_ids"),
    ({"service_ids": [f"id-{n}" for n in range(50)]}, "service_ids"),
    ({"service_ids": ["COUNSELING"], "note": "x" * 10_000}, "note"),
    ({"service_ids": ["COUNSELING"], "note": 5}, "note"),
    ({"service_ids": ["COUNSELING"], "lang": "fr"}, "lang"),
    ({"service_ids": ["COUNSELING"], "mode": "fax"}, "mode"),
    ({"service_ids": ["COUNSELING"], "discreet": "yes"}, "discreet"),
    (["not", "an", "object"], "body"),
])
def test_bad_api_input_is_refused_clearly_and_stores_nothing(
    api, directory: Directory, session_factory: sessionmaker[Session], body: object, field: str
) -> None:
    if isinstance(body, dict) and body.get("service_ids") == ["COUNSELING"]:
        body = {**body, "service_ids": [directory.counseling]}
    response = api(body)
    assert response.status_code == 400 and response.mimetype == "application/json"
    answer = response.get_json()
    assert answer["error"] == "invalid referral" and field in answer["fields"], answer
    assert _count(session_factory) == 0 and _count(session_factory, ReferralCount) == 0


def test_fifty_real_services_are_too_many(api, directory: Directory, session_factory) -> None:
    ids = [directory.counseling, directory.housing_near, directory.housing_far, directory.childcare,
           directory.shelter] * 10
    # duplicates collapse to 5 distinct services: allowed; 11 distinct ids are not
    assert api({"service_ids": ids}).status_code == 201
    eleven = [directory.counseling] + [f"missing-{n}" for n in range(10)]
    assert api({"service_ids": eleven}).get_json()["fields"] == {
        "service_ids": "A referral can hold at most 10 services."}


def test_a_retired_service_is_unknown(api, directory: Directory, session_factory) -> None:
    response = api({"service_ids": [directory.counseling, directory.defunct]})
    assert response.status_code == 400 and _count(session_factory) == 0


def test_post_without_csrf_token_is_refused_as_json(
    client: FlaskClient, directory: Directory, session_factory: sessionmaker[Session]
) -> None:
    for headers in ({}, {"X-CSRFToken": "forged"}):
        response = client.post("/api/v1/referrals", json={"service_ids": [directory.counseling]},
                               headers=headers)
        assert response.status_code == 400 and "CSRF" in response.get_json()["error"]
    # a replay from another browser (another session) with a copied token is refused too
    token = _meta_token(client)
    other = client.application.test_client()
    response = other.post("/api/v1/referrals", json={"service_ids": [directory.counseling]},
                          headers={"X-CSRFToken": token})
    assert response.status_code == 400
    assert _count(session_factory) == 0


def test_not_json_is_a_clear_error(api, directory: Directory) -> None:
    from flask import Flask as _  # noqa: F401  (keeps the import block stable)

    response = api(None)
    assert response.status_code == 400 and response.get_json()["fields"] == {
        "body": "Send the referral as a JSON object."}


# --------------------------------------------------------------------------------------------
# The public page, the slip and tokens
# --------------------------------------------------------------------------------------------


def test_public_page_is_readable_without_script_and_withholds_confidential_addresses(
    api, client: FlaskClient, directory: Directory
) -> None:
    token = api({"service_ids": [directory.counseling, directory.shelter], "discreet": False,
                 "note": "Walk in before noon"}).get_json()["token"]
    page = client.get(f"/r/{token}").get_data(as_text=True)
    assert "Seminole Crisis Counseling Center" in page and 'href="tel:+14075550100"' in page
    assert "100 E 1st St, Sanford, FL 32771" in page and "Open 24 hours" in page
    assert "12am" not in page
    assert "999 Hidden Way" not in page and "address is given by phone" in page
    assert "555-0199" not in page  # officer-only
    assert "Walk in before noon" in page and "If you are in danger, call 911" in page
    assert "<script" not in page and 'name="viewport"' in page
    assert "/problem/" in page  # report a problem with a listing
    slip = client.get(f"/r/{token}/print").get_data(as_text=True)
    assert "Sanford Police Department" in slip and "If you are in danger, call 911" in slip
    assert 'class="qr"' in slip and "print-letter.css" in slip
    assert "print-receipt.css" in client.get(f"/r/{token}/print?layout=receipt").get_data(as_text=True)


def test_referral_page_is_in_the_referral_language(api, client: FlaskClient, directory: Directory) -> None:
    token = api({"service_ids": [directory.counseling], "lang": "es"}).get_json()["token"]
    page = client.get(f"/r/{token}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="es"' in page and "Centro de Consejería en Crisis de Seminole" in page
    assert "Si está en peligro, llame al 911" in page


def test_unknown_tampered_and_expired_tokens_look_the_same(
    api, client: FlaskClient, directory: Directory, session_factory: sessionmaker[Session]
) -> None:
    token = api({"service_ids": [directory.counseling]}).get_json()["token"]
    expired = api({"service_ids": [directory.housing_near]}).get_json()["token"]
    with session_factory() as session:
        session.execute(update(Referral).where(Referral.token == expired)
                        .values(expires_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)))
        session.commit()
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    answers = []
    for bad in (tampered, expired, "x" * 22, "short", "not-a-token!", "a" * 500):
        for suffix in ("", "/print", "/qr.svg", "/qr.png"):
            response = client.get(f"/r/{bad}{suffix}")
            answers.append(response.status_code)
            if suffix in ("", "/print"):
                assert "This referral has expired" in response.get_data(as_text=True)
    assert set(answers) == {404}
    assert client.get(f"/r/{token}").status_code == 200


def test_purge_command_and_purge_on_creation(
    app: Flask, api, runner, directory: Directory, session_factory: sessionmaker[Session]
) -> None:
    import directory_data.referrals as rules

    for ids in ([directory.counseling], [directory.housing_near], [directory.childcare]):
        api({"service_ids": ids})
    past = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=1)
    with session_factory() as session:
        first, second, _ = session.scalars(select(Referral).order_by(Referral.created_at)).all()
        first.expires_at = second.expires_at = past
        session.commit()
    counts_before = _count(session_factory, ReferralCount)
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0 and "expired referrals purged: 2" in result.output
    assert _count(session_factory) == 1 and _count(session_factory, ReferralCount) == counts_before
    # on creation, at most once per PURGE_EVERY per process
    with session_factory() as session:
        session.execute(update(Referral).values(expires_at=past))
        session.commit()
    rules._last_purge = None
    api({"service_ids": [directory.counseling]})
    assert _count(session_factory) == 1  # the expired one went, the new one stays
    with session_factory() as session:
        session.execute(update(Referral).values(expires_at=past))
        session.commit()
    api({"service_ids": [directory.counseling]})
    assert _count(session_factory) == 2, "throttled: no second purge within the hour"
    with session_factory() as session:
        assert purge_expired(session, dt.datetime.now(dt.timezone.utc)) == 1


def test_expiry_days_are_configurable(app: Flask, api, directory: Directory) -> None:
    app.config["REFERRAL_DAYS"] = 7
    body = api({"service_ids": [directory.counseling]}).get_json()
    left = dt.datetime.fromisoformat(body["expires_at"]) - dt.datetime.now(dt.timezone.utc)
    assert dt.timedelta(days=7) - dt.timedelta(minutes=1) < left <= dt.timedelta(days=7, hours=1)  # to the hour


# --------------------------------------------------------------------------------------------
# The HTML forms (no JavaScript)
# --------------------------------------------------------------------------------------------


def test_lobby_form_makes_the_referral_and_shows_its_code(
    client: FlaskClient, directory: Directory, session_factory: sessionmaker[Session]
) -> None:
    for service_id in (directory.counseling, directory.shelter):
        token = csrf_token(client.get(f"/services/{service_id}").get_data(as_text=True))
        client.post("/referral/add", data={"csrf_token": token, "service_id": service_id})
    page = client.get("/referral").get_data(as_text=True)
    assert re.search(r'name="discreet" value="1" checked', page), "discreet preselected for abuse"
    assert "name=\"name\"" not in page  # no name field anywhere
    token = csrf_token(page)
    made = client.post("/referral/make", data={"csrf_token": token, "mode": "link", "discreet": "1",
                                               "note": ""})
    assert made.status_code == 303 and made.headers["Location"].endswith("/referral")
    page = client.get("/referral").get_data(as_text=True)
    with session_factory() as session:
        referral = session.scalars(select(Referral)).one()
    assert referral.discreet and referral.surface == "kiosk"
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="qr"' in page
    assert 'href="/referral/print"' in page and "Your referral is ready" in page
    assert "See the page it opens" in page and "The page it opens works until" in page


def test_the_kiosk_print_screen_keeps_the_lobby_safe_and_returns_to_the_start(
    client: FlaskClient, app: Flask, directory: Directory, session_factory: sessionmaker[Session]
) -> None:
    assert client.get("/referral/print").headers["Location"] == "/referral"  # nothing made yet
    token = csrf_token(client.get(f"/services/{directory.counseling}").get_data(as_text=True))
    client.post("/referral/add", data={"csrf_token": token, "service_id": directory.counseling})
    made = client.post("/referral/make", data={"csrf_token": csrf_token(client.get("/referral").get_data(as_text=True)),
                                               "mode": "link", "note": ""})
    assert made.status_code == 303
    screen = client.get("/referral/print").get_data(as_text=True)
    seconds = app.config["PRINT_RETURN_SECONDS"]
    assert seconds <= 20
    assert f'data-print-return="{seconds}"' in screen and 'data-reset-url="/reset"' in screen
    assert re.search(rf'<noscript><meta http-equiv="refresh" content="{seconds};url=/reset"></noscript>', screen)
    assert 'id="quick-exit"' in screen and 'class="crisis"' in screen
    assert "Take your slip from the printer" in screen
    # The slip is in the page for the printer only.
    screen_part, printed = screen.split('<div class="print-only">', 1)
    assert "Seminole Crisis Counseling Center" not in screen_part.split("<main")[1]
    assert "Seminole Crisis Counseling Center" in printed and 'class="qr"' in printed
    assert 'media="print" href="/static/print-letter.css' in screen


def test_lobby_form_errors_are_shown_and_nothing_is_stored(
    client: FlaskClient, directory: Directory, session_factory: sessionmaker[Session]
) -> None:
    page = client.get("/referral").get_data(as_text=True)
    token = csrf_token(page, required=False) or _meta_token(client)
    empty = client.post("/referral/make", data={"csrf_token": token, "mode": "link"})
    assert empty.status_code == 422 and "Choose at least one service." in empty.get_data(as_text=True)
    add = csrf_token(client.get(f"/services/{directory.counseling}").get_data(as_text=True))
    client.post("/referral/add", data={"csrf_token": add, "service_id": directory.counseling})
    long_note = client.post("/referral/make", data={"csrf_token": token, "mode": "link",
                                                    "note": "x" * 10_000})
    body = long_note.get_data(as_text=True)
    assert long_note.status_code == 422 and "under 280 characters" in body and 'role="alert"' in body
    assert client.post("/referral/make", data={"mode": "link"}).status_code == 400  # no CSRF
    assert _count(session_factory) == 0


def test_patrol_form_records_the_chosen_district_and_shows_the_code(
    app: Flask, directory: Directory, session_factory: sessionmaker[Session]
) -> None:
    app.config["PATROL_DISTRICTS"] = ("District 2", "District 5")
    officer = signed_in(app, session_factory)("officer")
    token = csrf_token(officer.get(f"/patrol/services/{directory.counseling}").get_data(as_text=True))
    officer.post("/patrol/referral/add", data={"csrf_token": token, "service_id": directory.counseling})
    assert officer.get("/patrol/referral/qr").status_code == 303  # nothing made yet
    page = officer.get("/patrol/referral").get_data(as_text=True)
    assert '<option value="District 5">District 5</option>' in page
    made = officer.post("/patrol/referral/make", data={"csrf_token": token, "mode": "link",
                                                       "district": "District 5"})
    assert made.status_code == 303 and made.headers["Location"].endswith("/patrol/referral/qr")
    screen = officer.get("/patrol/referral/qr").get_data(as_text=True)
    assert 'class="qr"' in screen
    with session_factory() as session:
        referral = session.scalars(select(Referral)).one()
        assert (referral.surface, referral.district) == ("patrol", "District 5")
        counts = session.scalars(select(ReferralCount)).all()
        assert [(c.category, c.district, c.surface, c.referrals) for c in counts] == [
            ("mental-health", "District 5", "patrol", 1)]
    # a district that is not offered falls back to the station's own
    officer.post("/patrol/referral/make", data={"csrf_token": token, "district": "Elsewhere"})
    with session_factory() as session:
        districts = set(session.scalars(select(Referral.district)))
    assert districts == {"District 5", "Sanford, Seminole County"}


# --------------------------------------------------------------------------------------------
# Aggregates and the gap report
# --------------------------------------------------------------------------------------------


def test_weekly_counts_feed_the_gap_report(
    app: Flask, api, directory: Directory, session_factory: sessionmaker[Session]
) -> None:
    api({"service_ids": [directory.counseling, directory.housing_near]})
    api({"service_ids": [directory.housing_far]})
    today = dt.date.today()
    with session_factory() as session:
        counts = {(c.category, c.referrals) for c in session.scalars(select(ReferralCount))}
        assert counts == {("mental-health", 1), ("housing", 2)}
        assert all(c.week.weekday() == 0 for c in session.scalars(select(ReferralCount)))
        report = gap_report(session, today - dt.timedelta(days=27), today)
    assert report.measures == ["searches", "referrals"]
    assert dict(report.totals("category"))["housing"]["referrals"] == 2
    assert dict(report.totals("station"))["Sanford Police Department"]["referrals"] == 3
    assert "week,category,station,searches,referrals" in report_csv(report)
    # purging the referrals keeps the counts
    with session_factory() as session:
        purge_expired(session, dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=31))
        session.commit()
        assert gap_report(session, today - dt.timedelta(days=27), today).totals("category")


def test_gap_report_page_shows_referrals(
    app: Flask, api, directory: Directory, session_factory: sessionmaker[Session]
) -> None:
    api({"service_ids": [directory.counseling]})
    page = signed_in(app, session_factory)("caseworker").get("/admin/reports").get_data(as_text=True)
    assert "Referrals" in page and "Referrals per district" in page and "Sanford, Seminole County" in page


# --------------------------------------------------------------------------------------------
# Payloads (pure)
# --------------------------------------------------------------------------------------------


def test_payload_builders(directory: Directory, session_factory: sessionmaker[Session]) -> None:
    with session_factory() as session:
        services = services_in_order(session, [directory.counseling, directory.shelter])
        entries = entries_for(services, "en", LABELS)
    text = text_payload(entries, LABELS, discreet=True, station="Sanford PD", day=dt.date(2026, 11, 23),
                        note="not in discreet")
    assert text.splitlines()[:2] == ["Community resources", "Sanford PD 2026-11-23"]
    assert "Support service" in text and "Safe Harbor" not in text and "not in discreet" not in text
    assert "Address given by phone" in text
    assert len(text.encode()) <= MAX_TEXT_BYTES
    card = contact_payload(entries[1], LABELS, discreet=True)
    assert card.startswith("MECARD:N:Support service;TEL:+14075550111;") and "Hidden" not in card


def test_the_codes_mark_a_sample_listing(directory: Directory, session_factory: sessionmaker[Session]) -> None:
    """A listing of the fictional sample directory is marked in the code a resident carries away
    (the text list and the phone contact), as on every page and slip; a real one is not."""
    with session_factory() as session:
        session.get_one(Service, directory.childcare).source = "sample"
        session.commit()
        entries = entries_for(services_in_order(session, [directory.childcare, directory.counseling]), "en", LABELS)
    assert [entry.sample for entry in entries] == [True, False]
    lines = text_payload(entries, LABELS, discreet=False, station="Sanford PD", day=dt.date(2026, 12, 7)).splitlines()
    first = lines.index("1. Little Steps Child Care")
    assert lines[first + 1] == "Sample listing, not a real service"
    assert lines.count("Sample listing, not a real service") == 1
    assert contact_payload(entries[0], LABELS, discreet=False).count(";NOTE:Sample listing\\, not a real service") == 1
    assert "Sample listing" not in contact_payload(entries[1], LABELS, discreet=False)


def test_anonymous_writes_are_throttled_per_address(
    app_factory: Callable[..., Flask], session_factory: sessionmaker[Session]
) -> None:
    """A screen that floods the referral endpoints gets 429 (JSON for the API, a kind page for
    the form) and nothing more is stored."""
    import uuid

    app = app_factory(ANONYMOUS_WRITE_LIMIT="3 per minute", RATELIMIT_KEY_PREFIX=f"test-{uuid.uuid4().hex}")
    with session_factory() as session:
        directory = make_directory(session)
    client = app.test_client()
    token = _meta_token(client)
    statuses = [client.post("/api/v1/referrals", json={"service_ids": [directory.counseling]},
                            headers={"X-CSRFToken": token}).status_code for _ in range(4)]
    assert statuses == [201, 201, 201, 429]
    refused = client.post("/api/v1/referrals", json={"service_ids": [directory.counseling]},
                          headers={"X-CSRFToken": token})
    assert refused.status_code == 429 and "too many requests" in refused.get_json()["error"]
    form = client.post("/referral/make", data={"csrf_token": token, "mode": "link"})
    assert form.status_code == 429 and "Please wait a moment" in form.get_data(as_text=True)
    assert _count(session_factory) == 3
