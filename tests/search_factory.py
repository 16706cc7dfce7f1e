"""Build ORM services for search tests, and small Whoosh indexes from them.

Shared by ``tests/test_search_*.py`` (imported as a plain module: pytest puts ``tests/`` on
``sys.path``). Nothing here fakes the search layer: services are real ORM objects flushed to the
test database and indexed with :func:`search_index.engine.schema.build_schema` and
:func:`search_index.documents.service_document`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial as functools_partial
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session
from whoosh import index
from whoosh.index import Index

from directory_data.db import make_session_factory
from directory_data.models import (
    MISSION_CATEGORIES,
    Accessibility,
    Base,
    Address,
    Category,
    CostOption,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceCategory,
    ServiceStatus,
    ServiceTaxonomy,
    TaxonomyTerm,
    new_id,
)
from directory_data.service_rows import load_listings
from search_index.documents import service_document
from search_index.engine.schema import build_schema

WEEKDAY_SPAN = "MO,TU,WE,TH,FR"


def _time(value: str) -> dt.time:
    hour, minute = value.split(":")
    return dt.time(int(hour), int(minute))


def make_service(
    session: Session,
    name: str,
    *,
    description: str = "",
    organization: str | None = None,
    categories: Sequence[str] = (),
    taxonomy: Sequence[tuple[str, str]] = (),
    languages: Sequence[str] = (),
    phones: Sequence[str] = (),
    hours: Sequence[tuple[str, str, str]] = (),
    closures: Sequence[tuple[dt.date, dt.date]] = (),
    timezone: str | None = None,
    point: tuple[float, float] | None = None,
    postal_code: str = "",
    free: bool = False,
    fees: str | None = None,
    min_age: int | None = None,
    max_age: int | None = None,
    walk_in: bool | None = None,
    assured: dt.date | None = dt.date(2026, 11, 1),
    eligibility: str | None = None,
    name_es: str | None = None,
    description_es: str | None = None,
    accessibility: str | None = None,
    **fields: Any,
) -> Service:
    """Add one service (with organization, location, phones, hours ...) to ``session`` and flush.

    ``hours`` are ``(byday, opens, closes)`` triples such as ``("MO,TU", "09:00", "17:00")``.
    """
    org = Organization(source_id=new_id(), name=organization or f"{name} Inc.")
    session.add(org)
    service = Service(
        source_id=new_id(),
        name=name,
        description=description,
        organization=org,
        minimum_age=min_age,
        maximum_age=max_age,
        walk_in=walk_in,
        assured_date=assured,
        eligibility_description=eligibility,
        name_es=name_es,
        description_es=description_es,
        fees_description=fees,
        **fields,
    )
    session.add(service)
    session.flush()
    for slug in categories:
        if session.get(Category, slug) is None:
            session.add(Category(slug=slug, name_en=slug, name_es=slug))
            session.flush()
        service.category_links.append(ServiceCategory(category_slug=slug))
    for code, term_name in taxonomy:
        term = TaxonomyTerm(source_id=new_id(), code=code, name=term_name, taxonomy="AIRS")
        session.add(term)
        session.flush()
        service.taxonomy_links.append(ServiceTaxonomy(taxonomy_term_id=term.id))
    for lang in languages:
        session.add(Language(source_id=new_id(), service_id=service.id, code=lang, name=lang))
    for number in phones:
        session.add(Phone(source_id=new_id(), service_id=service.id, number=number))
    for byday, opens, closes in hours:
        session.add(
            Schedule(
                source_id=new_id(),
                service_id=service.id,
                freq="WEEKLY",
                byday=byday,
                opens_at=_time(opens),
                closes_at=_time(closes),
                timezone=timezone,
            )
        )
    for start, end in closures:
        session.add(Schedule(source_id=new_id(), service_id=service.id, valid_from=start, valid_to=end))
    if free:
        service.cost_options.append(CostOption(source_id=new_id(), option="Free", amount=Decimal("0")))
    if point is not None or postal_code or accessibility:
        location = Location(
        source_id=new_id(),
            name=name,
            latitude=point[0] if point else None,
            longitude=point[1] if point else None,
            organization=org,
        )
        session.add(location)
        session.flush()
        if postal_code:
            location.addresses.append(
                Address(source_id=new_id(), address_1="1 Main St", city="Sanford", state_province="FL", postal_code=postal_code)
            )
        if accessibility:
            location.accessibility.append(Accessibility(source_id=new_id(), description=accessibility))
        session.add(ServiceAtLocation(source_id=new_id(), service_id=service.id, location_id=location.id))
    session.flush()
    return service


def build_index(path: Path, session: Session, ids: Iterable[str] | None = None) -> Index:
    """A Whoosh index in ``path`` holding every indexable service in ``session``'s database."""
    path.mkdir(parents=True, exist_ok=True)
    ix = index.create_in(str(path), build_schema())
    writer = ix.writer()
    wanted = list(session.scalars(select(Service.id))) if ids is None else list(ids)
    for service in load_listings(session, wanted):
        writer.add_document(**service_document(service))
    writer.commit()
    return ix


