"""The rebuild's bulk loader gives exactly the documents of the ORM loader, and fails loudly."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from directory_data.models import (
    Language,
    Location,
    Phone,
    PhoneAudience,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceStatus,
    new_id,
)
from search_factory import make_service
from directory_data.service_rows import load_listing_range, load_listings, services_in_order
from search_index.documents import service_document


@pytest.fixture
def services(session_factory: sessionmaker[Session]) -> list[str]:
    with session_factory.begin() as session:
        rich = make_service(
            session, "Harbor House", description="Shelter and meals", organization="Harbor Org",
            categories=["housing", "abuse"], taxonomy=[("BH-1800.8500", "Homeless Shelter"), ("BD-1800", "Emergency Food")],
            languages=["es", "ht"], phones=["407-555-0100", "407-555-0101", "988"],
            hours=[("MO,TU", "09:00", "17:00"), ("SA", "22:00", "02:00")],
            closures=[(dt.date(2026, 12, 24), dt.date(2026, 12, 26))], timezone="America/Chicago",
            point=(28.8, -81.27), postal_code="32771", free=True, min_age=18, walk_in=True,
            eligibility="Adults", name_es="Casa Puerto", description_es="Refugio", accessibility="Ramp",
        )
        bare = Service(source_id=new_id(), name="Bare Listing")  # no organization, nothing linked
        session.add(bare)
        defunct = make_service(session, "Closed Clinic")
        defunct.status = ServiceStatus.defunct
        sharing = make_service(session, "Second Service At Harbor")
        session.flush()
        location_id = session.scalars(
            select(ServiceAtLocation.location_id).where(ServiceAtLocation.service_id == rich.id)
        ).one()
        session.add(ServiceAtLocation(source_id=new_id(), service_id=sharing.id, location_id=location_id))
        # Location-level rows, read by the document when a service has none of its own.
        session.add(Phone(source_id=new_id(), location_id=location_id, number="407-555-0200"))
        session.add(Phone(source_id=new_id(), location_id=location_id, number="407-555-0201",
                          audience=PhoneAudience.officer))
        session.add(Language(source_id=new_id(), location_id=location_id, code=None, name="Spanish"))
        session.add(Schedule(source_id=new_id(), location_id=location_id, freq="WEEKLY", byday="SU",
                             opens_at=dt.time(8), closes_at=dt.time(12)))
        session.get(Location, location_id).confidential = True
        return [rich.id, bare.id, defunct.id, sharing.id]


def test_indexing_leaves_defunct_services_out_and_display_keeps_the_order(
    session_factory: sessionmaker[Session], services: list[str]
) -> None:
    with session_factory() as session:
        assert [s.id for s in load_listings(session, services)] == sorted({services[0], services[1], services[3]})
        asked = [services[3], services[2], services[0]]  # rank order; the defunct one is not shown
        assert [s.id for s in services_in_order(session, asked)] == [services[3], services[0]]


def test_range_loading_matches(session_factory: sessionmaker[Session], services: list[str]) -> None:
    with session_factory() as session:
        by_ids = {s.id: service_document(s) for s in load_listings(session, services)}
    low, high = min(services), max(services)
    with session_factory() as session:
        by_range = {s.id: service_document(s) for s in load_listing_range(session, low, high)}
        assert load_listing_range(session, "~", "~~") == []
    assert by_range == by_ids
    live = sorted(by_ids)
    with session_factory() as session:  # a range holding part of the services
        part = load_listing_range(session, live[0], live[1])
    assert [s.id for s in part] == live[:2]


def test_rows_are_outside_the_session_and_loud_about_anything_not_loaded(
    session_factory: sessionmaker[Session], services: list[str]
) -> None:
    with session_factory() as session:
        (rich,) = load_listings(session, [services[0]])
        assert not session.identity_map
        assert [p.number for p in rich.phones][:2] == ["407-555-0100", "407-555-0101"]
        assert rich.is_free and rich.category_slugs == ["abuse", "housing"]  # the model's properties
        with pytest.raises(AttributeError, match="not loaded"):
            _ = rich.phones[0].service  # a back-reference the loader does not fill
        with pytest.raises(AttributeError, match="not loaded"):
            _ = rich.organization.locations


def test_nothing_asked_nothing_loaded(session_factory: sessionmaker[Session]) -> None:
    with session_factory() as session:
        assert load_listings(session, []) == []
        assert load_listings(session, ["no-such-id"]) == []
