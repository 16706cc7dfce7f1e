"""When each service last changed, from the change journal: HSDS ``last_modified`` and
``modified_after``.

The change journal (:mod:`directory_data.journal`) gets one entry per service touched by every
committed change, in the same transaction: the service itself, its phones, hours, languages,
costs, categories and terms, its organization, the places it is delivered at (their addresses,
phones, hours, retirement), and its own retirement. So a service's **last modified** time is

    the latest ``changed_at`` of its journal entries, or its ``created_at`` if that is later
    (a row written without the journal hooks has only that),

and later still when the UTC offset of one of its schedules' time zones changed since (the HSDS
API shows schedule times with the offset in effect at the time of the answer, see
:mod:`directory_data.hsds.schedule_times`): then the latest such change.

``modified_after`` (:func:`changed_since_clause`) selects exactly the services whose last modified
time is at or after the instant it is given: a filter and the ``last_modified`` values the same
answer shows (:func:`last_modified_times`) always agree. The journal is never pruned, so these
times only move forward: the set of services changed since a given instant only grows.

Timestamps are the app hosts' clocks when the change was flushed, with microseconds. A
transaction that commits some time after it was journaled carries the earlier time; the API
widens every ``modified_after`` by an overlap (see ``kiosk/api/directory.py``) so a client that
syncs from the start of its previous sync does not miss it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, true, union
from sqlalchemy.orm import Session

from directory_data.hsds.schedule_times import ScheduleClock, changed_between
from directory_data.id_lists import in_ids
from directory_data.locations import live_location_link
from directory_data.models import ChangeJournalEntry, Schedule, Service, ServiceAtLocation


def last_modified_times(
    session: Session, service_ids: Collection[str], clock: ScheduleClock, *,
    loaded: Sequence[Any] | None = None,
) -> dict[str, dt.datetime]:
    """The last modified time of each of ``service_ids`` (see the module docstring).

    ``loaded``: the services as :func:`~directory_data.hsds.export_load.load_services` gives them
    (their creation times and schedules are read from them instead of the database); else three
    indexed queries per 1,000 services.
    """
    ids = list(service_ids)
    if not ids:
        return {}
    times: dict[str, dt.datetime] = {}
    zones: dict[str, set[str | None]]
    if loaded is not None:
        times = {s.id: s.created_at for s in loaded}
        zones = {s.id: shown_zones(s) for s in loaded}
    else:
        for start in range(0, len(ids), 1000):
            rows = select(Service.id, Service.created_at).where(in_ids(session, Service.id, ids[start:start + 1000]))
            times.update((sid, created) for sid, created in session.execute(rows))
        zones = schedule_zones(session, ids)
    for start in range(0, len(ids), 1000):
        journal = (select(ChangeJournalEntry.service_id, func.max(ChangeJournalEntry.changed_at))
                   .where(in_ids(session, ChangeJournalEntry.service_id, ids[start:start + 1000]))
                   .group_by(ChangeJournalEntry.service_id))
        for sid, changed in session.execute(journal):
            changed = _aware(changed)
            if sid in times and changed > times[sid]:
                times[sid] = changed
    for sid, names in zones.items():
        changed = clock.last_change(names)
        if sid in times and changed is not None and changed > times[sid]:
            times[sid] = changed
    return times


def shown_zones(service: Any) -> set[str | None]:
    """The ``timezone`` values (None: empty) of the schedules a loaded service shows: its own,
    its service-at-location links' and its (live) places' that belong to no service."""
    found = {s.timezone or None for s in service.schedules}
    for link in service.location_links:
        found.update(s.timezone or None for s in link.schedules)
        found.update(s.timezone or None for s in link.location.schedules
                     if s.service_id is None and s.service_at_location_id is None)
    return found


def _aware(value: dt.datetime) -> dt.datetime:
    """A journal time read by ``func.max`` (SQLite returns it naive, meaning UTC)."""
    if isinstance(value, str):  # SQLite's max() over the column's text
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.timezone.utc)


def changed_since_clause(session: Session, since: dt.datetime, clock: ScheduleClock) -> ColumnElement[bool]:
    """SQL over ``service``: its last modified time is at or after ``since`` (aware).

    When ``since`` is not after the oldest service's creation, every service qualifies (its last
    modified time is at least its creation time) and the clause is simply true: a full sync by
    ``modified_after`` costs no more than a plain list (at 100,000 services the journal and time
    zone subqueries cost about 2.5 s a page). Otherwise it reads the distinct schedule time zones
    of the directory (one scan of ``schedule``), to know whether an offset change since ``since``
    concerns any of them.
    """
    oldest = session.scalar(select(func.min(Service.created_at)))
    if oldest is None or since <= oldest:
        return true()
    journaled = select(ChangeJournalEntry.service_id).where(ChangeJournalEntry.changed_at >= since)
    conditions: list[ColumnElement[bool]] = [Service.created_at >= since, Service.id.in_(journaled)]
    names = zones_changed_since(session, since, clock)
    if names:
        conditions.append(Service.id.in_(
            select(_shown_schedules(_zone_is(names)).subquery().c.sid)))
    return or_(*conditions)


def zones_changed_since(session: Session, since: dt.datetime, clock: ScheduleClock) -> list[str | None]:
    """The ``schedule.timezone`` values in the directory (None: empty) whose zone's UTC offset
    changed after ``since`` and by ``clock.now``."""
    names = {name or None for name in session.scalars(select(Schedule.timezone).distinct())}
    return sorted((n for n in names if changed_between(clock.zone_name(n), since, clock.now)),
                  key=lambda n: n or "")


def _zone_is(names: list[str | None]) -> ColumnElement[bool]:
    """SQL: the schedule's ``timezone`` is one of ``names`` (None: empty or NULL)."""
    conditions: list[ColumnElement[bool]] = []
    named = [n for n in names if n]
    if named:
        conditions.append(Schedule.timezone.in_(named))
    if None in names:
        conditions.append(or_(Schedule.timezone.is_(None), Schedule.timezone == ""))
    return or_(*conditions)


