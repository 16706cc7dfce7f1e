"""Every fact of a result card and a detail page on the rendered pages, kiosk and patrol, in
English and Spanish, at a frozen local time: what the card macros (``lobby/_card.html``,
``_status.html``, ``_add_button.html``, ``_detail.html``) must keep showing however they are
rendered."""

from __future__ import annotations

import datetime as dt
import re
import types
from collections.abc import Iterator

import pytest
from babel.dates import format_date, format_time
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy.orm import Session, sessionmaker

import kiosk.pages
from kiosk.config import index_dir
from kiosk.db import get_database
from kiosk.search import catch_up_index
from kiosk_directory import TODAY, Directory, _service, make_directory
from staff import make_account, sign_in

OFFICER = "officer.lee"
#: The next Tuesday from the directory's "today", 4:45 PM: weekday services are open and close
#: at 5:00 PM, the every-day ones are open 24 hours, and the listings checked today are not stale.
NOW = dt.datetime.combine(TODAY + dt.timedelta(days=(1 - TODAY.weekday()) % 7), dt.time(16, 45))
TRICKY_NAME = 'Tom & Jerry\'s "<Help>" Desk'


class Clock:
    """Every page's clock (:func:`kiosk.pages.local_now`), set to a New York local time."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from search_index.hours import zone

        self.zone = zone("America/New_York")
        self.moment = NOW.replace(tzinfo=self.zone)
        clock = self

        class Frozen(dt.datetime):
            @classmethod
            def now(cls, tz: dt.tzinfo | None = None) -> dt.datetime:  # type: ignore[override]
                return clock.moment.astimezone(tz) if tz is not None else clock.moment.replace(tzinfo=None)

        shim = types.SimpleNamespace(**{n: getattr(dt, n) for n in dir(dt) if not n.startswith("__")})
        shim.datetime = Frozen
        monkeypatch.setattr(kiosk.pages, "dt", shim)

    def set(self, local: dt.datetime) -> None:
        """From now on the pages' clock says ``local`` (naive, New York time)."""
        self.moment = local.replace(tzinfo=self.zone)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The pages' clock, at :data:`NOW` until set otherwise."""
    return Clock(monkeypatch)


@pytest.fixture
def directory(app: Flask, session_factory: sessionmaker[Session], clock: Clock) -> Directory:
    """The kiosk tests' directory, a listing whose text needs escaping, an officer, the index."""
    with session_factory() as session:
        made = make_directory(session)
        tricky = _service(session, name=TRICKY_NAME, category="housing", lat=28.802, lon=-81.275,
                          street="7 <Main> St", city="Sanford", phone="(407) 555-0166",
                          description="Help & advice <b>now</b>. Second sentence.")
        session.commit()
        made.tricky = tricky.id  # type: ignore[attr-defined]
    make_account(session_factory, "officer", OFFICER)
    with app.app_context():
        catch_up_index(get_database(app).session_factory, index_dir(app.config))
    return made


@pytest.fixture
def kiosk_client(app: Flask) -> Iterator[FlaskClient]:
    with app.test_client() as client:
        yield client


def cards(html: str) -> dict[str, str]:
    """Each result card's HTML by service id."""
    found = re.findall(r'<article class="card[^"]*" id="card-[^"]+" aria-labelledby="name-([^"]+)">.*?</article>',
                       html, re.S)
    articles = re.findall(r'<article class="card[^"]*" id="card-[^"]+" aria-labelledby="name-[^"]+">.*?</article>',
                          html, re.S)
    return dict(zip(found, articles))


def token(html: str) -> str:
    tokens = set(re.findall(r'name="csrf_token"[^>]*value="([^"]+)"', html))
    assert len(tokens) == 1, "one CSRF token per page, on every form"
    return tokens.pop()


def short_time(hour: int, minute: int, locale: str = "en") -> str:
    return format_time(dt.time(hour, minute), "short", locale=locale)


