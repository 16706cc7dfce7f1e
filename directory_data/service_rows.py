"""Load services for display: by id, in a given order (search rank), in one round of queries;
and what the change journal says changed since a position (for display caches)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from directory_data.locations import live_location_link
from directory_data.models import (
    ChangeJournalEntry,
    Location,
    Service,
    ServiceAtLocation,
    ServiceStatus,
    ServiceTaxonomy,
)

#: Statuses a resident or an officer may see (inactive and defunct services are hidden).
SHOWN_STATUSES = (ServiceStatus.active, ServiceStatus.temporarily_closed)


def listed() -> ColumnElement[bool]:
    """SQL: a service residents and officers may see: a shown status, and not held for review
    (:mod:`directory_data.publication`)."""
    return and_(Service.status.in_(SHOWN_STATUSES), Service.review_reasons.is_(None))


def searchable() -> ColumnElement[bool]:
    """SQL: a service that belongs in the search index: not defunct, and not held for review
    (an inactive service is indexed, ranked down, and left out when the results are loaded)."""
    return and_(Service.status != ServiceStatus.defunct, Service.review_reasons.is_(None))


def display_options() -> list[LoaderOption]:
    """Eager loads of everything a card, a detail page or an HSDS service object reads.

    Retired locations are left out (:func:`directory_data.locations.live_location_link`): no
    surface shows their address or measures a distance to them."""
    location = (selectinload(Service.location_links.and_(live_location_link()))
                .selectinload(ServiceAtLocation.location))
    return [
        selectinload(Service.organization),
        selectinload(Service.phones),
        selectinload(Service.schedules),
        selectinload(Service.languages),
        selectinload(Service.cost_options),
        selectinload(Service.category_links),
        selectinload(Service.taxonomy_links).selectinload(ServiceTaxonomy.term),
        location.selectinload(Location.addresses),
        location.selectinload(Location.accessibility),
        location.selectinload(Location.schedules),
        location.selectinload(Location.phones),
        location.selectinload(Location.languages),
    ]


def services_in_order(session: Session, ids: Sequence[str]) -> list[Service]:
    """The shown services among ``ids``, in the order of ``ids`` (missing, hidden or held ones
    dropped)."""
    if not ids:
        return []
    rows = session.scalars(
        select(Service)
        .where(Service.id.in_(list(ids)), listed())
        .options(*display_options())
    )
    by_id = {service.id: service for service in rows}
    return [by_id[i] for i in ids if i in by_id]


def shown_service(session: Session, service_id: str) -> Service | None:
    """One shown service with everything its detail page reads, or ``None``."""
    found = services_in_order(session, [service_id])
    return found[0] if found else None


def journal_position(session: Session) -> int:
    """The newest change journal entry's number (0 when the journal is empty)."""
    return int(session.scalar(select(func.max(ChangeJournalEntry.seq))) or 0)


def changed_since(session: Session, position: int) -> tuple[set[str], int]:
    """The ids of the services journaled after ``position``, and the new position."""
    rows = session.execute(
        select(ChangeJournalEntry.seq, ChangeJournalEntry.service_id)
        .where(ChangeJournalEntry.seq > position)
    ).all()
    if not rows:
        return set(), position
    return {service_id for _, service_id in rows}, max(seq for seq, _ in rows)
