"""Referrals in real Chromium: made through the page's JSON call (CSRF token from the meta tag)
and through the plain form without JavaScript; each slip layout printed to PDF and read back
with pypdf (the receipt is one page for three services); every QR mode decoded with zbar from
the stored PNG and from a screenshot of the page, Spanish accents intact."""

from __future__ import annotations

import io
from typing import Any, Callable

import pytest
from PIL import Image
from playwright.sync_api import expect
from pypdf import PdfReader
from pyzbar.pyzbar import decode
from sqlalchemy import select

from directory_data.models import Referral

from .conftest import Site, shot

#: The services of the printed slips, with the phone each must show.
SLIP_SERVICES = {"counseling": ("Seminole Crisis Counseling Center", "(407) 555-0100"),
                 "housing_near": ("Sanford Housing Help Desk", "(407) 555-0133"),
                 "childcare": ("Little Steps Child Care", "(407) 555-0122")}

MAKE = """async ([body]) => {
  const token = document.querySelector('meta[name="csrf-token"]').content;
  const response = await fetch('/api/v1/referrals', {method: 'POST', credentials: 'same-origin',
    headers: {'Content-Type': 'application/json', 'X-CSRFToken': token}, body: JSON.stringify(body)});
  return {status: response.status, body: await response.json()};
}"""


def make_referral(page: Any, site: Site, **body: Any) -> dict[str, Any]:
    """Make a referral from the kiosk's own page, as its script would: the JSON API with the
    page's CSRF token."""
    page.goto(site.url + "/referral")
    answer = page.evaluate(MAKE, [body])
    assert answer["status"] == 201, answer
    return answer["body"]


def _ids(site: Site, *names: str) -> list[str]:
    return [getattr(site.directory, name) for name in names]


def _decoded(png: bytes) -> list[str]:
    return [s.data.decode("utf-8") for s in decode(Image.open(io.BytesIO(png)))]


def _stored_payload(site: Site, token: str) -> str:
    from kiosk.db import get_database

    with site.app.app_context(), get_database(site.app).session_factory() as session:
        return session.scalar(select(Referral.qr_payload).where(Referral.token == token))


@pytest.mark.parametrize("layout", ["letter", "receipt"])
def test_each_slip_layout_prints_to_pdf_with_names_and_phones(
    open_context: Callable[..., Any], site: Site, layout: str
) -> None:
    page = open_context().new_page()
    made = make_referral(page, site, service_ids=_ids(site, *SLIP_SERVICES), mode="link")
    page.goto(f"{made['print_url']}?layout={layout}")
    expect(page.locator("svg.qr")).to_be_visible()
    shot(page, f"referral-slip-{layout}")
    pdf = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True, print_background=True)))
    text = " ".join(p.extract_text() for p in pdf.pages)
    for name, phone in SLIP_SERVICES.values():
        assert name in text and phone in text, (name, phone, text)
    assert "Sanford Police Department" in text and "If you are in danger, call 911" in text
    assert "Print" not in text.split("Your referral")[0], "the Print button is not printed"
    width = float(pdf.pages[0].mediabox.width) / 72 * 25.4
    if layout == "receipt":
        assert len(pdf.pages) == 1, f"{len(pdf.pages)} pages"
        assert round(width) == 80
    else:
        assert round(width) == round(8.5 * 25.4)


MODES = {
    "link": ({"mode": "link"}, ("counseling",)),
    "text-es": ({"mode": "text", "lang": "es", "discreet": False}, ("counseling", "childcare")),
    "contact": ({"mode": "contact"}, ("housing_near",)),
    "hotline": ({"mode": "hotline"}, ("shelter",)),
}


@pytest.mark.parametrize("mode", MODES)
def test_every_code_decodes_from_the_png_and_a_screenshot(
    open_context: Callable[..., Any], site: Site, mode: str
) -> None:
    body, names = MODES[mode]
    page = open_context(device_scale_factor=2).new_page()
    made = make_referral(page, site, service_ids=_ids(site, *names), **body)
    intended = {
        "link": made["url"],
        "contact": "MECARD:N:Sanford Housing Help Desk;TEL:+14075550133;"
                   "ADR:300 N Park Ave\\, Sanford\\, FL 32771;NOTE:Mon-Fri 9am-5pm;;",
        "hotline": "tel:+18007997233",
    }.get(mode) or _stored_payload(site, made["token"])
    if mode == "text-es":
        assert "Centro de Consejería en Crisis de Seminole" in intended and "Abierto las 24 horas" in intended
    png = page.request.get(made["qr_png_url"])
    assert png.headers["content-type"] == "image/png"
    assert _decoded(png.body()) == [intended]
    page.goto(made["print_url"])
    qr = page.locator("svg.qr")
    box = qr.bounding_box()
    assert box["width"] >= 150 and box["height"] >= 150, box
    assert _decoded(qr.screenshot()) == [intended]
    shot(page, f"referral-qr-{mode}")


def test_the_form_works_without_javascript(open_context: Callable[..., Any], site: Site) -> None:
    page = open_context(java_script_enabled=False, device_scale_factor=2).new_page()
    page.goto(f"{site.url}/services/{site.directory.shelter}")
    page.get_by_role("button", name="Add to my referral").tap()
    expect(page.get_by_role("button", name="In my referral: remove")).to_be_visible()
    page.goto(site.url + "/referral")
    expect(page.get_by_label("Discreet: a neutral title, no words about abuse")).to_be_checked()
    page.get_by_text("More options").tap()  # a <details>: opens without JavaScript
    page.get_by_label("The list itself, readable without internet").check()
    page.get_by_role("button", name="Make my referral").tap()
    expect(page.get_by_role("heading", name="Your referral is ready")).to_be_visible()
    (text,) = _decoded(page.locator(".made svg.qr").screenshot())
    assert text.startswith("Community resources") and "Support service" in text
    assert "Domestic" not in text and "Safe Harbor" not in text
    expect(page.get_by_role("link", name="See the page it opens")).to_have_count(0)  # it opens no page
    from kiosk.db import get_database

    with site.app.app_context(), get_database(site.app).session_factory() as session:
        token = session.scalar(select(Referral.token).where(Referral.qr_payload == text))
    page.goto(f"{site.url}/r/{token}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Community resources")
    expect(page.locator(".entry .phone a")).to_have_attribute("href", "tel:+14075550111")
    assert "999 Hidden Way" not in page.content()


def test_an_expired_or_unknown_referral_is_a_kind_page(page: Any, site: Site) -> None:
    response = page.goto(site.url + "/r/AAAAAAAAAAAAAAAAAAAAAA")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("This referral has expired")
    expect(page.get_by_role("link", name="Call 211")).to_have_attribute("href", "tel:211")
