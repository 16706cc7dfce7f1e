"""District boundaries, outreach events and the district sheet in Chromium: the kiosk's "Meet your
officers" page shows its district's next event with a calendar code that decodes to a URL whose
iCalendar file holds the event; the district sheet prints on Letter with the district's figures;
axe finds no WCAG 2.2 A/AA violation on the new pages.

Runs on a site of its own (its own database with boundaries, events and counts), so the shared
site of the other browser tests keeps no district."""

from __future__ import annotations

import datetime as dt
import io
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable

import icalendar
import pytest
from PIL import Image
from playwright.sync_api import expect
from pyzbar.pyzbar import decode

from directory_data import migrate
from directory_data.accounts import add_user
from directory_data.db import make_engine, make_session_factory
from directory_data.districts import load_districts, parse_boundaries
from directory_data.events import EventInput, publish_event
from directory_data.models import ReferralCount, Role, utcnow
from directory_data.unmet_needs import record_unmet_needs
from kiosk_directory import make_directory, station_today

from .conftest import CHROMIUM, Site, _make_app, _serve, shot
from .test_accessibility import violations

BOUNDARIES = Path(__file__).parent.parent / "data" / "seminole_districts.geojson"
CASEWORKER = ("caseworker.diaz", "workspace passphrase")
TODAY = station_today()  # the app's today: the station's date, not the machine's


@pytest.fixture(scope="module")
def district_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A kiosk in Sanford (district 4) with the test directory, the boundaries, a caseworker,
    events (one past) and a period's counts."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    home = tmp_path_factory.mktemp("district-home")
    engine = make_engine(f"sqlite:///{home / 'kiosk.db'}")
    migrate.upgrade(engine)
    now = utcnow().replace(microsecond=0)
    with make_session_factory(engine)() as session:
        directory = make_directory(session)
        add_user(session, CASEWORKER[0], CASEWORKER[1], Role.caseworker)
        load_districts(session, parse_boundaries(BOUNDARIES.read_bytes()))
        for title, title_es, days in (("Coffee with a Cop at Magnolia Square", "Café con un policía en Magnolia Square", 2),
                                      ("Sanford resource fair", "Feria de recursos de Sanford", 5),
                                      ("Last month's district meeting", "Reunión del mes pasado", -30)):
            start = now + dt.timedelta(days=days)
            publish_event(session, EventInput("coffee-with-a-cop", "4", title, title_es, "Magnolia Square, Sanford",
                                              start, start + dt.timedelta(hours=2),
                                              languages=("en", "es")), actor=CASEWORKER[0])
        record_unmet_needs(session, Counter({(TODAY, "food", "Sanford Police Department", "4"): 17,
                                             (TODAY, "legal", "Sanford Police Department", "4"): 2}))
        monday = TODAY - dt.timedelta(days=TODAY.weekday())
        session.add(ReferralCount(week=monday, category="housing", station="Sanford Police Department",
                                  district="4", surface="kiosk", referrals=11))
        session.commit()
    engine.dispose()
    app = _make_app(home)
    url, stop = _serve(app)
    yield Site(url, app, directory)
    stop()


def test_kiosk_shows_the_next_event_and_its_calendar_code(
    open_context: Callable[..., Any], district_site: Site
) -> None:
    page = open_context().new_page()
    page.goto(district_site.url + "/")
    page.get_by_role("link", name="Meet your officers: upcoming events").tap()
    first = page.locator(".event").first
    expect(first.get_by_role("heading")).to_have_text("Coffee with a Cop at Magnolia Square")
    expect(page.get_by_text("Last month's district meeting")).to_have_count(0)
    shot(page, "meet-your-officers")
    png = first.locator("svg.qr").screenshot()
    (url,) = [s.data.decode("utf-8") for s in decode(Image.open(io.BytesIO(png)))]
    assert url.startswith(district_site.url + "/events/") and url.endswith(".ics")
    with urllib.request.urlopen(url) as response:  # what a phone fetches: 127.0.0.1 only
        calendar = icalendar.Calendar.from_ical(response.read())
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Coffee with a Cop at Magnolia Square"
    assert str(event["LOCATION"]) == "Magnolia Square, Sanford"
    assert violations(page) == []


def test_meet_page_in_spanish_has_no_violation(open_context: Callable[..., Any], district_site: Site) -> None:
    page = open_context(locale="es-ES").new_page()
    page.goto(district_site.url + "/meet")
    expect(page.locator(".event h2").first).to_have_text("Café con un policía en Magnolia Square")
    assert violations(page) == []


def _sign_in(page: Any, site: Site) -> None:
    page.goto(site.url + "/officer/login")
    page.get_by_label("Name").fill(CASEWORKER[0])
    page.get_by_label("Password").fill(CASEWORKER[1])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_district_sheet_prints_on_letter_with_the_districts_figures(
    open_context: Callable[..., Any], district_site: Site
) -> None:
    from pypdf import PdfReader

    page = open_context(viewport={"width": 1280, "height": 900}, has_touch=False).new_page()
    _sign_in(page, district_site)
    page.goto(district_site.url + "/admin/districts")
    assert violations(page) == []
    page.get_by_role("link", name="District sheet of District 4 - Sanford and Lake Mary").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("District sheet of District 4 - Sanford and Lake Mary")
    assert violations(page) == []
    shot(page, "district-sheet")
    pdf = PdfReader(io.BytesIO(page.pdf(format="Letter", prefer_css_page_size=True, print_background=True)))
    width, height = (float(pdf.pages[0].mediabox.width), float(pdf.pages[0].mediabox.height))
    assert (round(width), round(height)) == (612, 792)  # 8.5 x 11 in
    text = " ".join(p.extract_text() for p in pdf.pages)
    assert "District sheet of District 4 - Sanford and Lake Mary" in text
    assert "Food 17" in text or "food 17" in text.lower(), text
    assert "Housing 11" in text, text
    assert "Coffee with a Cop at Magnolia Square" in text
    assert "Last month's district meeting" not in text
    assert "Safe Harbor" not in text and "Hidden Way" not in text
    assert "Listings" in text and "Sign out" not in text and "Download as CSV" not in text
    page.goto(district_site.url + "/admin/events")
    assert violations(page) == []
