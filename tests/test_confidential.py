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
from search_index.geo import haversine_km, haversine_many_km
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
