"""A confidential place gives anonymous callers nothing finer than its public cell (issue 13).

1. Position: an attacker's many anonymous requests -- ``distance_km`` from chosen points, a
   binary search over ``radius_km``, ``zip=`` centroids, the order against public listings at
   known places, totals and facets, the kiosk's distances -- are answered from the centre of the
   place's grid cell only. Two confidential places in the same cell get identical answers, and
   the best estimate the attacker can compute is that centre, not the true point. Signed-in
   officers keep true distances.
2. Referral codes: a stored text or contact code (PNG, SVG, and the copy in the slip) is made
   again, or withdrawn, once the place it copies becomes confidential, a phone becomes
   officer-only, or a listing or place is retired.
3. Free text: the location's alternate name, description, transportation, web address,
   identifiers, accessibility, phone descriptions, schedule notes and the service-at-location
   description reach no public view (API, search, kiosk, referral page, slip, codes); officers
   still get them from the API.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from pyzbar.pyzbar import decode
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from directory_data.confidential import coarse_point, public_distance_km
from directory_data.models import (
    Accessibility,
    Address,
    Location,
    Organization,
    Phone,
    PhoneAudience,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceCategory,
    ServiceStatus,
    utcnow,
)
from kiosk import qr
from kiosk.db import get_database
from kiosk.config import station
from kiosk.formatting import distance_text
from kiosk_directory import EVERY_DAY, src
from directory_data.distance import haversine_km, haversine_many_km
from staff import signed_in

Point = tuple[float, float]

#: The cell the two shelters share, and their true points: opposite corners of it, each about
#: 2.8 km from the centre and 5.6 km from each other.
CENTRE = coarse_point(28.75, -81.30)
SHELTER_A = (round(CENTRE[0] + 0.018, 6), round(CENTRE[1] + 0.02, 6))
SHELTER_B = (round(CENTRE[0] - 0.018, 6), round(CENTRE[1] - 0.02, 6))
#: Public listings at known places: two in ZIP 32771 (the shelters' ZIP), two elsewhere.
PUBLIC = {
    "north": ((28.80, -81.27), "32771"),
    "east": ((28.74, -81.22), "32771"),
    "west": ((28.76, -81.36), "32750"),
    "south": ((28.69, -81.31), "32708"),
}
#: Where the attacker stands: around the cell, 10 to 30 km away.
ORIGINS = [
    (CENTRE[0] + dlat, CENTRE[1] + dlon)
    for dlat, dlon in ((0.2, 0.0), (0.0, 0.25), (-0.15, -0.1), (0.1, -0.2), (-0.25, 0.15), (0.12, 0.12),
                       (-0.09, 0.3), (0.27, -0.06))
]


def _place(session: Session, name: str, point: Point | None, postal: str, *, confidential: bool,
           category: str = "abuse", street: str = "1 Main St") -> Service:
    org = Organization(**src(), name=f"{name} Inc.", description="")
    service = Service(**src(), name=name, description="Emergency shelter and safety planning.",
                      organization=org, status=ServiceStatus.active, assured_date=dt.date.today())
    location = Location(**src(), name=name, organization=org, confidential=confidential,
                        latitude=point[0] if point else None, longitude=point[1] if point else None)
    location.addresses.append(Address(**src(), address_1=street, city="Sanford", state_province="FL",
                                      postal_code=postal, country="US"))
    session.add_all([org, service, location])
    session.flush()
    session.add(ServiceAtLocation(**src(), service_id=service.id, location_id=location.id))
    session.add(ServiceCategory(service_id=service.id, category_slug=category, assigned_by="listing"))
    session.add(Phone(**src(), service_id=service.id, number="(407) 555-0150"))
    return service


@pytest.fixture
def factory(app: Flask) -> sessionmaker[Session]:
    """The app's own session factory (the journal hooks are installed on it)."""
    return get_database(app).session_factory


