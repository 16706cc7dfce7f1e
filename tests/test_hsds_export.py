"""HSDS 3.0 export: valid against the official schemas, and import -> export -> import loses nothing.

The directory under test is built with the ORM with every field the model holds filled in; the
JSON export is checked against the spec's compiled JSON schemas with format checking on, the CSV
package with Frictionless against the spec's tabular schema. Round trips export, wipe the
database, import the export and compare every column of every table (ids included).
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import json
import time
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import frictionless
import jsonschema
import pytest
from conftest import ImportedDatabase, wipe
from flask.testing import FlaskCliRunner
from sqlalchemy import Engine, event, insert, select
from sqlalchemy.orm import Session, sessionmaker

from directory_data.hsds import extensions as ext
from directory_data.hsds.export_fields import uri_columns, uri_text
from directory_data.hsds.export_package import resource_path
from directory_data.hsds.export_spec import PACKAGE_METADATA, RESOURCES
from directory_data.hsds.export_spec31 import CAPACITY_RESOURCES
from directory_data.hsds.exporter import EXPORT_FORMATS, export_directory
from directory_data.locations import retire_location
from directory_data.models import (
    Accessibility,
    Address,
    AddressType,
    Base,
    CostOption,
    Language,
    Location,
    LocationType,
    Organization,
    Phone,
    PhoneAudience,
    PhoneType,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceCategory,
    ServiceStatus,
    ServiceTaxonomy,
    Taxonomy,
    TaxonomyTerm,
    new_id,
    stable_id,
)

SOURCE = "export-test"

#: Tables left out of round-trip comparisons: the change journal is bookkeeping, not directory data.
NOT_COMPARED_TABLES = {"change_journal"}
#: Columns left out of round-trip comparisons: when a row was written, not what it holds.
NOT_COMPARED_COLUMNS = {"created_at", "updated_at"}

Snapshot = dict[str, list[dict[str, Any]]]

#: Model tables that are HSDS tables of the same name.
HSDS_TABLES = frozenset(resource["name"] for resource in RESOURCES)


# ------------------------------------------------------------------------------------------------
# The directory under test
# ------------------------------------------------------------------------------------------------


def _ids(table: str) -> Callable[[], dict[str, str]]:
    """Make ``id``/``source``/``source_id`` keyword sets for records of ``table``.

    Ids are derived from the source id as the importer derives them
    (:func:`~directory_data.models.stable_id`), as they are for every imported record.
    """
    count = 0

    def make() -> dict[str, str]:
        nonlocal count
        count += 1
        source_id = f"{table}-{count}-{uuid.uuid4().hex[:8]}"
        return {"id": stable_id(SOURCE, table, source_id), "source": SOURCE,
                "source_id": source_id}

    return make


def build_directory(session: Session) -> dict[str, Any]:
    """Add a small directory with every field filled to ``session`` and flush; the records by name.

    Everything in it is reachable from a service, so the JSON service list carries all of it.
    """
    org_ids, loc_ids, svc_ids = _ids("organization"), _ids("location"), _ids("service")
    phone_ids, sched_ids, lang_ids = _ids("phone"), _ids("schedule"), _ids("language")
    addr_ids, acc_ids, cost_ids = _ids("address"), _ids("accessibility"), _ids("cost_option")
    sal_ids, term_ids = _ids("service_at_location"), _ids("taxonomy_term")

    parent_org = Organization(
        **org_ids(),
        name="Seminole Community Alliance",
        description="Umbrella nonprofit for county social services.",
    )
    org = Organization(
        **org_ids(),
        name="Lakeside Family Center",
        alternate_name="LFC",
        description="Counseling and family support.",
        email="info@lakeside.example.org",
        website="https://lakeside.example.org/",
        tax_status="501(c)(3)",
        tax_id="59-1234567",
        year_incorporated=1987,
        legal_status="Nonprofit corporation",
        logo="https://lakeside.example.org/logo.png",
        uri="https://lakeside.example.org/about",
        parent_organization_id=parent_org.id,
    )
    taxonomy = Taxonomy(
        **_ids("taxonomy")(),
        name="AIRS/211 LA County",
        description="The 211 LA County taxonomy of human services.",
        uri="https://211taxonomy.org/",
        version="2024",
    )
    parent_term = TaxonomyTerm(
        **term_ids(),
        code="RP",
        name="Mental Health Assessment and Treatment",
        description="Programs that assess and treat mental health conditions.",
        taxonomy="AIRS/211 LA County",
        taxonomy_id=taxonomy.id,
        language="en",
        term_uri="https://211taxonomy.org/RP",
    )
    child_term = TaxonomyTerm(
        **term_ids(),
        code="RP-1500",
        name="Crisis Intervention",
        description="Immediate short-term help for people in crisis.",
        parent_id=parent_term.id,
        taxonomy="AIRS/211 LA County",
        taxonomy_id=taxonomy.id,
        language="en",
        term_uri="https://211taxonomy.org/RP-1500",
    )
    public_site = Location(
        **loc_ids(),
        organization_id=org.id,
        location_type=LocationType.physical,
        url="https://lakeside.example.org/sanford",
        name="Lakeside Sanford office",
        alternate_name="Main office",
        description="Two-story building next to the library.",
        transportation="LYNX route 34 stops in front.",
        latitude=28.8029,
        longitude=-81.2695,
        external_identifier="FL-LOC-1001",
        external_identifier_type="state licence",
        confidential=False,
    )
    shelter = Location(
        **loc_ids(),
        organization_id=parent_org.id,
        location_type=LocationType.physical,
        name="Safe House",
        description="Emergency shelter; address given by the hotline only.",
        latitude=28.7,
        longitude=-81.3,
        confidential=True,
    )
    session.add_all([parent_org, org, taxonomy, parent_term, child_term, public_site, shelter])
    session.flush()

    public_site.addresses = [
        Address(
            **addr_ids(),
            attention="Front desk",
            address_1="100 E 1st St",
            address_2="Suite 200",
            city="Sanford",
            region="Seminole County",
            state_province="FL",
            postal_code="32771",
            country="US",
            address_type=AddressType.physical,
        ),
        Address(
            **addr_ids(),
            address_1="PO Box 1234",
            city="Sanford",
            state_province="FL",
            postal_code="32772",
            country="US",
            address_type=AddressType.postal,
        ),
    ]
    shelter.addresses = [
        Address(
            **addr_ids(),
            address_1="1 Hidden Way",
            city="Oviedo",
            state_province="FL",
            postal_code="32765",
            country="US",
            address_type=AddressType.physical,
        )
    ]
    public_site.accessibility = [
        Accessibility(
            **acc_ids(),
            description="Wheelchair accessible entrance and restrooms.",
            details="Ramp at the north door; elevator to the second floor.",
            url="https://lakeside.example.org/access",
        )
    ]

    counseling = Service(
        **svc_ids(),
        organization_id=org.id,
        name="Crisis counseling",
        alternate_name="Walk-in crisis clinic",
        description="Same-day counseling for people in emotional crisis.",
        url="https://lakeside.example.org/crisis",
        email="crisis@lakeside.example.org",
        status=ServiceStatus.active,
        interpretation_services="Interpreters for any language by phone.",
        application_process="Walk in or call the intake line.",
        fees_description="Free; donations welcome.",
        wait_time="Usually under an hour.",
        accreditations="CARF accredited.",
        licenses="Florida DCF licence 123.",
        alert="Closed early on Fridays in December.",
        eligibility_description="Teens and adults living in Seminole County.",
        minimum_age=13,
        maximum_age=99,
        assured_date=dt.date(2026, 9, 14),
        assurer_email="verifier@lakeside.example.org",
        last_modified=dt.datetime(2026, 9, 14, 15, 30, 5, 123000, tzinfo=dt.timezone.utc),
        name_es="Consejería en crisis",
        description_es="Consejería el mismo día para personas en crisis emocional.",
        officer_notes="Ask for the on-call clinician; they can meet you at the door.",
        walk_in=True,
    )
    shelter_service = Service(
        **svc_ids(),
        organization_id=parent_org.id,
        name="Emergency shelter",
        description="Confidential emergency shelter for survivors of abuse.",
        status=ServiceStatus.temporarily_closed,
        minimum_age=18,
        assured_date=dt.date(2026, 8, 1),
        name_es="Refugio de emergencia",
        walk_in=False,
    )
    session.add_all([counseling, shelter_service])
    session.flush()

    at_office = ServiceAtLocation(
        **sal_ids(),
        service_id=counseling.id,
        location_id=public_site.id,
        description="Intake on the ground floor.",
    )
    at_shelter = ServiceAtLocation(
        **sal_ids(), service_id=counseling.id, location_id=shelter.id,
        description="Counselors visit the shelter.",
    )
    shelter_at_shelter = ServiceAtLocation(
        **sal_ids(), service_id=shelter_service.id, location_id=shelter.id
    )
    session.add_all([at_office, at_shelter, shelter_at_shelter])
    session.flush()

    main_line = Phone(
        **phone_ids(),
        service_id=counseling.id,
        number="(407) 555-0101",
        extension=12,
        type=PhoneType.voice,
        description="Main line",
        audience=PhoneAudience.public,
    )
    text_line = Phone(
        **phone_ids(),
        service_id=counseling.id,
        number="(407) 555-0102",
        type=PhoneType.text,
        description="Text line",
    )
    officer_line = Phone(
        **phone_ids(),
        service_id=counseling.id,
        location_id=public_site.id,
        number="(407) 555-0103",
        type=PhoneType.voice,
        description="Officer intake line",
        audience=PhoneAudience.officer,
    )
    site_line = Phone(
        **phone_ids(), location_id=public_site.id, number="(407) 555-0104", type=PhoneType.fax,
        description="Office fax",
    )
    org_line = Phone(
        **phone_ids(), organization_id=org.id, number="(407) 555-0105", description="Switchboard"
    )
    hotline = Phone(
        **phone_ids(), service_id=shelter_service.id, number="(800) 799-7233",
        audience=PhoneAudience.public,
    )
    session.add_all([main_line, text_line, officer_line, site_line, org_line, hotline])
    session.flush()

    tz = "America/New_York"
    session.add_all(
        [
            # Two spans a day, Monday to Friday.
            Schedule(**sched_ids(), service_id=counseling.id, freq="WEEKLY", byday="MO,TU,WE,TH,FR",
                     opens_at=dt.time(8, 0), closes_at=dt.time(12, 0), timezone=tz,
                     description="Weekday mornings"),
            Schedule(**sched_ids(), service_id=counseling.id, freq="WEEKLY", byday="MO,TU,WE,TH,FR",
                     opens_at=dt.time(13, 0), closes_at=dt.time(17, 0), timezone=tz,
                     description="Weekday afternoons"),
            # Overnight on Friday and Saturday.
            Schedule(**sched_ids(), service_id=counseling.id, freq="WEEKLY", byday="FR,SA",
                     opens_at=dt.time(22, 0), closes_at=dt.time(6, 0), timezone=tz,
                     description="Overnight line"),
            # A holiday closure.
            Schedule(**sched_ids(), service_id=counseling.id, valid_from=dt.date(2026, 12, 25),
                     valid_to=dt.date(2026, 12, 25), timezone=tz,
                     description="Closed for Christmas"),
            # Special hours, and every other RRULE field.
            Schedule(**sched_ids(), service_id=counseling.id, valid_from=dt.date(2026, 12, 24),
                     valid_to=dt.date(2026, 12, 24), opens_at=dt.time(9, 0),
                     closes_at=dt.time(12, 30, 15), description="Christmas Eve hours"),
            Schedule(**sched_ids(), service_id=counseling.id, freq="MONTHLY", interval=1,
                     dtstart=dt.date(2026, 1, 1), until=dt.date(2027, 1, 1), count=12, wkst="MO",
                     byday="SA", byweekno="1,2", bymonthday="1,15", byyearday="1,100",
                     opens_at=dt.time(10, 0), closes_at=dt.time(14, 0),
                     notes="Bring an ID.", attending_type="in person",
                     schedule_link="https://lakeside.example.org/calendar", timezone=tz),
            # Hours of one service at one location, and of a location itself.
            Schedule(**sched_ids(), service_at_location_id=at_shelter.id,
                     service_id=counseling.id, location_id=shelter.id, freq="WEEKLY",
                     byday="WE", opens_at=dt.time(18, 0), closes_at=dt.time(20, 0)),
            Schedule(**sched_ids(), location_id=public_site.id, freq="WEEKLY", byday="SA",
                     opens_at=dt.time(9, 0), closes_at=dt.time(13, 0), timezone=tz),
            Schedule(**sched_ids(), service_id=shelter_service.id, freq="WEEKLY",
                     byday="MO,TU,WE,TH,FR,SA,SU", opens_at=dt.time(0, 0),
                     closes_at=dt.time(0, 0), description="Open 24 hours"),
        ]
    )
    session.add_all(
        [
            Language(**lang_ids(), service_id=counseling.id, name="English", code="en"),
            Language(**lang_ids(), service_id=counseling.id, name="Spanish", code="es",
                     note="Spanish-speaking counselors on weekdays."),
            Language(**lang_ids(), location_id=public_site.id, name="Haitian Creole", code="ht"),
            Language(**lang_ids(), phone_id=main_line.id, name="Spanish", code="es"),
            Language(**lang_ids(), service_id=shelter_service.id, name="English", code="en"),
        ]
    )
    session.add_all(
        [
            CostOption(**cost_ids(), service_id=counseling.id, option="Free", amount=Decimal("0"),
                       currency="USD"),
            CostOption(**cost_ids(), service_id=counseling.id, option="Sliding scale",
                       amount=Decimal("20.50"), currency="USD",
                       amount_description="Per session, by income.",
                       valid_from=dt.date(2026, 1, 1), valid_to=dt.date(2026, 12, 31)),
        ]
    )
    session.add_all(
        [
            ServiceTaxonomy(service_id=counseling.id, taxonomy_term_id=child_term.id),
            ServiceTaxonomy(service_id=shelter_service.id, taxonomy_term_id=parent_term.id),
            ServiceCategory(service_id=counseling.id, category_slug="mental-health",
                            assigned_by="listing"),
            ServiceCategory(service_id=counseling.id, category_slug="abuse",
                            assigned_by="listing"),
            ServiceCategory(service_id=shelter_service.id, category_slug="housing",
                            assigned_by="listing"),
            ServiceCategory(service_id=shelter_service.id, category_slug="abuse",
                            assigned_by="listing"),
            # What the crosswalk derives from the term RP (under R, mental health care).
            ServiceCategory(service_id=shelter_service.id, category_slug="mental-health",
                            assigned_by="crosswalk"),
        ]
    )
    session.flush()
    return {
        "counseling": counseling,
        "shelter_service": shelter_service,
        "org": org,
        "parent_org": parent_org,
        "public_site": public_site,
        "shelter": shelter,
        "officer_line": officer_line,
        "text_line": text_line,
        "parent_term": parent_term,
        "child_term": child_term,
    }


@pytest.fixture
def directory(db_session: Session) -> dict[str, Any]:
    """The directory of :func:`build_directory`, committed."""
    records = build_directory(db_session)
    db_session.commit()
    return records


# ------------------------------------------------------------------------------------------------
# Helpers: the spec, snapshots, import
# ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def spec_dir(hsds_dir: Path) -> Path:
    """The official HSDS 3.0 specification folder."""
    return hsds_dir / "openreferral-specification-3.0"


def page_schema(spec_dir: Path) -> dict[str, Any]:
    """The schema of the HSDS 3.0 ``GET /services`` response: a ``Page`` of ``service_list``."""
    openapi = json.loads((spec_dir / "schema" / "openapi.json").read_text(encoding="utf-8"))
    service_list = json.loads(
        (spec_dir / "schema" / "compiled" / "service_list.json").read_text(encoding="utf-8")
    )
    response = openapi["paths"]["/services"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["schema"]
    assert response["properties"]["contents"]["items"]["$ref"].endswith(
        "schema/compiled/service_list.json"
    )
    schema = copy.deepcopy(response)
    schema["properties"]["contents"]["items"] = service_list
    schema["allOf"] = [openapi["components"]["schemas"]["Page"]]
    schema["required"] = [
        "total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty",
        "contents",
    ]
    return schema


def validate_json_export(document: dict[str, Any], spec_dir: Path) -> None:
    """Validate an export against the API page schema and every service against the full schema."""
    checker = jsonschema.FormatChecker()
    for fmt in ("uuid", "uri", "email", "date-time"):
        assert fmt in checker.checkers, f"format checking of {fmt} is not installed"
    jsonschema.validate(document, page_schema(spec_dir), format_checker=checker)
    full = json.loads(
        (spec_dir / "schema" / "compiled" / "service_with_definitions.json").read_text("utf-8")
    )
    validator = jsonschema.Draft202012Validator(full, format_checker=checker)
    for service in document["contents"]:
        errors = sorted(validator.iter_errors(service), key=lambda e: list(e.absolute_path))
        assert not errors, "\n".join(
            f"{service['name']}: {list(e.absolute_path)}: {e.message}" for e in errors[:20]
        )


def snapshot(session: Session) -> Snapshot:
    """Every row of every table (but the change journal), without created/updated, sorted."""
    tables: Snapshot = {}
    for table in Base.metadata.sorted_tables:
        if table.name in NOT_COMPARED_TABLES:
            continue
        columns = [c for c in table.columns if c.name not in NOT_COMPARED_COLUMNS]
        rows = [dict(row._mapping) for row in session.execute(select(*columns))]
        tables[table.name] = sorted(rows, key=lambda row: json.dumps(row, default=str))
    return tables


def _key(table: str, row: dict[str, Any]) -> Any:
    """The primary key of ``row`` in ``table``."""
    columns = [c.name for c in Base.metadata.tables[table].primary_key.columns]
    return tuple(row[c] for c in columns)


def assert_same(before: Snapshot, after: Snapshot) -> None:
    """Fail, naming each lost, gained or changed row and column, when two snapshots differ."""
    problems: list[str] = []
    for table in before:
        old = {_key(table, row): row for row in before[table]}
        new = {_key(table, row): row for row in after[table]}
        for key in old.keys() - new.keys():
            problems.append(f"{table}: lost {old[key]}")
        for key in new.keys() - old.keys():
            problems.append(f"{table}: gained {new[key]}")
        for key in old.keys() & new.keys():
            changed = {c: (old[key][c], new[key][c]) for c in old[key]
                       if old[key][c] != new[key][c]}
            if changed:
                problems.append(f"{table} {key}: (before, after) {changed}")
    assert not problems, f"round trip changed {len(problems)} rows:\n" + "\n".join(
        sorted(problems)[:40])


def import_into_empty_database(
    engine: Engine, session_factory: sessionmaker[Session], path: Path, source: str | None = None
) -> Snapshot:
    """Wipe the database, import ``path`` with the HSDS importer, commit; the resulting snapshot."""
    from directory_data.hsds.importer import import_path

    wipe(engine)
    with session_factory() as session:
        import_path(session, path, source=source)
        session.commit()
    with session_factory() as session:
        return snapshot(session)


def export(session_factory: sessionmaker[Session], path: Path, fmt: str) -> int:
    """Export the directory in ``fmt`` to ``path`` from a fresh session."""
    with session_factory() as session:
        return export_directory(session, path, fmt)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _attributes(obj: dict[str, Any]) -> dict[str, list[str]]:
    """The ``kiosk:*`` attribute values of an exported object, by code."""
    values: dict[str, list[str]] = {}
    for attribute in obj.get("attributes", []):
        code = attribute["taxonomy_term"]["code"]
        if ext.is_extension(code):
            values.setdefault(code, []).append(attribute["value"])
    return values


# ------------------------------------------------------------------------------------------------
# JSON
# ------------------------------------------------------------------------------------------------


def test_formats() -> None:
    assert EXPORT_FORMATS == ("json", "csv")


def test_json_export_validates_against_the_spec(
    directory: dict[str, Any], session_factory: sessionmaker[Session], spec_dir: Path,
    tmp_path: Path,
) -> None:
    path = tmp_path / "out" / "directory.json"
    assert export(session_factory, path, "json") == 2
    document = json.loads(path.read_text(encoding="utf-8"))
    validate_json_export(document, spec_dir)
    assert {k: v for k, v in document.items() if k != "contents"} == {
        "total_items": 2, "total_pages": 1, "page_number": 1, "size": 2, "first_page": True,
        "last_page": True, "empty": False,
    }
    assert [s["name"] for s in document["contents"]] == ["Crisis counseling", "Emergency shelter"]


def test_json_service_carries_every_field(
    directory: dict[str, Any], session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    path = tmp_path / "directory.json"
    export(session_factory, path, "json")
    service = json.loads(path.read_text(encoding="utf-8"))["contents"][0]
    counseling = directory["counseling"]

    assert service["id"] == counseling.id
    assert service["minimum_age"] == 13 and service["maximum_age"] == 99
    assert service["assured_date"] == "2026-09-14"
    assert service["last_modified"] == "2026-09-14T15:30:05.123000Z"
    assert service["status"] == "active"
    assert service["organization"]["parent_organization_id"] == directory["parent_org"].id
    assert "services" not in service["organization"]
    assert [p["number"] for p in service["organization"]["phones"]] == ["(407) 555-0105"]
    assert _attributes(service) == {
        ext.SOURCE: [SOURCE],
        ext.SOURCE_ID: [counseling.source_id],
        ext.CATEGORY: ["abuse", "mental-health"],
        ext.NAME_ES: ["Consejería en crisis"],
        ext.DESCRIPTION_ES: [counseling.description_es],
        ext.OFFICER_NOTES: [counseling.officer_notes],
        ext.WALK_IN: ["true"],
    }
    taxonomy = [a for a in service["attributes"] if a["link_type"] == "taxonomy"]
    assert len(taxonomy) == 1
    term = taxonomy[0]["taxonomy_term"]
    assert taxonomy[0]["link_entity"] == "service" and taxonomy[0]["link_id"] == counseling.id
    assert term["code"] == "RP-1500"
    assert term["parent_id"] == directory["parent_term"].id
    assert term["taxonomy"] == "AIRS/211 LA County"
    assert term["taxonomy_detail"]["version"] == "2024"

    phones = {p["number"]: p for p in service["phones"]}
    assert _attributes(phones["(407) 555-0103"])[ext.AUDIENCE] == ["officer"]
    assert _attributes(phones["(407) 555-0101"])[ext.AUDIENCE] == ["public"]
    assert phones["(407) 555-0102"]["type"] == "text"
    assert phones["(407) 555-0101"]["extension"] == 12
    assert [lang["code"] for lang in phones["(407) 555-0101"]["languages"]] == ["es"]

    hours = {(s.get("description"), s.get("opens_at"), s.get("closes_at")) for s in
             service["schedules"]}
    assert ("Weekday mornings", "08:00", "12:00") in hours
    assert ("Weekday afternoons", "13:00", "17:00") in hours
    assert ("Overnight line", "22:00", "06:00") in hours
    assert ("Christmas Eve hours", "09:00", "12:30:15") in hours
    closure = next(s for s in service["schedules"] if s.get("description") == "Closed for Christmas")
    assert closure["valid_from"] == closure["valid_to"] == "2026-12-25"
    assert not {"freq", "byday", "opens_at", "closes_at", "timezone"} & closure.keys()
    assert _attributes(closure)[ext.TIMEZONE] == ["America/New_York"]

    costs = {c["option"]: c for c in service["cost_options"]}
    assert costs["Free"]["amount"] == 0 and costs["Sliding scale"]["amount"] == 20.5

    locations = {sal["location"]["name"]: sal for sal in service["service_at_locations"]}
    office = locations["Lakeside Sanford office"]["location"]
    assert _attributes(office)[ext.CONFIDENTIAL] == ["false"]
    assert office["latitude"] == 28.8029
    assert {a["address_type"] for a in office["addresses"]} == {"physical", "postal"}
    assert office["accessibility"][0]["details"].startswith("Ramp")
    assert [p["number"] for p in office["phones"]] == ["(407) 555-0104"], "service phones stay there"
    assert [lang["code"] for lang in office["languages"]] == ["ht"]
    assert [s["byday"] for s in office["schedules"]] == ["SA"]
    safe_house = locations["Safe House"]
    assert _attributes(safe_house["location"])[ext.CONFIDENTIAL] == ["true"]
    assert [s["byday"] for s in safe_house["schedules"]] == ["WE"]
    assert _attributes(safe_house)[ext.SOURCE] == [SOURCE]

    for record in (closure, office["addresses"][0], office["accessibility"][0],
                   service["languages"][0], service["cost_options"][0], safe_house):
        assert set(_attributes(record)) >= {ext.SOURCE, ext.SOURCE_ID}


def test_json_leaves_out_nulls_and_empty_optional_fields(
    db_session: Session, session_factory: sessionmaker[Session], spec_dir: Path, tmp_path: Path
) -> None:
    org = Organization(name="Bare", description="")
    db_session.add(org)
    db_session.flush()
    db_session.add(Service(name="Bare service", organization_id=org.id, alternate_name=""))
    db_session.commit()
    path = tmp_path / "bare.json"
    export(session_factory, path, "json")
    document = json.loads(path.read_text(encoding="utf-8"))
    validate_json_export(document, spec_dir)
    service = document["contents"][0]
    assert set(service) == {"id", "organization_id", "name", "status", "organization",
                            "attributes"}
    assert service["organization"]["description"] == "", "required fields stay, even empty"
    assert "null" not in path.read_text(encoding="utf-8")


def test_web_addresses_are_written_as_valid_uris(
    db_session: Session, session_factory: sessionmaker[Session], spec_dir: Path, tmp_path: Path
) -> None:
    db_session.add(Service(name="Parks", url="https://example.gov/index.asp?SEC={D4C9}&q=a b",
                           description="Parks and recreation."))
    db_session.commit()
    export(session_factory, tmp_path / "parks.json", "json")
    document = json.loads((tmp_path / "parks.json").read_text("utf-8"))
    validate_json_export(document, spec_dir)
    assert document["contents"][0]["url"] == "https://example.gov/index.asp?SEC=%7BD4C9%7D&q=a%20b"
    export(session_factory, tmp_path / "package", "csv")
    assert read_csv(tmp_path / "package" / "services.csv")[0]["url"] == (
        "https://example.gov/index.asp?SEC=%7BD4C9%7D&q=a%20b")


def test_json_into_an_existing_folder_writes_directory_json(
    directory: dict[str, Any], session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    assert export(session_factory, tmp_path, "json") == 2
    assert json.loads((tmp_path / "directory.json").read_text("utf-8"))["total_items"] == 2
    assert not list(tmp_path.glob(".*partial"))


def test_empty_directory_exports_an_empty_page(
    session_factory: sessionmaker[Session], spec_dir: Path, tmp_path: Path
) -> None:
    path = tmp_path / "empty.json"
    assert export(session_factory, path, "json") == 0
    document = json.loads(path.read_text("utf-8"))
    validate_json_export(document, spec_dir)
    assert document["empty"] is True and document["contents"] == []


def test_unknown_format_is_refused(session_factory: sessionmaker[Session], tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown export format"):
        export(session_factory, tmp_path / "x", "xml")


# ------------------------------------------------------------------------------------------------
# CSV
# ------------------------------------------------------------------------------------------------


def test_vendored_tabular_schema_is_the_specs(spec_dir: Path) -> None:
    spec = json.loads((spec_dir / "datapackage.json").read_text(encoding="utf-8"))
    assert PACKAGE_METADATA == {k: v for k, v in spec.items() if k != "resources"}
    by_name = {resource["name"]: resource for resource in spec["resources"]}
    for resource in RESOURCES:
        original = by_name[resource["name"]]
        for key in ("path", "description", "format", "mediatype", "profile"):
            assert resource[key] == original[key]
        assert resource["schema"]["primaryKey"] == original["schema"]["primaryKey"]
        assert resource["schema"].get("foreignKeys") == original["schema"].get("foreignKeys")
        assert resource["schema"]["fields"] == [
            {k: v for k, v in field.items() if k not in ("example", "core")}
            for field in original["schema"]["fields"]
        ]


def test_csv_package_validates_with_frictionless(
    directory: dict[str, Any], session_factory: sessionmaker[Session], spec_dir: Path,
    tmp_path: Path,
) -> None:
    folder = tmp_path / "package"
    assert export(session_factory, folder, "csv") == 2
    report = frictionless.validate(folder / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert report.stats["errors"] == 0

    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["profile"] == "tabular-data-package"
    names = [resource["name"] for resource in descriptor["resources"]]
    assert set(names) == {
        "organization", "service", "location", "service_at_location", "address", "phone",
        "schedule", "language", "accessibility", "cost_option", "taxonomy", "taxonomy_term",
        "attribute", "service_capacity", "unit",
    }
    spec = json.loads((spec_dir / "datapackage.json").read_text(encoding="utf-8"))
    # HSDS 3.1's capacity tables: their copy is checked against 3.1-dev in test_capacity_csv.py.
    spec_resources = {resource["name"]: resource
                      for resource in (*spec["resources"], *CAPACITY_RESOURCES)}
    for resource in descriptor["resources"]:
        original = spec_resources[resource["name"]]
        assert resource["path"] == original["path"]
        columns = [field["name"] for field in original["schema"]["fields"]]
        assert [f["name"] for f in resource["schema"]["fields"]] == columns
        with (folder / resource["path"]).open(encoding="utf-8", newline="") as handle:
            assert next(csv.reader(handle)) == columns, resource["path"]
        for key in resource["schema"].get("foreignKeys", []):
            assert key["reference"]["resource"] in names
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [r["path"] for r in descriptor["resources"]] + ["datapackage.json"]
    )


def test_csv_rows_hold_the_kiosk_fields(
    directory: dict[str, Any], session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    folder = tmp_path / "package"
    export(session_factory, folder, "csv")
    terms = {row["id"]: row for row in read_csv(folder / "taxonomy_terms.csv")}
    attributes = read_csv(folder / "attributes.csv")

    def values(link_id: str, code: str) -> list[str]:
        return sorted(a["value"] for a in attributes
                      if a["link_id"] == link_id and terms[a["taxonomy_term_id"]]["code"] == code)

    counseling, officer_line = directory["counseling"], directory["officer_line"]
    assert values(counseling.id, ext.CATEGORY) == ["abuse", "mental-health"]
    assert values(counseling.id, ext.WALK_IN) == ["true"]
    assert values(directory["shelter"].id, ext.CONFIDENTIAL) == ["true"]
    assert values(officer_line.id, ext.AUDIENCE) == ["officer"]
    assert values(officer_line.id, ext.SOURCE_ID) == [officer_line.source_id]
    taxonomy_links = [a for a in attributes if a["link_type"] == "taxonomy"]
    assert {(a["link_id"], a["taxonomy_term_id"]) for a in taxonomy_links} == {
        (counseling.id, directory["child_term"].id),
        (directory["shelter_service"].id, directory["parent_term"].id),
    }
    schedules = read_csv(folder / "schedules.csv")
    overnight = next(s for s in schedules if s["description"] == "Overnight line")
    assert (overnight["opens_at"], overnight["closes_at"]) == ("22:00:00", "06:00:00")
    assert overnight["timezone"] == "", "HSDS 3.0 wants an offset there: the zone is an attribute"
    services = {row["id"]: row for row in read_csv(folder / "services.csv")}
    assert services[counseling.id]["last_modified"] == "2026-09-14T15:30:05.123000Z"
    costs = read_csv(folder / "cost_options.csv")
    assert sorted(c["amount"] for c in costs) == ["0.00", "20.50"]
    child = terms[directory["child_term"].id]
    ids_in_order = list(terms)
    assert ids_in_order.index(child["parent_id"]) < ids_in_order.index(child["id"])


def test_csv_holds_every_organization_even_without_services(
    directory: dict[str, Any], db_session: Session, session_factory: sessionmaker[Session],
    tmp_path: Path,
) -> None:
    lonely = Organization(source=SOURCE, source_id="org-lonely", name="No services yet",
                          description="Listed before its programs.")
    db_session.add(lonely)
    db_session.commit()
    folder = tmp_path / "package"
    assert export(session_factory, folder, "csv") == 2
    organizations = {row["id"] for row in read_csv(folder / "organizations.csv")}
    assert organizations == {directory["org"].id, directory["parent_org"].id, lonely.id}
    report = frictionless.validate(folder / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_csv_into_a_file_is_refused(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    path = tmp_path / "a-file"
    path.write_text("x")
    with pytest.raises(NotADirectoryError):
        export(session_factory, path, "csv")


# ------------------------------------------------------------------------------------------------
# Efficiency
# ------------------------------------------------------------------------------------------------


@pytest.fixture
def count_queries(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements run on ``engine`` while the test runs."""
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", record)
    yield statements
    event.remove(engine, "before_cursor_execute", record)


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_query_count_does_not_grow_with_services(
    db_session: Session, session_factory: sessionmaker[Session], count_queries: list[str],
    tmp_path: Path, fmt: str,
) -> None:
    build_directory(db_session)
    db_session.commit()
    count_queries.clear()
    export(session_factory, tmp_path / "small", fmt)
    small = len(count_queries)
    for _ in range(5):
        build_directory(db_session)
    db_session.commit()
    count_queries.clear()
    export(session_factory, tmp_path / "large", fmt)
    assert len(count_queries) == small <= 25


