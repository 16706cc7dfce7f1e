"""The real Miami 211 export (HSDS 1.1, 4,089 services): every row accounted for, the quirks
repaired, and a second import changing nothing."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from conftest import ImportedDatabase
from hsds_packages import assert_accounted, import_and_commit, row_counts
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from directory_data.hsds.report import ImportReport
from directory_data.models import (
    ChangeJournalEntry,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceCategory,
    TaxonomyTerm,
)

pytestmark = pytest.mark.slow

SERVICES = 4089


def _service(session: Session, source_id: str) -> Service:
    return session.scalars(select(Service).where(Service.source_id == source_id)).one()


def _check_accounting(report: ImportReport) -> None:
    assert_accounted(report)
    services = report.tables["services.csv"]
    assert services.rows == SERVICES
    assert services.created + services.skipped == SERVICES
    expected = {"services.csv": 4089, "organizations.csv": 1074, "locations.csv": 4089,
                "services_at_location.csv": 4089, "phones.csv": 4089,
                "physical_addresses.csv": 4089, "regular_schedules.csv": 11350,
                "languages.csv": 9364, "taxonomy.csv": 1994, "services_taxonomy.csv": 26259,
                "accessibility_for_disabilities.csv": 4089, "eligibility.csv": 2244}
    assert {name: t.rows for name, t in report.tables.items()} == expected
    reasons = Counter((s.file, s.reason) for s in report.skipped)
    # eligibility.csv has no service_id at all in this export
    assert reasons[("eligibility.csv", "it names no service (no service_id), so it cannot be "
                                       "attached to one")] == 2244
    assert reasons[("accessibility_for_disabilities.csv",
                    "no accessibility information in this row")] == 2469
    assert sum(n for (file, reason), n in reasons.items() if file == "taxonomy.csv"
               and "is repeated" in reason) == 3  # J, FP-4500, FP-4000
    warnings = " ".join(report.warnings)
    assert "82 organizations referenced by 447 services are not in organizations.csv" in warnings
    assert "the services were kept without an organization" in warnings
    assert "a known HSDS Transformer bug" in warnings
    assert "contacts.csv is declared in datapackage.json" not in warnings  # no datapackage here


def _spot_checks(session: Session) -> None:
    girl_scouts = _service(session, "136")
    assert girl_scouts.url == "https://www.girlscoutsfl.org"
    assert "###" not in (girl_scouts.description or "")
    assert "\\n" not in (girl_scouts.description or "")
    assert (girl_scouts.description or "").endswith("self-worth.")
    assert [(p.number, p.extension) for p in girl_scouts.phones] == [("(305) 253-4841", None)]
    spans = sorted(girl_scouts.schedules, key=lambda s: "MOTUWETHFR".index(s.byday or "?"))
    assert [(s.freq, s.byday, s.opens_at, s.closes_at) for s in spans] == [
        ("WEEKLY", day, dt.time(9), dt.time(17)) for day in ("MO", "TU", "WE", "TH", "FR")]
    assert spans[0].description == "9:00am-5:00pm, Mon-Fri"
    assert {(lang.name, lang.code) for lang in girl_scouts.languages} == {
        ("English", "en"), ("Spanish", "es"), ("Creole", "ht")}
    assert {t.term.code for t in girl_scouts.taxonomy_links} == {"PX", "PL-7000", "PS-9800.8500"}
    address = girl_scouts.location_links[0].location.physical_address
    assert address is not None and (address.state_province, address.country) == ("FL", "US")

    # extension in the number, an organization that is not in organizations.csv
    phone = session.scalars(select(Phone).where(Phone.number == "(305) 573-4200",
                                                Phone.extension == 57471)).one()
    assert phone.service is not None
    # the organization comes from services.csv, not locations.organization_id (its own id)
    victims = _service(session, "144")
    assert victims.organization is not None and victims.organization.source_id == "143"
    assert victims.location_links[0].location.organization_id == victims.organization_id
    assert {c.category_slug for c in victims.category_links} == {"abuse"}  # FN-1900

    # mojibake: GÇÖ is ’, +í is á, -Æ is ’ (cp1252 read as Latin-1)
    salvation = session.scalars(select(Service).where(
        Service.description.like("%Salvation Army’s Red Shield%"))).first()
    assert salvation is not None
    assert session.scalars(select(Service).where(
        Service.description.like("%Cáncer%"))).first() is not None
    assert session.scalar(select(func.count()).select_from(Service).where(
        Service.description.like("%GÇ%"))) == 0
    assert session.scalar(select(func.count()).select_from(Organization).where(
        Organization.description.contains("\\n", autoescape=True))) == 0
    # URLs got a scheme
    assert session.scalar(select(func.count()).select_from(Service).where(
        Service.url.is_not(None), Service.url.not_like("http%"))) == 0
    # zero-padded short numbers are the crisis text line and 211
    assert session.scalars(select(Phone).where(Phone.number == "741741")).first() is not None

    # crosswalk categories (assigned_by crosswalk) for each mission category
    by_slug = dict(session.execute(
        select(ServiceCategory.category_slug, func.count()).where(
            ServiceCategory.assigned_by == "crosswalk").group_by(ServiceCategory.category_slug)
    ).all())
    assert set(by_slug) == {"mental-health", "childcare", "abuse", "housing"}
    assert all(n > 50 for n in by_slug.values())
    shelter = session.scalars(select(Service).join(Service.taxonomy_links).join(
        TaxonomyTerm).where(TaxonomyTerm.code == "BH-1800.1500-100")).first()
    assert shelter is not None
    assert {"abuse", "housing"} <= {c.category_slug for c in shelter.category_links}
    geocoded = session.scalar(select(func.count()).select_from(Location).where(
        Location.latitude.is_not(None)))
    assert geocoded == 2260
    assert session.scalar(select(func.count()).select_from(Schedule)) > 11000


def test_miami_imports_every_service_and_reimports_unchanged(miami_database: ImportedDatabase) -> None:
    # The import into an empty database is the run's shared one (conftest.miami_database); the
    # second import below changes nothing, as asserted, so the database stays as others read it.
    miami, engine, session_factory = miami_database.path, miami_database.engine, miami_database.session_factory
    report = miami_database.report
    assert report.source == "open211-miami"
    _check_accounting(report)
    assert report.journaled == report.tables["services.csv"].created
    with session_factory() as session:
        _spot_checks(session)
        last = session.scalar(select(func.max(ChangeJournalEntry.seq)))
    counts = row_counts(engine)
    with session_factory() as session:
        # a listing the import held for review took one version more when it was held
        versions = dict(session.execute(select(Service.id, Service.version)).tuples().all())

    again = import_and_commit(session_factory, miami)
    assert_accounted(again)
    totals = again.totals()
    assert totals["created"] == totals["updated"] == 0
    assert totals["unchanged"] == report.totals()["created"]
    assert totals["skipped"] == report.totals()["skipped"]
    assert again.removed == {} and again.journaled == 0
    assert row_counts(engine) == counts
    with session_factory() as session:
        assert session.scalar(select(func.max(ChangeJournalEntry.seq))) == last
        assert dict(session.execute(select(Service.id, Service.version)).tuples().all()) == versions
        assert set(versions.values()) <= {1, 2}


def test_miami_through_its_datapackage(hsds_dir: Path,
                                       session_factory: sessionmaker[Session]) -> None:
    """The datapackage names files that are in ``data/`` and tables that are not there."""
    report = import_and_commit(session_factory, hsds_dir / "open211-miami" / "datapackage.json")
    assert report.source == "open211-miami"
    assert report.tables["services.csv"].rows == SERVICES
    warnings = " ".join(report.warnings)
    for table in ("programs.csv", "postal_addresses.csv", "holiday_schedules.csv"):
        assert f"{table} is declared in datapackage.json but there is no such file" in warnings
    assert any(entry["file"] == "contacts.csv" for entry in report.ignored) or \
        "contacts.csv is declared" in warnings