@dataclass
class Map:
    """The ids of the position test's listings."""

    a: str
    b: str
    public: dict[str, str]


@pytest.fixture
def shelters(factory: sessionmaker[Session]) -> Map:
    assert coarse_point(*SHELTER_A) == coarse_point(*SHELTER_B) == CENTRE
    with factory.begin() as session:
        a = _place(session, "Harbor Safe Home", SHELTER_A, "32771", confidential=True)
        b = _place(session, "Harbor Safe Home", SHELTER_B, "32771", confidential=True)
        public = {key: _place(session, f"Family Center {key}", point, postal, confidential=False).id
                  for key, (point, postal) in PUBLIC.items()}
        return Map(a.id, b.id, public)


def _search(client: FlaskClient, **params: Any) -> dict[str, Any]:
    response = client.get("/api/v1/search", query_string={"category": "abuse", "per_page": 50, **params})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def _about(body: dict[str, Any], target: str, public: set[str]) -> tuple[Any, ...]:
    """What one answer tells about ``target``: whether it is there, its distance, and how many
    public listings come before it."""
    ids = [r["id"] for r in body["results"]]
    if target not in ids:
        return (False, None, None)
    at = ids.index(target)
    return (True, body["results"][at]["distance_km"], sum(1 for i in ids[:at] if i in public))


def _estimate(origins: list[Point], distances: list[float]) -> Point:
    """The attacker's least-squares position from distances to ``origins``: a 60 km box at
    250 m, then 3 km around the best at 10 m."""
    best = (float(np.mean([o[0] for o in origins])), float(np.mean([o[1] for o in origins])))
    for half, step in ((0.3, 0.0025), (0.015, 0.0001)):
        lats, lons = np.meshgrid(np.arange(best[0] - half, best[0] + half, step),
                                 np.arange(best[1] - half, best[1] + half, step))
        lats, lons = lats.ravel(), lons.ravel()
        error = np.zeros(lats.size)
        for origin, d in zip(origins, distances):
            error += (haversine_many_km(lats, lons, origin) - d) ** 2
        i = int(np.argmin(error))
        best = (float(lats[i]), float(lons[i]))
    return best


def _no_better_than_the_cell(estimate: Point, true: Point) -> None:
    """The estimate is the cell's centre up to the rounding of distances, so no closer to the
    true point than the centre is (less the same slack)."""
    assert haversine_km(estimate, CENTRE) < 0.8, (estimate, CENTRE)
    assert haversine_km(estimate, true) > haversine_km(CENTRE, true) - 0.8, (estimate, true)


