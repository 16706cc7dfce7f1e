"""Write use-cases of the caseworker workspace for listings (add + flush, never commit).

* :func:`save_listing` applies a :class:`~directory_data.listing_edit.ListingEdit` to a service
  if nobody saved it since the caseworker loaded it (optimistic locking on ``version``), else
  raises :class:`EditConflict` and changes nothing;
* :func:`create_listing`, :func:`verify_listing`, :func:`retire_listing`, :func:`restore_listing`;
* :func:`publish_listing` checks a held listing against the publication rules again.

Saving and creating apply the publication rules (:mod:`directory_data.publication`): a listing
nobody can reach, or without a category, is held for review; one that passes is published.

Every use-case names the acting account to the audit trail (:mod:`directory_data.audit`), so
the trail is written in the same transaction, and bumps the service's ``version``: any change to
a listing, even to one of its phones, makes older copies of its form conflict.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from directory_data.audit import record_action, set_actor, set_listing
from directory_data.listing_edit import ListingEdit, edit_of, is_weekly
from directory_data.models import (
    Address,
    AddressType,
    CostOption,
    Language,
    Location,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceCategory,
    ServiceStatus,
    new_id,
    utcnow,
)
from directory_data.publication import review_listing

#: The ``source`` of records made in the workspace.
LOCAL_SOURCE = "local"


class ListingNotFound(LookupError):
    """No listing has the id asked for."""


class EditConflict(Exception):
    """Someone saved the listing after the caseworker loaded it; nothing was saved.

    ``current`` is the listing as it is now (their version), ``version`` its version number.
    """

    def __init__(self, current: ListingEdit, version: int) -> None:
        super().__init__(f"the listing was saved by someone else (now version {version})")
        self.current = current
        self.version = version


def load_listing(session: Session, service_id: str) -> Service:
    """The service ``service_id`` with everything the editor reads; raises ListingNotFound."""
    service = session.scalar(
        select(Service).where(Service.id == service_id).options(
            selectinload(Service.phones), selectinload(Service.schedules),
            selectinload(Service.languages), selectinload(Service.cost_options),
            selectinload(Service.category_links),
            selectinload(Service.location_links).selectinload(ServiceAtLocation.location)
            .selectinload(Location.addresses),
        ).execution_options(populate_existing=True)
    )
    if service is None:
        raise ListingNotFound(service_id)
    return service


def _local(**extra: Any) -> dict[str, Any]:
    """Source fields of a record made here: the ``local`` source, the record's own id."""
    ident = new_id()
    return {"id": ident, "source": LOCAL_SOURCE, "source_id": ident, **extra}


def _touch(service: Service) -> None:
    """Mark the service changed, so its row is updated and its ``version`` goes up."""
    service.last_modified = utcnow()


def _begin(session: Session, actor: str, service: Service | None) -> None:
    set_actor(session, actor)
    set_listing(session, service.id if service is not None else None)


def save_listing(
    session: Session, service: Service, edit: ListingEdit, *, expected_version: int, actor: str
) -> Service:
    """Apply ``edit`` to ``service`` as ``actor``; raises :class:`EditConflict` (saving
    nothing) when the service is no longer at ``expected_version``."""
    if service.version != expected_version:
        raise EditConflict(edit_of(service), service.version)
    _begin(session, actor, service)
    try:
        with session.begin_nested():  # a savepoint: a lost race undoes this save only
            _touch(service)  # before the first flush: the row is updated (its version raised) once
            _apply(session, service, edit)
    except StaleDataError:  # saved by someone else between our read and our write
        current = load_listing(session, service.id)
        raise EditConflict(edit_of(current), current.version) from None
    review_listing(session, service)
    return service


def create_listing(session: Session, edit: ListingEdit, *, actor: str) -> Service:
    """A new listing from ``edit``, made by ``actor``."""
    service = Service(**_local(name=edit.fields["name"]))
    session.add(service)
    _begin(session, actor, service)
    _apply(session, service, edit)
    session.flush()
    review_listing(session, service)
    return service


def _apply(session: Session, service: Service, edit: ListingEdit) -> None:
    for name, value in edit.fields.items():
        if name in ("url", "email"):
            value = value or None
        elif isinstance(value, str) and name != "name":
            value = value or None
        setattr(service, name, value)
    service.organization_id = edit.organization_id
    session.flush()  # the service exists before rows point at it
    _sync_categories(session, service, edit.categories)
    _sync_rows(session, service.phones, service.phones, edit.phones, Phone, _set_phone)
    _sync_rows(session, service.schedules, [s for s in service.schedules if is_weekly(s)],
               edit.hours, Schedule, _set_hours)
    _sync_rows(session, service.schedules,
               [s for s in service.schedules if s.is_closure], edit.closures, Schedule,
               _set_closure)
    _sync_rows(session, service.languages, service.languages, edit.languages, Language,
               _set_language)
    _sync_rows(session, service.cost_options, service.cost_options, edit.costs, CostOption,
               _set_cost)
    _sync_place(session, service, edit)


