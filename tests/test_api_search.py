"""``GET /api/v1/search``: the answer's shape, privacy, validation, freshness, and a fuzz test."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from directory_data.models import Location, Phone, PhoneAudience, Service, ServiceAtLocation, ServiceStatus, new_id
from kiosk.db import get_database
from search_factory import make_service

SANFORD = (28.8003, -81.2731)
ORLANDO = (28.5384, -81.3789)
RESULT_KEYS = {
    "id", "name", "organization", "categories", "taxonomy", "snippet", "phones", "address",
    "distance_km", "open_now", "languages", "stale", "crisis", "sample", "availability",
}


@pytest.fixture
def factory(app: Flask) -> sessionmaker[Session]:
    """The app's own session factory (the journal hooks are installed on it)."""
    return get_database(app).session_factory


@pytest.fixture
def directory(factory: sessionmaker[Session]) -> dict[str, str]:
    """A few services; returns their ids by short name."""
    with factory.begin() as session:
        shelter = make_service(
            session, "Harbor House Shelter", description="Emergency shelter beds for families",
            categories=["housing", "abuse"], taxonomy=[("BH-1800.8500", "Homeless Shelter")],
            languages=["es"], phones=["407-555-0100"], point=SANFORD, postal_code="32771",
            hours=[("MO,TU,WE,TH,FR,SA,SU", "00:00", "23:59")], free=True,
        )
        safe = make_service(
            session, "Safe Place Shelter", description="Confidential shelter for survivors",
            categories=["abuse"], phones=["407-555-0101"], point=ORLANDO, postal_code="32801",
        )
        counseling = make_service(
            session, "Bright Minds Counseling", description="Counseling for teens and adults",
            categories=["mental-health"], min_age=13, point=ORLANDO, postal_code="32801",
        )
        session.add(Phone(source_id=new_id(), service_id=shelter.id, number="407-555-0199",
                          audience=PhoneAudience.officer))
        location_id = session.scalars(
            select(ServiceAtLocation.location_id).where(ServiceAtLocation.service_id == safe.id)
        ).one()
        session.get(Location, location_id).confidential = True
        ids = {"shelter": shelter.id, "safe": safe.id, "counseling": counseling.id}
    return ids


def get(client: FlaskClient, **params: Any) -> tuple[int, dict[str, Any]]:
    response = client.get("/api/v1/search", query_string=params)
    assert response.is_json, response.data[:200]
    return response.status_code, response.get_json()


def test_answer_has_the_documented_shape(client: FlaskClient, directory: dict[str, str]) -> None:
    status, body = get(client, q="shelter", per_page=5)
    assert status == 200
    assert {"query", "total", "page", "per_page", "results", "facets", "suggestion"} <= set(body)
    assert body["page"] == 1 and body["per_page"] == 5
    assert body["total"] >= 2
    ids = [r["id"] for r in body["results"]]
    assert directory["shelter"] in ids and directory["safe"] in ids
    for result in body["results"]:
        assert set(result) == RESULT_KEYS
    shelter = next(r for r in body["results"] if r["id"] == directory["shelter"])
    assert shelter["name"] == "Harbor House Shelter"
    assert shelter["organization"] == "Harbor House Shelter Inc."
    assert shelter["categories"] == ["abuse", "housing"]
    assert shelter["taxonomy"] == [{"code": "BH-1800.8500", "name": "Homeless Shelter"}]
    assert shelter["languages"] == ["es"]
    assert shelter["address"]["postal_code"] == "32771" and "Sanford" in shelter["address"]["text"]
    assert isinstance(shelter["stale"], bool) and shelter["crisis"] is False
    assert "<mark>" in shelter["snippet"].lower() or shelter["snippet"]
    assert isinstance(body["facets"]["category"], dict)
    assert body["facets"]["category"].get("abuse", 0) >= 2


def test_only_public_phones_and_no_confidential_address(client: FlaskClient, directory: dict[str, str]) -> None:
    _status, body = get(client, q="shelter")
    by_id = {r["id"]: r for r in body["results"]}
    assert by_id[directory["shelter"]]["phones"] == [{"number": "407-555-0100", "type": "voice"}]
    assert by_id[directory["safe"]]["address"] is None
    assert by_id[directory["safe"]]["phones"] == [{"number": "407-555-0101", "type": "voice"}]


def test_filters_near_radius_and_age(client: FlaskClient, directory: dict[str, str]) -> None:
    _status, body = get(client, near=f"{SANFORD[0]},{SANFORD[1]}", radius_km=5)
    assert [r["id"] for r in body["results"]] == [directory["shelter"]]
    assert body["results"][0]["distance_km"] is not None and body["results"][0]["distance_km"] < 1
    _status, body = get(client, category="mental-health", age=10)
    assert body["total"] == 0
    _status, body = get(client, category="mental-health", age=15)
    assert [r["id"] for r in body["results"]] == [directory["counseling"]]
    _status, body = get(client, free="true")
    assert [r["id"] for r in body["results"]] == [directory["shelter"]]
    _status, body = get(client, lang="es")
    assert [r["id"] for r in body["results"]] == [directory["shelter"]]
    _status, body = get(client, open_now="true")
    assert [r["id"] for r in body["results"]] == [directory["shelter"]]
    assert body["results"][0]["open_now"] is True