def test_anonymous_answers_reveal_only_the_cell_of_a_confidential_place(
    app: Flask, client: FlaskClient, shelters: Map, factory: sessionmaker[Session]
) -> None:
    public = set(shelters.public.values())

    # 1. distance_km from chosen points, then trilateration.
    answers = {}
    for origin in ORIGINS:
        body = _search(client, near=f"{origin[0]},{origin[1]}")
        answers[origin] = (_about(body, shelters.a, public), _about(body, shelters.b, public))
        assert answers[origin][0] == answers[origin][1], "two places in one cell told apart"
        assert answers[origin][0][1] == public_distance_km(haversine_km(origin, CENTRE))
    distances = [answers[o][0][1] for o in ORIGINS]
    for true in (SHELTER_A, SHELTER_B):
        _no_better_than_the_cell(_estimate(ORIGINS, distances), true)

    # 2. radius_km: a binary search for the distance at which each shelter enters the results.
    thresholds = []
    for origin in ORIGINS[:4]:
        found = []
        for target in (shelters.a, shelters.b):
            low, high = 0.01, 60.0
            for _ in range(18):
                middle = (low + high) / 2
                body = _search(client, near=f"{origin[0]},{origin[1]}", radius_km=middle)
                inside = target in {r["id"] for r in body["results"]}
                assert body["total"] == len(body["results"]) == body["facets"]["category"].get("abuse", 0)
                assert body["total"] - len(public & {r["id"] for r in body["results"]}) in (0, 2)
                low, high = (low, middle) if inside else (middle, high)
            found.append(high)
        assert found[0] == found[1]
        thresholds.append(found[0])
    for true in (SHELTER_A, SHELTER_B):
        _no_better_than_the_cell(_estimate(ORIGINS[:4], thresholds), true)

    # 3. zip=: the centroid is the mean of the public places of the ZIP code only.
    body = _search(client, zip="32771")
    centroid = tuple(np.mean([PUBLIC["north"][0], PUBLIC["east"][0]], axis=0))
    by_id = {r["id"]: r for r in body["results"]}
    for key in ("north", "east", "west", "south"):
        expected = round(haversine_km(centroid, PUBLIC[key][0]), 2)
        assert by_id[shelters.public[key]]["distance_km"] == pytest.approx(expected, abs=0.011), key
    assert _about(body, shelters.a, public) == _about(body, shelters.b, public)

    # 4. The order against public listings at known places, from a sweep of points across the
    #    cell and its neighbours (the order flips where two distances are equal).
    for step in range(-10, 11):
        for origin in ((CENTRE[0] + step * 0.006, CENTRE[1] - 0.04), (CENTRE[0] + 0.03, CENTRE[1] + step * 0.007)):
            body = _search(client, near=f"{origin[0]},{origin[1]}")
            assert _about(body, shelters.a, public) == _about(body, shelters.b, public), origin

    # 5. The kiosk's distance from the station, on the detail page and the results page.
    lines = [re.findall(r"<dd>([^<]+) from this station", client.get(f"/services/{i}").get_data(as_text=True))
             for i in (shelters.a, shelters.b)]
    with app.test_request_context():
        shown = distance_text(public_distance_km(haversine_km(station(app.config), CENTRE)))
    assert lines[0] == lines[1] == [shown]
    page = client.get("/search?category=abuse").get_data(as_text=True)
    assert page.count(f"<span>{shown} from this station</span>") == 2

    # Officers keep the true distances (API and patrol view).
    officer = signed_in(app, factory)("officer")
    origin = ORIGINS[0]
    body = _search(officer, near=f"{origin[0]},{origin[1]}")
    found = {r["id"]: r["distance_km"] for r in body["results"]}
    assert found[shelters.a] == round(haversine_km(origin, SHELTER_A), 2)
    assert found[shelters.b] == round(haversine_km(origin, SHELTER_B), 2)
    detail = officer.get(f"/patrol/services/{shelters.a}?lat={origin[0]}&lon={origin[1]}").get_data(as_text=True)
    with app.test_request_context():
        assert f"{distance_text(haversine_km(origin, SHELTER_A))} away" in detail

    # And the public HSDS objects carry no coordinates of either.
    for target in (shelters.a, shelters.b):
        text = client.get(f"/api/v1/services/{target}").get_data(as_text=True)
        assert "latitude" not in text and "longitude" not in text