@pytest.mark.slow
def test_ten_thousand_services_export_in_seconds(
    db_session: Session, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    org = Organization(name="Big agency", description="Many services.")
    db_session.add(org)
    db_session.flush()
    site = Location(name="Main site", organization_id=org.id, latitude=28.8, longitude=-81.3)
    db_session.add(site)
    db_session.flush()
    # The same rows as 50,000 ORM objects, written as bulk INSERTs (the export is what is timed;
    # building the objects one by one took longer than the two exports).
    ids = [new_id() for _ in range(10_000)]
    rows: dict[type[Base], list[dict[str, Any]]] = {
        Service: [{"id": ident, "source_id": f"svc-{n}", "name": f"Service {n}",
                   "organization_id": org.id, "description": "A service."}
                  for n, ident in enumerate(ids)],
        Phone: [{"id": new_id(), "source_id": f"phone-{n}", "service_id": ident,
                 "number": "(407) 555-0100"} for n, ident in enumerate(ids)],
        Schedule: [{"id": new_id(), "source_id": f"sched-{n}", "service_id": ident,
                    "freq": "WEEKLY", "byday": "MO,TU", "opens_at": dt.time(9),
                    "closes_at": dt.time(17)} for n, ident in enumerate(ids)],
        ServiceAtLocation: [{"id": new_id(), "source_id": f"sal-{n}", "service_id": ident,
                             "location_id": site.id} for n, ident in enumerate(ids)],
        ServiceCategory: [{"service_id": ident, "category_slug": "housing"} for ident in ids],
    }
    for model, values in rows.items():
        db_session.execute(insert(model), values)
    db_session.commit()
    for fmt in EXPORT_FORMATS:
        started, cpu_started = time.perf_counter(), time.process_time()
        assert export(session_factory, tmp_path / f"big-{fmt}", fmt) == 10_000
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        # CPU time, not wall time: the bound must hold on a machine busy with other work.
        assert cpu < 30, f"{fmt} export of 10,000 services took {cpu:.1f} s CPU ({wall:.1f} s)"


# ------------------------------------------------------------------------------------------------
# Round trips: import -> export -> import loses nothing
# ------------------------------------------------------------------------------------------------


def round_trip(
    engine: Engine, session_factory: sessionmaker[Session], folder: Path, fmt: str
) -> tuple[Snapshot, Snapshot]:
    """Snapshot the database, export it in ``fmt``, import that into an empty database, snapshot."""
    with session_factory() as session:
        before = snapshot(session)
    path = folder / ("directory.json" if fmt == "json" else "package")
    export(session_factory, path, fmt)
    return before, import_into_empty_database(engine, session_factory, path)


def with_uris_encoded(snap: Snapshot) -> Snapshot:
    """``snap`` with web addresses as the export writes them: valid URIs (``{`` -> ``%7B`` ...).

    The importer stores some addresses that are not valid URIs (one Miami service URL holds
    ``{...}``); the export percent-encodes them, which is the one change it makes on purpose.
    """
    out: Snapshot = {}
    for table, rows in snap.items():
        columns = uri_columns(table) if table in HSDS_TABLES else frozenset()
        out[table] = [
            {c: uri_text(v) if c in columns and isinstance(v, str) else v for c, v in row.items()}
            for row in rows
        ]
    return out


def assert_round_trip(before: Snapshot, after: Snapshot) -> None:
    """``after`` holds exactly what ``before`` did (web addresses as valid URIs)."""
    assert_same(with_uris_encoded(before), after)


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_orm_directory_round_trips(
    directory: dict[str, Any], engine: Engine, session_factory: sessionmaker[Session],
    tmp_path: Path, fmt: str,
) -> None:
    before, after = round_trip(engine, session_factory, tmp_path, fmt)
    assert_round_trip(before, after)
    # The service-at-location schedule kept its link, and the crosswalk category its origin.
    schedules = {row["id"]: row for row in after["schedule"]}
    assert sum(1 for row in schedules.values() if row["service_at_location_id"]) == 1
    assert {(r["category_slug"], r["assigned_by"]) for r in after["service_category"]
            if r["service_id"] == directory["shelter_service"].id} == {
        ("housing", "listing"), ("abuse", "listing"), ("mental-health", "crosswalk")}


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_export_of_an_imported_export_is_the_same_file(
    directory: dict[str, Any], engine: Engine, session_factory: sessionmaker[Session],
    tmp_path: Path, fmt: str,
) -> None:
    """Export, import, export again, import that, export: the last two exports are the same.

    Each export sits in a folder of the same name (``export``), the source name the importer
    gives records that carry none.
    """
    round_trip(engine, session_factory, tmp_path / "1" / "export", fmt)
    round_trip(engine, session_factory, tmp_path / "2" / "export", fmt)
    (tmp_path / "3" / "export").mkdir(parents=True)
    export(session_factory, tmp_path / "3" / "export", fmt)
    name = "directory.json" if fmt == "json" else "package"
    second, third = tmp_path / "2" / "export" / name, tmp_path / "3" / "export"
    if fmt == "json":
        assert (third / "directory.json").read_text("utf-8") == second.read_text("utf-8")
    else:
        for file in second.iterdir():
            assert (third / file.name).read_text("utf-8") == file.read_text("utf-8"), file.name


def test_csv_round_trip_keeps_records_no_service_reaches(
    directory: dict[str, Any], db_session: Session, engine: Engine,
    session_factory: sessionmaker[Session], tmp_path: Path,
) -> None:
    db_session.add_all([
        Organization(**_ids("organization")(), name="No services yet",
                     description="Listed before its programs."),
        TaxonomyTerm(**_ids("taxonomy_term")(), code="B", name="Basic Needs",
                     description="Food, shelter and clothing.", taxonomy="AIRS/211 LA County"),
        Location(**_ids("location")(), name="Storage unit", latitude=28.8, longitude=-81.2),
    ])
    db_session.commit()
    before, after = round_trip(engine, session_factory, tmp_path, "csv")
    assert_round_trip(before, after)


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_round_trip_keeps_ordinal_weekdays(
    db_session: Session, engine: Engine, session_factory: sessionmaker[Session], tmp_path: Path,
    fmt: str,
) -> None:
    service = Service(**_ids("service")(), name="Food pantry", url="https://pantry.example.org")
    db_session.add(service)
    db_session.flush()
    db_session.add(ServiceCategory(service_id=service.id, category_slug="housing", assigned_by="listing"))
    db_session.add(Schedule(**_ids("schedule")(), service_id=service.id, freq="MONTHLY",
                            byday="1SA,-1FR", opens_at=dt.time(9), closes_at=dt.time(12)))
    db_session.commit()
    before, after = round_trip(engine, session_factory, tmp_path, fmt)
    assert_round_trip(before, after)
    assert [row["byday"] for row in after["schedule"]] == ["1SA,-1FR"]


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_a_retired_location_is_exported_and_stays_retired_when_the_export_comes_back(
    directory: dict[str, Any], session_factory: sessionmaker[Session], tmp_path: Path, fmt: str,
) -> None:
    """The export keeps a retired place and its links (see ``load_services``); importing that
    export into the same directory neither deletes the links nor puts the place back in use."""
    from directory_data.hsds.importer import import_path

    shelter_id = directory["shelter"].id
    with session_factory() as session:
        shelter = session.get_one(Location, shelter_id)
        assert retire_location(session, shelter, expected_version=shelter.version, actor="case.kim") == 2
        session.commit()
        retired_at = shelter.retired_at
        assert retired_at is not None
        before = snapshot(session)
    path = tmp_path / ("directory.json" if fmt == "json" else "package")
    export(session_factory, path, fmt)
    if fmt == "json":
        links = [(link["id"], link["location"]["id"])
                 for service in json.loads(path.read_text("utf-8"))["contents"]
                 for link in service.get("service_at_locations", [])]
    else:
        links = [(row["id"], row["location_id"])
                 for row in read_csv(path / resource_path("service_at_location"))]
    assert sorted(links) == sorted((row["id"], row["location_id"]) for row in before["service_at_location"])
    assert sum(1 for _, location_id in links if location_id == shelter_id) == 2

    with session_factory() as session:
        import_path(session, path)
        session.commit()
    with session_factory() as session:
        assert_same({t: before[t] for t in ("location", "service_at_location")}, snapshot(session))
        assert session.get_one(Location, shelter_id).retired_at == retired_at


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_round_trip_keeps_ids_not_derived_from_source_ids(
    db_session: Session, engine: Engine, session_factory: sessionmaker[Session], tmp_path: Path,
    fmt: str,
) -> None:
    service = Service(id=new_id(), source=SOURCE, source_id="hand-made", name="Food pantry",
                      url="https://pantry.example.org")  # (one nobody could reach would be held)
    assert service.id != stable_id(SOURCE, "service", "hand-made")
    db_session.add(service)
    db_session.flush()
    db_session.add(ServiceCategory(service_id=service.id, category_slug="housing", assigned_by="listing"))
    db_session.commit()
    before, after = round_trip(engine, session_factory, tmp_path, fmt)
    assert_round_trip(before, after)
    assert [row["id"] for row in after["service"]] == [service.id]


@pytest.fixture
def curated_file() -> Path:
    """The built curated sample directory (``seminole_county.json``)."""
    from directory_data.curated import sample_path

    path = sample_path()
    if not path.is_file():
        pytest.fail(f"the curated directory {path} is missing")
    return path


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_curated_directory_round_trips(
    curated_file: Path, engine: Engine, session_factory: sessionmaker[Session],
    spec_dir: Path, tmp_path: Path, fmt: str,
) -> None:
    from directory_data.curated import NATIONAL_SOURCE, SAMPLE_SOURCE, national_path
    from directory_data.hsds.importer import import_path

    import_into_empty_database(engine, session_factory, curated_file, SAMPLE_SOURCE)
    with session_factory.begin() as session:  # the real lines beside the sample
        import_path(session, national_path(), source=NATIONAL_SOURCE)
    before, after = round_trip(engine, session_factory, tmp_path, fmt)
    assert len(before["service"]) >= 150
    if fmt == "json":
        validate_json_export(json.loads((tmp_path / "directory.json").read_text("utf-8")),
                             spec_dir)
    else:
        report = frictionless.validate(tmp_path / "package" / "datapackage.json")
        assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:20]
    assert_round_trip(before, after)


