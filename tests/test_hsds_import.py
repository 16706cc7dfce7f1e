"""HSDS import: the spec's examples, ILAO, the sample package, the curated directory, the kiosk's
extension attributes, idempotent re-imports and updates of exactly what changed.

Bad input (and the CLI) is in ``test_hsds_import_errors.py``; the real Miami 211 export in
``test_hsds_import_miami.py``.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from hsds_packages import assert_accounted, import_and_commit, row_counts, small_v1_package
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from conftest import missing
from directory_data.hsds import extensions as ext
from directory_data.hsds.importer import HSDSImportError, import_path
from directory_data.models import (
    Address,
    ChangeJournalEntry,
    Language,
    Location,
    Organization,
    Phone,
    PhoneAudience,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceCategory,
    ServiceTaxonomy,
    TaxonomyTerm,
)

SPEC_SERVICE = "ac148810-d857-441c-9679-408f346de14b"
EXAMPLE_JSON = ["location.json", "organization_full.json", "organization_list.json",
                "service_at_location_full.json", "service_at_location_list.json",
                "service_full.json", "service_list.json", "tabular.json", "taxonomy.json",
                "taxonomy_list.json", "taxonomy_term.json", "taxonomy_term_list.json"]


@pytest.fixture
def spec_examples(hsds_dir: Path) -> Path:
    return hsds_dir / "openreferral-specification-3.0" / "examples"


def _categories(session: Session, service_id: str) -> set[tuple[str, str]]:
    return {(c.category_slug, c.assigned_by) for c in session.scalars(
        select(ServiceCategory).where(ServiceCategory.service_id == service_id))}


# -- HSDS 3.0 examples ---------------------------------------------------------------------------


def test_spec_csv_example_imports_and_reimports_unchanged(
    spec_examples: Path, engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    report = import_and_commit(session_factory, spec_examples / "csv")
    assert_accounted(report)
    assert report.source == "csv"
    assert report.tables["services.csv"].created == 1
    assert report.tables["phones.csv"].created == 1
    assert report.tables["schedules.csv"].created == 1
    # the only attribute links a record that is not in the package
    assert [s.reason for s in report.skipped] == [
        "it describes f28dd44b-0c4d-479f-8e90-4c52219a8b3c, which is not in this import"]
    assert any("latitude 100 is outside -90..90" in w for w in report.to_dict()["warnings"])
    with session_factory() as session:
        service = session.get(Service, SPEC_SERVICE)
        assert service is not None and service.name == "Community Counselling"
        assert service.minimum_age == 12 and service.assured_date == dt.date(2005, 1, 1)
        phone = session.scalars(select(Phone)).one()
        assert (phone.number, phone.extension) == ("+44 1234 234567", 100)
        location = session.scalars(select(Location)).one()
        assert location.latitude is None  # 100, 101 are not coordinates
        schedule = session.scalars(select(Schedule)).one()
        assert (schedule.byday, schedule.opens_at, schedule.closes_at) == (
            "TH,FR", dt.time(10), dt.time(18))
        assert schedule.timezone is None  # the example's "3" is no IANA zone
        assert session.scalars(select(Language)).one().code == "ur"
        assert session.scalars(select(Address)).one().address_type.value == "postal"

    counts = row_counts(engine)
    again = import_and_commit(session_factory, spec_examples / "csv")
    assert_accounted(again)
    assert again.totals()["created"] == again.totals()["updated"] == 0
    assert again.totals()["unchanged"] == report.totals()["created"]
    assert row_counts(engine) == counts


@pytest.mark.parametrize("name", EXAMPLE_JSON)
def test_spec_json_examples_import_and_reimport_unchanged(
    spec_examples: Path, engine: Engine, session_factory: sessionmaker[Session], name: str
) -> None:
    report = import_and_commit(session_factory, spec_examples / name)
    assert_accounted(report)
    assert report.totals()["created"] >= 1
    counts = row_counts(engine)
    again = import_and_commit(session_factory, spec_examples / name)
    assert again.totals()["created"] == again.totals()["updated"] == 0
    assert row_counts(engine) == counts


def test_nested_json_objects_repeated_under_several_parents_are_one_record(
    spec_examples: Path, session_factory: sessionmaker[Session]
) -> None:
    report = import_and_commit(session_factory, spec_examples / "service_full.json")
    # the phone appears under the service, its location, its organization and a contact
    assert report.tables["phone"].rows == 1
    with session_factory() as session:
        phone = session.scalars(select(Phone)).one()
        service = session.get(Service, SPEC_SERVICE)
        assert service is not None and service.organization is not None
        assert phone.service_id == SPEC_SERVICE
        assert phone.location_id == "3a19ff88-4620-4d17-9830-ac1d859eb5d5"
        assert phone.organization_id == service.organization_id
        link = session.scalars(select(ServiceAtLocation)).one()
        assert link.location_id == phone.location_id
        assert [t.term.code for t in service.taxonomy_links] == ["code"]
        # the schedule sits under the service, the service-at-location and the location
        schedule = session.scalars(select(Schedule)).one()
        assert (schedule.service_id, schedule.location_id, schedule.service_at_location_id) == (
            SPEC_SERVICE, link.location_id, link.id)
        assert "lunch break" in (schedule.notes or "")
        assert "in-person or remotely" in (schedule.notes or "")  # too long for attending_type


def test_flat_json_objects_refer_to_each_other_by_id(
    tmp_path: Path, session_factory: sessionmaker[Session]
) -> None:
    path = tmp_path / "flat.json"
    path.write_text(json.dumps([
        {"id": "org-1", "name": "Harbor House", "description": "Shelter.", "website":
         "harbor.example.org"},
        {"id": "svc-1", "organization_id": "org-1", "name": "Night Shelter", "status": "active"},
        {"id": "loc-1", "organization_id": "org-1", "name": "Harbor House", "latitude": 28.8,
         "longitude": -81.27, "location_type": "physical"},
        {"id": "sal-1", "service_id": "svc-1", "location_id": "loc-1"},
        {"id": "term-1", "code": "BH-1800", "name": "Emergency Shelter", "taxonomy": "AIRS"},
        {"id": "nonsense", "colour": "blue"},
    ]), encoding="utf-8")
    report = import_and_commit(session_factory, path)
    assert_accounted(report)
    assert [(s.line, s.reason[:24]) for s in report.skipped] == [
        ("/5", "not an HSDS object (none")]
    with session_factory() as session:
        service = session.scalars(select(Service)).one()
        assert service.organization is not None and service.organization.name == "Harbor House"
        assert service.organization.website == "https://harbor.example.org"
        link = session.scalars(select(ServiceAtLocation)).one()
        assert link.service_id == service.id and link.location.latitude == 28.8
        assert session.scalars(select(TaxonomyTerm)).one().code == "BH-1800"


def test_json_that_is_not_an_hsds_record_is_refused(spec_examples: Path,
                                                    db_session: Session) -> None:
    with pytest.raises(HSDSImportError, match="base.json is not HSDS data"):
        import_path(db_session, spec_examples / "base.json")


# -- Real 1.1 exports: ILAO and the sample package ------------------------------------------------


def test_ilao_fixture_output(hsds_dir: Path, session_factory: sessionmaker[Session]) -> None:
    report = import_and_commit(session_factory, hsds_dir / "ilao-illinois-legal-aid" /
                               "fixture_output")
    assert_accounted(report)
    services = report.tables["services.csv"]
    assert (services.rows, services.created, services.skipped) == (430, 429, 1)
    assert [s.reason for s in report.skipped if s.file == "services.csv"] == [
        "the service has no id and no name"]
    postal = [s.reason for s in report.skipped if s.file == "postal_addresses.csv"]
    assert len(postal) == 33 and "belongs to an organization" in postal[0]
    warnings = " ".join(report.warnings)
    assert "referenced by 340 services are not in organizations.csv" in warnings
    assert "the services were kept without an organization" in warnings
    schedules = report.tables["regular_schedules.csv"]
    assert schedules.skipped == sum(1 for s in report.skipped if "no opening hours" in s.reason)
    with session_factory() as session:
        org_phones = session.scalars(select(Phone).where(Phone.organization_id.is_not(None)))
        assert len(list(org_phones)) > 20


def test_ilao_tmp_output_unpacks_comma_packed_ids(hsds_dir: Path,
                                                  session_factory: sessionmaker[Session]) -> None:
    report = import_and_commit(session_factory, hsds_dir / "ilao-illinois-legal-aid" /
                               "tmp_output")
    assert_accounted(report)
    assert report.source == "tmp-output"
    with session_factory() as session:
        linked = {row.source_id for row in session.scalars(
            select(Service).join(ServiceAtLocation).join(Location).where(
                Location.source_id == "88961"))}
    assert linked == {"89016", "89006"}  # service_id "89016,89006": one link per service
    problems = report.to_dict()["warnings"]
    assert any("'Unnamed record'" in w for w in problems)
    # 185 links have no service at all: they say so
    assert sum(1 for s in report.skipped if s.file == "service_at_location.csv"
               and "names no service" in s.reason) >= 100


def test_sample_datapackage_by_its_datapackage_json(
    hsds_dir: Path, session_factory: sessionmaker[Session]
) -> None:
    path = hsds_dir / "openreferral-sample-HSDS-datapackage" / "hsds-1.1" / "all_resources"
    report = import_and_commit(session_factory, path / "datapackage.json")
    assert_accounted(report)
    assert report.source == "all-resources"  # the datapackage name is the template's
    assert report.tables["services.csv"].created == 13
    ignored = {entry["file"] for entry in report.ignored}
    assert {"contacts.csv", "funding.csv", "programs.csv"} <= ignored
    with session_factory() as session:
        closures = [s for s in session.scalars(select(Schedule)) if s.is_closure]
        assert [(c.valid_from, c.valid_to) for c in closures] == [
            (dt.date(2019, 12, 24), dt.date(2019, 12, 26))]
        weekly = session.scalars(select(Schedule).where(Schedule.freq == "WEEKLY")).all()
        assert sorted(s.byday for s in weekly) == ["MO", "TU", "WE"]  # 1..3 = Monday..Wednesday
        address_types = {a.address_type.value for a in session.scalars(select(Address))}
        assert address_types == {"physical", "postal"}


def test_sample_simple_package(hsds_dir: Path, session_factory: sessionmaker[Session]) -> None:
    for version in ("hsds-1.1", "hsds-1.0-branch"):
        report = import_and_commit(session_factory, hsds_dir / "openreferral-sample-HSDS-"
                                   "datapackage" / version / "simple")
        assert_accounted(report)
        assert report.source == "hsds-simple-sample"
        assert report.tables["services.csv"].skipped == 0


# -- A small 1.1 package: quirks, idempotence, updates ---------------------------------------------


def test_real_world_quirks_are_repaired(tmp_path: Path,
                                        session_factory: sessionmaker[Session]) -> None:
    report = import_and_commit(session_factory, small_v1_package(tmp_path / "pkg"))
    assert_accounted(report)
    with session_factory() as session:
        shelter = session.scalars(select(Service).where(Service.source_id == "10")).one()
        assert shelter.description == "A safe place to stay.\n\nOpen to women."
        assert shelter.url == "https://harbor.example.org/shelter"
        assert shelter.fees_description == "Free"
        assert shelter.status.value == "active"
        assert shelter.organization is not None
        assert shelter.organization.website == "https://www.harbor.example.org"
        counseling = session.scalars(select(Service).where(Service.source_id == "11")).one()
        assert counseling.description == "Talk to someone’s trained."
        assert [(s.byday, s.opens_at, s.closes_at) for s in sorted(
            counseling.schedules, key=lambda s: "MOTUWE".index(s.byday or ""))] == [
            ("MO", dt.time(9), dt.time(17)), ("TU", dt.time(9), dt.time(17)),
            ("WE", dt.time(9), dt.time(17))]
        assert {(p.number, p.extension) for p in shelter.phones} == {
            ("(407) 555-0101", None), ("(407) 555-0102", 12)}
        address = session.scalars(select(Address)).one()
        assert (address.state_province, address.country) == ("FL", "US")
        assert _categories(session, shelter.id) == {("housing", "crosswalk")}
        assert _categories(session, counseling.id) == {("mental-health", "crosswalk")}
        term = session.scalars(select(TaxonomyTerm).where(TaxonomyTerm.code == "BH-1800")).one()
        assert term.parent is not None and term.parent.code == "BH"
        assert term.taxonomy == "AIRS" and term.taxonomy_id is not None


def test_reimport_with_one_changed_field_updates_only_that_row(
    tmp_path: Path, engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    package = small_v1_package(tmp_path / "pkg")
    import_and_commit(session_factory, package)
    with session_factory() as session:
        before = {s.source_id: (s.version, s.updated_at) for s in session.scalars(select(Service))}
        journal_before = session.scalar(select(ChangeJournalEntry.seq).order_by(
            ChangeJournalEntry.seq.desc()).limit(1))
    counts = row_counts(engine)

    services = (package / "services.csv").read_text(encoding="utf-8")
    (package / "services.csv").write_text(services.replace("Weekly group.", "Weekly group on "
                                                            "Thursdays."), encoding="utf-8")
    report = import_and_commit(session_factory, package)
    assert_accounted(report)
    table = report.tables["services.csv"]
    assert (table.updated, table.unchanged, table.created) == (1, 2, 0)
    assert report.totals()["updated"] == 1 and report.totals()["created"] == 0
    assert row_counts(engine)["service"] == counts["service"]
    with session_factory() as session:
        after = {s.source_id: (s.version, s.updated_at, s.id, s.description)
                 for s in session.scalars(select(Service))}
        assert after["12"][0] == before["12"][0] + 1 and after["12"][1] > before["12"][1]
        assert after["12"][3] == "Weekly group on Thursdays."
        assert all(after[k][:2] == before[k] for k in ("10", "11"))
        journaled = session.scalars(select(ChangeJournalEntry.service_id).where(
            ChangeJournalEntry.seq > journal_before)).all()
        assert journaled == [after["12"][2]]


def test_a_dropped_child_is_removed_and_reported(
    tmp_path: Path, engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    package = small_v1_package(tmp_path / "pkg")
    import_and_commit(session_factory, package)
    phones = (package / "phones.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (package / "phones.csv").write_text("".join(l for l in phones if not l.startswith("21,")),
                                        encoding="utf-8")
    report = import_and_commit(session_factory, package)
    assert report.removed == {"phone": 1}
    assert report.journaled == 1
    assert "1 removed" in report.summary()
    with session_factory() as session:
        assert {p.number for p in session.scalars(select(Phone))} == {
            "(407) 555-0101", "(407) 555-0103"}


def test_a_partial_package_removes_nothing(
    tmp_path: Path, engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    package = small_v1_package(tmp_path / "pkg")
    import_and_commit(session_factory, package)
    counts = row_counts(engine)
    partial = tmp_path / "partial"
    partial.mkdir()
    shutil.copy(package / "services.csv", partial / "services.csv")
    report = import_and_commit(session_factory, partial, source="pkg")
    assert report.removed == {}
    assert report.tables["services.csv"].unchanged == 3
    assert row_counts(engine) == counts


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_our_own_export_reimports_into_the_same_records(
    tmp_path: Path, engine: Engine, session_factory: sessionmaker[Session], fmt: str
) -> None:
    from directory_data.hsds.exporter import export_directory

    import_and_commit(session_factory, small_v1_package(tmp_path / "county-211"))
    counts = row_counts(engine)
    target = tmp_path / "export" / ("directory.json" if fmt == "json" else "package")
    with session_factory() as session:
        assert export_directory(session, target, fmt) == 3
    report = import_and_commit(session_factory, target)  # another source name: "export"
    assert_accounted(report)
    assert report.totals()["created"] == report.totals()["updated"] == 0
    assert report.removed == {} and report.journaled == 0
    assert row_counts(engine) == counts
    with session_factory() as session:
        assert {s.source for s in session.scalars(select(Service))} == {"county-211"}


def test_source_name_is_the_argument_or_the_folder(tmp_path: Path,
                                                   session_factory: sessionmaker[Session]) -> None:
    data = small_v1_package(tmp_path / "county-211" / "data")
    assert import_and_commit(session_factory, data).source == "county-211"
    assert import_and_commit(session_factory, data, source="mine").source == "mine"
    with session_factory() as session:
        assert {s.source for s in session.scalars(select(Service))} == {"county-211", "mine"}


# -- The kiosk's own fields, and the curated directory -------------------------------------------


def _extension_package(path: Path) -> Path:
    service_id = "6c0f3a52-3f0e-4d6b-9d1e-0c6b7f0b1a01"
    location_id = "6c0f3a52-3f0e-4d6b-9d1e-0c6b7f0b1a02"
    phone_id = "6c0f3a52-3f0e-4d6b-9d1e-0c6b7f0b1a03"
    schedule_id = "6c0f3a52-3f0e-4d6b-9d1e-0c6b7f0b1a04"

    def attrs(link: str, entity: str, *pairs: tuple[str, str]) -> list[dict[str, Any]]:
        return [ext.attribute_object(link, entity, code, value) for code, value in pairs]

    service = {
        "id": service_id, "name": "Safe Harbor Shelter", "status": "active",
        "attributes": attrs(service_id, "service", (ext.CATEGORY, "abuse"),
                            (ext.CATEGORY, "housing"), (ext.NAME_ES, "Refugio Puerto Seguro"),
                            (ext.DESCRIPTION_ES, "Refugio confidencial."),
                            (ext.OFFICER_NOTES, "Call ahead; never drive to the door."),
                            (ext.WALK_IN, "false"), (ext.SOURCE, "county-dv"),
                            (ext.SOURCE_ID, "shelter-1")),
        "phones": [{"id": phone_id, "number": "407-555-0199", "attributes": attrs(
            phone_id, "phone", (ext.AUDIENCE, "officer"))}],
        "schedules": [{"id": schedule_id, "freq": "WEEKLY", "byday": "MO,TU,WE,TH,FR,SA,SU",
                       "opens_at": "00:00", "closes_at": "23:59", "timezone": 3,
                       "attributes": attrs(schedule_id, "schedule",
                                           (ext.TIMEZONE, "America/New_York"))}],
        "service_at_locations": [{"location": {
            "id": location_id, "name": "Undisclosed", "latitude": 28.8, "longitude": -81.3,
            "attributes": attrs(location_id, "location", (ext.CONFIDENTIAL, "true"))}}],
    }
    path.write_text(json.dumps({"contents": [service]}), encoding="utf-8")
    return path


def test_kiosk_extension_attributes_fill_the_kiosk_fields(
    tmp_path: Path, engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    path = _extension_package(tmp_path / "listing.json")
    report = import_and_commit(session_factory, path)
    assert_accounted(report)
    assert report.skipped == []
    with session_factory() as session:
        service = session.scalars(select(Service)).one()
        assert (service.source, service.source_id) == ("county-dv", "shelter-1")
        assert service.id == "6c0f3a52-3f0e-4d6b-9d1e-0c6b7f0b1a01"  # the id in the file
        assert service.name_es == "Refugio Puerto Seguro"
        assert service.description_es == "Refugio confidencial."
        assert service.officer_notes == "Call ahead; never drive to the door."
        assert service.walk_in is False
        assert _categories(session, service.id) == {("abuse", "listing"), ("housing", "listing")}
        assert session.scalars(select(Phone)).one().audience == PhoneAudience.officer
        assert session.scalars(select(Schedule)).one().timezone == "America/New_York"
        assert session.scalars(select(Location)).one().confidential is True
    counts = row_counts(engine)
    # imported again under another source name: upserted under kiosk:source, not duplicated
    again = import_and_commit(session_factory, path, source="someone-else")
    assert again.totals()["created"] == 0 and again.totals()["updated"] == 0
    assert row_counts(engine) == counts


def test_a_changed_listing_category_is_replaced(tmp_path: Path,
                                                session_factory: sessionmaker[Session]) -> None:
    path = _extension_package(tmp_path / "listing.json")
    import_and_commit(session_factory, path)
    path.write_text(path.read_text(encoding="utf-8").replace('"value": "housing"',
                                                             '"value": "childcare"'),
                    encoding="utf-8")
    report = import_and_commit(session_factory, path)
    assert report.tables["service"].updated == 1
    with session_factory() as session:
        service = session.scalars(select(Service)).one()
        assert _categories(session, service.id) == {("abuse", "listing"),
                                                    ("childcare", "listing")}


def test_curated_directory_imports_with_no_skips(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    from directory_data.curated import NATIONAL_SOURCE, SAMPLE_SOURCE, national_path, sample_path

    for path in (national_path(), sample_path()):
        if not path.is_file():
            missing(f"the curated directory {path} is not built yet")
    national = import_and_commit(session_factory, national_path(), source=NATIONAL_SOURCE)
    report = import_and_commit(session_factory, sample_path(), source=SAMPLE_SOURCE)
    for done in (national, report):
        assert_accounted(done)
        assert done.skipped == [] and done.totals()["skipped"] == 0 and done.warnings == []
        assert done.held_total == 0, "every curated listing can be reached and has a category"
    assert report.totals("service")["created"] >= 100
    with session_factory() as session:
        services = session.scalars(select(Service)).all()
        assert {s.source for s in services} == {NATIONAL_SOURCE, SAMPLE_SOURCE}
        assert {s.source for s in services if not s.organization.description.endswith(
            "Fictional sample listing for demonstration.")} == {NATIONAL_SOURCE}
        assert sum(1 for s in services if s.name_es) > len(services) / 2
        assert session.scalars(select(ServiceTaxonomy)).first() is not None
        slugs = {c.category_slug for c in session.scalars(select(ServiceCategory))}
        assert {"mental-health", "childcare", "abuse", "housing"} <= slugs
        assert session.scalars(select(Organization)).first() is not None
    counts = row_counts(engine)
    for path, source in ((national_path(), NATIONAL_SOURCE), (sample_path(), SAMPLE_SOURCE)):
        again = import_and_commit(session_factory, path, source=source)
        assert again.totals()["created"] == again.totals()["updated"] == 0
    assert row_counts(engine) == counts
