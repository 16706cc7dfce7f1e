"""Small HSDS packages written into a test's folder, and database helpers for import tests."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from directory_data.hsds.importer import import_path
from directory_data.hsds.report import ImportReport
from directory_data.models import Base


def write_csv(path: Path, header: Iterable[str], rows: Iterable[Iterable[object]]) -> Path:
    """Write a CSV file with ``header`` and ``rows`` (UTF-8, minimal quoting)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(list(header))
        writer.writerows([list(row) for row in rows])
    return path


def small_v1_package(folder: Path) -> Path:
    """A three-service HSDS 1.1 package with the quirks of real 211 exports.

    Integer ids, ``8:00am`` times, a URL without scheme, padded state codes, blank schedule
    ids, a mojibake apostrophe and a literal ``\\n``.
    """
    write_csv(folder / "organizations.csv",
              ["id", "name", "alternate_name", "description", "email", "url"],
              [[1, "HARBOR HOUSE", "", "Shelter and advocacy.", "", "www.harbor.example.org"],
               [2, "CITY CLINIC", "", "Counseling.", "", "http://clinic.example.org"]])
    write_csv(folder / "services.csv",
              ["id", "organization_id", "name", "description", "url", "fees", "status"],
              [[10, 1, "Emergency Shelter", "A safe place to stay.\\n\\nOpen to women.",
                "harbor.example.org/shelter", "Free", ""],
               [11, 2, "Counseling", "Talk to someoneGÇÖs trained.", "", "", "active"],
               [12, 2, "Support Group", "Weekly group.", "", "", ""]])
    write_csv(folder / "locations.csv", ["id", "organization_id", "name", "latitude", "longitude"],
              [[100, 1, "Harbor House", "28.80", "-81.27"], [101, 2, "Clinic", "", ""]])
    write_csv(folder / "services_at_location.csv", ["id", "service_id", "location_id"],
              [[1000, 10, 100], [1001, 11, 101], [1002, 12, 101]])
    write_csv(folder / "phones.csv", ["id", "location_id", "service_id", "number", "type"],
              [[20, "", 10, "407-555-0101", ""], [21, "", 10, "407-555-0102 x12", "voice"],
               [22, "", 11, "407-555-0103", ""]])
    write_csv(folder / "physical_addresses.csv",
              ["id", "location_id", "address_1", "city", "state_province", "postal_code",
               "country"],
              [[30, 100, "1 Main St", "Sanford", "FL ", "32771", "   "]])
    write_csv(folder / "regular_schedules.csv",
              ["id", "service_id", "weekday", "opens_at", "closes_at"],
              [["", 11, day, "9:00am", "5:00pm"] for day in ("Monday", "Tuesday", "Wednesday")])
    write_csv(folder / "taxonomy.csv", ["id", "name", "parent_id", "vocabulary"],
              [["BH", "Housing/Shelter", "", "AIRS"],
               ["BH-1800", "Emergency Shelter", "BH", "AIRS"],
               ["R", "Mental Health Care and Counseling", "", "AIRS"]])
    write_csv(folder / "services_taxonomy.csv", ["id", "service_id", "taxonomy_id"],
              [[40, 10, "BH-1800"], [41, 11, "R"]])
    return folder


def import_and_commit(session_factory: sessionmaker[Session], path: Path,
                      source: str | None = None) -> ImportReport:
    """Import ``path`` in a new session and commit."""
    with session_factory() as session:
        report = import_path(session, path, source=source)
        session.commit()
    return report


def row_counts(engine: Engine) -> dict[str, int]:
    """The number of rows in every table."""
    with engine.connect() as connection:
        return {table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
                for table in Base.metadata.sorted_tables}


def assert_accounted(report: ImportReport) -> None:
    """Every source table's rows add up, and every skipped row says why."""
    for name, counts in report.tables.items():
        total = counts.created + counts.updated + counts.unchanged + counts.skipped
        assert counts.rows == total, name
    for skipped in report.skipped:
        assert skipped.reason and skipped.file and skipped.line not in (None, "")
    assert sum(c.skipped for c in report.tables.values()) == len(report.skipped)
