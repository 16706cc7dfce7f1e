"""HSDS 3.1 capacities in the CSV data package: ``service_capacity.csv`` and ``units.csv`` are
written with the 3.1 names and columns (and their ``datapackage.json`` resources), import ->
export -> import keeps every capacity and unit, and rows that cannot be read are skipped with
their line and reason while the rest of the import goes on."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import frictionless
import pytest
from capacities import add_test_capacities
from conftest import wipe
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from directory_data.hsds import extensions as ext
from directory_data.hsds.export_spec31 import CAPACITY_RESOURCES
from directory_data.hsds.exporter import export_directory
from directory_data.hsds.importer import import_path
from directory_data.hsds.report import ImportReport
from directory_data.models import Location, Organization, ServiceAtLocation, ServiceCapacity, Unit

CAPACITY_COLUMNS = ("id", "service_id", "unit_id", "available", "maximum", "description", "updated",
                    "source", "source_id")
UNIT_COLUMNS = ("id", "name", "name_es", "scheme", "identifier", "uri", "source", "source_id")


@pytest.fixture
def spec31(hsds_dir: Path) -> Path:
    return hsds_dir / "openreferral-specification-3.1-dev"


@pytest.fixture
def with_capacities(session_factory: sessionmaker[Session]) -> dict[str, str]:
    """The test directory with three capacities (:func:`capacities.add_test_capacities`)."""
    return add_test_capacities(session_factory)


def _rows(session: Session, model: type, columns: tuple[str, ...]) -> list[dict[str, Any]]:
    records = session.scalars(select(model).order_by(model.id)).all()  # type: ignore[attr-defined]
    return [{c: getattr(r, c) for c in columns} for r in records]


def _state(session_factory: sessionmaker[Session]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    with session_factory() as session:
        return (_rows(session, ServiceCapacity, CAPACITY_COLUMNS), _rows(session, Unit, UNIT_COLUMNS))


def _export(session_factory: sessionmaker[Session], folder: Path) -> Path:
    with session_factory() as session:
        export_directory(session, folder, "csv")
    return folder


def _import(session_factory: sessionmaker[Session], path: Path) -> ImportReport:
    with session_factory() as session:
        report = import_path(session, path)
        session.commit()
        return report


def _read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _write(path: Path, columns: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows(rows)


def _balanced(report: ImportReport) -> None:
    for name, counts in report.tables.items():
        assert counts.rows == counts.created + counts.updated + counts.unchanged + counts.skipped, name


def test_vendored_capacity_schema_is_the_3_1_specs(spec31: Path) -> None:
    package = json.loads((spec31 / "datapackage.json").read_text("utf-8"))
    declared = {resource["name"]: resource for resource in package["resources"]}
    for resource in CAPACITY_RESOURCES:
        name = resource["name"]
        original = declared[name]
        for key in ("path", "description", "format", "mediatype", "profile"):
            assert resource[key] == original[key], (name, key)
        assert resource["schema"].get("foreignKeys") == original["schema"].get("foreignKeys")
        schema = json.loads((spec31 / "schema" / f"{name}.json").read_text("utf-8"))
        required = {*schema["required"], *schema.get("tabular_required", [])}
        fields = resource["schema"]["fields"]
        example, _ = _read(spec31 / "examples" / "csv" / original["path"])
        assert [f["name"] for f in fields] == example
        for field in fields:
            prop = schema["properties"][field["name"]]
            assert (field["title"], field["description"]) == (prop["title"], prop["description"])
            assert field.get("format", prop.get("format")) == prop.get("format") or (
                prop.get("format") == "date-time" and field["type"] == "datetime")
            assert field["constraints"]["required"] == (field["name"] in required)
        # The fields the 3.1-dev descriptor does list are among them, as it has them.
        for listed in original["schema"]["fields"]:
            ours = next(f for f in fields if f["name"] == listed["name"])
            assert (ours["type"], ours["format"], ours["title"]) == (
                listed["type"], listed["format"], listed["title"])


def test_csv_export_writes_the_capacity_tables(
    with_capacities: dict[str, str], session_factory: sessionmaker[Session], spec31: Path,
    tmp_path: Path,
) -> None:
    with session_factory() as session:  # HSDS 3.0 requires a description the test data lacks
        for organization in session.scalars(select(Organization)):
            organization.description = organization.description or "An organization."
        session.commit()
    folder = _export(session_factory, tmp_path / "package")
    report = frictionless.validate(folder / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    descriptor = json.loads((folder / "datapackage.json").read_text("utf-8"))
    paths = {resource["name"]: resource["path"] for resource in descriptor["resources"]}
    assert paths["service_capacity"] == "service_capacity.csv" and paths["unit"] == "units.csv"
    columns, capacities = _read(folder / "service_capacity.csv")
    assert columns == _read(spec31 / "examples" / "csv" / "service_capacity.csv")[0]
    assert _read(folder / "units.csv")[0] == _read(spec31 / "examples" / "csv" / "units.csv")[0]
    units = {row["id"]: row for row in _read(folder / "units.csv")[1]}
    shelter = sorted((units[r["unit_id"]]["name"], r["available"], r["maximum"], r["updated"])
                     for r in capacities if r["service_id"] == with_capacities["shelter"])
    # The shelter is confidential: its capacities are exported as they are in JSON.
    assert shelter == [("family beds", "3", "10", "2026-12-07T14:30:15Z"),
                       ("single women's beds", "0", "", "2026-12-06T08:30:15Z")]
    spanish = [a for a in _read(folder / "attributes.csv")[1]
               if a["taxonomy_term_id"] == ext.term_id(ext.UNIT_NAME_ES)]
    assert {(a["link_entity"], units[a["link_id"]]["name"], a["value"]) for a in spanish} == {
        ("unit", "family beds", "camas para familias"), ("unit", "child care slots", "plazas de cuidado infantil")}


def test_csv_round_trip_keeps_every_capacity_and_unit(
    with_capacities: dict[str, str], engine: Engine, session_factory: sessionmaker[Session],
    tmp_path: Path,
) -> None:
    capacities, units = _state(session_factory)
    assert len(capacities) == 3 and len(units) == 3
    first = _export(session_factory, tmp_path / "1" / "export")
    with session_factory() as session:
        confidential = {loc.id for loc in session.scalars(select(Location).where(Location.confidential))}
    wipe(engine)
    report = _import(session_factory, first)
    assert report.tables["service_capacity.csv"].created == 3
    assert report.tables["units.csv"].created == 3
    assert not report.skipped and not [w for w in report.warnings if "capacit" in w or "unit" in w]
    _balanced(report)
    assert _state(session_factory) == (capacities, units)
    with session_factory() as session:  # the shelter's location stays confidential
        assert {loc.id for loc in session.scalars(select(Location).where(Location.confidential))} == confidential
        assert session.scalar(select(ServiceAtLocation.location_id).where(
            ServiceAtLocation.service_id == with_capacities["shelter"])) in confidential

    second = _export(session_factory, tmp_path / "2" / "export")
    for name in ("service_capacity.csv", "units.csv", "attributes.csv", "datapackage.json"):
        assert (second / name).read_text("utf-8") == (first / name).read_text("utf-8"), name
    again = _import(session_factory, second)
    assert again.journaled == 0 and not again.removed
    assert again.tables["service_capacity.csv"].unchanged == 3
    assert again.tables["units.csv"].unchanged == 3
    assert _state(session_factory) == (capacities, units)


def test_broken_capacity_rows_are_skipped_with_their_reason(
    with_capacities: dict[str, str], session_factory: sessionmaker[Session], tmp_path: Path,
) -> None:
    folder = _export(session_factory, tmp_path / "export")
    columns, rows = _read(folder / "service_capacity.csv")
    unit_columns, units = _read(folder / "units.csv")
    family = next(r for r in rows if r["maximum"] == "10")
    child = next(r for r in rows if r["service_id"] == with_capacities["childcare"])
    family["available"] = "4"  # a good change, read
    child["available"] = "13"  # above its maximum of 12: skipped, the capacity kept as it was
    units.append({"id": "a9d7f0f4-1f3e-4f0e-9d0a-000000000001", "name": "", "scheme": "SI"})
    base = {"maximum": "", "description": "", "updated": "2026-12-07T15:00:00Z",
            "service_id": with_capacities["shelter"], "unit_id": family["unit_id"]}
    broken = [
        {**base, "id": "c0000000-0000-4000-8000-000000000001", "service_id": "no-such-service",
         "available": "2"},
        {**base, "id": "c0000000-0000-4000-8000-000000000002", "available": "many"},
        {**base, "id": "c0000000-0000-4000-8000-000000000003", "available": "2.5", "maximum": "-1"},
        {**base, "id": "c0000000-0000-4000-8000-000000000004", "unit_id": "", "available": "1"},
        {**base, "id": "c0000000-0000-4000-8000-000000000005", "available": "1",
         "unit_id": "a9d7f0f4-1f3e-4f0e-9d0a-000000000001"},
        {**base, "id": "c0000000-0000-4000-8000-000000000006", "available": "1",
         "unit_id": "no-such-unit"},
        {**base, "id": "c0000000-0000-4000-8000-000000000007", "available": "1",
         "updated": "yesterday"},
        {**base, "id": "", "available": "1"},
        {**base, "id": "c0000000-0000-4000-8000-000000000009", "service_id": "no-such-service",
         "unit_id": ""},
    ]
    _write(folder / "service_capacity.csv", columns, rows + broken)
    _write(folder / "units.csv", unit_columns, units)
    before, _ = _state(session_factory)

    report = _import(session_factory, folder)
    _balanced(report)
    reasons = {(s.file, s.line): s.reason for s in report.skipped if s.file != "attributes.csv"}
    # The skipped capacity's own attributes (its source) describe nothing read: skipped too.
    assert {s.reason for s in report.skipped if s.file == "attributes.csv"} == {
        f"it describes the service capacity {child['id']}, which was not read"}
    first = len(rows) + 2  # the line of the first broken row (the header is line 1)
    assert reasons == {
        ("service_capacity.csv", rows.index(child) + 2): "available 13 is more than maximum 12",
        ("service_capacity.csv", first): "its service no-such-service is not in this import",
        ("service_capacity.csv", first + 8): "its service no-such-service is not in this import; "
                                             "it names no unit (unit_id is blank); available is missing",
        ("service_capacity.csv", first + 1): "available 'many' is not a whole number of 0 or more",
        ("service_capacity.csv", first + 2): "available '2.5' is not a whole number of 0 or more; "
                                             "maximum '-1' is not a whole number of 0 or more",
        ("service_capacity.csv", first + 3): "it names no unit (unit_id is blank)",
        ("service_capacity.csv", first + 4): "its unit a9d7f0f4-1f3e-4f0e-9d0a-000000000001 was not "
                                             "read (units.csv line 5: the unit has no name)",
        ("service_capacity.csv", first + 5): "its unit no-such-unit is not in the units file (units.csv)",
        ("service_capacity.csv", first + 6): "updated 'yesterday' is not a date-time with a time zone "
                                             "(such as 2026-12-07T14:30:00Z)",
        ("service_capacity.csv", first + 7): "it has no id",
        ("units.csv", 5): "the unit has no name",
    }
    counts = report.tables["service_capacity.csv"]
    assert (counts.rows, counts.updated, counts.unchanged, counts.skipped) == (12, 1, 1, 10)
    after, _ = _state(session_factory)
    assert len(after) == 3, "nothing lost, nothing made of the broken rows"
    changed = {row["id"]: row for row in after}
    assert changed[family["id"]]["available"] == 4
    assert changed[child["id"]] == next(row for row in before if row["id"] == child["id"])


def test_a_capacity_the_package_no_longer_lists_is_removed(
    with_capacities: dict[str, str], session_factory: sessionmaker[Session], tmp_path: Path,
) -> None:
    folder = _export(session_factory, tmp_path / "export")
    columns, rows = _read(folder / "service_capacity.csv")
    _write(folder / "service_capacity.csv", columns,
           [r for r in rows if r["service_id"] != with_capacities["shelter"]])
    report = _import(session_factory, folder)
    _balanced(report)
    assert report.removed == {"service_capacity": 2}
    # The capacities' attribute rows now describe nothing that was read: skipped, and said so.
    assert {s.reason.split(" ")[:3] == ["it", "describes", "the"] for s in report.skipped} == {True}
    with session_factory() as session:
        assert not session.scalars(select(ServiceCapacity).where(
            ServiceCapacity.service_id == with_capacities["shelter"])).all()
        assert len(session.scalars(select(Unit)).all()) == 3, "units stay (they are in units.csv)"


def test_the_3_1_example_package_reports_its_capacity_row(spec31: Path, session_factory: sessionmaker[Session]) -> None:
    """The 3.1-dev example: its one capacity names a service and a unit its package lacks, and
    counts 12 of at most 10; every reason is given."""
    report = _import(session_factory, spec31 / "examples" / "csv")
    [row] = [s for s in report.skipped if s.file == "service_capacity.csv"]
    assert row.line == 2 and row.reason == (
        "its service f75b808e-7bdb-11ef-afaa-ab00a77dc5c4 is not in this import; "
        "its unit 187a37a2-7b40-11ef-9790-dbf7623d4407 is not in the units file (units.csv); "
        "available 12 is more than maximum 10")
    assert report.tables["units.csv"].created == 1
    with session_factory() as session:
        assert [u.name for u in session.scalars(select(Unit))] == ["Kilogram"]


def test_json_import_refuses_available_above_maximum(
    with_capacities: dict[str, str], session_factory: sessionmaker[Session], tmp_path: Path,
) -> None:
    """The JSON import applies the same rules (one set of them, in :mod:`.capacities`)."""
    folder = tmp_path / "json"
    folder.mkdir()
    with session_factory() as session:
        export_directory(session, folder, "json")
    document = json.loads((folder / "directory.json").read_text("utf-8"))
    child = next(s for s in document["contents"] if s["id"] == with_capacities["childcare"])
    child["capacities"][0]["available"] = 20
    (folder / "directory.json").write_text(json.dumps(document), "utf-8")
    before = _state(session_factory)
    report = _import(session_factory, folder / "directory.json")
    assert any(w.endswith("capacities/0: available 20 is more than maximum 12; not read")
               for w in report.warnings), report.warnings
    assert _state(session_factory) == before