def test_hsds_proximity_and_postcode_reveal_only_the_cell_of_a_confidential_place(
    app: Flask, client: FlaskClient, shelters: Map, factory: sessionmaker[Session]
) -> None:
    """``/service_at_locations?postcode=&proximity=`` (metres from the postcode's centroid): the
    attacker sweeps the radius from each ZIP code with public places at known points."""
    public = set(shelters.public.values())
    centroids = {"32771": tuple(np.mean([PUBLIC["north"][0], PUBLIC["east"][0]], axis=0)),
                 "32750": PUBLIC["west"][0], "32708": PUBLIC["south"][0]}

    def about(order: list[str], target: str) -> tuple[bool, int | None]:
        if target not in order:
            return (False, None)
        return (True, sum(1 for s in order[:order.index(target)] if s in public))

    def near(caller: FlaskClient, postcode: str, metres: float) -> list[str]:
        body = caller.get("/api/v1/service_at_locations", query_string={
            "postcode": postcode, "proximity": metres, "per_page": 1000}).get_json()
        assert body["total_items"] == body["size"]
        return [link["service_id"] for link in body["contents"]]

    for postcode, centroid in centroids.items():
        cell_km = public_distance_km(haversine_km(centroid, CENTRE))
        for metres in range(500, 30_001, 500):
            order = near(client, postcode, metres)
            assert about(order, shelters.a) == about(order, shelters.b), (postcode, metres)
            assert about(order, shelters.a)[0] == (cell_km <= metres / 1000), (postcode, metres)

    # postcode alone: a confidential place's postcode is not public.
    body = client.get("/api/v1/service_at_locations", query_string={"postcode": "32771"}).get_json()
    found = {link["service_id"] for link in body["contents"]}
    assert found == {shelters.public["north"], shelters.public["east"]}
    assert all("latitude" not in link["location"] for link in body["contents"]
               if link["service_id"] in (shelters.a, shelters.b))

    # Officers measure to the true points (and see the true postcode).
    officer = signed_in(app, factory)("officer")
    officer_found = {link["service_id"] for link in officer.get(
        "/api/v1/service_at_locations", query_string={"postcode": "32771"}).get_json()["contents"]}
    assert {shelters.a, shelters.b} <= officer_found
    origin = centroids["32771"]
    between = (haversine_km(origin, SHELTER_A) + haversine_km(origin, SHELTER_B)) / 2 * 1000
    order = near(officer, "32771", between)
    assert (shelters.a in order) != (shelters.b in order), "true distances tell the two apart"


# --------------------------------------------------------------------------------------------
# 3. Free text of a confidential place
# --------------------------------------------------------------------------------------------

#: Every piece of free text of the confidential place names the street it is on.
SECRET = re.compile(r"cypress|parcel-77|secret\.example", re.IGNORECASE)


@pytest.fixture
def refuge(factory: sessionmaker[Session]) -> str:
    """A listing at a confidential place whose every free-text field gives its street away."""
    with factory.begin() as session:
        service = _place(session, "Quiet Harbor Refuge", (28.77, -81.29), "32771", confidential=True,
                         street="40 Cypress Road")
        location = session.scalars(select(Location).where(Location.name == "Quiet Harbor Refuge")).one()
        location.alternate_name = "The Cypress Road house"
        location.description = "Behind the old mill on Cypress Road."
        location.transportation = "Bus 34 to the Cypress Road stop."
        location.url = "https://secret.example/refuge"
        location.external_identifier = "PARCEL-77"
        location.external_identifier_type = "county parcel"
        location.accessibility.append(Accessibility(**src(), description="Ramp at the Cypress Road gate",
                                                    details="Lift to the Cypress Road annex"))
        session.add(Phone(**src(), location_id=location.id, number="(407) 555-0161",
                          description="Gate buzzer on Cypress Road"))
        session.add(Phone(**src(), service_id=service.id, location_id=location.id, number="(407) 555-0162",
                          description="Side door on Cypress Road"))
        session.add(Schedule(**src(), location_id=location.id, freq="WEEKLY", byday=EVERY_DAY,
                             opens_at=dt.time(0, 0), closes_at=dt.time(23, 59), timezone="America/New_York",
                             notes="Ring at the Cypress Road gate after dark", description="Cypress Road intake"))
        session.flush()
        link = session.scalars(select(ServiceAtLocation).where(ServiceAtLocation.service_id == service.id)).one()
        link.description = "Intake at the Cypress Road side door"
        return service.id


