"""A small directory for the kiosk's tests: real rows through the models, around Sanford FL.

Six services: two near the station, one confidential shelter, one stale listing, one with
Spanish text and officer-only fields, one defunct (never shown). :func:`add_journey_listings`
adds four more for the resident's and officer's journey (hours of every kind and a text line,
abuse services of two kinds of help, a homeless shelter far away).
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

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
    PhoneType,
    Service,
    ServiceAtLocation,
    ServiceCategory,
    ServiceStatus,
    ServiceTaxonomy,
    TaxonomyTerm,
)
from kiosk.config import default_config

WEEKDAYS = "MO,TU,WE,TH,FR"
EVERY_DAY = "MO,TU,WE,TH,FR,SA,SU"
#: The directory's time zone (the app's default ``TIMEZONE``). The app's "today" is the date there, which
#: differs from the machine's (UTC) date for several hours every evening.
STATION_ZONE = ZoneInfo(str(default_config()["TIMEZONE"]))


def station_today() -> dt.date:
    """Today's date where the station is: what the app calls today."""
    return dt.datetime.now(STATION_ZONE).date()


TODAY = station_today()
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


@dataclass
class JourneyListings:
    """The ids of :func:`add_journey_listings`' services, by role."""

    family_center: str  # several spans a day, overnight spans, open 24 hours, a holiday; texts
    dv_shelter: str  # abuse, its help a shelter (housing)
    dv_counseling: str  # abuse, its help counseling
    homeless_shelter: str  # housing, far from the station: keeps its name in discreet mode
    holiday: dt.date  # the family center's coming holiday closure


def _weekly(service: Service, days: str, opens: str, closes: str) -> Schedule:
    return Schedule(**src(), service_id=service.id, freq="WEEKLY", byday=days,
                    opens_at=dt.time.fromisoformat(opens), closes_at=dt.time.fromisoformat(closes),
                    timezone="America/New_York")


def _term(session: Session, service: Service, code: str, name: str) -> None:
    term = TaxonomyTerm(**src(), code=code, name=name)
    session.add(term)
    session.flush()
    session.add(ServiceTaxonomy(service_id=service.id, taxonomy_term_id=term.id))


def add_journey_listings(session: Session) -> JourneyListings:
    """Add the journey's listings to ``session`` and commit them."""
    center = _service(
        session, name="Eastside Family Resource Center", category="childcare", lat=28.7950,
        lon=-81.2650, street="250 E 25th St", city="Sanford", phone="(407) 555-0177",
        description="Parenting classes, a drop-in play room and an overnight family help desk.",
        hours=None)
    session.add_all([
        _weekly(center, "MO,WE,FR", "09:00", "12:00"), _weekly(center, "MO,WE,FR", "13:00", "17:00"),
        _weekly(center, "FR,SA", "20:00", "06:00"), _weekly(center, "SU", "00:00", "00:00"),
        Phone(**src(), service_id=center.id, number="88788", type=PhoneType.text,
              description="Text START", audience=PhoneAudience.public),
    ])
    holiday = TODAY + dt.timedelta(days=3)
    session.add(Schedule(**src(), service_id=center.id, valid_from=holiday, valid_to=holiday,
                         description="Closed for the holiday"))
    dv_shelter = _service(
        session, name="Harbor Light Domestic Violence Shelter", category="abuse", lat=29.2100,
        lon=-81.0200, street="40 Beach St", city="Daytona Beach", phone="(386) 555-0181",
        description="Emergency shelter for survivors of domestic violence and their children.",
        hours=(EVERY_DAY, "00:00", "23:59"))
    _term(session, dv_shelter, "BH-1800.1500-100", "Domestic Violence Shelters")
    dv_counseling = _service(
        session, name="Family Violence Counseling Program", category="abuse", lat=29.2110,
        lon=-81.0210, street="42 Beach St", city="Daytona Beach", phone="(386) 555-0182",
        description="Counseling for adults and children who lived with violence at home.")
    _term(session, dv_counseling, "RP-1400.8000-020.80", "Domestic Violence Counseling")
    homeless = _service(
        session, name="Volusia Homeless Shelter", category="housing", lat=29.2120, lon=-81.0220,
        street="44 Beach St", city="Daytona Beach", phone="(386) 555-0183",
        description="Beds and meals for people without a home.", hours=(EVERY_DAY, "00:00", "23:59"))
    _term(session, homeless, "BH-1800.8500", "Homeless Shelter")
    session.commit()
    return JourneyListings(center.id, dv_shelter.id, dv_counseling.id, homeless.id, holiday)
