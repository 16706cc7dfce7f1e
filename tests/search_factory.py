"""Build ORM services for search tests, and small Whoosh indexes from them.

Shared by ``tests/test_search_*.py`` (imported as a plain module: pytest puts ``tests/`` on
``sys.path``). Nothing here fakes the search layer: services are real ORM objects flushed to the
test database and indexed with :func:`search_index.schema.build_schema` and
:func:`search_index.documents.service_document`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session
from whoosh import index
from whoosh.index import Index

from directory_data.models import (
    Accessibility,
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
    ServiceTaxonomy,
    TaxonomyTerm,
    new_id,
)
from search_index.documents import load_for_indexing, service_document
from search_index.schema import build_schema

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
    for service in load_for_indexing(session, None if ids is None else list(ids)):
        writer.add_document(**service_document(service))
    writer.commit()
    return ix
