"""District boundaries: every curated place lands in the district drawn around its town, a point
outside every boundary is "outside", places are reassigned when they move or the boundaries are
reloaded, bad boundary files are refused, and the CLI and the workspace load files."""

from __future__ import annotations

import io
import re
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from directory_data.districts import BoundaryError, DistrictMap, load_districts, parse_boundaries
from directory_data.models import OUTSIDE, District, Location, LocationDistrict
from directory_data.sample import load_sample
from staff import csrf_token, signed_in

BOUNDARIES = Path(__file__).parent / "data" / "seminole_districts.geojson"
#: The district each town of the curated sample was drawn into (tests/data/seminole_districts.geojson).
TOWN_DISTRICT = {
    "Oviedo": "1", "Geneva": "1", "Chuluota": "1",
    "Casselberry": "2", "Winter Springs": "2",
    "Altamonte Springs": "3", "Longwood": "3", "Fern Park": "3",
    "Sanford": "4", "Lake Mary": "4",
}
ORLANDO = (28.5383, -81.3792)


def load_file(session: Session, path: Path = BOUNDARIES) -> None:
    load_districts(session, parse_boundaries(path.read_bytes()))
    session.flush()


def assigned(session: Session) -> dict[str, str]:
    return dict(session.execute(select(LocationDistrict.location_id, LocationDistrict.district_code)).tuples().all())


def test_every_curated_place_lands_in_its_district(db_session: Session) -> None:
    load_sample(db_session, actor="test")
    load_file(db_session)
    places = db_session.scalars(select(Location).options(selectinload(Location.addresses))
                                .where(Location.latitude.is_not(None))).all()
    assert len(places) >= 80
    districts = assigned(db_session)
    wrong = {p.name: (p.physical_address.city, districts.get(p.id)) for p in places
             if districts.get(p.id) != TOWN_DISTRICT[p.physical_address.city]}
    assert wrong == {}
    assert set(Counter(districts[p.id] for p in places)) == {"1", "2", "3", "4"}
    without = db_session.scalars(select(Location).where(Location.latitude.is_(None))).all()
    assert all(districts[p.id] == OUTSIDE for p in without)
    shapes = DistrictMap.from_session(db_session)
    assert shapes.district_of(*ORLANDO) == OUTSIDE
    assert shapes.district_of(28.725, -80.965) == "1"  # the second part of district 1's MultiPolygon
    assert shapes.district_of(28.8003, -81.2731) == "4"  # the station in Sanford


def test_imported_places_are_assigned_when_boundaries_were_loaded_first(db_session: Session) -> None:
    load_file(db_session)
    load_sample(db_session, actor="test")  # an HSDS import: bulk writes no ORM hook sees
    places = db_session.scalars(select(Location).options(selectinload(Location.addresses))
                                .where(Location.latitude.is_not(None))).all()
    districts = assigned(db_session)
    assert len(places) >= 80
    assert {p.id: districts.get(p.id) for p in places} == \
        {p.id: TOWN_DISTRICT[p.physical_address.city] for p in places}


def test_places_are_reassigned_when_they_move_or_are_added(db_session: Session) -> None:
    load_file(db_session)
    place = Location(name="Pop-up clinic", latitude=28.67, longitude=-81.21)  # Oviedo
    db_session.add(place)
    db_session.flush()
    assert assigned(db_session)[place.id] == "1"
    place.latitude, place.longitude = 28.80, -81.27  # Sanford
    db_session.flush()
    assert assigned(db_session)[place.id] == "4"
    place.latitude, place.longitude = ORLANDO
    db_session.flush()
    assert assigned(db_session)[place.id] == OUTSIDE
    place.name = "Renamed"  # no move: nothing to reassign
    db_session.flush()
    assert assigned(db_session)[place.id] == OUTSIDE
    db_session.delete(place)
    db_session.flush()
    assert place.id not in assigned(db_session)


def test_reloading_boundaries_reassigns_every_place(db_session: Session, tmp_path: Path) -> None:
    load_sample(db_session, actor="test")
    load_file(db_session)
    data = json.loads(BOUNDARIES.read_text())
    data["features"] = [f for f in data["features"] if f["properties"]["district"] == "3"]
    west_only = tmp_path / "west.geojson"
    west_only.write_text(json.dumps(data))
    load_file(db_session, west_only)
    counts = Counter(assigned(db_session).values())
    assert set(counts) == {"3", OUTSIDE}
    assert [d.code for d in db_session.scalars(select(District))] == ["3"]