def test_public_views_of_a_confidential_place_hold_none_of_its_free_text(
    app: Flask, client: FlaskClient, refuge: str, factory: sessionmaker[Session]
) -> None:
    shown = client.get(f"/api/v1/services/{refuge}").get_json()
    location = shown["service_at_locations"][0]["location"]
    assert location["name"] == "Quiet Harbor Refuge"  # what is safe stays: name, phone, hours
    assert [p["number"] for p in location["phones"]] == ["(407) 555-0161"]
    assert location["schedules"][0]["opens_at"].startswith("00:00")
    pages = {
        "api service": json.dumps(shown),
        "api services ndjson": client.get("/api/v1/services?format=ndjson&full=true").get_data(as_text=True),
        "api service_at_locations": client.get("/api/v1/service_at_locations?per_page=1000").get_data(as_text=True),
        "api service_at_locations full": client.get("/api/v1/service_at_locations?full=true&per_page=1000")
        .get_data(as_text=True),
        "api organizations": client.get("/api/v1/organizations?full=true&full_service=true&per_page=1000")
        .get_data(as_text=True),
        "api list": client.get("/api/v1/services", query_string={"search": "quiet harbor"}).get_data(as_text=True),
        "api search": client.get("/api/v1/search", query_string={"q": "quiet harbor"}).get_data(as_text=True),
        "kiosk detail": client.get(f"/services/{refuge}").get_data(as_text=True),
        "kiosk results": client.get("/search", query_string={"q": "quiet harbor"}).get_data(as_text=True),
    }
    assert refuge in pages["api list"] and refuge in pages["api search"] and "Quiet Harbor Refuge" in pages["kiosk results"]
    token = _referral(client, [refuge], "text")
    pages["referral page"] = client.get(f"/r/{token}").get_data(as_text=True)
    pages["slip"] = client.get(f"/r/{token}/print").get_data(as_text=True)
    pages["text code"] = "\n".join(_decoded(client.get(f"/r/{token}/qr.png").data))
    for name, text in pages.items():
        assert not SECRET.search(text), f"{name}: {SECRET.search(text).group(0)!r}"
    # A match on its withheld text would tell what the text says.
    for words in ("cypress", "ramp gate", "annex lift"):
        body = client.get("/api/v1/search", query_string={"q": words}).get_json()
        assert refuge not in {r["id"] for r in body["results"]}, words
    # Officers see it all in the API, as before.
    officer = signed_in(app, factory)("officer")
    full = officer.get(f"/api/v1/services/{refuge}").get_data(as_text=True)
    for text in ("Behind the old mill on Cypress Road.", "Ramp at the Cypress Road gate",
                 "Intake at the Cypress Road side door", "PARCEL-77", "Gate buzzer on Cypress Road",
                 "Side door on Cypress Road"):
        assert text in full, text


# --------------------------------------------------------------------------------------------
# 2. Stored referral codes after a change that makes their content unsafe
# --------------------------------------------------------------------------------------------


def _decoded(png: bytes) -> list[str]:
    return [s.data.decode("utf-8") for s in decode(Image.open(io.BytesIO(png)))]


def _referral(client: FlaskClient, ids: list[str], mode: str) -> str:
    page = client.get("/referral").get_data(as_text=True)
    csrf = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    response = client.post("/api/v1/referrals", json={"service_ids": ids, "mode": mode, "discreet": False},
                           headers={"X-CSRFToken": csrf})
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["qr_mode"] == mode
    return body["token"]


@dataclass
class Served:
    """A referral's code as served: decoded from the PNG, the SVG, and the SVG in the slip."""

    texts: list[str]
    svg: str
    slip: str
    png_status: int


def _served(client: FlaskClient, token: str) -> Served:
    png = client.get(f"/r/{token}/qr.png")
    svg = client.get(f"/r/{token}/qr.svg")
    slip = client.get(f"/r/{token}/print").get_data(as_text=True)
    assert png.status_code == svg.status_code
    return Served(_decoded(png.data) if png.status_code == 200 else [], svg.get_data(as_text=True)
                  if svg.status_code == 200 else "", slip, png.status_code)


