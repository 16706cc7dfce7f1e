"""HSDS 3.1 ``service_capacity`` and ``unit``: the JSON export validates against the 3.1-dev
schemas, import -> export -> import keeps every capacity and unit (ids, counts, times, Spanish
unit names), and the HSDS API shows them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from capacities import add_test_capacities
from conftest import wipe
from flask import Flask
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from directory_data.hsds.exporter import export_directory
from directory_data.hsds.importer import import_path
from directory_data.models import ServiceCapacity, Unit



@pytest.fixture
def spec31(hsds_dir: Path) -> Path:
    return hsds_dir / "openreferral-specification-3.1-dev" / "schema"


@pytest.fixture
def with_capacities(session_factory: sessionmaker[Session]) -> dict[str, str]:
    """The test directory with three capacities (:func:`capacities.add_test_capacities`)."""
    return add_test_capacities(session_factory)


def _capacities(session: Session) -> list[dict[str, Any]]:
    rows = session.scalars(select(ServiceCapacity).order_by(ServiceCapacity.id)).all()
    return [{c: getattr(r, c) for c in ("id", "service_id", "unit_id", "available", "maximum", "description",
                                          "updated", "source", "source_id")} for r in rows]


def _units(session: Session) -> list[dict[str, Any]]:
    rows = session.scalars(select(Unit).order_by(Unit.id)).all()
    return [{c: getattr(r, c) for c in ("id", "name", "name_es", "scheme", "identifier", "uri", "source",
                                          "source_id")} for r in rows]


def _export(session_factory: sessionmaker[Session], folder: Path) -> dict[str, Any]:
    folder.mkdir(parents=True)
    with session_factory() as session:
        export_directory(session, folder, "json")
    return json.loads((folder / "directory.json").read_text("utf-8"))


def _validator(spec31: Path, name: str) -> jsonschema.Validator:
    checker = jsonschema.FormatChecker()
    for fmt in ("uuid", "uri", "date-time"):
        assert fmt in checker.checkers, f"format checking of {fmt} is not installed"
    schema = json.loads((spec31 / "compiled" / name).read_text("utf-8"))
    return jsonschema.Draft202012Validator(schema, format_checker=checker)


def test_export_validates_and_round_trips(
    with_capacities: dict[str, str], engine: Engine, session_factory: sessionmaker[Session],
    spec31: Path, tmp_path: Path,
) -> None:
    with session_factory() as session:
        capacities, units = _capacities(session), _units(session)
    assert len(capacities) == 3 and len(units) == 3
    first = _export(session_factory, tmp_path / "1" / "export")
    services = {s["id"]: s for s in first["contents"]}
    shelter = services[with_capacities["shelter"]]["capacities"]
    assert sorted((c["unit"]["name"], c["available"], c.get("maximum")) for c in shelter) == [
        ("family beds", 3, 10), ("single women's beds", 0, None)]
    assert {c["updated"] for c in shelter} == {"2026-12-07T14:30:15Z", "2026-12-06T08:30:15Z"}
    validator = _validator(spec31, "service_with_definitions.json")
    for service in first["contents"]:
        errors = sorted(validator.iter_errors(service), key=lambda e: list(e.absolute_path))
        assert not errors, "\n".join(f"{service['name']}: {list(e.absolute_path)}: {e.message}" for e in errors[:20])
    # The service schema checks each capacity against #/definitions/service_capacity (and its
    # unit against #/definitions/unit); check that they are the ones validated, and alone too.
    assert validator.schema["properties"]["capacities"]["items"] == {"$ref": "#/definitions/service_capacity"}
    alone = jsonschema.Draft202012Validator({"$ref": "#/definitions/service_capacity",
                                             "definitions": validator.schema["definitions"]},
                                            format_checker=jsonschema.FormatChecker())
    objects = [c for s in first["contents"] for c in s.get("capacities", [])]
    assert len(objects) == 3 and all(not list(alone.iter_errors(c)) for c in objects)
    assert list(alone.iter_errors({**objects[0], "available": "three"})), "the check can fail"

    wipe(engine)
    with session_factory() as session:
        report = import_path(session, tmp_path / "1" / "export" / "directory.json")
        session.commit()
        assert not [w for w in report.warnings if "capacit" in w or "unit" in w]
    with session_factory() as session:
        assert _capacities(session) == capacities
        assert _units(session) == units
    second = _export(session_factory, tmp_path / "2" / "export")
    assert second == first, "an export of the imported export is the same"
    with session_factory() as session:  # importing it again changes nothing
        again = import_path(session, tmp_path / "2" / "export" / "directory.json")
        session.commit()
        assert again.journaled == 0
        assert _capacities(session) == capacities and _units(session) == units


def test_an_import_replaces_a_services_capacities_and_reports_bad_ones(
    with_capacities: dict[str, str], session_factory: sessionmaker[Session], tmp_path: Path,
) -> None:
    document = _export(session_factory, tmp_path / "export")
    shelter = next(s for s in document["contents"] if s["id"] == with_capacities["shelter"])
    kept = shelter["capacities"][0]
    kept["available"] = 1
    shelter["capacities"] = [kept, {"id": "3f0a6c6e-59a4-4d0a-9d38-7a0e51f0a001", "unit": {"name": "cots"},
                                    "available": "many", "updated": "yesterday"}]
    path = tmp_path / "changed.json"
    path.write_text(json.dumps(document), "utf-8")
    with session_factory() as session:
        report = import_path(session, path)
        session.commit()
        assert any("capacities/1" in w for w in report.warnings)
        rows = session.scalars(select(ServiceCapacity).where(
            ServiceCapacity.service_id == with_capacities["shelter"])).all()
        assert [(r.id, r.available) for r in rows] == [(kept["id"], 1)]


def test_the_hsds_api_shows_capacities(with_capacities: dict[str, str], app: Flask) -> None:
    from kiosk.config import index_dir
    from kiosk.db import get_database
    from kiosk.search import catch_up_index

    with app.app_context():
        catch_up_index(get_database(app).session_factory, index_dir(app.config))
    service = app.test_client().get(f"/api/v1/services/{with_capacities['childcare']}").get_json()
    [capacity] = service["capacities"]
    assert capacity["available"] == 5 and capacity["maximum"] == 12
    assert capacity["unit"]["name"] == "child care slots" and capacity["description"] == "Ages 2 to 5, weekdays"
