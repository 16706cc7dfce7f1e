"""Links that leave the building are made on ``PUBLIC_BASE_URL`` and nothing else: a request's
Host header never shapes a stored code or an answer's link; without a public address, link
codes are not offered (text, contact and crisis-line codes are), the referral pages say why in
English and Spanish, and ``kiosk serve`` warns once at start."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from directory_data.models import Referral
from kiosk_directory import Directory, make_directory
from staff import make_account, sign_in

EVIL = "evil.example"


@pytest.fixture
def directory(session_factory: sessionmaker[Session]) -> Directory:
    with session_factory() as session:
        return make_directory(session)


def _token(client: FlaskClient, url: str = "/referral", **kwargs: object) -> str:
    page = client.get(url, **kwargs).get_data(as_text=True)
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)


def _stored(session_factory: sessionmaker[Session]) -> list[Referral]:
    with session_factory() as session:
        return list(session.scalars(select(Referral)))


def test_a_foreign_host_header_never_shapes_a_link(
    app_factory: Callable[..., Flask], directory: Directory, session_factory: sessionmaker[Session]
) -> None:
    for public in (None, "https://help.example.org/kiosk/"):
        app = app_factory(PUBLIC_BASE_URL=public)
        client = app.test_client()
        token = _token(client, headers={"Host": EVIL})
        for mode in ("link", None, "text"):
            body = {"service_ids": [directory.counseling], **({"mode": mode} if mode else {})}
            answer = client.post("/api/v1/referrals", json=body, headers={"X-CSRFToken": token, "Host": EVIL})
            assert EVIL not in answer.get_data(as_text=True)
            if public is None and mode == "link":
                assert answer.status_code == 400
                continue
            assert answer.status_code == 201, answer.get_data(as_text=True)
            made = answer.get_json()
            if public:
                assert made["url"] == f"https://help.example.org/kiosk/r/{made['token']}"
            else:
                assert made["url"] == f"/r/{made['token']}" and made["qr_mode"] == "text"
        client.post("/referral/add", data={"csrf_token": token, "service_id": directory.counseling},
                    headers={"Host": EVIL})
        form = client.post("/referral/make", data={"csrf_token": token}, headers={"Host": EVIL})
        assert form.status_code == 303 and EVIL not in form.headers["Location"]
    stored = _stored(session_factory)
    assert len(stored) == 7
    for referral in stored:
        assert EVIL not in referral.qr_payload and "localhost" not in referral.qr_payload
        if referral.qr_mode == "link":
            assert referral.qr_payload.startswith("https://help.example.org/kiosk/r/")


def test_without_a_public_address_link_codes_are_not_offered_and_the_page_says_why(
    app_factory: Callable[..., Flask], directory: Directory, session_factory: sessionmaker[Session]
) -> None:
    app = app_factory(PUBLIC_BASE_URL=None)
    client = app.test_client()
    client.post("/referral/add", data={"csrf_token": _token(client), "service_id": directory.counseling})
    page = client.get("/referral").get_data(as_text=True)
    assert 'value="link"' not in page
    assert 'name="want" value="list" checked' in page and 'name="want" value="hotline"' in page
    assert 'name="mode" value="auto" checked' in page and 'value="text"' in page and 'value="contact"' in page
    assert "no public web address set up" in page
    spanish = client.get("/referral", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "no tiene una dirección web pública" in spanish and 'value="link"' not in spanish
    # asking for a link is refused in words; the form without a mode makes a text code
    refused = client.post("/referral/make", data={"csrf_token": _token(client), "mode": "link"})
    assert refused.status_code == 422 and "Codes that open a web page are off here" in refused.get_data(as_text=True)
    assert _stored(session_factory) == []
    assert client.post("/referral/make", data={"csrf_token": _token(client)}).status_code == 303
    assert _stored(session_factory)[0].qr_mode == "text"
    client.post("/referral/add", data={"csrf_token": _token(client), "service_id": directory.housing_near})
    chosen = client.post("/referral/make", data={"csrf_token": _token(client), "want": "list", "mode": "auto"})
    assert chosen.status_code == 303 and [r.qr_mode for r in _stored(session_factory)] == ["text", "text"]
    api = client.post("/api/v1/referrals", json={"service_ids": [directory.counseling], "mode": "link"},
                      headers={"X-CSRFToken": _token(client)})
    assert api.status_code == 400 and "public web address" in api.get_json()["fields"]["mode"]
    assert len(_stored(session_factory)) == 2, "nothing stored for a refused request"
    # the officer's referral page too
    make_account(session_factory, "officer", "officer.links")
    officer = app.test_client()
    assert sign_in(officer, "officer.links").status_code == 303
    token = re.search(r'name="csrf_token" value="([^"]+)"', officer.get("/patrol/").get_data(as_text=True)).group(1)
    officer.post("/patrol/referral/add", data={"csrf_token": token, "service_id": directory.counseling})
    patrol = officer.get("/patrol/referral").get_data(as_text=True)
    assert "no public web address set up" in patrol and 'value="link"' not in patrol


def test_a_text_code_too_long_for_its_code_is_refused_without_a_link_to_fall_back_on(
    app_factory: Callable[..., Flask], directory: Directory, session_factory: sessionmaker[Session]
) -> None:
    from directory_data.models import Service

    with session_factory() as session:
        service = session.get(Service, directory.housing_far)
        service.name = "Altamonte Family Housing " + "and transitional living program " * 8
        session.commit()
    client = app_factory(PUBLIC_BASE_URL=None).test_client()
    ids = [directory.housing_far, directory.counseling, directory.housing_near, directory.childcare,
           directory.shelter]
    answer = client.post("/api/v1/referrals", json={"service_ids": ids, "mode": "text", "discreet": False},
                         headers={"X-CSRFToken": _token(client)})
    assert answer.status_code == 400 and "too long" in answer.get_json()["fields"]["mode"]
    assert _stored(session_factory) == []


def test_trusted_hosts_refuse_other_host_headers(app_factory: Callable[..., Flask]) -> None:
    client = app_factory(TRUSTED_HOSTS=["help.example.org"]).test_client()
    assert client.get("/", headers={"Host": "help.example.org"}).status_code == 200
    assert client.get("/", headers={"Host": EVIL}).status_code == 400


def test_kiosk_serve_warns_once_without_a_public_address(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, tmp_path
) -> None:
    from kiosk import serving
    from kiosk.cli.commands import main

    monkeypatch.setattr(serving, "run_gunicorn", lambda *args: None)
    env = {"KIOSK_HOME": str(tmp_path)}
    with caplog.at_level(logging.WARNING, logger="kiosk.serve"):
        assert CliRunner(env={**env, "KIOSK_PUBLIC_BASE_URL": ""}).invoke(main, ["serve"]).exit_code == 0
    warnings = [r.getMessage() for r in caplog.records if r.name == "kiosk.serve"]
    assert len(warnings) == 1 and "KIOSK_PUBLIC_BASE_URL is not set" in warnings[0]
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="kiosk.serve"):
        done = CliRunner(env={**env, "KIOSK_PUBLIC_BASE_URL": "https://help.example.org"}).invoke(main, ["serve"])
    assert done.exit_code == 0 and not [r for r in caplog.records if r.name == "kiosk.serve"]
    bad = CliRunner(env={**env, "KIOSK_PUBLIC_BASE_URL": "help.example.org"}).invoke(main, ["serve"])
    assert bad.exit_code == 2 and "must look like https://" in bad.output


@pytest.mark.parametrize("value, expected", [
    ("https://help.example.org/", "https://help.example.org"),
    ("http://10.0.0.5:8080/kiosk", "http://10.0.0.5:8080/kiosk"),
    ("", None), (None, None),
])
def test_public_base_url_is_read_strictly(value: str | None, expected: str | None) -> None:
    from kiosk.config import public_base_url

    assert public_base_url({"PUBLIC_BASE_URL": value}) == expected


@pytest.mark.parametrize("value", ["help.example.org", "javascript:alert(1)", "https://user@host/",
                                   "https://host/?q=1", "https://host/#x", "ftp://host/", "https://",
                                   "https://host:99999/", "https://ho st/"])
def test_a_bad_public_base_url_is_refused(value: str) -> None:
    from kiosk.config import PublicBaseUrlError, public_base_url

    with pytest.raises(PublicBaseUrlError):
        public_base_url({"PUBLIC_BASE_URL": value})
