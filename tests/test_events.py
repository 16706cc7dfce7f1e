"""Outreach events: publishing (rules and the workspace form), the kiosk's "Meet your officers"
page for its district, the patrol view's week, the public iCalendar feed and per-event files
(parsed back with icalendar), and past events leaving every public surface by themselves."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import icalendar
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from directory_data.districts import load_districts, parse_boundaries
from directory_data.events import EventInput, InvalidEvent, publish_event
from directory_data.models import OUTSIDE, OutreachEvent, utcnow
from staff import csrf_token, signed_in

BOUNDARIES = Path(__file__).parent / "data" / "seminole_districts.geojson"
BASE = "https://help.example.org"


def event_input(district: str, title: str, start: dt.datetime, hours: int = 2, **extra: object) -> EventInput:
    values: dict = dict(kind="coffee-with-a-cop", district_code=district, title_en=title,
                        title_es=f"{title} (es)", place="Sanford Civic Center, 401 E Seminole Blvd",
                        starts_at=start, ends_at=start + dt.timedelta(hours=hours),
                        description_en="Meet the officers of your district.",
                        description_es="Conozca a los agentes de su distrito.", languages=("en", "es"))
    values.update(extra)
    return EventInput(**values)


@pytest.fixture
def events(session_factory: sessionmaker[Session]) -> dict[str, OutreachEvent]:
    """District boundaries and five events: one past, one under way, two to come in district 4
    and county-wide, one in district 1, one in ten days."""
    now = utcnow().replace(microsecond=0)
    with session_factory() as session:
        load_districts(session, parse_boundaries(BOUNDARIES.read_bytes()))
        made = {
            "past": publish_event(session, event_input("4", "Last week's meeting", now - dt.timedelta(days=7)), actor="t"),
            "now": publish_event(session, event_input("4", "Coffee under way", now - dt.timedelta(hours=1)), actor="t"),
            "sanford": publish_event(session, event_input("4", "Sanford district meeting", now + dt.timedelta(days=2),
                                                          kind="district-meeting"), actor="t"),
            "county": publish_event(session, event_input(OUTSIDE, "County resource fair", now + dt.timedelta(days=3),
                                                         kind="resource-fair"), actor="t"),
            "oviedo": publish_event(session, event_input("1", "Oviedo food pantry", now + dt.timedelta(days=1),
                                                         kind="food-pantry"), actor="t"),
            "later": publish_event(session, event_input("4", "ID drive next fortnight", now + dt.timedelta(days=10),
                                                        kind="id-drive"), actor="t"),
        }
        session.commit()
    return made


@pytest.fixture
def site(app_factory) -> Flask:  # type: ignore[no-untyped-def]
    return app_factory(PUBLIC_BASE_URL=BASE)


def calendar_of(response) -> icalendar.Calendar:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    return icalendar.Calendar.from_ical(response.get_data())


def summaries(calendar: icalendar.Calendar) -> list[str]:
    return [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")]


def test_the_feed_is_icalendar_without_past_events(site: Flask, events: dict[str, OutreachEvent]) -> None:
    client = site.test_client()
    calendar = calendar_of(client.get("/events.ics"))
    assert str(calendar["VERSION"]) == "2.0" and calendar["PRODID"]
    assert summaries(calendar) == ["Coffee under way", "Oviedo food pantry", "Sanford district meeting",
                                   "County resource fair", "ID drive next fortnight"]
    first = next(e for e in calendar.walk("VEVENT") if str(e["SUMMARY"]) == "Sanford district meeting")
    event = events["sanford"]
    assert first.decoded("DTSTART") == event.starts_at and first.decoded("DTEND") == event.ends_at
    assert str(first["UID"]) == f"{event.id}@help.example.org"
    assert str(first["LOCATION"]) == event.place
    assert str(first["URL"]) == f"{BASE}/events/{event.id}.ics"
    only_4 = summaries(calendar_of(client.get("/events.ics?district=4&lang=es")))
    assert only_4 == ["Coffee under way (es)", "Sanford district meeting (es)", "County resource fair (es)",
                      "ID drive next fortnight (es)"]
    assert client.get("/events.ics?district=nowhere").status_code == 404


def test_each_event_has_its_own_calendar_file_until_it_ends(site: Flask, events: dict[str, OutreachEvent]) -> None:
    client = site.test_client()
    calendar = calendar_of(client.get(f"/events/{events['sanford'].id}.ics"))
    (only,) = calendar.walk("VEVENT")
    assert str(only["SUMMARY"]) == "Sanford district meeting"
    assert "Meet the officers of your district." in str(only["DESCRIPTION"])
    assert client.get(f"/events/{events['past'].id}.ics").status_code == 404
    assert client.get("/events/no-such-event.ics").status_code == 404


def test_the_kiosk_shows_its_districts_next_events_with_calendar_codes(
    site: Flask, events: dict[str, OutreachEvent]
) -> None:
    client = site.test_client()
    page = client.get("/meet").get_data(as_text=True)
    shown = re.findall(r"<h2>([^<]+)</h2>", page)
    # the station (Sanford) is in district 4: its events and the county-wide one, soonest first
    assert shown == ["Coffee under way", "Sanford district meeting", "County resource fair", "ID drive next fortnight"]
    assert page.count('class="qr"') == 4
    from kiosk.qr import svg_markup

    assert str(svg_markup(f"{BASE}/events/{events['sanford'].id}.ics")) in page  # the code holds its file's URL
    assert "District 4 - Sanford and Lake Mary" in page
    spanish = client.get("/meet", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "Sanford district meeting (es)" in spanish and "Conozca a los agentes" in spanish
    assert str(svg_markup(f"{BASE}/events/{events['sanford'].id}.ics?lang=es")) in spanish
    spanish_file = client.get(f"/events/{events['sanford'].id}.ics?lang=es")
    assert summaries(calendar_of(spanish_file)) == ["Sanford district meeting (es)"]
    assert "Meet your officers" in client.get("/").get_data(as_text=True)


def test_a_kiosk_configured_for_another_district(app_factory, events: dict[str, OutreachEvent]) -> None:  # type: ignore[no-untyped-def]
    client = app_factory(DISTRICT="1", PUBLIC_BASE_URL=BASE).test_client()
    page = client.get("/meet").get_data(as_text=True)
    assert re.findall(r"<h2>([^<]+)</h2>", page) == ["Oviedo food pantry", "County resource fair"]


def test_without_a_public_address_the_kiosk_offers_no_code(app: Flask, events: dict[str, OutreachEvent]) -> None:
    page = app.test_client().get("/meet").get_data(as_text=True)
    assert "Sanford district meeting" in page and 'class="qr"' not in page


def test_the_patrol_view_lists_the_weeks_events(site: Flask, session_factory: sessionmaker[Session],
                                                events: dict[str, OutreachEvent]) -> None:
    staff = signed_in(site, session_factory)
    assert site.test_client().get("/patrol/events").status_code in (302, 303)
    page = staff("officer").get("/patrol/events").get_data(as_text=True)
    shown = re.findall(r"<h2>([^<]+)</h2>", page)
    assert shown == ["Coffee under way", "Oviedo food pantry", "Sanford district meeting", "County resource fair"]


def test_event_rules(db_session: Session) -> None:
    load_districts(db_session, parse_boundaries(BOUNDARIES.read_bytes()))
    start = utcnow() + dt.timedelta(days=1)
    with pytest.raises(InvalidEvent) as raised:
        publish_event(db_session, event_input("9", " ", start, hours=-1, kind="party", languages=("xx",)), actor="t")
    assert raised.value.fields == {"kind": "unknown-kind", "district_code": "unknown-district",
                                   "title_en": "required", "ends_at": "ends-before-start",
                                   "languages": "unknown-language"}
    with pytest.raises(InvalidEvent) as raised:
        publish_event(db_session, event_input("4", "Too long", start, hours=24 * 8), actor="t")
    assert raised.value.fields == {"ends_at": "too-long-event"}
    with pytest.raises(InvalidEvent) as raised:
        publish_event(db_session, event_input("4", "Naive", start.replace(tzinfo=None)), actor="t")
    assert raised.value.fields["starts_at"] == "not-a-time"


def test_staff_publish_and_cancel_events_in_the_workspace(site: Flask, session_factory: sessionmaker[Session],
                                                         events: dict[str, OutreachEvent]) -> None:
    staff = signed_in(site, session_factory)
    assert staff("officer").get("/admin/events").status_code == 403
    caseworker: FlaskClient = staff("caseworker")
    page = caseworker.get("/admin/events").get_data(as_text=True)
    token = csrf_token(page)
    day = (utcnow() + dt.timedelta(days=4)).date().isoformat()
    form = {"csrf_token": token, "kind": "id-drive", "district_code": "2", "title_en": "ID drive",
            "title_es": "Campaña de identificación", "place": "Casselberry City Hall", "starts_at": f"{day}T10:00",
            "ends_at": f"{day}T14:00", "languages": ["en", "es"]}
    response = caseworker.post("/admin/events", data=form)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    feed = calendar_of(site.test_client().get("/events.ics?district=2"))
    (drive,) = [e for e in feed.walk("VEVENT") if str(e["SUMMARY"]) == "ID drive"]
    assert drive.decoded("DTSTART").astimezone(dt.timezone.utc).hour in (14, 15)  # 10:00 in New York
    bad = caseworker.post("/admin/events", data={**form, "ends_at": f"{day}T09:00"})
    assert bad.status_code == 422 and "It must end after it starts." in bad.get_data(as_text=True)
    assert caseworker.post(f"/admin/events/{events['sanford'].id}/cancel", data={"csrf_token": token}).status_code == 303
    assert "Sanford district meeting" not in site.test_client().get("/meet").get_data(as_text=True)