def _shown_schedules(where: ColumnElement[bool], session: Session | None = None,
                     service_ids: list[str] | None = None) -> Any:
    """SQL: ``(sid, timezone)`` of the schedules matching ``where`` that each service shows: its
    own, those of its service-at-location links, and those of the places (not retired) it is
    delivered at that belong to no service (of ``service_ids``, or of every service)."""
    own = select(Schedule.service_id.label("sid"), Schedule.timezone).where(
        Schedule.service_id.is_not(None), where)
    linked = (select(ServiceAtLocation.service_id.label("sid"), Schedule.timezone)
              .join(Schedule, Schedule.service_at_location_id == ServiceAtLocation.id)
              .where(live_location_link(), where))
    placed = (select(ServiceAtLocation.service_id.label("sid"), Schedule.timezone)
              .join(Schedule, and_(Schedule.location_id == ServiceAtLocation.location_id,
                                   Schedule.service_id.is_(None),
                                   Schedule.service_at_location_id.is_(None)))
              .where(live_location_link(), where))
    if session is not None and service_ids is not None:
        own = own.where(in_ids(session, Schedule.service_id, service_ids))
        linked = linked.where(in_ids(session, ServiceAtLocation.service_id, service_ids))
        placed = placed.where(in_ids(session, ServiceAtLocation.service_id, service_ids))
    return union(own, linked, placed)


def schedule_zones(session: Session, service_ids: Collection[str]) -> dict[str, set[str | None]]:
    """The ``timezone`` values (None: empty) of the schedules each of ``service_ids`` shows."""
    ids = list(service_ids)
    found: dict[str, set[str | None]] = defaultdict(set)
    for start in range(0, len(ids), 1000):
        statement = _shown_schedules(true(), session, ids[start:start + 1000])
        for sid, zone in session.execute(statement):
            found[sid].add(zone or None)
    return found
