"""Reading the directory for an export in a few queries: eager loads, never one query per record."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.interfaces import ORMOption

from directory_data.locations import live_location_link
from directory_data.models import (
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceTaxonomy,
    TaxonomyTerm,
)
from directory_data.models.base import Base

RecordT = TypeVar("RecordT", bound=Base)


def load_services(
    session: Session, ids: Collection[str] | None = None, *, live_locations_only: bool = False
) -> Sequence[Service]:
    """Every service (or those of ``ids``) with everything its nested HSDS 3.0 object shows,
    ordered by name and id; without retired locations when ``live_locations_only`` (the public
    API, like every other public surface).

    The HSDS export (JSON and CSV) keeps a retired location (``location.retired_at`` set) and its
    ``service_at_location`` links, on purpose: the export is the directory's complete copy, and
    re-importing it must not lose anything. The importer deletes the links a listed service no
    longer lists, so leaving them out would delete them on a re-import and a later restore would
    bring back a place no service is delivered at; and HSDS 3.0 has no field that says a location
    is retired. Re-importing leaves ``retired_at`` as it is (no import writes it); an import into
    an empty directory brings such a place back in use.

    Each relationship is loaded for all services at once (``selectinload``), so the number of
    queries does not grow with the number of services.
    """
    links = Service.location_links.and_(live_location_link()) if live_locations_only else Service.location_links
    location = selectinload(links).selectinload(ServiceAtLocation.location)
    statement = (
        select(Service)
        .options(
            selectinload(Service.organization).selectinload(Organization.phones)
            .selectinload(Phone.languages),
            selectinload(Service.phones).selectinload(Phone.languages),
            selectinload(Service.schedules),
            selectinload(Service.languages),
            selectinload(Service.cost_options),
            selectinload(Service.category_links),
            selectinload(Service.taxonomy_links)
            .selectinload(ServiceTaxonomy.term)
            .selectinload(TaxonomyTerm.taxonomy_detail),
            location.selectinload(Location.addresses),
            location.selectinload(Location.accessibility),
            location.selectinload(Location.phones).selectinload(Phone.languages),
            location.selectinload(Location.schedules),
            location.selectinload(Location.languages),
        )
        .order_by(Service.name, Service.id)
    )
    if ids is not None:
        statement = statement.where(Service.id.in_(list(ids)))
    return session.scalars(statement).all()


def schedules_by_service_at_location(
    session: Session, service_ids: Collection[str] | None = None
) -> dict[str, list[Schedule]]:
    """Schedules that belong to a service-at-location link (of the services ``service_ids``, or
    of all), by the link's id (one query)."""
    grouped: dict[str, list[Schedule]] = defaultdict(list)
    statement = select(Schedule).where(Schedule.service_at_location_id.is_not(None))
    if service_ids is not None:
        links = select(ServiceAtLocation.id).where(ServiceAtLocation.service_id.in_(list(service_ids)))
        statement = statement.where(Schedule.service_at_location_id.in_(links))
    for schedule in session.scalars(statement):
        assert schedule.service_at_location_id is not None
        grouped[schedule.service_at_location_id].append(schedule)
    return grouped


def load_table(session: Session, model: type[RecordT], *options: ORMOption) -> Sequence[RecordT]:
    """Every row of ``model``'s table ordered by id, with loader ``options`` (one query each)."""
    statement = select(model).options(*options).order_by(model.id)  # type: ignore[attr-defined]
    return session.scalars(statement).all()


def load_rows(session: Session, model: type[RecordT]) -> Sequence[RecordT]:
    """Every row of ``model``'s table (a link table without ``id``), unordered (one query)."""
    return session.scalars(select(model)).all()


def parents_first(records: Sequence[RecordT], parent_attr: str) -> list[RecordT]:
    """``records`` reordered so a record's parent (``parent_attr`` holds its id) comes before it.

    Order is otherwise kept. An importer that inserts rows in file order then never meets a
    parent id it has not seen yet.
    """
    by_id = {record.id: record for record in records}  # type: ignore[attr-defined]
    placed: set[str] = set()
    ordered: list[RecordT] = []
    for record in records:
        chain: list[RecordT] = []
        current: RecordT | None = record
        while current is not None and current.id not in placed and current not in chain:  # type: ignore[attr-defined]
            chain.append(current)
            parent_id = getattr(current, parent_attr)
            current = by_id.get(parent_id) if parent_id else None
        for item in reversed(chain):
            placed.add(item.id)  # type: ignore[attr-defined]
            ordered.append(item)
    return ordered

