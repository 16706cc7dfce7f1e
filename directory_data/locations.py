"""Retiring and restoring locations in the caseworker workspace (add + flush, never commit).

A retired location stays in the database with its address, coordinates and links, but no public
surface uses it any more: cards, detail pages, referral pages, the API and the search index (its
distance from the station) load a service's places through :func:`live_location_link`, which
leaves retired locations out. Restoring brings it back as it was.

``location.retired_at`` says when a place was retired (``None`` while it is in use); migration
0006 filled it in from the audit trail, which was the record before. Both use-cases set or clear
it, bump the location's ``version`` (optimistic locking, and the change journal then tells every
index and display cache that the services there changed) and write a ``retire`` or ``restore``
audit entry per listing delivered there, all in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from directory_data.audit import record_action, set_actor, set_listing
from directory_data.models import (
    Address,
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


def live_location_link() -> ColumnElement[bool]:
    """SQL: a service-at-location link whose location is not retired.

    A correlated ``NOT EXISTS`` on the location's primary key: ``location_id NOT IN (the retired
    ids)`` made SQLite scan the whole location table for every query (it does not use the index
    on ``retired_at`` for ``IS NOT NULL``), which made a rebuild of 100,000 services quadratic.
    (``location_id`` is never NULL, so both say the same.)
    """
    return ~exists().where(Location.id == ServiceAtLocation.location_id, Location.retired_at.is_not(None))


def _change(session: Session, location: Location, *, expected_version: int, actor: str,
            action: str, before: str, after: str, retired_at: dt.datetime | None) -> int:
    if location.version != expected_version:
        raise LocationConflict(location)
    set_actor(session, actor)
    set_listing(session, None)
    listings = sorted(set(session.scalars(
        select(ServiceAtLocation.service_id).where(ServiceAtLocation.location_id == location.id))))
    try:
        with session.begin_nested():  # a savepoint: a lost race undoes this change only
            location.retired_at = retired_at  # the row is updated: its version goes up
            location.updated_at = utcnow()
            for listing in listings or [None]:
                record_action(session, action=action, actor=actor, resource_type=RESOURCE,
                              resource_id=location.id, listing_id=listing, field_name="status",
                              previous=before, replacement=after)
    except StaleDataError:  # changed by someone else between our read and our write
        current = session.get(Location, location.id, populate_existing=True)
        if current is None:
            raise LookupError(location.id) from None
        raise LocationConflict(current) from None
    return len(listings)


def retire_location(session: Session, location: Location, *, expected_version: int, actor: str) -> int:
    """Retire ``location`` as ``actor`` unless it moved past ``expected_version`` (then
    :class:`LocationConflict`); returns how many listings were delivered there. Retiring a
    retired location changes nothing."""
    if location.retired_at is not None:
        return 0
    return _change(session, location, expected_version=expected_version, actor=actor,
                   action=RETIRE, before="active", after="retired", retired_at=utcnow())


def restore_location(session: Session, location: Location, *, expected_version: int, actor: str) -> int:
    """Put a retired location back (see :func:`retire_location`)."""
    if location.retired_at is None:
        return 0
    return _change(session, location, expected_version=expected_version, actor=actor,
                   action=RESTORE, before="retired", after="active", retired_at=None)


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
        statement = statement.where(Location.retired_at.is_not(None) if retired
                                    else Location.retired_at.is_(None))
    out = []
    for location, organization, count in session.execute(statement).all():
        address = location.physical_address or (location.addresses[0] if location.addresses else None)
        out.append(LocationRow(location, organization, address.one_line() if address else None,
                               int(count or 0), location.retired_at is not None))
    return out

