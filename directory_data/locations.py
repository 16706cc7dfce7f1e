"""Retiring and restoring locations in the caseworker workspace (add + flush, never commit).

A retired location stays in the database with its address, coordinates and links, but no public
surface uses it any more: cards, detail pages, referral pages, the API and the search index (its
distance from the station) load a service's places through :func:`live_location_link`, which
leaves retired locations out. Restoring brings it back as it was.

There is no ``retired_at`` column on ``location`` (HSDS has no status for a location, and adding
one needs a migration), so the audit trail is the record: a location is retired while its newest
``retire`` or ``restore`` entry is a ``retire``. Both use-cases write that entry in the same
transaction as the change and bump the location's ``version`` (optimistic locking, and the change
journal then tells every index and display cache that the services there changed).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, exists, func, or_, select
from sqlalchemy.orm import Session, aliased, selectinload
from sqlalchemy.orm.exc import StaleDataError

from directory_data.audit import record_action, set_actor, set_listing
from directory_data.models import (
    Address,
    AuditEntry,
    Location,
    Organization,
    ServiceAtLocation,
    utcnow,
)

#: ``resource_type`` of location rows in the audit trail.
RESOURCE = "location"
RETIRE, RESTORE = "retire", "restore"


class LocationConflict(Exception):
    """Someone changed the location after the caseworker loaded it; nothing was saved."""

    def __init__(self, current: Location) -> None:
        super().__init__(f"the location was changed by someone else (now version {current.version})")
        self.current = current


def retired_location_ids() -> Select[tuple[str]]:
    """SQL: the ids of the retired locations (newest retire/restore entry is a retire)."""
    later = aliased(AuditEntry)
    return select(AuditEntry.resource_id).where(
        AuditEntry.resource_type == RESOURCE, AuditEntry.last_action_type == RETIRE,
        ~exists().where(later.resource_type == RESOURCE, later.resource_id == AuditEntry.resource_id,
                        later.last_action_type.in_((RETIRE, RESTORE)), later.seq > AuditEntry.seq),
    )


def live_location_link() -> ColumnElement[bool]:
    """SQL: a service-at-location link whose location is not retired."""
    return ServiceAtLocation.location_id.not_in(retired_location_ids())


def retired_among(session: Session, ids: Iterable[str]) -> set[str]:
    """The retired locations among ``ids``."""
    wanted = list(ids)
    if not wanted:
        return set()
    return set(session.scalars(retired_location_ids().where(AuditEntry.resource_id.in_(wanted))))


def is_retired(session: Session, location: Location) -> bool:
    """Whether ``location`` is retired."""
    return bool(retired_among(session, [location.id]))


def _change(session: Session, location: Location, *, expected_version: int, actor: str,
            action: str, before: str, after: str) -> int:
    if location.version != expected_version:
        raise LocationConflict(location)
    set_actor(session, actor)
    set_listing(session, None)
    listings = sorted(set(session.scalars(
        select(ServiceAtLocation.service_id).where(ServiceAtLocation.location_id == location.id))))
    location.updated_at = utcnow()  # the row is updated: its version goes up, the journal hears
    try:
        for listing in listings or [None]:
            record_action(session, action=action, actor=actor, resource_type=RESOURCE,
                          resource_id=location.id, listing_id=listing, field_name="status",
                          previous=before, replacement=after)
    except StaleDataError:  # changed by someone else between our read and our write
        session.rollback()
        current = session.get(Location, location.id, populate_existing=True)
        if current is None:
            raise LookupError(location.id) from None
        raise LocationConflict(current) from None
    return len(listings)


def retire_location(session: Session, location: Location, *, expected_version: int, actor: str) -> int:
    """Retire ``location`` as ``actor`` unless it moved past ``expected_version`` (then
    :class:`LocationConflict`); returns how many listings were delivered there. Retiring a
    retired location changes nothing."""
    if is_retired(session, location):
        return 0
    return _change(session, location, expected_version=expected_version, actor=actor,
                   action=RETIRE, before="active", after="retired")


def restore_location(session: Session, location: Location, *, expected_version: int, actor: str) -> int:
    """Put a retired location back (see :func:`retire_location`)."""
    if not is_retired(session, location):
        return 0
    return _change(session, location, expected_version=expected_version, actor=actor,
                   action=RESTORE, before="retired", after="active")


@dataclass(frozen=True)
class LocationRow:
    """One line of the workspace's list of locations."""

    location: Location
    organization: str | None
    address: str | None
    listings: int
    retired: bool


def find_locations(session: Session, text: str = "", *, retired: bool | None = None,
                   limit: int = 500) -> list[LocationRow]:
    """Locations whose name, organization, street or town holds ``text``, by name; only the
    retired (or only the live) ones when ``retired`` says so."""
    listings = (select(func.count(ServiceAtLocation.id))
                .where(ServiceAtLocation.location_id == Location.id).scalar_subquery())
    statement = (select(Location, Organization.name, listings)
                 .outerjoin(Organization, Organization.id == Location.organization_id)
                 .options(selectinload(Location.addresses))
                 .order_by(func.lower(func.coalesce(Location.name, "")), Location.id).limit(limit))
    words = " ".join(text.split())[:200].lower()
    if words:
        like = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        streets = select(Address.location_id).where(or_(
            func.lower(Address.address_1).like(like, escape="\\"),
            func.lower(Address.city).like(like, escape="\\")))
        statement = statement.where(or_(
            func.lower(func.coalesce(Location.name, "")).like(like, escape="\\"),
            func.lower(func.coalesce(Organization.name, "")).like(like, escape="\\"),
            Location.id.in_(streets), Location.id == words))
    if retired is not None:
        condition = Location.id.in_(retired_location_ids())
        statement = statement.where(condition if retired else ~condition)
    rows = session.execute(statement).all()
    gone = retired_among(session, [loc.id for loc, _, _ in rows])
    out = []
    for location, organization, count in rows:
        address = location.physical_address or (location.addresses[0] if location.addresses else None)
        out.append(LocationRow(location, organization, address.one_line() if address else None,
                               int(count or 0), location.id in gone))
    return out