SANFORD = (28.8003, -81.2731)
OVIEDO = (28.6700, -81.2081)
ALTAMONTE = (28.6611, -81.3656)
MIAMI = (25.7743, -80.1937)
TODAY = dt.date(2026, 11, 24)
EVERY_DAY = "MO,TU,WE,TH,FR,SA,SU"


def add_sample_directory(session: Session) -> dict[str, str]:
    """A small directory exercising every search feature; returns ``{key: service id}``."""
    s = functools_partial(make_service, session)
    made = {
        "988": s("988 Suicide & Crisis Lifeline", description="Call or text 988 any time for free, confidential support in a suicidal or mental health crisis.",
                 categories=["mental-health"], phones=["988"], hours=[(EVERY_DAY, "00:00", "00:00")], free=True,
                 languages=["en", "es"]),
        "dv-hotline": s("National Domestic Violence Hotline", description="Advocates for anyone affected by abuse from a partner. Safety planning and referrals.",
                        categories=["abuse"], phones=["1-800-799-7233"], hours=[(EVERY_DAY, "00:00", "00:00")], free=True),
        "rainn": s("RAINN National Sexual Assault Hotline", description="Confidential support from a trained staff member after sexual violence.",
                   categories=["abuse"], phones=["800.656.HOPE"], free=True),
        "childhelp": s("Childhelp National Child Abuse Hotline", description="Crisis counselors for children and adults worried about a child.",
                       categories=["abuse"], phones=["1-800-4-A-CHILD"], free=True),
        "dv-shelter": s("Safe Harbor Domestic Violence Shelter", description="Confidential emergency shelter for survivors of domestic violence and their children.",
                        categories=["abuse", "housing"], point=OVIEDO, postal_code="32765", walk_in=False, free=True),
        "mens-shelter": s("Men's Emergency Shelter", description="Beds for the night for single men experiencing homelessness. Dinner and showers.",
                          categories=["housing"], hours=[(EVERY_DAY, "19:00", "07:00")], point=SANFORD, postal_code="32771",
                          walk_in=True, free=True, min_age=18),
        "old-shelter": s("Men's Emergency Shelter Annex", description="Beds for the night for single men experiencing homelessness. Dinner and showers.",
                         categories=["housing"], point=SANFORD, postal_code="32771", assured=dt.date(2024, 1, 5)),
        "rent": s("Emergency Rental Assistance", description="Help paying rent and deposits to prevent eviction for low-income families.",
                  categories=["housing"], point=ALTAMONTE, postal_code="32701"),
        "section8": s("Housing Choice Voucher Program", description="Rent subsidies for low-income households renting in the private market.",
                      categories=["housing"], taxonomy=[("BH-7000.4600-700", "Section 8 Housing Choice Vouchers")]),
        "csu": s("Adult Crisis Stabilization Unit", description="Receiving facility for involuntary examination under the Baker Act. Open around the clock.",
                 categories=["mental-health"], hours=[(EVERY_DAY, "00:00", "00:00")], point=SANFORD, postal_code="32771"),
        "counseling": s("Outpatient Counseling for Adults", description="Individual and group counseling for depression and anxiety.",
                        name_es="Consejería ambulatoria para adultos", description_es="Consejería individual y de grupo para la depresión y la ansiedad.",
                        categories=["mental-health"], languages=["en", "es"], min_age=18,
                        hours=[("MO,TU,WE,TH,FR", "08:00", "12:00"), ("MO,TU,WE,TH,FR", "13:00", "17:00")],
                        closures=[(dt.date(2026, 11, 26), dt.date(2026, 11, 27))], point=ALTAMONTE, postal_code="32701"),
        "teen-counseling": s("Teen Counseling Center", description="Free counseling for teenagers and their families.",
                             categories=["mental-health"], min_age=12, max_age=17, free=True, walk_in=True, point=OVIEDO, postal_code="32765"),
        "daycare": s("Sunshine Child Care Center", description="Licensed daycare for infants and toddlers, open early for working parents.",
                     name_es="Guardería Sunshine", description_es="Guardería con licencia para bebés y niños pequeños.",
                     categories=["childcare"], languages=["es"], max_age=5, point=SANFORD, postal_code="32771",
                     hours=[("MO,TU,WE,TH,FR", "06:30", "18:00")]),
        "vpk": s("Voluntary Prekindergarten", description="Free VPK for four-year-olds, three hours a day.",
                 categories=["childcare"], free=True, min_age=4, max_age=5),
        "food": s("Community Food Pantry", description="Groceries for families every week. No documents needed.",
                  free=True, walk_in=True, point=OVIEDO, postal_code="32765"),
        "sexual-health": s("Sexual Health Clinic", description="STI testing, contraception and sexual health exams.",
                           point=ALTAMONTE, postal_code="32701"),
        "qpr": s("Suicide Prevention Training", description="QPR gatekeeper training for teachers, coaches and faith leaders.",
                 categories=["mental-health"]),
        "xss": s("Script Test Counseling", description="<script>alert('x')</script> counseling & support for <b>families</b>.",
                 categories=["mental-health"]),
        "chicago": s("Chicago Time Counseling Line", description="Phone counseling staffed from Chicago.",
                     categories=["mental-health"], hours=[("MO,TU,WE,TH,FR", "09:00", "17:00")], timezone="America/Chicago"),
        "inactive": s("Closed Food Pantry", description="Groceries for families every week.", status=ServiceStatus.inactive),
        "miami": s("Miami Family Shelter", description="Emergency shelter for families in Miami-Dade County.",
                   categories=["housing"], point=MIAMI, postal_code="33125"),
    }
    session.flush()
    return {key: service.id for key, service in made.items()}


