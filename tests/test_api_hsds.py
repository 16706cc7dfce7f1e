"""The HSDS 3.0 API beyond services: taxonomies, taxonomy terms, organizations and
service-at-locations, their parameters and what anonymous callers see of them (issue 17)."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from directory_data.confidential import coarse_point, public_distance_km
from directory_data.distance import haversine_km
from directory_data.hsds import extensions as ext
from directory_data.models import Location, Phone, PhoneAudience, Service, ServiceAtLocation, TaxonomyTerm
from kiosk.db import get_database
from kiosk_directory import Directory, src
from staff import signed_in
from test_api_directory import _get, directory  # noqa: F401 - the fixture

Obj = dict[str, Any]


def _ids(body: Obj) -> list[str]:
    return [item["id"] for item in body["contents"]]


def _links(app: Flask, service_id: str) -> list[str]:
    with get_database(app).session_factory() as session:
        return list(session.scalars(select(ServiceAtLocation.id).where(ServiceAtLocation.service_id == service_id)))


# Taxonomies and terms ----------------------------------------------------------------------


def test_taxonomies_and_their_terms(client: FlaskClient, directory: Directory, app: Flask) -> None:
    taxonomies = _get(client, "/api/v1/taxonomies")
    names = [t["name"] for t in taxonomies["contents"]]
    assert names == ["AIRS/211", "kiosk-extensions"], "the directory's own first, the extensions last"
    airs = taxonomies["contents"][0]
    assert _get(client, f"/api/v1/taxonomies/{airs['id']}")["version"] == "2024"
    assert _get(client, f"/api/v1/taxonomies/{ext.EXTENSION_TAXONOMY_ID}")["name"] == "kiosk-extensions"
    assert _ids(_get(client, "/api/v1/taxonomies?search=airs")) == [airs["id"]]
    _get(client, "/api/v1/taxonomies/none-such", 404)

    terms = _get(client, "/api/v1/taxonomy_terms?per_page=100")
    assert terms["total_items"] == 2 + len(ext.EXTENSIONS)
    with get_database(app).session_factory() as session:
        parent = session.scalar(select(TaxonomyTerm).where(TaxonomyTerm.code == "RP"))
        child = session.scalar(select(TaxonomyTerm).where(TaxonomyTerm.code == "RP-1500"))
        assert parent is not None and child is not None
        parent_id, child_id = parent.id, child.id
    assert _ids(_get(client, f"/api/v1/taxonomy_terms?taxonomy_id={airs['id']}")) == sorted([parent_id, child_id])
    assert _ids(_get(client, f"/api/v1/taxonomy_terms?parent_id={parent_id}")) == [child_id]
    top = _ids(_get(client, f"/api/v1/taxonomy_terms?top_only=true&taxonomy_id={airs['id']}"))
    assert top == [parent_id]
    assert _ids(_get(client, "/api/v1/taxonomy_terms?search=crisis")) == [child_id]
    one = _get(client, f"/api/v1/taxonomy_terms/{child_id}")
    assert one["code"] == "RP-1500" and one["parent_id"] == parent_id and one["taxonomy_detail"]["name"] == "AIRS/211"
    timezone_term = _get(client, f"/api/v1/taxonomy_terms/{ext.term_id(ext.TIMEZONE)}")
    assert timezone_term["code"] == ext.TIMEZONE, "every attribute's term can be looked up"
    assert _get(client, "/api/v1/taxonomy_terms?top_only=true&parent_id=x", 400)["parameter"] == "top_only"


def test_every_term_an_object_names_can_be_looked_up(client: FlaskClient, directory: Directory) -> None:
    named: set[str] = set()

    def walk(obj: Any) -> None:
        if isinstance(obj, dict):
            if "taxonomy_term_id" in obj:
                named.add(obj["taxonomy_term_id"])
            for value in obj.values():
                walk(value)
        elif isinstance(obj, list):
            for value in obj:
                walk(value)

    walk(_get(client, "/api/v1/services?full=true&per_page=50"))
    assert named
    for term_id in named:
        _get(client, f"/api/v1/taxonomy_terms/{term_id}")


# Organizations -----------------------------------------------------------------------------


def test_organizations_list_full_and_with_full_services(
    client: FlaskClient, directory: Directory, app: Flask
) -> None:
    with get_database(app).session_factory() as session:
        counseling = session.get(Service, directory.counseling)
        org_id = counseling.organization_id
        session.add(Phone(**src(), organization_id=org_id, number="(407) 555-0177"))
        session.add(Phone(**src(), organization_id=org_id, number="(407) 555-0178",
                          audience=PhoneAudience.officer))
        session.commit()
    listed = _get(client, "/api/v1/organizations?per_page=50")
    assert listed["total_items"] == 6 and _ids(listed) == sorted(_ids(listed))
    item = next(o for o in listed["contents"] if o["id"] == org_id)
    assert set(item) >= {"id", "name", "description"} and "phones" not in item and "services" not in item
    one = _get(client, f"/api/v1/organizations/{org_id}")
    assert [s["id"] for s in one["services"]] == [directory.counseling]
    assert "phones" not in one["services"][0], "services in the list form"
    assert {p["number"] for p in one["phones"]} == {"(407) 555-0177"}, "no officer-only phone"
    assert one["locations"][0]["addresses"][0]["address_1"] == "100 E 1st St"
    fully = _get(client, f"/api/v1/organizations/{org_id}?full_service=true")
    assert fully["services"][0]["service_at_locations"], "services fully nested"
    with_services = _get(client, "/api/v1/organizations?full_service=true&per_page=50")
    assert all(len(o["services"]) == 1 for o in with_services["contents"])
    assert _ids(_get(client, "/api/v1/organizations?search=little steps")) == [
        _get(client, f"/api/v1/services/{directory.childcare}")["organization"]["id"]]
    _get(client, "/api/v1/organizations/none-such", 404)
    assert _get(client, f"/api/v1/organizations/{org_id}?full=true", 400)["parameter"] == "full"


def test_an_organizations_confidential_place_shows_no_address(
    client: FlaskClient, directory: Directory, app: Flask
) -> None:
    org_id = _get(client, f"/api/v1/services/{directory.shelter}")["organization"]["id"]
    text = json.dumps(_get(client, f"/api/v1/organizations/{org_id}?full_service=true"))
    assert "999 Hidden Way" not in text and "28.79" not in text and "latitude" not in text
    officer = signed_in(app, get_database(app).session_factory)("officer")
    assert "999 Hidden Way" in json.dumps(_get(officer, f"/api/v1/organizations/{org_id}"))


# Service at locations ----------------------------------------------------------------------


def test_service_at_locations_list_full_and_by_id(client: FlaskClient, directory: Directory, app: Flask) -> None:
    listed = _get(client, "/api/v1/service_at_locations?per_page=50")
    assert listed["total_items"] == 6 and _ids(listed) == sorted(_ids(listed))
    (link_id,) = _links(app, directory.counseling)
    item = next(link for link in listed["contents"] if link["id"] == link_id)
    assert item["service_id"] == directory.counseling and item["service"]["name"] == "Seminole Crisis Counseling Center"
    assert item["location"]["latitude"] == 28.805 and "addresses" not in item["location"], "one-to-one fields"
    one = _get(client, f"/api/v1/service_at_locations/{link_id}")
    assert one["location"]["addresses"][0]["address_1"] == "100 E 1st St"
    assert one["service"]["id"] == directory.counseling and one["service"]["phones"]
    full = _get(client, "/api/v1/service_at_locations?full=true&per_page=50")
    assert all("service_at_locations" in link["service"] for link in full["contents"])
    _get(client, "/api/v1/service_at_locations/none-such", 404)
    org_id = _get(client, f"/api/v1/services/{directory.childcare}")["organization"]["id"]
    assert _ids(_get(client, f"/api/v1/service_at_locations?organization_id={org_id}")) == _links(app, directory.childcare)
    searched = _get(client, "/api/v1/service_at_locations?search=housing")
    assert set(_ids(searched)) == set(_links(app, directory.housing_near) + _links(app, directory.housing_far))


def test_a_retired_place_leaves_the_service_at_locations(client: FlaskClient, directory: Directory, app: Flask) -> None:
    (link_id,) = _links(app, directory.housing_far)
    with get_database(app).session_factory() as session:
        location = session.scalar(select(Location).join(ServiceAtLocation).where(ServiceAtLocation.id == link_id))
        location.retired_at = location.created_at
        session.commit()
    assert link_id not in _ids(_get(client, "/api/v1/service_at_locations?per_page=50"))
    _get(client, f"/api/v1/service_at_locations/{link_id}", 404)
    assert "service_at_locations" not in _get(client, f"/api/v1/services/{directory.housing_far}")


def test_postcode_and_proximity(client: FlaskClient, directory: Directory, app: Flask) -> None:
    in_zip = {link["service_id"] for link in _get(client, "/api/v1/service_at_locations?postcode=32771")["contents"]}
    assert directory.shelter not in in_zip and directory.counseling in in_zip, "no confidential place by postcode"
    # The centroid: the mean of the listed public places with that ZIP code (not the shelter's,
    # not the defunct one's), as /api/v1/search?zip= has it.
    points = {directory.counseling: (28.8050, -81.2700), directory.childcare: (28.6700, -81.2100),
              directory.housing_near: (28.8010, -81.2740), directory.housing_far: (28.6610, -81.3650)}
    centroid = (sum(p[0] for p in points.values()) / 4, sum(p[1] for p in points.values()) / 4)
    distances = {sid: haversine_km(centroid, point) for sid, point in points.items()}
    distances[directory.shelter] = public_distance_km(haversine_km(centroid, coarse_point(28.79, -81.28)))
    distances[directory.defunct] = haversine_km(centroid, (28.80, -81.27))
    for km in (5, 9, 12, 40):
        body = _get(client, f"/api/v1/service_at_locations?postcode=32771&proximity={km * 1000}&per_page=50")
        order = [link["service_id"] for link in body["contents"]]
        assert order == sorted((s for s, d in distances.items() if d <= km), key=distances.__getitem__), km
    assert _get(client, "/api/v1/service_at_locations?proximity=1000", 400)["parameter"] == "proximity"
    assert _get(client, "/api/v1/service_at_locations?postcode=99999&proximity=1000", 400)["parameter"] == "postcode"
    assert _get(client, "/api/v1/service_at_locations?postcode=32771&proximity=-5", 400)["parameter"] == "proximity"
    assert _get(client, "/api/v1/service_at_locations?postcode=99999")["total_items"] == 0
