"""The district sheet: unmet needs and referrals of the district only, each count shown only when
at least 5 share it (k-anonymity), listings located in the district with stale and held counts,
the next events, a map that never draws a confidential place, the CSV export, and who may see it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import Counter
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy.orm import Session, sessionmaker

from directory_data.district_sheet import MIN_COUNT, Counted, Projection, district_sheet
from directory_data.districts import load_districts, parse_boundaries
from directory_data.events import EventInput, publish_event
from directory_data.models import OUTSIDE, ReferralCount, Service, utcnow
from directory_data.unmet_needs import record_unmet_needs
from kiosk_directory import STATION_ZONE, Directory, make_directory, station_today
from staff import signed_in

BOUNDARIES = Path(__file__).parent / "data" / "seminole_districts.geojson"
TODAY = station_today()  # the app's today: the station's date, not the machine's
MONDAY = TODAY - dt.timedelta(days=TODAY.weekday())
SHELTER = (28.7900, -81.2800)  # the test directory's confidential shelter, in district 4


def test_counts_under_five_are_withheld() -> None:
    counted = Counted.of([("food", 12), ("legal", 5), ("transportation", 4), ("utilities", 1)])
    assert MIN_COUNT == 5
    assert counted.shown == [("food", 12), ("legal", 5)] and counted.withheld == 2


@pytest.fixture
def directory(session_factory: sessionmaker[Session]) -> Directory:
    """The test directory (district 4: counseling, the confidential shelter, the stale housing
    desk held for review, a defunct office; district 1: child care; district 3: housing), the
    boundaries, unmet needs, referrals and events."""
    with session_factory() as session:
        made = make_directory(session)
        load_districts(session, parse_boundaries(BOUNDARIES.read_bytes()))
        session.get(Service, made.housing_near).review_reasons = "no-contact"
        record_unmet_needs(session, Counter({
            (TODAY, "food", "Sanford PD", "4"): 7, (TODAY, "legal", "Sanford PD", "4"): 3,
            (TODAY, "transportation", "Sanford PD", "4"): 1, (TODAY, "food", "Sanford PD", "1"): 9,
            (TODAY - dt.timedelta(days=400), "utilities", "Sanford PD", "4"): 40}))
        session.add_all([
            ReferralCount(week=MONDAY, category="housing", station="Sanford PD", district="4", surface="kiosk", referrals=4),
            ReferralCount(week=MONDAY, category="housing", station="Sanford PD", district="4", surface="patrol", referrals=2),
            ReferralCount(week=MONDAY, category="abuse", station="Sanford PD", district="4", surface="kiosk", referrals=2),
            ReferralCount(week=MONDAY, category="childcare", station="Sanford PD", district="1", surface="kiosk", referrals=30),
        ])
        start = utcnow() + dt.timedelta(days=3)
        publish_event(session, EventInput("district-meeting", "4", "District 4 town hall", "Asamblea del distrito 4",
                                          "Sanford City Hall", start, start + dt.timedelta(hours=2)), actor="t")
        publish_event(session, EventInput("district-meeting", "4", "Past meeting", "Reunión pasada", "Sanford City Hall",
                                          start - dt.timedelta(days=30), start - dt.timedelta(days=30, hours=-2)), actor="t")
        session.commit()
    return made


def test_the_sheet_holds_the_districts_figures(session_factory: sessionmaker[Session], directory: Directory) -> None:
    with session_factory() as session:
        sheet = district_sheet(session, "4", since=TODAY - dt.timedelta(days=83), until=TODAY, now=utcnow(),
                               stale_after_days=180, zone=STATION_ZONE)
        assert sheet is not None and sheet.name == "District 4 - Sanford and Lake Mary"
        assert sheet.unmet.shown == [("food", 7)] and sheet.unmet.withheld == 2  # legal 3, transportation 1
        assert sheet.referrals.shown == [("housing", 6)] and sheet.referrals.withheld == 1  # abuse 2
        listings = {row.category: (row.listings, row.stale, row.held) for row in sheet.listings}
        assert listings == {"mental-health": (1, 0, 0), "abuse": (1, 0, 0), "housing": (1, 1, 1)}  # defunct left out
        assert [e.title_en for e in sheet.events] == ["District 4 town hall"]
        assert sheet.confidential_places == 1 and len(sheet.places) == 3
        assert all((p.latitude, p.longitude) != SHELTER for p in sheet.places)
        one = district_sheet(session, "1", since=TODAY - dt.timedelta(days=83), until=TODAY, now=utcnow(),
                             stale_after_days=180, zone=STATION_ZONE)
        assert one is not None and one.unmet.shown == [("food", 9)] and one.referrals.shown == [("childcare", 30)]
        assert district_sheet(session, "9", since=TODAY, until=TODAY, now=utcnow(), stale_after_days=180, zone=STATION_ZONE) is None
        outside = district_sheet(session, OUTSIDE, since=TODAY, until=TODAY, now=utcnow(), stale_after_days=180, zone=STATION_ZONE)
        assert outside is not None and outside.listings == []


def test_the_sheet_page_csv_and_map(app: Flask, session_factory: sessionmaker[Session], directory: Directory) -> None:
    staff = signed_in(app, session_factory)
    client = staff("caseworker")
    page = client.get("/admin/districts/4").get_data(as_text=True)
    assert "District sheet of District 4 - Sanford and Lake Mary" in page
    assert "District 4 town hall" in page and "Past meeting" not in page
    assert "2 categories with fewer searches are withheld." in page
    assert "1 category with fewer referrals is withheld." in page
    start = page.index('<svg xmlns="http://www.w3.org/2000/svg" class="district-map"')
    svg = page[start:page.index("</svg>", start)]
    circles = re.findall(r'<circle class="place" cx="([\d.]+)" cy="([\d.]+)"', svg)
    assert len(circles) == 3 and '<path class="boundary"' in svg
    # the shelter is drawn nowhere: no dot at its projected point
    with session_factory() as session:
        sheet = district_sheet(session, "4", since=TODAY, until=TODAY, now=utcnow(), stale_after_days=180, zone=STATION_ZONE)
    assert sheet is not None and sheet.geometry is not None
    points = [(p[0], p[1]) for ring in sheet.geometry["coordinates"] for p in ring] + \
        [(p.longitude, p.latitude) for p in sheet.places]
    project = Projection(min(p[0] for p in points), min(p[1] for p in points),
                         max(p[0] for p in points), max(p[1] for p in points))
    x, y = project(SHELTER[1], SHELTER[0])
    assert (str(x), str(y)) not in circles
    assert "1 confidential place is counted, never drawn." in page
    assert "Hidden Way" not in page and "Safe Harbor" not in page

    response = client.get("/admin/districts/4.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["district", "4", "District 4 - Sanford and Lake Mary"]
    assert ["food", "7"] in rows and not any(r[:1] == ["legal"] for r in rows)
    assert ["housing", "6"] in rows and not any(r[:2] == ["abuse", "2"] for r in rows)
    assert ["housing", "1", "1", "1"] in rows and ["mental-health", "1", "0", "0"] in rows
    assert any(r[:1] == ["District 4 town hall"] for r in rows)
    assert client.get("/admin/districts/9").status_code == 404


def test_only_caseworkers_and_command_staff_see_sheets(app: Flask, session_factory: sessionmaker[Session],
                                                       directory: Directory) -> None:
    staff = signed_in(app, session_factory)
    for path in ("/admin/districts/4", "/admin/districts/4.csv", "/admin/districts"):
        assert app.test_client().get(path).status_code in (302, 303)
        assert staff("officer").get(path).status_code == 403
        assert staff("caseworker").get(path).status_code == 200
        assert staff("admin").get(path).status_code == 200


def test_kiosk_searches_and_referrals_count_in_the_kiosks_district(
    app_factory, session_factory: sessionmaker[Session]  # type: ignore[no-untyped-def]
) -> None:
    from kiosk.config import index_dir
    from kiosk.db import get_database
    from kiosk.search import catch_up_index

    app = app_factory(SEARCH_COUNTS_INTERVAL=0, DISTRICT="District 1 - Oviedo and the east")
    with session_factory() as session:
        made = make_directory(session)
        load_districts(session, parse_boundaries(BOUNDARIES.read_bytes()))
        session.commit()
    with app.app_context():
        catch_up_index(get_database(app).session_factory, index_dir(app.config))
    client = app.test_client()
    for _ in range(MIN_COUNT):
        assert client.get("/search?q=food").status_code == 200  # a need no listing serves
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', client.get("/referral").get_data(as_text=True)).group(1)
    for _ in range(MIN_COUNT):
        response = client.post("/api/v1/referrals", json={"service_ids": [made.childcare]}, headers={"X-CSRFToken": token})
        assert response.status_code == 201, response.get_data(as_text=True)
    from kiosk.search_tally import get_tally

    with app.app_context():
        get_tally(app).write()  # as the sheet's page does before reading
    around = {"since": TODAY - dt.timedelta(days=1), "until": TODAY + dt.timedelta(days=1)}  # the station's date
    with session_factory() as session:
        sheet = district_sheet(session, "1", **around, now=utcnow(), stale_after_days=180, zone=STATION_ZONE)
        assert sheet is not None
        assert sheet.unmet.shown == [("food", MIN_COUNT)]
        assert sheet.referrals.shown == [("childcare", MIN_COUNT)]
        four = district_sheet(session, "4", **around, now=utcnow(), stale_after_days=180, zone=STATION_ZONE)
        assert four is not None and four.unmet.shown == [] and four.referrals.shown == []


def test_availability_trends_of_the_districts_shelters(app: Flask, session_factory: sessionmaker[Session],
                                                       directory: Directory) -> None:
    """Saved counts become each capacity's reports, lowest, average, times full, weekly averages
    and count now; the confidential shelter's capacities are combined under no name; counts
    saved outside the period, or in another district, are left out."""
    from sqlalchemy import select

    from directory_data.availability_updates import add_capacity, update_counts
    from directory_data.models import AuditEntry

    with session_factory() as session:
        walk_in = add_capacity(session, directory.counseling, unit="walk-in appointments today", unit_es=None,
                               available=4, maximum=6, actor="t")
        beds = add_capacity(session, directory.shelter, unit="family beds", unit_es=None, available=2, maximum=5,
                            actor="t")
        slots = add_capacity(session, directory.childcare, unit="child care slots", unit_es=None, available=1,
                             maximum=None, actor="t")  # district 1
        for count in (3, 0, 1):
            update_counts(session, directory.counseling, {walk_in.id: count}, actor="provider")
        for count in (0, 2):
            update_counts(session, directory.shelter, {beds.id: count}, actor="provider")
        update_counts(session, directory.childcare, {slots.id: 0}, actor="provider")
        old = AuditEntry(listing_id=directory.counseling, resource_type="service_capacity", resource_id=walk_in.id,
                         last_action_date=utcnow() - dt.timedelta(days=200), last_action_type="update",
                         field_name="available", previous_value="6", replacement_value="6", updated_by="t")
        session.add(old)
        session.commit()
        assert session.scalars(select(AuditEntry).where(AuditEntry.resource_id == walk_in.id)).all()
        sheet = district_sheet(session, "4", since=TODAY - dt.timedelta(days=83), until=TODAY, now=utcnow(),
                               stale_after_days=180, zone=STATION_ZONE)
    assert sheet is not None
    named, combined = sheet.availability
    assert (named.service, named.unit, named.maximum) == ("Seminole Crisis Counseling Center", "walk-in appointments today", 6)
    # the count it was created with is a report too: 4, 3, 0, 1
    assert (named.reports, named.lowest, named.average, named.full, named.now) == (4, 0, 2.0, 1, 1)
    assert named.weekly == ((MONDAY, 2.0),)
    assert (combined.service, combined.unit, combined.maximum) == (None, "family beds", 5)
    assert (combined.reports, combined.lowest, combined.full, combined.now) == (3, 0, 1, 2)

    client = signed_in(app, session_factory)("caseworker")
    page = client.get("/admin/districts/4").get_data(as_text=True)
    assert "Availability of its shelters" in page and "Confidential shelters, combined" in page
    assert "walk-in appointments today" in page and "child care slots" not in page
    assert "Safe Harbor" not in page
    rows = list(csv.reader(io.StringIO(client.get("/admin/districts/4.csv").get_data(as_text=True))))
    assert ["Seminole Crisis Counseling Center", "walk-in appointments today", "6", "4", "0", "2.0", "1",
            f"{MONDAY.isoformat()}:2.0", "1"] in rows
    assert any(r[:2] == ["confidential shelters, combined", "family beds"] for r in rows)


def test_the_sheet_counts_a_report_on_the_stations_day_not_the_machines(
        session_factory: sessionmaker[Session], directory: Directory) -> None:
    """A count saved late in the station's evening is on the next UTC day (New York is behind UTC): the
    sheet's period and weeks are the station's days, so the sheet ending today holds it, in today's week."""
    from directory_data.availability_updates import add_capacity
    from directory_data.models import AuditEntry

    late = dt.datetime.combine(TODAY, dt.time(23, 30), STATION_ZONE)
    early = dt.datetime.combine(TODAY + dt.timedelta(days=1), dt.time(0, 30), STATION_ZONE)
    assert late.astimezone(dt.timezone.utc).date() > TODAY  # the machine's date is tomorrow already
    with session_factory() as session:
        walk_in = add_capacity(session, directory.counseling, unit="walk-in appointments today", unit_es=None,
                               available=4, maximum=6, actor="t")
        for when, value in ((late, "1"), (early, "5")):
            session.add(AuditEntry(listing_id=directory.counseling, resource_type="service_capacity",
                                   resource_id=walk_in.id, last_action_date=when.astimezone(dt.timezone.utc),
                                   last_action_type="update", field_name="available", previous_value="4",
                                   replacement_value=value, updated_by="provider"))
        session.commit()
        sheet = district_sheet(session, "4", since=TODAY, until=TODAY, now=utcnow(), stale_after_days=180,
                               zone=STATION_ZONE)
    assert sheet is not None
    named = next(t for t in sheet.availability if t.unit == "walk-in appointments today")
    # the count it was created with (4, saved now) and the late one (1); not the one of the station's tomorrow
    assert (named.reports, named.lowest) == (2, 1)
    assert named.weekly[-1][0] == MONDAY