def clear_directory(engine: Engine) -> None:
    """Delete every listing row (keeping the schema and the mission categories)."""
    keep = ", ".join(f"'{slug}'" for slug in MISSION_CATEGORIES)
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name == "category":
                connection.execute(text(f"DELETE FROM category WHERE slug NOT IN ({keep})"))
            else:
                connection.execute(table.delete())


@dataclass
class Sample:
    """A built sample index and the ids of its services by key."""

    index: Index
    ids: dict[str, str]

    def key_of(self, service_id: str) -> str:
        """The key of the service ``service_id``."""
        return next(k for k, v in self.ids.items() if v == service_id)


def build_sample(engine: Engine, path: Path) -> Sample:
    """Add the sample directory to the database, index it in ``path``, and clear the database."""
    factory = make_session_factory(engine)
    try:
        with factory() as session:
            ids = add_sample_directory(session)
            session.commit()
            ix = build_index(path, session)
    finally:
        clear_directory(engine)
    return Sample(ix, ids)


@pytest.fixture
def no_search_errors(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Fail the test when the search layer logged an error (``search`` answers instead of
    raising, so a swallowed failure would otherwise pass unseen)."""
    with caplog.at_level(logging.ERROR, logger="search_index"):
        yield
    errors = [r for r in caplog.records if r.name.startswith("search_index") and r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]


def import_curated(factory: Callable[[], Session]) -> None:
    """Import the curated directory (``directory_data/curated``) into the database of ``factory``
    and commit, as ``kiosk init`` would."""
    from directory_data.curated import parts
    from directory_data.hsds.importer import import_path

    with factory() as session:
        for path, _source in parts():
            import_path(session, path)
        session.commit()