def test_paging(client: FlaskClient, directory: dict[str, str]) -> None:
    _status, first = get(client, per_page=2, page=1)
    _status, second = get(client, per_page=2, page=2)
    assert first["total"] == second["total"] == 3
    ids = [r["id"] for r in first["results"] + second["results"]]
    assert sorted(ids) == sorted(directory.values())


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"per_page": "51"}, "per_page"),
        ({"per_page": "0"}, "per_page"),
        ({"page": "0"}, "page"),
        ({"page": "two"}, "page"),
        ({"near": "28.8"}, "near"),
        ({"near": "abc,def"}, "near"),
        ({"near": "95,10"}, "near"),
        ({"near": "nan,inf"}, "near"),
        ({"zip": "123"}, "zip"),
        ({"zip": "32771", "near": "28.8,-81.2"}, "zip"),
        ({"radius_km": "5"}, "radius_km"),
        ({"radius_km": "-1", "zip": "32771"}, "radius_km"),
        ({"age": "-3"}, "age"),
        ({"age": "1.5"}, "age"),
        ({"open_now": "maybe"}, "open_now"),
        ({"free": "2"}, "free"),
        ({"category": "Not A Slug!"}, "category"),
        ({"lang": "spanish language"}, "lang"),
        ({"q": "x" * 9000}, "q"),
    ],
)
def test_bad_parameters_are_a_400_naming_the_field(
    client: FlaskClient, directory: dict[str, str], params: dict[str, str], field: str
) -> None:
    status, body = get(client, **params)
    assert status == 400
    assert body["error"] and field in body["fields"], body


def test_unknown_parameters_are_ignored(client: FlaskClient, directory: dict[str, str]) -> None:
    status, body = get(client, q="shelter", colour="blue")
    assert status == 200 and body["total"] >= 2


def test_services_are_loaded_in_one_query(app: Flask, client: FlaskClient, directory: dict[str, str]) -> None:
    get(client, q="shelter")  # warm up: build the index, open a searcher
    statements: list[str] = []
    engine = get_database(app).engine

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", record)
    try:
        _status, body = get(client, q="shelter counseling", per_page=10)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert len(body["results"]) >= 2
    main = [s for s in statements if s.startswith("SELECT service.") and "FROM service" in s]
    assert len(main) == 1, main


def test_an_edit_is_searchable_at_once_in_this_process(
    client: FlaskClient, factory: sessionmaker[Session], directory: dict[str, str]
) -> None:
    assert get(client, q="zanzibar")[1]["total"] == 0
    with factory.begin() as session:
        session.get(Service, directory["counseling"]).description = "Counseling, also in Zanzibar"
    # the very next search finds it: no poll interval, no waiting (how long it takes is a
    # benchmark's business, not a test's)
    _status, body = get(client, q="zanzibar")
    assert [r["id"] for r in body["results"]] == [directory["counseling"]]


def test_a_closed_down_service_disappears(
    client: FlaskClient, factory: sessionmaker[Session], directory: dict[str, str]
) -> None:
    assert directory["counseling"] in [r["id"] for r in get(client, q="counseling")[1]["results"]]
    with factory.begin() as session:
        session.get(Service, directory["counseling"]).status = ServiceStatus.defunct
    _status, body = get(client, q="counseling")
    assert directory["counseling"] not in [r["id"] for r in body["results"]]


def test_crisis_query_pins_a_line(client: FlaskClient, directory: dict[str, str]) -> None:
    status, body = get(client, q="i want to kill myself")
    assert status == 200
    assert body["crisis"] is not None and body["crisis"]["lines"]
    assert "911" in body["crisis"]["message"]


PARAM_NAMES = ["q", "category", "lang", "open_now", "near", "zip", "radius_km", "free", "age", "page", "per_page"]
plausible = st.one_of(
    st.text(max_size=40),
    st.integers(min_value=-10**6, max_value=10**6).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.tuples(st.floats(), st.floats()).map(lambda p: f"{p[0]},{p[1]}"),
    st.sampled_from(["true", "false", "1", "0", "", "housing", "es", "32771", "50", "51", "0x10", "1e309"]),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    params=st.dictionaries(
        st.one_of(st.sampled_from(PARAM_NAMES), st.text(max_size=8)),
        st.one_of(plausible, st.lists(plausible, max_size=3)),
        max_size=6,
    )
)
def test_fuzz_parameters_never_give_a_500(client: FlaskClient, directory: dict[str, str], params: dict[str, Any]) -> None:
    response = client.get("/api/v1/search", query_string=params)
    assert response.status_code in (200, 400), (params, response.data[:500])
    body = response.get_json()
    assert isinstance(body, dict)
    if response.status_code == 400:
        assert body["error"] and isinstance(body["fields"], dict) and body["fields"]
    else:
        assert body["per_page"] <= 50 and isinstance(body["results"], list)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.text(max_size=120))
def test_fuzz_raw_query_strings_never_give_a_500(client: FlaskClient, directory: dict[str, str], raw: str) -> None:
    response = client.get("/api/v1/search?" + raw.replace("#", "%23"))
    assert response.status_code in (200, 400), (raw, response.data[:500])
    assert response.is_json


def test_a_schema_mismatched_index_is_rebuilt_at_start(app_factory: Any, directory: dict[str, str]) -> None:
    import json

    from kiosk.config import index_dir
    from search_index.engine.layout import IndexLayout

    app = app_factory(SEARCH_POLL_INTERVAL=0.0)
    client = app.test_client()
    assert get(client, q="shelter")[1]["total"] >= 2
    layout = IndexLayout(index_dir(app.config))
    generation = layout.current()
    assert generation is not None
    meta = json.loads(generation.meta_path.read_text())
    generation.meta_path.write_text(json.dumps({**meta, "schema_version": "an older one"}))
    fresh = app_factory(SEARCH_POLL_INTERVAL=0.0, INDEX_DIR=str(layout.root))  # a restarted process
    status, body = get(fresh.test_client(), q="shelter")
    assert status == 200 and body["total"] >= 2
    assert layout.current_name() != generation.name