def test_kiosk_cards_show_every_fact(kiosk_client: FlaskClient, directory: Directory) -> None:
    html = kiosk_client.get("/search?category=housing").get_data(as_text=True)
    shown = cards(html)
    page_token = token(html)
    near = shown[directory.housing_near]
    assert f'<a href="/services/{directory.housing_near}">Sanford Housing Help Desk</a>' in near
    assert '<p class="summary">Help with rent, deposits and utility bills for Sanford residents.</p>' in near
    assert f"<strong>Open now</strong> · closes at {short_time(17, 0)}" in near
    assert re.search(r"<span>0\.\d mi from this station</span>", near)
    assert "tel:" not in near, "the kiosk cannot call: numbers are text"
    assert '<span class="number">' in near and "<span>(407) 555-0133</span>" in near
    assert '<p class="address">300 N Park Ave, Sanford, FL 32771</p>' in near
    assert "<span>English</span>" in near
    checked = format_date(TODAY - dt.timedelta(days=400), "medium", locale="en")
    assert f'<p class="checked stale">Last checked {checked} · may be out of date</p>' in near
    assert 'action="/referral/add"' in near and f'name="csrf_token" value="{page_token}"' in near
    assert f'name="service_id" value="{directory.housing_near}"' in near
    assert f'name="next" value="/search?category=housing#card-{directory.housing_near}"' in near
    assert f'id="card-{directory.housing_near}"' in near and "Add to my referral" in near
    assert "data-inplace" in near
    far = shown[directory.housing_far]
    assert "<strong>Open now</strong> · 24 hours" in far
    assert re.search(r"<span>\d+(\.\d)? mi from this station</span>", far)
    assert directory.defunct not in shown


def test_card_text_is_escaped(kiosk_client: FlaskClient, directory: Directory) -> None:
    tricky = cards(kiosk_client.get("/search?category=housing").get_data(as_text=True))[
        directory.tricky]  # type: ignore[attr-defined]
    assert f">{escape(TRICKY_NAME)}</a></h2>" in tricky and "<Help>" not in tricky
    assert "Help &amp; advice &lt;b&gt;now&lt;/b&gt;." in tricky and "<b>" not in tricky
    assert "7 &lt;Main&gt; St" in tricky


def test_card_hours_unknown_free_and_confidential(kiosk_client: FlaskClient, directory: Directory) -> None:
    shown = cards(kiosk_client.get("/search?category=childcare").get_data(as_text=True))
    assert "<span>Call for hours</span>" in shown[directory.childcare]
    counseling = cards(kiosk_client.get("/search?category=mental-health").get_data(as_text=True))[
        directory.counseling]
    assert '<li class="free">' in counseling and "<span>Free</span>" in counseling
    assert "<span>English, Spanish</span>" in counseling
    assert "555-0199" not in counseling, "officer-only phone on the kiosk"
    shelter = cards(kiosk_client.get("/search?category=abuse").get_data(as_text=True))[directory.shelter]
    assert "Confidential location: address given by phone" in shelter and "Hidden Way" not in shelter


def test_cards_in_the_referral_offer_removal(kiosk_client: FlaskClient, directory: Directory) -> None:
    with kiosk_client.session_transaction() as session:
        session["referral"] = [directory.housing_near]
        session["display"] = ["large", "contrast"]
    html = kiosk_client.get("/search?category=housing").get_data(as_text=True)
    assert 'class="mode-large mode-contrast "' in html
    shown = cards(html)
    assert 'action="/referral/remove"' in shown[directory.housing_near]
    assert "In my referral: remove" in shown[directory.housing_near]
    assert 'action="/referral/add"' in shown[directory.housing_far]
    referral = kiosk_client.get("/referral").get_data(as_text=True)
    assert "In my referral: remove" in cards(referral)[directory.housing_near]


