"""The audit trail: who changed which field of which record, when, from what to what.

:func:`install_audit_hooks` puts a ``before_flush`` listener on a session factory. For every
pending insert, update and delete of an audited model it adds one :class:`AuditEntry` per
changed field *to the same flush*, so the trail commits or rolls back with the change itself.
It records only sessions that name who is acting (:func:`set_actor`): the caseworker workspace
and the ``kiosk user`` commands do, bulk loaders (the curated directory, HSDS imports) do not and
write one summary entry instead (:func:`record_action`).

Rows are grouped by listing (the service a change belongs to): a service's own rows, rows that
carry a ``service_id``, and anything else changed while :func:`set_listing` names a listing
(its location and the location's address, say).
"""

from __future__ import annotations

import csv
import datetime as dt
import enum
import io
import weakref
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from directory_data.models import (
    Address,
    AuditEntry,
    CostOption,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceCategory,
    User,
    new_id,
    utcnow,
)

ACTOR_KEY = "audit.actor"
LISTING_KEY = "audit.listing"

#: The models whose changes are recorded, and the name of each in the trail (HSDS table names).
AUDITED: dict[type, str] = {
    Organization: "organization",
    Service: "service",
    Location: "location",
    Address: "address",
    Phone: "phone",
    Schedule: "schedule",
    Language: "language",
    CostOption: "cost_option",
    ServiceCategory: "service_category",
    ServiceAtLocation: "service_at_location",
    User: "user_account",
}

#: Columns that are bookkeeping, not content: never recorded.
SKIPPED = frozenset({
    "id", "source", "source_id", "created_at", "updated_at", "version", "last_modified",
    "password_hash", "service_id", "location_id", "phone_id", "service_at_location_id",
})

#: The columns of the CSV export, in HSDS ``metadata`` order plus the listing.
CSV_COLUMNS = ("id", "listing_id", "resource_id", "resource_type", "last_action_date",
               "last_action_type", "field_name", "previous_value", "replacement_value",
               "updated_by")


def set_actor(session: Session, name: str) -> None:
    """Record the session's changes from now on as made by the account ``name``."""
    session.info[ACTOR_KEY] = name


def set_listing(session: Session, listing_id: str | None) -> None:
    """Group the session's changes of records without a ``service_id`` under ``listing_id``."""
    session.info[LISTING_KEY] = listing_id


def text_value(value: Any) -> str:
    """A value as the trail stores it: text, ``""`` for nothing, ISO dates, enum values."""
    if value is None:
        return ""
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (dt.date, dt.time, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def _resource_id(obj: Any) -> str:
    if isinstance(obj, ServiceCategory):
        return f"{obj.service_id}/{obj.category_slug}"
    return str(getattr(obj, "id", "") or "")


def _listing_of(session: Session, obj: Any) -> str | None:
    if isinstance(obj, Service):
        return obj.id
    service_id = getattr(obj, "service_id", None)
    return service_id or session.info.get(LISTING_KEY)


def _columns(obj: Any) -> Iterator[str]:
    for attr in inspect(type(obj)).column_attrs:
        if attr.key not in SKIPPED:
            yield attr.key


def entries_for(session: Session, obj: Any, action: str, actor: str, now: dt.datetime) -> list[AuditEntry]:
    """The trail rows for ``obj`` being created, updated or deleted (``action``)."""
    state = inspect(obj)
    rows: list[AuditEntry] = []
    base = {"listing_id": _listing_of(session, obj), "resource_type": AUDITED[type(obj)],
            "resource_id": _resource_id(obj), "last_action_date": now,
            "last_action_type": action, "updated_by": actor}
    for key in _columns(obj):
        history = state.attrs[key].history
        if action == "create":
            old, new = "", text_value(getattr(obj, key))
        elif action == "delete":
            old, new = text_value(getattr(obj, key)), ""
        else:
            if not history.has_changes():
                continue
            old = text_value(history.deleted[0] if history.deleted else None)
            new = text_value(history.added[0] if history.added else None)
        if old == new or (action != "update" and old == "" and new == ""):
            continue
        rows.append(AuditEntry(**base, field_name=key, previous_value=old, replacement_value=new))
    return rows


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    actor = session.info.get(ACTOR_KEY)
    if not actor:
        return
    now = utcnow()
    pending: list[AuditEntry] = []
    with session.no_autoflush:
        for obj in list(session.new):
            if type(obj) in AUDITED:
                if "id" in inspect(type(obj)).column_attrs and obj.id is None:
                    obj.id = new_id()  # the trail names the record, so it needs its id now
                pending.extend(entries_for(session, obj, "create", actor, now))
        for obj in list(session.dirty):
            if type(obj) in AUDITED and session.is_modified(obj, include_collections=False):
                pending.extend(entries_for(session, obj, "update", actor, now))
        for obj in list(session.deleted):
            if type(obj) in AUDITED:
                pending.extend(entries_for(session, obj, "delete", actor, now))
    session.add_all(pending)


#: The session factories the hooks are on. Not ``event.contains``: SQLAlchemy's registry keys a
#: listener by ``id(target)`` and keeps the key after the factory is gone, so a new factory
#: allocated at a dead one's address looked "already listened to" and got no audit trail.
_installed: weakref.WeakSet[sessionmaker[Session]] = weakref.WeakSet()


def install_audit_hooks(session_factory: sessionmaker[Session]) -> None:
    """Record the changes of every session ``session_factory`` makes that names an actor."""
    if session_factory not in _installed:
        event.listen(session_factory, "before_flush", _before_flush)
        _installed.add(session_factory)


def record_action(
    session: Session, *, action: str, actor: str, resource_type: str, resource_id: str,
    listing_id: str | None = None, field_name: str = "", previous: str = "", replacement: str = "",
) -> AuditEntry:
    """Add one trail row for an action that is not a field change (an import, say); flushes."""
    entry = AuditEntry(listing_id=listing_id, resource_type=resource_type, resource_id=resource_id,
                       last_action_date=utcnow(), last_action_type=action, field_name=field_name,
                       previous_value=previous, replacement_value=replacement, updated_by=actor)
    session.add(entry)
    session.flush()
    return entry


def listing_history(session: Session, listing_id: str, *, limit: int = 500) -> list[AuditEntry]:
    """The trail of one listing, newest first."""
    return list(session.scalars(
        select(AuditEntry).where(AuditEntry.listing_id == listing_id)
        .order_by(AuditEntry.seq.desc()).limit(limit)
    ))


def recent_entries(
    session: Session, *, since: dt.datetime | None = None, limit: int | None = None
) -> list[AuditEntry]:
    """The whole trail (or since ``since``), newest first."""
    statement = select(AuditEntry).order_by(AuditEntry.seq.desc())
    if since is not None:
        statement = statement.where(AuditEntry.last_action_date >= since)
    if limit is not None:
        statement = statement.limit(limit)
    return list(session.scalars(statement))


def _cell(value: str) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (OWASP CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def audit_csv(entries: Iterable[AuditEntry]) -> str:
    """The entries as CSV, one row per entry, with :data:`CSV_COLUMNS` as the header."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        row: Sequence[str] = [entry.id, entry.listing_id or "", entry.resource_id, entry.resource_type,
                              entry.last_action_date.isoformat(), entry.last_action_type,
                              entry.field_name, entry.previous_value, entry.replacement_value,
                              entry.updated_by]
        writer.writerow([_cell(str(v)) for v in row])
    return out.getvalue()
