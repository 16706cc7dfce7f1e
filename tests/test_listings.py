"""Workspace use-cases in directory_data: editing with optimistic locking, the audit trail in the
same transaction, verification, retiring and restoring (listings, organizations, locations),
staleness, problem reports, gap report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from directory_data.audit import audit_csv, install_audit_hooks, listing_history, set_actor
from directory_data.db import make_session_factory
from directory_data.gap_report import MIN_SHARED_SEARCHES, gap_report, report_csv, week_of
from directory_data.listing_edit import differences, edit_of
from directory_data.listings import (
    EditConflict,
    create_listing,
    load_listing,
    restore_listing,
    retire_listing,
    save_listing,
    verify_listing,
)
from directory_data.locations import (
    LocationConflict,
    find_locations,
    restore_location,
    retire_location,
)
from directory_data.models import (
    MISSION_CATEGORIES,
    AuditEntry,
    Location,
    Organization,
    ProblemKind,
    Service,
    ServiceAtLocation,
    ServiceStatus,
)
from directory_data.organizations import (
    create_organization,
    parse_organization,
    restore_organization,
    retire_organization,
)
from directory_data.problems import open_reports, report_problem, resolve_report, scrub
from directory_data.search_stats import record_search
from directory_data.service_rows import services_in_order
from directory_data.workspace_queries import ListingFilter, find_listings, stale_counts
from kiosk.forms.listing_form import Values, form_values, parse_form
from kiosk.forms.organization_field import resolve_organization
from kiosk_directory import TODAY, Directory, make_directory

CATEGORIES = set(MISSION_CATEGORIES)


@pytest.fixture
def audited(session_factory: sessionmaker[Session]) -> sessionmaker[Session]:
    install_audit_hooks(session_factory)
    return session_factory


@pytest.fixture
def directory(audited: sessionmaker[Session]) -> Directory:
    with audited() as session:
        return make_directory(session)


@pytest.fixture
def session(audited: sessionmaker[Session], directory: Directory) -> Iterator[Session]:
    with audited() as s:
        yield s


def _parse(session: Session, values: Values, current_id: str | None = None):
    """``parse_form`` with the organization resolved as the workspace resolves it."""
    pick = resolve_organization(session, values, current_id=current_id)
    return parse_form(values, categories=CATEGORIES, organization=pick)


def _edit(session: Session, service: Service, **changes: str):
    values = form_values(edit_of(service))
    for key, value in changes.items():
        values.put(key, value)
    edit, errors = _parse(session, values, service.organization_id)
    assert errors == []
    return edit


def test_round_trip_of_a_listing_through_the_form_changes_nothing(session: Session, directory: Directory) -> None:
    service = load_listing(session, directory.counseling)
    edit = _edit(session, service)
    assert differences(edit_of(service), edit) == []
    version = service.version
    save_listing(session, service, edit, expected_version=version, actor="case.kim")
    session.commit()
    fields = {e.field_name for e in listing_history(session, service.id)}
    assert fields <= {"assured_date"} or fields == set(), fields


def test_a_saved_edit_is_audited_in_the_same_transaction(session: Session, directory: Directory) -> None:
    service = load_listing(session, directory.housing_near)
    edit = _edit(session, service, **{"phones-0-number": "407 555 0177", "name": "Sanford Housing Desk"})
    save_listing(session, service, edit, expected_version=service.version, actor="case.kim")
    session.rollback()  # the change and its trail go together
    assert listing_history(session, directory.housing_near) == []
    service = load_listing(session, directory.housing_near)
    before = service.version
    edit = _edit(session, service, **{"phones-0-number": "407 555 0177", "name": "Sanford Housing Desk"})
    save_listing(session, service, edit, expected_version=before, actor="case.kim")
    session.commit()
    assert service.version == before + 1
    trail = {(e.resource_type, e.field_name): (e.previous_value, e.replacement_value, e.updated_by)
             for e in listing_history(session, directory.housing_near)}
    assert trail[("service", "name")] == ("Sanford Housing Help Desk", "Sanford Housing Desk", "case.kim")
    assert trail[("phone", "number")] == ("(407) 555-0133", "(407) 555-0177", "case.kim")
    assert "(407) 555-0177" in audit_csv(listing_history(session, directory.housing_near))


def test_every_new_session_factory_gets_the_audit_hooks(engine: Engine, session_factory: sessionmaker[Session]) -> None:
    # SQLAlchemy keys listeners by id(target) and keeps the key after the target dies, so asking
    # event.contains() let a factory born at a dead one's address go unaudited (a flaky test).
    for attempt in range(40):
        factory = make_session_factory(engine)
        install_audit_hooks(factory)
        with factory() as session:
            set_actor(session, "case.kim")
            session.add(Organization(source="kiosk-test", source_id=f"audit-{attempt}", name="Org"))
            session.flush()
            assert session.scalars(select(AuditEntry.field_name)).all(), f"factory {attempt} not audited"
            session.rollback()
        del factory, session  # freed at once: the next factory often gets its address


def test_second_save_of_the_same_version_conflicts_and_saves_nothing(
    audited: sessionmaker[Session], directory: Directory
) -> None:
    with audited() as first, audited() as second:
        a = load_listing(first, directory.childcare)
        b = load_listing(second, directory.childcare)
        version = a.version
        save_listing(first, a, _edit(first, a, description="First caseworker's text"),
                     expected_version=version, actor="case.one")
        first.commit()
        mine = _edit(second, b, description="Second caseworker's text")
        b = load_listing(second, directory.childcare)
        with pytest.raises(EditConflict) as raised:
            save_listing(second, b, mine, expected_version=version, actor="case.two")
        diff = differences(raised.value.current, mine)
        assert [(d.kind, d.theirs, d.mine) for d in diff] == [
            ("description", "First caseworker's text", "Second caseworker's text")]
        second.rollback()
    with audited() as check:
        assert check.get(Service, directory.childcare).description == "First caseworker's text"


def test_a_race_between_load_and_flush_is_a_conflict(audited: sessionmaker[Session], directory: Directory) -> None:
    with audited() as first, audited() as second:
        a = load_listing(first, directory.childcare)
        b = load_listing(second, directory.childcare)
        save_listing(first, a, _edit(first, a, name="Steps A"), expected_version=a.version, actor="x.one")
        first.commit()
        with pytest.raises(EditConflict):  # b still believes it has the current version
            save_listing(second, b, _edit(second, b, name="Steps B"), expected_version=b.version,
                         actor="x.two")


def test_validation_names_the_field(session: Session, directory: Directory) -> None:
    values = form_values(edit_of(load_listing(session, directory.counseling)))
    values.put("phones-0-number", "not a phone")
    values.put("hours-0-opens", "25:99")
    values.put("url", "mailto:someone@example.org")
    values.put("minimum_age", "30")
    values.put("maximum_age", "10")
    values.put("closures-0-start", "2026-12-26")
    values.put("closures-0-end", "2026-12-24")
    values.put("name", "")
    _, errors = _parse(session, values)
    assert {e.field for e in errors} == {"phones-0-number", "hours-0-opens", "url", "maximum_age",
                                        "closures-0-end", "name"}


def test_weekly_hours_with_two_spans_a_day_and_a_closure(session: Session, directory: Directory) -> None:
    service = load_listing(session, directory.childcare)
    values = form_values(edit_of(service))
    values["hours-0-days"] = ["MO", "WE"]
    values.put("hours-0-opens", "8am")
    values.put("hours-0-closes", "12:00")
    values["hours-1-days"] = ["MO", "WE"]
    values.put("hours-1-opens", "1:00 pm")
    values.put("hours-1-closes", "5pm")
    values.put("closures-0-start", "12/24/2026")
    values.put("closures-0-end", "2026-12-26")
    values.put("closures-0-note", "Christmas")
    edit, errors = _parse(session, values)
    assert errors == []
    save_listing(session, service, edit, expected_version=service.version, actor="case.kim")
    session.commit()
    saved = edit_of(load_listing(session, directory.childcare))
    assert [(h.days, str(h.opens), str(h.closes)) for h in saved.hours] == [
        (["MO", "WE"], "08:00:00", "12:00:00"), (["MO", "WE"], "13:00:00", "17:00:00")]
    assert [(c.start, c.end, c.note) for c in saved.closures] == [
        (dt.date(2026, 12, 24), dt.date(2026, 12, 26), "Christmas")]


def test_create_verify_retire_restore(session: Session, directory: Directory) -> None:
    org = create_organization(session, parse_organization({"name": "New Org"})[0], actor="case.kim")
    values = form_values(edit_of(Service(name="", status=ServiceStatus.active)), blank_rows=1)
    values.put("name", "Food pantry")
    values.put("organization_id", org.id)
    values["categories"] = ["housing"]
    values.put("phones-0-number", "4075550188")
    edit, errors = _parse(session, values)
    assert errors == []
    service = create_listing(session, edit, actor="case.kim")
    session.commit()
    assert service.category_slugs == ["housing"] and service.phones[0].number == "(407) 555-0188"
    verify_listing(session, service, actor="case.kim", today=TODAY)
    session.commit()
    assert (service.assured_date, service.assured_by) == (TODAY, "case.kim")
    service.status = ServiceStatus.temporarily_closed
    session.commit()
    retire_listing(session, service, actor="case.kim")
    session.commit()
    assert service.status == ServiceStatus.defunct and service.retired_at is not None
    restore_listing(session, service, actor="case.lee")
    session.commit()
    assert service.status == ServiceStatus.temporarily_closed and service.retired_at is None
    assert retire_organization(session, org, actor="case.kim") == 1
    session.commit()
    assert service.status == ServiceStatus.defunct
    assert restore_organization(session, org, actor="case.kim") == 1
    session.commit()
    actions = [e.last_action_type for e in listing_history(session, service.id)]
    assert "retire" in actions and "create" in actions and "update" in actions


def test_workspace_list_filters_and_staleness(session: Session, directory: Directory) -> None:
    found, total = find_listings(session, ListingFilter(stale=True), today=TODAY, stale_after_days=180)
    assert [s.id for s in found] == [directory.housing_near] and total == 1
    found, _ = find_listings(session, ListingFilter(text="555-0111"), today=TODAY, stale_after_days=180)
    assert [s.id for s in found] == [directory.shelter]
    found, _ = find_listings(session, ListingFilter(text="%"), today=TODAY, stale_after_days=180)
    assert found == []
    found, _ = find_listings(session, ListingFilter(text="' OR 1=1 --"), today=TODAY, stale_after_days=180)
    assert found == []
    counts = {c.slug: (c.stale, c.total) for c in stale_counts(session, today=TODAY, stale_after_days=180)}
    assert counts["housing"] == (1, 2)  # the defunct one is not counted
    assert counts["mental-health"] == (0, 1)
    found, _ = find_listings(session, ListingFilter(stale=True), today=TODAY, stale_after_days=10000)
    assert found == []


def test_problem_reports_keep_no_personal_data(session: Session, directory: Directory) -> None:
    report = report_problem(session, directory.counseling, ProblemKind.phone_wrong,
                            "Number is wrong, call me at 407-555-0123 or jo@example.org",
                            surface="kiosk", today=TODAY)
    session.commit()
    assert "0123" not in report.details and "@" not in report.details
    assert scrub("x" * 900) == "x" * 500
    assert [r.id for r, _ in open_reports(session)] == [report.id]
    found, _ = find_listings(session, ListingFilter(problems=True), today=TODAY, stale_after_days=180)
    assert [s.id for s in found] == [directory.counseling]
    resolve_report(session, report, actor="case.kim")
    session.commit()
    assert open_reports(session) == []
    with pytest.raises(LookupError):
        report_problem(session, "nope", ProblemKind.closed, "", surface="kiosk", today=TODAY)


def test_gap_report_shows_only_terms_shared_by_five_searches(session: Session) -> None:
    monday = week_of(TODAY)
    for i in range(MIN_SHARED_SEARCHES):
        record_search(session, monday, category=None, term="diaper bank", found=0, station="Sanford")
    for i in range(MIN_SHARED_SEARCHES - 1):
        record_search(session, monday, category=None, term="glasses repair", found=0, station="Sanford")
    record_search(session, monday, category="housing", term="rent", found=3, station="Oviedo")
    session.commit()
    report = gap_report(session, monday - dt.timedelta(days=14), monday + dt.timedelta(days=6))
    assert report.unmet == [("diaper bank", MIN_SHARED_SEARCHES)]
    assert dict(report.totals("station")) == {  # referrals are the report's second measure
        "Oviedo": {"searches": 1, "referrals": 0},
        "Sanford": {"searches": 2 * MIN_SHARED_SEARCHES - 1, "referrals": 0}}
    assert len(report.weeks()) == 3
    text = report_csv(report)
    assert "diaper bank" in text and "glasses repair" not in text


def test_a_new_listing_gets_its_place(session: Session) -> None:
    values = form_values(edit_of(Service(name="", status=ServiceStatus.active)), blank_rows=1)
    values.put("name", "Mobile clinic")
    values.put("place-name", "Clinic van")
    values.put("place-address_1", "1 Main St")
    values.put("place-city", "Sanford")
    values.put("place-latitude", "28.8")
    values.put("place-longitude", "-81.27")
    edit, errors = _parse(session, values)
    assert errors == []
    service = create_listing(session, edit, actor="case.kim")
    session.commit()
    place = edit_of(load_listing(session, service.id)).place
    assert (place.name, place.address_1, place.latitude) == ("Clinic van", "1 Main St", 28.8)


# Locations: retire and restore ----------------------------------------------------------------

STREET = "300 N Park Ave"  # directory.housing_near's only place


def _location_of(session: Session, service_id: str) -> Location:
    return session.scalars(select(Location).join(ServiceAtLocation)
                           .where(ServiceAtLocation.service_id == service_id)).one()


def test_retire_and_restore_are_audited_in_the_same_transaction(
    audited: sessionmaker[Session], directory: Directory
) -> None:
    with audited() as session:
        location = _location_of(session, directory.housing_near)
        version = location.version
        assert location.retired_at is None
        assert retire_location(session, location, expected_version=version, actor="case.kim") == 1
        assert location.retired_at is not None
        session.rollback()  # the retirement and its trail go together
        assert location.retired_at is None
        assert listing_history(session, directory.housing_near) == []
        assert services_in_order(session, [directory.housing_near])[0].location_links

        location = _location_of(session, directory.housing_near)
        before = dt.datetime.now(dt.timezone.utc)
        retire_location(session, location, expected_version=version, actor="case.kim")
        session.commit()
        assert location.version == version + 1
        retired_at = location.retired_at
        assert retired_at is not None and before <= retired_at <= dt.datetime.now(dt.timezone.utc)
        entry = listing_history(session, directory.housing_near)[0]
        assert (entry.resource_type, entry.resource_id, entry.last_action_type, entry.updated_by,
                entry.previous_value, entry.replacement_value) == (
            "location", location.id, "retire", "case.kim", "active", "retired")
        assert retire_location(session, location, expected_version=location.version, actor="x") == 0
        assert location.retired_at == retired_at and location.version == version + 1  # untouched

    with audited() as session:  # a new session: the retirement is in the database
        (service,) = services_in_order(session, [directory.housing_near])
        assert service is not None and service.location_links == []
        assert [row.retired for row in find_locations(session, "park ave")] == [True]
        assert [row.location.id for row in find_locations(session, "park ave", retired=True)] == [
            location.id]
        assert find_locations(session, "park ave", retired=False) == []
        location = _location_of(session, directory.housing_near)
        assert location.retired_at == retired_at  # read back timezone-aware, as written
        assert restore_location(session, location, expected_version=location.version,
                                actor="case.kim") == 1
        session.commit()
        assert location.retired_at is None and location.version == version + 2
        assert listing_history(session, directory.housing_near)[0].last_action_type == "restore"
        assert restore_location(session, location, expected_version=location.version, actor="x") == 0

    with audited() as session:
        (service,) = services_in_order(session, [directory.housing_near])
        assert service is not None
        assert [link.location.physical_address.address_1 for link in service.location_links] == [STREET]


def test_a_stale_version_is_a_conflict_and_changes_nothing(
    audited: sessionmaker[Session], directory: Directory
) -> None:
    with audited() as first, audited() as second:
        a, b = (_location_of(s, directory.childcare) for s in (first, second))  # both load it
        version = a.version
        a.name = "Little Steps, back building"
        first.commit()
        with pytest.raises(LocationConflict) as raised:  # b still believes it has the current version
            retire_location(second, b, expected_version=version, actor="case.two")
        assert raised.value.current.version == version + 1
        second.rollback()
        with pytest.raises(LocationConflict):  # told the version, but it is not the current one
            retire_location(second, _location_of(second, directory.childcare), expected_version=version,
                            actor="case.two")
        second.rollback()
    with audited() as check:
        assert _location_of(check, directory.childcare).retired_at is None
        assert listing_history(check, directory.childcare) == []