def _sync_rows(
    session: Session, collection: list[Any], existing: Iterable[Any], rows: list[Any],
    model: type, update: Any,
) -> None:
    """Make the records ``existing`` (part of the service's ``collection``) match ``rows``:
    update the ones a row names by id, add the new ones, delete the ones left out."""
    by_id = {record.id: record for record in existing}
    kept = set()
    for row in rows:
        record = by_id.get(row.id) if row.id else None
        if record is None:
            record = model(**_local())
            collection.append(record)
        kept.add(record.id)
        update(record, row)
    for ident, record in by_id.items():
        if ident not in kept:
            collection.remove(record)
            session.delete(record)


def _set_if_changed(record: Any, **values: Any) -> None:
    for key, value in values.items():
        if getattr(record, key) != value:
            setattr(record, key, value)


def _set_phone(record: Phone, row: Any) -> None:
    _set_if_changed(record, number=row.number, extension=row.extension, type=row.type,
                    audience=row.audience, description=row.description or None)


def _set_hours(record: Schedule, row: Any) -> None:
    _set_if_changed(record, freq="WEEKLY", byday=",".join(row.days), opens_at=row.opens,
                    closes_at=row.closes)


def _set_closure(record: Schedule, row: Any) -> None:
    _set_if_changed(record, valid_from=row.start, valid_to=row.end,
                    description=row.note or "Closed")


def _set_language(record: Language, row: Any) -> None:
    _set_if_changed(record, name=row.name, code=row.code)


def _set_cost(record: CostOption, row: Any) -> None:
    _set_if_changed(record, option=row.option or None, amount=row.amount,
                    currency="USD" if row.amount is not None else None)


def _sync_categories(session: Session, service: Service, chosen: list[str]) -> None:
    have = {link.category_slug: link for link in service.category_links}
    for slug, link in have.items():
        if slug not in chosen:
            service.category_links.remove(link)
            session.delete(link)
    for slug in chosen:
        if slug not in have:
            link = ServiceCategory(service_id=service.id, category_slug=slug, assigned_by="listing")
            service.category_links.append(link)


def _sync_place(session: Session, service: Service, edit: ListingEdit) -> None:
    place = edit.place
    locations = sorted((link.location for link in service.location_links if link.location),
                       key=lambda loc: loc.id)
    location = locations[0] if locations else None
    if location is None:
        if place.is_empty:
            return
        location = Location(**_local(organization_id=service.organization_id))
        session.add(location)
        session.flush()
        link = ServiceAtLocation(**_local(location_id=location.id))
        link.location = location
        service.location_links.append(link)
    _set_if_changed(location, name=place.name or None, latitude=place.latitude,
                    longitude=place.longitude, confidential=place.confidential)
    address = location.physical_address or (location.addresses[0] if location.addresses else None)
    if address is None:
        if not (place.address_1 or place.city):
            return
        address = Address(**_local(location_id=location.id, address_type=AddressType.physical))
        location.addresses.append(address)
    _set_if_changed(address, address_1=place.address_1, city=place.city,
                    state_province=place.state_province, postal_code=place.postal_code)


def verify_listing(
    session: Session, service: Service, *, actor: str, today: dt.date,
    assurer_email: str | None = None,
) -> Service:
    """Mark the listing checked today by ``actor`` (HSDS ``assured_date`` and ``assurer``)."""
    _begin(session, actor, service)
    service.assured_date = today
    service.assured_by = actor
    if assurer_email:
        service.assurer_email = assurer_email
    _touch(service)
    session.flush()
    return service


def publish_listing(session: Session, service: Service, *, actor: str) -> tuple[str, ...]:
    """Check the listing against the publication rules again as ``actor`` (after its
    organization or places changed, say): published when it passes; the reasons it is still
    held for (empty: published)."""
    _begin(session, actor, service)
    return review_listing(session, service)


def retire_listing(session: Session, service: Service, *, actor: str) -> Service:
    """Take the listing off every public surface (status ``defunct``) without deleting it."""
    if service.retired_at is not None:
        return service
    _begin(session, actor, service)
    record_action(session, action="retire", actor=actor, resource_type="service",
                  resource_id=service.id, listing_id=service.id, field_name="status",
                  previous=service.status.value, replacement=ServiceStatus.defunct.value)
    service.retired_at = utcnow()
    service.status = ServiceStatus.defunct
    _touch(service)
    session.flush()
    return service


def restore_listing(session: Session, service: Service, *, actor: str) -> Service:
    """Put a retired listing back, with the status it had when it was retired."""
    if service.retired_at is None:
        return service
    _begin(session, actor, service)
    service.retired_at = None
    service.status = ServiceStatus(_status_before_retirement(session, service.id))
    _touch(service)
    session.flush()
    return service


def _status_before_retirement(session: Session, service_id: str) -> str:
    from directory_data.models import AuditEntry

    previous = session.scalar(
        select(AuditEntry.previous_value)
        .where(AuditEntry.listing_id == service_id, AuditEntry.last_action_type == "retire")
        .order_by(AuditEntry.seq.desc()).limit(1)
    )
    try:
        return ServiceStatus(previous).value if previous else ServiceStatus.active.value
    except ValueError:
        return ServiceStatus.active.value