@pytest.mark.parametrize("feature, problem", [
    ({"type": "Feature", "properties": {"district": "9"},
      "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}},
     "invalid geometry"),
    ({"type": "Feature", "properties": {"district": "9"}, "geometry": {"type": "Point", "coordinates": [0, 0]}},
     "Polygon or MultiPolygon"),
    ({"type": "Feature", "properties": {}, "geometry": {"type": "Polygon",
                                                         "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}},
     "needs a code"),
    ({"type": "Feature", "properties": {"district": "9"},
      "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [500, 0], [500, 1], [0, 0]]]}},
     "longitude, latitude"),
])
def test_bad_boundary_files_are_refused(feature: dict, problem: str) -> None:
    with pytest.raises(BoundaryError) as raised:
        parse_boundaries(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    assert problem in str(raised.value)


def test_duplicate_codes_and_non_geojson_are_refused() -> None:
    data = json.loads(BOUNDARIES.read_text())
    data["features"][1]["properties"]["district"] = "1"
    with pytest.raises(BoundaryError, match="used twice"):
        parse_boundaries(json.dumps(data))
    with pytest.raises(BoundaryError, match="not JSON"):
        parse_boundaries(b"\x00not json")
    with pytest.raises(BoundaryError, match="FeatureCollection"):
        parse_boundaries(json.dumps([1, 2]))


def test_cli_loads_and_lists_districts(app: Flask, session_factory: sessionmaker[Session]) -> None:
    with session_factory() as session:
        session.add(Location(name="Sanford place", latitude=28.80, longitude=-81.27))
        session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["districts", "load", str(BOUNDARIES)])
    assert result.exit_code == 0, result.output
    assert "4 districts loaded" in result.output and "4: 1" in result.output
    listed = runner.invoke(args=["districts", "list"])
    assert "District 4 - Sanford and Lake Mary\t1 places" in listed.output
    bad = runner.invoke(args=["districts", "load", str(Path(__file__))])
    assert bad.exit_code == 2 and "not JSON" in bad.output


def test_workspace_loads_boundaries_for_caseworkers_only(app: Flask, session_factory: sessionmaker[Session]) -> None:
    staff: Callable[[str], FlaskClient] = signed_in(app, session_factory)
    officer = staff("officer")
    assert officer.get("/admin/districts").status_code == 403
    caseworker = staff("caseworker")
    page = caseworker.get("/admin/districts").get_data(as_text=True)
    assert "No district boundaries are loaded yet." in page
    token = csrf_token(page)
    response = caseworker.post("/admin/districts", data={
        "csrf_token": token, "boundaries": (io.BytesIO(BOUNDARIES.read_bytes()), "districts.geojson")},
        content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    page = caseworker.get("/admin/districts").get_data(as_text=True)
    assert "District 2 - Casselberry and Winter Springs" in page
    assert "This kiosk is in district 4." in page  # the station's coordinates, Sanford
    bad = caseworker.post("/admin/districts", data={
        "csrf_token": token, "boundaries": (io.BytesIO(b'{"type": "FeatureCollection", "features": []}'), "x.json")},
        content_type="multipart/form-data")
    assert bad.status_code == 422 and "the file has no district" in bad.get_data(as_text=True)
    with session_factory() as session:
        assert session.scalar(select(District.name).where(District.code == "2")).startswith("District 2")


def test_patrol_referrals_count_in_a_loaded_district(app_factory, session_factory: sessionmaker[Session]) -> None:  # type: ignore[no-untyped-def]
    from directory_data.models import Referral, ReferralCount
    from kiosk_directory import make_directory

    app = app_factory(PUBLIC_BASE_URL="https://help.example.org")
    with session_factory() as session:
        made = make_directory(session)
        load_file(session)
        session.commit()
    officer = signed_in(app, session_factory)("officer")
    token = csrf_token(officer.get(f"/patrol/services/{made.counseling}").get_data(as_text=True))
    officer.post("/patrol/referral/add", data={"csrf_token": token, "service_id": made.counseling})
    page = officer.get("/patrol/referral").get_data(as_text=True)
    options = re.findall(r'<option value="([^"]+)"[^>]*>([^<]+)</option>', page)
    assert [code for code, _ in options] == ["4", "1", "2", "3"]  # the station's first
    assert all(name.startswith(f"District {code}") for code, name in options)  # named, not only numbered
    assert officer.post("/patrol/referral/make", data={"csrf_token": token, "mode": "link",
                                                       "district": "2"}).status_code == 303
    officer.post("/patrol/referral/make", data={"csrf_token": token, "mode": "link", "district": "Elsewhere"})
    with session_factory() as session:
        assert sorted(session.scalars(select(Referral.district))) == ["2", "4"]
        assert sorted(session.scalars(select(ReferralCount.district))) == ["2", "4"]


def test_many_points_at_once_agree_with_one_by_one() -> None:
    shapes = DistrictMap((b.code, b.geometry) for b in parse_boundaries(BOUNDARIES.read_bytes()))
    points: list[tuple[float | None, float | None]] = [
        (28.735, -81.30), (28.60, -81.335), (28.685, -81.33), (28.735, -81.21),  # on edges and corners
        ORLANDO, (None, -81.3), (28.7, None), (28.725, -80.965), (28.8003, -81.2731)]
    points += [(28.55 + i * 0.0037, -81.5 + (i * 7919 % 600) * 0.001) for i in range(100)]
    assert shapes.districts_of(points) == [shapes.district_of(lat, lon) for lat, lon in points]
    assert shapes.districts_of(points[:4]) == ["2", "2", "2", "1"]  # the first district in code order wins