@pytest.fixture(scope="module")
def miami(miami_database: ImportedDatabase) -> Snapshot:
    """The Miami Open211 data (HSDS 1.1 CSV) imported into an empty database (the run's shared
    import, which these tests only read): its snapshot."""
    with miami_database.session_factory() as session:
        return snapshot(session)


def miami_round_trip(
    miami_database: ImportedDatabase, engine: Engine, session_factory: sessionmaker[Session],
    folder: Path, fmt: str,
) -> Snapshot:
    """Export the shared Miami database in ``fmt`` and import that into the (empty) test database;
    the test database's snapshot (``round_trip`` with the export read from the shared one)."""
    path = folder / ("directory.json" if fmt == "json" else "package")
    export(miami_database.session_factory, path, fmt)
    return import_into_empty_database(engine, session_factory, path)


@pytest.mark.slow
def test_miami_data_round_trips_through_csv(
    miami: Snapshot, miami_database: ImportedDatabase, engine: Engine,
    session_factory: sessionmaker[Session], tmp_path: Path,
) -> None:
    before, after = miami, miami_round_trip(miami_database, engine, session_factory, tmp_path, "csv")
    assert len(before["service"]) > 100
    assert_round_trip(before, after)


@pytest.mark.slow
def test_miami_data_round_trips_through_json(
    miami: Snapshot, miami_database: ImportedDatabase, engine: Engine,
    session_factory: sessionmaker[Session], tmp_path: Path,
) -> None:
    """Everything a service reaches comes back; records no service reaches are not in a list.

    A service list only holds what its services reach: organizations without services,
    locations without services and terms attached to no service stay behind (the CSV package
    carries them), so a term whose parent is such a term comes back without its parent.
    """
    after = miami_round_trip(miami_database, engine, session_factory, tmp_path, "json")
    # Schema validity of JSON exports is held by the curated and hand-built directories; checking
    # Miami's 112 MB document against the schema costs minutes on every run and adds no case.
    before = with_uris_encoded(miami)  # new row dicts: the shared snapshot is not changed below
    attached = {row["taxonomy_term_id"] for row in before["service_taxonomy"]}
    assert {row["id"] for row in after["taxonomy_term"]} == attached
    for term in before["taxonomy_term"]:
        if term["parent_id"] not in attached:
            term["parent_id"] = None
    for table in ("service", "service_at_location", "cost_option", "service_category",
                  "service_taxonomy"):
        assert_same({table: before[table]}, {table: after[table]})
    for table, rows in after.items():
        old = {_key(table, row): row for row in before[table]}
        changed = {key: {c: (old[key].get(c), v) for c, v in row.items() if old[key].get(c) != v}
                   if key in old else "not there before"
                   for key, row in ((_key(table, row), row) for row in rows)
                   if old.get(key) != row}
        assert not changed, f"{table}: {list(changed.items())[:3]}"
    reached = {row["location_id"] for row in before["service_at_location"]}
    assert {row["id"] for row in after["location"]} == reached


# ------------------------------------------------------------------------------------------------
# Through the CLI
# ------------------------------------------------------------------------------------------------


def test_kiosk_export_csv_through_the_cli(
    runner: FlaskCliRunner, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    with session_factory() as session:
        build_directory(session)
        session.commit()
    folder = tmp_path / "package"
    result = runner.invoke(args=["export", str(folder), "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert f"exported 2 services to {folder}" in result.output
    assert len(read_csv(folder / "services.csv")) == 2
    assert frictionless.validate(folder / "datapackage.json").valid


def test_kiosk_export_json_through_the_cli(
    runner: FlaskCliRunner, session_factory: sessionmaker[Session], spec_dir: Path,
    tmp_path: Path,
) -> None:
    with session_factory() as session:
        build_directory(session)
        session.commit()
    result = runner.invoke(args=["export", str(tmp_path), "--format", "json"])
    assert result.exit_code == 0, result.output
    validate_json_export(json.loads((tmp_path / "directory.json").read_text("utf-8")), spec_dir)
