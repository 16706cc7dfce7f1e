"""The patrol view on a tablet: officer login, "near me" from a mocked geolocation sorting by
distance, tap-to-call, officer-only fields, and a referral's QR code shown full screen."""

from __future__ import annotations

import io
import re
from typing import Any, Callable

from PIL import Image
from playwright.sync_api import expect
from pyzbar.pyzbar import decode

from .conftest import ALTAMONTE, LANDSCAPE, OFFICER, Site, shot


def _tablet(open_context: Callable[..., Any], **options: Any) -> Any:
    return open_context(viewport={"width": 1280, "height": 800}, geolocation=ALTAMONTE,
                        permissions=["geolocation"], **options).new_page()


def sign_in(page: Any, site: Site) -> None:
    """Sign in as the test officer."""
    page.goto(site.url + "/officer/login")
    page.get_by_label("Name").fill(OFFICER[0])
    page.get_by_label("Password").fill(OFFICER[1])
    page.get_by_role("button", name="Sign in").tap()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_patrol_needs_an_officer(page: Any, site: Site) -> None:
    page.goto(site.url + "/patrol/")
    expect(page).to_have_url(site.url + "/officer/login?next=%2Fpatrol%2F")
    page.get_by_label("Name").fill(OFFICER[0])
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").tap()
    expect(page.get_by_role("alert")).to_contain_text("do not match")


def test_near_me_sorts_by_distance_from_the_tablet(open_context: Callable[..., Any], site: Site) -> None:
    page = _tablet(open_context)
    sign_in(page, site)
    expect(page).to_have_url(re.compile(r"lat=28\.66[12]&lon=-81\.36[56]"))  # located on arrival
    expect(page.get_by_label("Open now")).to_be_checked()  # open now is on by default
    page.goto(site.url + "/patrol/?category=housing&open=0")
    expect(page).to_have_url(re.compile(r"category=housing&open=0&lat=28\.66[12]&lon=-81\.36[56]$"),
                             timeout=10000)
    expect(page.locator("#where")).to_contain_text("your location")
    names = page.locator("article.card .card-name").all_inner_texts()
    assert names[:2] == ["Altamonte Family Housing", "Sanford Housing Help Desk"], names
    first = page.locator("article.card").first
    expect(first.locator(".phone a").first).to_have_attribute("href", "tel:+14075550144")
    shot(page, "patrol-near-me")

    page.goto(site.url + "/patrol/?category=housing&open=0&lat=28.8003&lon=-81.2731")
    names = page.locator("article.card .card-name").all_inner_texts()
    assert names[:2] == ["Sanford Housing Help Desk", "Altamonte Family Housing"], names


def test_without_geolocation_the_station_is_used(open_context: Callable[..., Any], site: Site) -> None:
    page = open_context(viewport=LANDSCAPE).new_page()  # no permission: the tablet says no
    sign_in(page, site)
    page.goto(site.url + "/patrol/?category=housing&open=0")
    expect(page.locator("#where")).to_contain_text("Sanford Police Department")
    names = page.locator("article.card .card-name").all_inner_texts()
    assert names[0] == "Sanford Housing Help Desk", names


def test_officer_fields_and_referral_qr(open_context: Callable[..., Any], site: Site) -> None:
    page = _tablet(open_context)
    sign_in(page, site)
    expect(page).to_have_url(re.compile("lat="))
    page.goto(f"{site.url}/patrol/services/{site.directory.counseling}")
    detail = page.locator(".detail")
    expect(detail).to_contain_text("Officer intake line")
    expect(detail.locator("a[href='tel:+14075550199']")).to_be_visible()
    expect(detail).to_contain_text("on-call clinician")
    page.get_by_role("button", name="Add to my referral").tap()
    expect(page.get_by_role("button", name="In my referral: remove")).to_be_visible()
    page.get_by_role("link", name="Referral").tap()
    page.get_by_role("button", name="Make the referral").tap()
    qr = page.locator("svg.qr")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box["height"] >= 0.6 * 800, "the QR code fills the screen"
    shot(page, "patrol-qr")
    decoded = [s.data.decode() for s in decode(Image.open(io.BytesIO(qr.screenshot())))]
    assert len(decoded) == 1 and decoded[0].startswith(site.url + "/r/")
    resident = open_context().new_page()
    resident.goto(decoded[0])
    expect(resident.locator(".entry")).to_contain_text("Seminole Crisis Counseling Center")
    assert "555-0199" not in resident.content(), "officer-only phone on the resident's page"
