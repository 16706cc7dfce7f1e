"""The lobby kiosk's pages without search: home, detail, referral, switches, exit and reset."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from kiosk_directory import Directory, make_directory


@pytest.fixture
def directory(app: Flask, session_factory: sessionmaker[Session]) -> Directory:
    with session_factory() as session:
        return make_directory(session)


@pytest.fixture
def kiosk(app: Flask) -> Iterator[FlaskClient]:
    with app.test_client() as client:
        yield client


def csrf(client: FlaskClient, path: str = "/") -> str:
    html = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "every page with a form carries a CSRF token"
    return found.group(1)


def test_home_has_four_tiles_search_and_crisis_lines(kiosk: FlaskClient) -> None:
    html = kiosk.get("/").get_data(as_text=True)
    for slug in ("mental-health", "childcare", "abuse", "housing"):
        assert f'href="/search?category={slug}"' in html
    assert 'role="search"' in html
    for number in ("<strong>911</strong>", "<strong>988</strong>", "<strong>1-800-799-7233</strong>"):
        assert number in html
    assert "tel:" not in html, "the kiosk cannot call: its numbers are text"
    assert 'id="quick-exit"' in html


def test_accept_language_chooses_spanish_and_switch_overrides(kiosk: FlaskClient) -> None:
    html = kiosk.get("/", headers={"Accept-Language": "es-MX,es;q=0.9"}).get_data(as_text=True)
    assert '<html lang="es"' in html and "Salud mental" in html
    assert "¿Cómo podemos ayudarle hoy?" in html
    kiosk.get("/language/en?next=/")
    html = kiosk.get("/", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert '<html lang="en"' in html and "Mental health" in html


def test_language_switch_never_redirects_off_site(kiosk: FlaskClient) -> None:
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = kiosk.get("/language/es", query_string={"next": target})
        assert response.headers["Location"] == "/"


def test_detail_shows_public_fields_only(kiosk: FlaskClient, directory: Directory) -> None:
    html = kiosk.get(f"/services/{directory.counseling}").get_data(as_text=True)
    assert "Seminole Crisis Counseling Center" in html
    assert "tel:+14075550100" not in html and "(407) 555-0100" in html
    assert "Scan to call" in html
    assert "555-0199" not in html, "officer-only phone on a public page"
    assert "on-call clinician" not in html, "officer notes on a public page"
    assert "Open now" in html
    assert re.search(r"0\.\d mi from this station", html)
    shelter = kiosk.get(f"/services/{directory.shelter}").get_data(as_text=True)
    assert "999 Hidden Way" not in shelter and "Confidential location" in shelter


def test_detail_in_spanish_uses_listing_spanish_text(kiosk: FlaskClient, directory: Directory) -> None:
    html = kiosk.get(f"/services/{directory.counseling}", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "Centro de Consejería en Crisis de Seminole" in html
    assert "Consejería gratuita" in html


def test_hidden_services_are_not_found(kiosk: FlaskClient, directory: Directory) -> None:
    """404 on a kiosk page of its own: quick exit and crisis lines kept, nothing of the listing."""
    gone = kiosk.get(f"/services/{directory.defunct}")
    assert gone.status_code == 404
    page = gone.get_data(as_text=True)
    assert "This service is not available" in page and "Quick exit" in page and "988" in page
    assert "Closed Housing Office" not in page
    assert kiosk.get("/services/nope").status_code == 404
    spanish = kiosk.get("/services/nope", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "Este servicio no está disponible" in spanish


def test_referral_collects_and_forgets(kiosk: FlaskClient, directory: Directory) -> None:
    token = csrf(kiosk)
    response = kiosk.post("/referral/add", data={"csrf_token": token, "service_id": directory.childcare,
                                                 "next": f"/search?q=care#card-{directory.childcare}"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/search?q=care#card-{directory.childcare}"
    html = kiosk.get("/referral").get_data(as_text=True)
    assert "Little Steps Child Care" in html
    kiosk.post("/referral/remove", data={"csrf_token": token, "service_id": directory.childcare})
    assert "Little Steps Child Care" not in kiosk.get("/referral").get_data(as_text=True)


def test_forms_need_the_csrf_token(kiosk: FlaskClient, directory: Directory) -> None:
    response = kiosk.post("/referral/add", data={"service_id": directory.childcare})
    assert response.status_code == 400


def test_script_navigation_gets_a_location_instead_of_a_redirect(
    kiosk: FlaskClient, directory: Directory
) -> None:
    token = csrf(kiosk)
    response = kiosk.post("/referral/add", headers={"X-Kiosk-Navigation": "replace"},
                          data={"csrf_token": token, "service_id": directory.shelter, "next": "/x"})
    assert response.status_code == 204 and response.headers["X-Kiosk-Location"] == "/x"


def test_quick_exit_and_reset_forget_everything(kiosk: FlaskClient, directory: Directory) -> None:
    token = csrf(kiosk)
    kiosk.post("/referral/add", data={"csrf_token": token, "service_id": directory.shelter})
    kiosk.post("/display/large", data={"csrf_token": token})
    kiosk.get("/language/es")
    assert "mode-large" in kiosk.get("/").get_data(as_text=True)
    response = kiosk.get("/exit")
    assert response.status_code == 303 and response.headers["Location"] == "/welcome"
    assert "storage" in response.headers["Clear-Site-Data"]
    welcome = kiosk.get("/welcome").get_data(as_text=True)
    assert "Touch to start" in welcome and "tel:" not in welcome and "Shelter" not in welcome
    html = kiosk.get("/").get_data(as_text=True)
    assert "mode-large" not in html and '<html lang="en"' in html
    assert "Safe Harbor" not in kiosk.get("/referral").get_data(as_text=True)
    assert kiosk.get("/reset").headers["Location"] == "/"


def test_safety_headers_on_every_page(kiosk: FlaskClient, directory: Directory) -> None:
    for path in ("/", f"/services/{directory.counseling}", "/referral", "/welcome", "/healthz"):
        response = kiosk.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["Cache-Control"] == "no-store"


def test_only_the_session_cookie_is_set(kiosk: FlaskClient) -> None:
    response = kiosk.get("/")
    cookies = response.headers.getlist("Set-Cookie")
    assert len(cookies) == 1 and cookies[0].startswith("kiosk=")
    assert "HttpOnly" in cookies[0] and "SameSite=Lax" in cookies[0]
    assert "Expires" not in cookies[0], "the cookie ends with the browser session"


def test_no_inline_script_or_style(kiosk: FlaskClient, directory: Directory) -> None:
    for path in ("/", f"/services/{directory.counseling}", "/referral", "/welcome"):
        html = kiosk.get(path).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", html)
        assert " style=" not in html and "<style" not in html
        assert not re.search(r"\son[a-z]+=", html)
        assert not re.search(r'(src|href)="(https?:)?//', html), "third-party asset"
