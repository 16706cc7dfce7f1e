"""The public API's directory endpoints: HSDS 3.0 service objects (public view for anonymous
callers), the HSDS list form with search and pages, the OpenAPI document held to the behaviour
by schemathesis, and the JSON health check."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from schemathesis.checks import positive_data_acceptance
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from sqlalchemy.orm import Session, sessionmaker

from directory_data.accounts import add_user
from directory_data.models import Role
from kiosk.config import index_dir
from kiosk.db import get_database
from kiosk.search import catch_up_index
from kiosk_directory import Directory, make_directory
from test_hsds_export import validate_json_export

OFFICER_PASSWORD = "a long officer password"


@pytest.fixture
def directory(app: Flask, session_factory: sessionmaker[Session]) -> Directory:
    with session_factory() as session:
        made = make_directory(session)
        add_user(session, "officer.api", OFFICER_PASSWORD, Role.officer)
        session.commit()
    with app.app_context():
        catch_up_index(get_database(app).session_factory, index_dir(app.config))
    return made


def _attribute_codes(obj: dict[str, Any]) -> set[str]:
    return {a["taxonomy_term"]["code"] for a in obj.get("attributes", []) if "taxonomy_term" in a}


def _all_numbers(obj: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(obj, dict):
        if "number" in obj:
            found.add(obj["number"])
        for value in obj.values():
            found |= _all_numbers(value)
    elif isinstance(obj, list):
        for value in obj:
            found |= _all_numbers(value)
    return found


def test_service_object_for_anonymous_callers_withholds_officer_data(
    client: FlaskClient, directory: Directory
) -> None:
    body = client.get(f"/api/v1/services/{directory.counseling}").get_json()
    assert body["id"] == directory.counseling and body["name"] == "Seminole Crisis Counseling Center"
    assert "(407) 555-0100" in _all_numbers(body)
    assert "(407) 555-0199" not in _all_numbers(body), "officer-only phone withheld"
    assert "kiosk:officer-notes" not in _attribute_codes(body)
    assert "kiosk:name-es" in _attribute_codes(body), "Spanish text is public"
    shelter = client.get(f"/api/v1/services/{directory.shelter}").get_json()
    location = shelter["service_at_locations"][0]["location"]
    assert "addresses" not in location and "latitude" not in location and "longitude" not in location
    assert "999 Hidden Way" not in str(shelter)


def test_signed_in_officer_gets_the_full_object(client: FlaskClient, directory: Directory) -> None:
    html = client.get("/officer/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    token = token or re.search(r'value="([^"]+)"', html)
    client.post("/officer/login", data={"csrf_token": token.group(1), "name": "officer.api",
                                        "password": OFFICER_PASSWORD})
    body = client.get(f"/api/v1/services/{directory.counseling}").get_json()
    assert "(407) 555-0199" in _all_numbers(body)
    assert "kiosk:officer-notes" in _attribute_codes(body)


def test_unknown_and_hidden_services_are_404_json(client: FlaskClient, directory: Directory) -> None:
    for service_id in ("nope", directory.defunct):
        response = client.get(f"/api/v1/services/{service_id}")
        assert response.status_code == 404 and response.get_json()["status"] == 404


def test_service_list_pages(client: FlaskClient, directory: Directory) -> None:
    first = client.get("/api/v1/services?per_page=2").get_json()
    assert first["total_items"] == 5 and first["total_pages"] == 3 and first["size"] == 2
    assert first["first_page"] and not first["last_page"] and not first["empty"]
    names = [s["name"] for s in first["contents"]]
    assert names == sorted(names)
    last = client.get("/api/v1/services?per_page=2&page=3").get_json()
    assert last["last_page"] and last["size"] == 1
    beyond = client.get("/api/v1/services?per_page=2&page=9").get_json()
    assert beyond["empty"] and beyond["contents"] == []
    assert client.get("/api/v1/services?per_page=0").status_code == 400
    assert client.get("/api/v1/services?page=x").status_code == 400


def test_service_list_search_ranks_by_the_index(client: FlaskClient, directory: Directory) -> None:
    body = client.get("/api/v1/services?search=counseling").get_json()
    assert body["total_items"] >= 1
    assert body["contents"][0]["name"] == "Seminole Crisis Counseling Center"
    assert "(407) 555-0199" not in _all_numbers(body)


def test_list_objects_are_valid_hsds(client: FlaskClient, directory: Directory, shared_dir: Path) -> None:
    body = client.get("/api/v1/services?per_page=50").get_json()
    validate_json_export(body, shared_dir / "hsds" / "openreferral-specification-3.0")


def test_healthz_is_json(client: FlaskClient) -> None:
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok" and body["database"] is True


def _meets_documented_cross_rules(case: Any) -> bool:
    """The rules between parameters the document states in prose (near/zip exclusive, radius
    needs one): schemathesis cannot know them, so valid cases must keep them."""
    query = case.query or {}
    has_place = bool(query.get("near")) or bool(query.get("zip"))
    return not (query.get("near") and query.get("zip")) and ("radius_km" not in query or has_place)


def test_api_matches_its_openapi_document(app: Flask, directory: Directory) -> None:
    """schemathesis calls every documented operation with generated parameters and checks the
    status codes, content types and bodies against the document (and that nothing fails)."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    labels = {op.label for op in operations}
    assert {"GET /api/v1/search", "GET /api/v1/services", "GET /api/v1/services/{id}", "GET /healthz"} <= labels
    for operation in operations:

        @given(case=operation.as_strategy().filter(_meets_documented_cross_rules))
        @settings(max_examples=30, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case: Any) -> None:
            # A schema-valid referral still names services that do not exist and carries no
            # CSRF token (the app's pages have one): it is refused with 400, as documented.
            excluded = [positive_data_acceptance] if case.method == "POST" else []
            case.call_and_validate(excluded_checks=excluded)

        check()


def test_openapi_document_is_3_1_and_covers_every_api_route(app: Flask, client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    documented = {re.sub(r"\{(\w+)\}", r"<\1>", p) for p in document["paths"]}
    routes = {re.sub(r"<(\w+:)?(\w+)>", r"<\2>", r.rule) for r in app.url_map.iter_rules()
              if r.rule.startswith("/api/")}
    routes = {r.replace("<service_id>", "<id>") for r in routes}
    assert routes <= documented, routes - documented