def test_closed_services_say_when_they_open(kiosk_client: FlaskClient, directory: Directory,
                                            clock: Clock) -> None:
    clock.set(NOW + dt.timedelta(days=4, hours=4))  # Saturday, 8:45 PM
    near = cards(kiosk_client.get("/search?category=housing").get_data(as_text=True))[directory.housing_near]
    assert f"<strong>Closed now</strong> · opens Monday at {short_time(9, 0)}" in near
    clock.set(NOW.replace(hour=7, minute=30))  # Tuesday before opening
    near = cards(kiosk_client.get("/search?category=housing").get_data(as_text=True))[directory.housing_near]
    assert f"<strong>Closed now</strong> · opens at {short_time(9, 0)}" in near


def test_spanish_cards(kiosk_client: FlaskClient, directory: Directory) -> None:
    html = kiosk_client.get("/search?category=mental-health", headers={"Accept-Language": "es"}).get_data(
        as_text=True)
    counseling = cards(html)[directory.counseling]
    assert "Centro de Consejería en Crisis de Seminole</a>" in counseling
    assert "Consejería gratuita para adultos y adolescentes en crisis." in counseling
    assert "<strong>Abierto ahora</strong> · 24 horas" in counseling
    assert re.search(r"<span>a 0,\d mi de esta estación</span>", counseling)
    assert "<span>Gratis</span>" in counseling and "<span>Inglés, Español</span>" in counseling
    assert f"Revisado el {format_date(TODAY, 'medium', locale='es')}" in counseling


def test_patrol_cards_and_detail_show_officer_fields(client: FlaskClient, directory: Directory) -> None:
    assert sign_in(client, OFFICER).status_code == 303
    html = client.get("/patrol/?category=mental-health&open=0").get_data(as_text=True)
    counseling = cards(html)[directory.counseling]
    assert f'<a href="/patrol/services/{directory.counseling}">' in counseling
    assert re.search(r"<span>0\.\d mi from the station</span>", counseling)  # no position given
    assert '<p class="phone officer"><a href="tel:+14075550199">' in counseling
    assert '<a href="tel:+14075550100">' in counseling, "the patrol view keeps tap-to-call"
    assert '<span class="tag">Officers only</span>' in counseling
    assert 'action="/patrol/referral/add"' in counseling
    detail = client.get(f"/patrol/services/{directory.counseling}").get_data(as_text=True)
    assert "Notes for officers" in detail and "on-call clinician" in detail
    assert "Officer intake line" in detail and 'action="/patrol/referral/add"' in detail
    assert "<strong>Open now</strong> · 24 hours" in detail


def test_detail_page_shows_every_fact(kiosk_client: FlaskClient, directory: Directory) -> None:
    html = kiosk_client.get(f"/services/{directory.housing_near}?back=/search%3Fcategory%3Dhousing").get_data(
        as_text=True)
    page_token = token(html)
    assert '<p class="back"><a href="/search?category=housing">← Back to results</a></p>' in html
    assert '<h1 id="name-' + directory.housing_near + '">Sanford Housing Help Desk</h1>' in html
    assert f"<strong>Open now</strong> · closes at {short_time(17, 0)}" in html
    assert '<p class="description">Help with rent, deposits and utility bills for Sanford residents.</p>' in html
    assert f'name="csrf_token" value="{page_token}"' in html and 'action="/referral/add"' in html
    assert "tel:" not in html and "<span>(407) 555-0133</span>" in html and "<dt>Distance</dt>" in html
    assert 'aria-label="QR code to call (407) 555-0133: scan it with your phone camera"' in html
    assert "Scan to call" in html and "<h2>Hours</h2>" in html
    assert '<tr class="today" aria-current="date">' in html and "Get directions" in html
    assert re.search(r"<dd>0\.\d mi from this station</dd>", html)
    assert "<dt>Cost</dt><dd>Ask when you call</dd>" in html
    assert "Notes for officers" not in html
    checked = format_date(TODAY - dt.timedelta(days=400), "medium", locale="en")
    assert f'<dd class="stale">{checked} · may be out of date</dd>' in html
    assert "/problems/report" in html or "Report a problem with this listing" in html
