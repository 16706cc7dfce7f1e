"""A small directory for the kiosk's tests: real rows through the models, around Sanford FL.

Six services: two near the station, one confidential shelter, one stale listing, one with
Spanish text and officer-only fields, one defunct (never shown).
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from directory_data.models import (
    Address,
    CostOption,
    Language,
    Location,
    Organization,
    Phone,
    PhoneAudience,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceCategory,
    ServiceStatus,
)

WEEKDAYS = "MO,TU,WE,TH,FR"
EVERY_DAY = "MO,TU,WE,TH,FR,SA,SU"
TODAY = dt.date.today()
_counter = itertools.count(1)


def src() -> dict[str, str]:
    """A unique (source, source_id) pair, the upsert key every record needs."""
    return {"source": "kiosk-test", "source_id": f"r{next(_counter)}"}


@dataclass
class Directory:
    """The ids of the test directory's services, by role."""

    counseling: str
    shelter: str
    childcare: str
    housing_near: str
    housing_far: str
    defunct: str


def _service(
    session: Session, *, name: str, category: str, lat: float, lon: float, street: str, city: str,
    phone: str, description: str, hours: tuple[str, str, str] | None = (WEEKDAYS, "09:00", "17:00"),
    confidential: bool = False, assured: dt.date | None = TODAY, status: ServiceStatus = ServiceStatus.active,
    **fields: object,
) -> Service:
    org = Organization(**src(), name=f"{name} Inc.", description="")
    service = Service(**src(), name=name, description=description, organization=org, status=status,
                      assured_date=assured, **fields)
    location = Location(**src(), name=name, latitude=lat, longitude=lon, confidential=confidential,
                        organization=org)
    location.addresses.append(Address(**src(), address_1=street, city=city, state_province="FL",
                                      postal_code="32771", country="US"))
    session.add_all([org, service, location])
    session.flush()
    session.add(ServiceAtLocation(**src(), service_id=service.id, location_id=location.id))
    session.add(ServiceCategory(service_id=service.id, category_slug=category, assigned_by="listing"))
    session.add(Phone(**src(), service_id=service.id, number=phone, audience=PhoneAudience.public))
    if hours is not None:
        days, opens, closes = hours
        session.add(Schedule(**src(), service_id=service.id, freq="WEEKLY", byday=days,
                             opens_at=dt.time.fromisoformat(opens),
                             closes_at=dt.time.fromisoformat(closes),
                             timezone="America/New_York"))
    session.add(Language(**src(), service_id=service.id, code="en", name="English"))
    return service


def make_directory(session: Session) -> Directory:
    """Add the test directory to ``session`` and commit it."""
    counseling = _service(
        session, name="Seminole Crisis Counseling Center", category="mental-health",
        lat=28.8050, lon=-81.2700, street="100 E 1st St", city="Sanford", phone="(407) 555-0100",
        description="Free counseling for adults and teens in crisis. Walk-ins welcome weekdays.",
        hours=(EVERY_DAY, "00:00", "23:59"),
        name_es="Centro de Consejería en Crisis de Seminole",
        description_es="Consejería gratuita para adultos y adolescentes en crisis.",
        officer_notes="Ask for the on-call clinician; they can meet officers at the door.",
    )
    session.add(Phone(**src(), service_id=counseling.id, number="(407) 555-0199",
                      audience=PhoneAudience.officer, description="Officer intake line"))
    session.add(Language(**src(), service_id=counseling.id, code="es", name="Spanish"))
    session.add(CostOption(**src(), service_id=counseling.id, amount=Decimal("0"), currency="USD",
                           option="Free"))
    shelter = _service(
        session, name="Safe Harbor Domestic Violence Shelter", category="abuse",
        lat=28.7900, lon=-81.2800, street="999 Hidden Way", city="Sanford", phone="(407) 555-0111",
        description="Emergency shelter and safety planning for survivors of domestic violence.",
        hours=(EVERY_DAY, "00:00", "23:59"), confidential=True,
    )
    childcare = _service(
        session, name="Little Steps Child Care", category="childcare",
        lat=28.6700, lon=-81.2100, street="12 Oak Ave", city="Oviedo", phone="(407) 555-0122",
        description="Daycare for ages 1 to 5 with help paying for low-income families.",
        fees_description="Sliding scale", hours=None,
    )
    housing_near = _service(
        session, name="Sanford Housing Help Desk", category="housing",
        lat=28.8010, lon=-81.2740, street="300 N Park Ave", city="Sanford", phone="(407) 555-0133",
        description="Help with rent, deposits and utility bills for Sanford residents.",
        assured=TODAY - dt.timedelta(days=400),
    )
    housing_far = _service(
        session, name="Altamonte Family Housing", category="housing",
        lat=28.6610, lon=-81.3650, street="500 Central Pkwy", city="Altamonte Springs",
        phone="(407) 555-0144", description="Transitional housing for families with children.",
        hours=(EVERY_DAY, "00:00", "23:59"),
    )
    defunct = _service(
        session, name="Closed Housing Office", category="housing", lat=28.80, lon=-81.27,
        street="1 Gone St", city="Sanford", phone="(407) 555-0155",
        description="This office closed.", status=ServiceStatus.defunct,
    )
    session.commit()
    return Directory(counseling.id, shelter.id, childcare.id, housing_near.id, housing_far.id,
                     defunct.id)
