"""What is stored or followed from a visit, hardened: a referral's times are stored to the hour,
a search that found nothing keeps its words only when they are need words (never a name, a
street, an e-mail address or a phone number), and a bad ``next`` or ``back`` value (a CR or LF,
a tab, a huge or odd one) is ignored on every route that reads one, never a 500."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from directory_data.models import Location, ProblemKind, Referral, ZeroResultTerm
from directory_data.problems import report_problem
from directory_data.search_stats import WITHHELD_TERM, normalise_term
from kiosk_directory import Directory, make_directory
from staff import csrf_token, make_account, sign_in, signed_in


@pytest.fixture
def directory(app: Flask, session_factory: sessionmaker[Session]) -> Directory:
    with session_factory() as session:
        return make_directory(session)


def _meta_token(client: FlaskClient, url: str = "/referral") -> str:
    page = client.get(url).get_data(as_text=True)
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)


# --------------------------------------------------------------------------------------------
# Referral times
# --------------------------------------------------------------------------------------------


def test_referral_times_are_stored_no_finer_than_the_hour(
    app: Flask, client: FlaskClient, directory: Directory, session_factory: sessionmaker[Session]
) -> None:
    app.config["PUBLIC_BASE_URL"] = "https://help.example.org"
    token = _meta_token(client)
    before = dt.datetime.now(dt.timezone.utc)
    hour = before.replace(minute=0, second=0, microsecond=0)
    for mode in ("link", "text"):
        answer = client.post("/api/v1/referrals", json={"service_ids": [directory.counseling], "mode": mode},
                             headers={"X-CSRFToken": token})
        assert answer.status_code == 201, answer.get_data(as_text=True)
        expires = dt.datetime.fromisoformat(answer.get_json()["expires_at"])
        assert (expires.minute, expires.second, expires.microsecond) == (0, 0, 0)
    with session_factory() as session:
        referrals = session.scalars(select(Referral)).all()
    assert len(referrals) == 2
    for referral in referrals:
        for moment in (referral.created_at, referral.expires_at):
            assert (moment.minute, moment.second, moment.microsecond) == (0, 0, 0), moment
        assert hour <= referral.created_at <= dt.datetime.now(dt.timezone.utc)
        # it lives at least the configured 30 days, and at most an hour more
        assert dt.timedelta(days=30) <= referral.expires_at - before <= dt.timedelta(days=30, hours=1)


def test_to_the_hour_rounds_down_or_up() -> None:
    from directory_data.referrals import to_the_hour

    moment = dt.datetime(2026, 12, 1, 14, 37, 12, 5, tzinfo=dt.timezone.utc)
    assert to_the_hour(moment) == dt.datetime(2026, 12, 1, 14, tzinfo=dt.timezone.utc)
    assert to_the_hour(moment, up=True) == dt.datetime(2026, 12, 1, 15, tzinfo=dt.timezone.utc)
    whole = dt.datetime(2026, 12, 1, 14, tzinfo=dt.timezone.utc)
    assert to_the_hour(whole, up=True) == whole


# --------------------------------------------------------------------------------------------
# Zero-result terms
# --------------------------------------------------------------------------------------------

#: Typed searches that must never be stored as typed: names, e-mail, phones, streets, numbers.
PERSONAL = ["john smith", "Maria Garcia-Lopez", "jane.doe@example.org", "call 407 555 0134",
            "407-555-0134", "123 Main St", "1200 w 3rd street apt 4", "4111 1111 1111 1111",
            "zzyzx nowhere", "shelter for maria", "dental 32771", "x" * 200]
#: Needs, in English and Spanish, with and without accents: stored as typed (lower case).
NEEDS = ["dentist", "Pet   FOSTER", "diapers near me", "comida gratis", "Guardería", "women's shelter",
         "help paying electric bill", "988", "ayuda con la renta"]


def test_a_term_is_kept_only_when_every_word_is_a_need_word() -> None:
    from directory_data.search_terms import is_need_term

    for typed in PERSONAL:
        assert normalise_term(typed) == WITHHELD_TERM, typed
    assert [normalise_term(t) for t in NEEDS] == [
        "dentist", "pet foster", "diapers near me", "comida gratis", "guardería", "women's shelter",
        "help paying electric bill", "988", "ayuda con la renta"]
    assert normalise_term("   ") == ""
    assert not is_need_term("...") and not is_need_term("")


def test_the_vocabulary_takes_digits_from_the_lexicon_only() -> None:
    from directory_data.search_terms import build_vocabulary

    vocabulary = build_vocabulary("food 211\n# street 12\n", {
        "phrases,means,note\nsection 8|2-1-1,housing voucher,\n": ("phrases", "means")})
    assert {"food", "211", "section", "housing", "voucher"} <= vocabulary
    assert not {"8", "2", "1", "street", "12"} & vocabulary  # comment lines and digits skipped
    assert {"mental", "health", "salud", "vivienda"} <= vocabulary  # category names


def test_searches_store_need_words_and_withhold_everything_else(
    app_factory, session_factory: sessionmaker[Session]
) -> None:
    app = app_factory(SEARCH_COUNTS_INTERVAL=0)
    client = app.test_client()
    for typed in PERSONAL[:6] + ["dentist near me", "pañales gratis"]:
        response = client.get("/search", query_string={"q": typed})
        assert response.status_code == 200
        response.close()
    with session_factory() as session:
        stored = dict(session.execute(select(ZeroResultTerm.term, ZeroResultTerm.searches)).tuples().all())
    assert stored == {WITHHELD_TERM: 6, "dentist near me": 1, "pañales gratis": 1}, stored


# --------------------------------------------------------------------------------------------
# next and back
# --------------------------------------------------------------------------------------------

BAD_TARGETS = ["/search\r\nSet-Cookie: planted=1", "/a\nb", "/\r", "/\t/evil.example",
               "/%0d%0aX: 1\r\n", "\x00", "/" + "a" * 5000, "/[::1", "http://[::1", "/\x85x"]


def _clean(location: str | None) -> None:
    if location is None:
        return
    assert not any(ord(c) < 32 for c in location), location
    parts = urlsplit(location)
    assert parts.netloc in ("", "localhost") and not parts.path.startswith("//"), location
    assert "planted" not in location and "evil" not in location


@pytest.mark.parametrize("target", BAD_TARGETS)
def test_bad_next_and_back_values_are_ignored_everywhere(
    app: Flask, directory: Directory, session_factory: sessionmaker[Session], target: str
) -> None:
    kiosk = app.test_client()
    token = _meta_token(kiosk, "/")
    with session_factory() as session:
        report = report_problem(session, directory.counseling, ProblemKind.other, "", surface="kiosk",
                                today=dt.date.today())
        location = session.scalars(select(Location)).first()
        location_id, location_version = location.id, location.version
        session.commit()
        report_id = report.id
    app.config["PUBLIC_BASE_URL"] = "https://help.example.org"
    made = kiosk.post("/api/v1/referrals", json={"service_ids": [directory.counseling]},
                      headers={"X-CSRFToken": token}).get_json()["token"]
    answers = [
        kiosk.get("/language/es", query_string={"next": target}),
        kiosk.post("/display/large", data={"csrf_token": token, "next": target}),
        kiosk.post("/display/large", data={"csrf_token": token, "next": target},
                   headers={"X-Kiosk-Navigation": "replace"}),
        kiosk.post("/referral/add", data={"csrf_token": token, "service_id": directory.counseling,
                                          "next": target}),
        kiosk.post("/referral/remove", data={"csrf_token": token, "service_id": directory.counseling,
                                             "next": target}),
        kiosk.get(f"/services/{directory.counseling}", query_string={"back": target}),
        kiosk.get(f"/problem/{directory.counseling}", query_string={"back": target}),
        kiosk.get("/problem/thanks", query_string={"back": target}),
        kiosk.get(f"/r/{made}/print", query_string={"back": target}),
    ]
    make_account(session_factory, "admin", "admin.next")
    staff = app.test_client()
    answers.append(sign_in(staff, "admin.next", next_url=target.replace("\r", "%0d").replace("\n", "%0a")))
    raw = app.test_client()
    raw_token = csrf_token(raw.get("/officer/login").get_data(as_text=True))
    answers.append(raw.post("/officer/login", query_string={"next": target},
                            data={"csrf_token": raw_token, "name": "admin.next",
                                  "password": "a staff passphrase"}))
    admin_token = csrf_token(staff.get("/admin/").get_data(as_text=True))
    answers += [
        staff.get(f"/patrol/services/{directory.counseling}", query_string={"back": target}),
        staff.post("/patrol/referral/add", data={"csrf_token": admin_token, "service_id": directory.counseling,
                                                 "next": target}),
        staff.post(f"/admin/listings/{directory.counseling}/verify",
                   data={"csrf_token": admin_token, "next": target}),
        staff.post(f"/admin/problems/{report_id}/resolve", data={"csrf_token": admin_token, "next": target}),
        staff.post(f"/admin/locations/{location_id}/retire", data={"csrf_token": admin_token, "next": target,
                                                                   "version": str(location_version)}),
    ]
    for answer in answers:
        assert answer.status_code < 500, (answer.request.path, answer.status_code)
        _clean(answer.headers.get("Location"))
        _clean(answer.headers.get("X-Kiosk-Location"))
        assert "planted" not in answer.headers.get("Set-Cookie", "")