def _consistent(served: Served) -> None:
    """The SVG is the code of the PNG's payload, and the slip holds that same SVG."""
    assert served.svg == qr.render(served.texts[0])[0]
    assert served.svg in served.slip


@pytest.fixture
def counseling(factory: sessionmaker[Session]) -> tuple[str, str]:
    """A listing at a public place with a public phone, and a second one; their ids."""
    with factory.begin() as session:
        first = _place(session, "Elmwood Counseling", (28.80, -81.27), "32771", confidential=False,
                       category="mental-health", street="12 Elm Street")
        session.add(Phone(**src(), service_id=first.id, number="(407) 555-0177"))
        second = _place(session, "Lake Family Center", (28.79, -81.26), "32771", confidential=False,
                        category="housing", street="8 Lake Avenue")
        return first.id, second.id


def test_stored_codes_never_outlive_a_change_that_makes_them_unsafe(
    client: FlaskClient, counseling: tuple[str, str], factory: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first, second = counseling
    # link codes need the department's public address (without one they are not offered)
    monkeypatch.setitem(client.application.config, "PUBLIC_BASE_URL", "https://help.example.org")
    text = _referral(client, [first, second], "text")
    contact = _referral(client, [first, second], "contact")
    link = _referral(client, [first], "link")
    before = {token: _served(client, token) for token in (text, contact, link)}
    assert "12 Elm Street" in before[text].texts[0] and "ADR:12 Elm Street" in before[contact].texts[0]
    assert "TEL:+14075550177" in before[contact].texts[0] and "qr-box" in before[contact].slip

    # Unchanged listings: the stored codes are served as they are, never made again.
    def fail(payload: str) -> None:
        raise AssertionError("an unchanged code was made again")

    with monkeypatch.context() as patch:
        patch.setattr(qr, "render", fail)
        for token in (text, contact, link):
            assert _served(client, token) == before[token]

    # The place becomes confidential: its street leaves every code and slip.
    with factory.begin() as session:
        location = session.scalars(select(Location).where(Location.name == "Elmwood Counseling")).one()
        location.confidential = True
    for token in (text, contact):
        served = _served(client, token)
        assert "12 Elm Street" not in served.texts[0] and "12 Elm Street" not in served.slip
        _consistent(served)
    assert "Elmwood Counseling" in _served(client, text).texts[0]
    unchanged = _served(client, link)  # a link carries no listing content
    assert (unchanged.texts, unchanged.svg) == (before[link].texts, before[link].svg)
    assert "12 Elm Street" not in unchanged.slip

    # A phone becomes officer-only: its number leaves the codes.
    with factory.begin() as session:
        phone = session.scalars(select(Phone).where(Phone.number == "(407) 555-0177")).one()
        phone.audience = PhoneAudience.officer
    for token in (text, contact):
        served = _served(client, token)
        assert "555-0177" not in served.texts[0] and "4075550177" not in served.texts[0]
        _consistent(served)

    # The other listing's place is retired: its street leaves the text code.
    with factory.begin() as session:
        location = session.scalars(select(Location).where(Location.name == "Lake Family Center")).one()
        location.retired_at = utcnow()
    served = _served(client, text)
    assert "8 Lake Avenue" not in served.texts[0] and "8 Lake Avenue" not in served.slip
    _consistent(served)

    # The first listing is retired: the contact code naming it is withdrawn, the text code
    # lists only what is still listed.
    with factory.begin() as session:
        session.get(Service, first).status = ServiceStatus.defunct
    withdrawn = _served(client, contact)
    assert withdrawn.png_status == 404 and "qr-box" not in withdrawn.slip
    assert "This code is no longer available" in withdrawn.slip
    served = _served(client, text)
    assert "Elmwood Counseling" not in served.texts[0] and "Lake Family Center" in served.texts[0]
    _consistent(served)
