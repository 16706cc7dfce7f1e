"""Availability trends of a district's shelters for the district sheet.

Every count a caseworker or a provider saves is an audit row (:mod:`directory_data.availability_updates`:
``service_capacity``, field ``available``). For one district and period this reads those rows for
the capacities of the services delivered at a place in the district and sums them up per
capacity: how many reports, the lowest and the average count, how often it was reported full
(0 free), the average per week, and the count now.

A confidential place's district must not be told by name on a sheet that may be shown at a
public meeting: the capacities of services delivered only at confidential places are combined per
unit under no name (the sheet says "confidential shelters, combined").
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from directory_data.models import (
    AuditEntry,
    Location,
    LocationDistrict,
    Service,
    ServiceAtLocation,
    ServiceCapacity,
    Unit,
)

#: The audit rows of a saved count.
RESOURCE_TYPE = "service_capacity"
FIELD = "available"


@dataclass(frozen=True)
class CapacityTrend:
    """What one capacity (or the confidential shelters' capacities of one unit, ``service``
    None) reported over the period."""

    service: str | None
    unit: str
    maximum: int | None
    reports: int
    lowest: int | None
    average: float | None
    full: int
    #: ``(monday, average count)`` for each week of the period with a report, oldest first.
    weekly: tuple[tuple[dt.date, float], ...]
    #: The count now (summed over the combined capacities).
    now: int


def _district_capacities(session: Session, district: str) -> dict[str, tuple[str, str, int | None, int, bool]]:
    """Capacity id -> (service name, unit name, maximum, available now, confidential) for the
    live services delivered at a place in ``district``; confidential when every such place of
    the service in the district is confidential."""
    rows = session.execute(
        select(ServiceCapacity.id, Service.name, Unit.name, ServiceCapacity.maximum, ServiceCapacity.available,
               Location.confidential)
        .join(Service, Service.id == ServiceCapacity.service_id)
        .join(Unit, Unit.id == ServiceCapacity.unit_id)
        .join(ServiceAtLocation, ServiceAtLocation.service_id == Service.id)
        .join(Location, Location.id == ServiceAtLocation.location_id)
        .join(LocationDistrict, LocationDistrict.location_id == Location.id)
        .where(and_(LocationDistrict.district_code == district, Location.retired_at.is_(None),
                    Service.retired_at.is_(None))))
    found: dict[str, tuple[str, str, int | None, int, bool]] = {}
    for capacity_id, service, unit, maximum, available, confidential in rows:
        secret = bool(confidential) and found.get(capacity_id, (None, None, None, 0, True))[4]
        found[capacity_id] = (service, unit, maximum, int(available or 0), secret)
    return found


def _reports(session: Session, ids: Iterable[str], since: dt.date, until: dt.date,
             zone: dt.tzinfo) -> dict[str, list[tuple[dt.datetime, int]]]:
    """Capacity id -> its saved counts from ``since`` to ``until`` (inclusive, days in ``zone``),
    oldest first."""
    start = dt.datetime.combine(since, dt.time(), zone).astimezone(dt.timezone.utc)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), zone).astimezone(dt.timezone.utc)
    wanted = list(ids)
    out: dict[str, list[tuple[dt.datetime, int]]] = defaultdict(list)
    for start_at in range(0, len(wanted), 500):
        rows = session.execute(
            select(AuditEntry.resource_id, AuditEntry.last_action_date, AuditEntry.replacement_value)
            .where(AuditEntry.resource_type == RESOURCE_TYPE, AuditEntry.field_name == FIELD,
                   AuditEntry.resource_id.in_(wanted[start_at:start_at + 500]),
                   AuditEntry.last_action_date >= start, AuditEntry.last_action_date < end)
            .order_by(AuditEntry.seq))
        for capacity_id, when, value in rows:
            if value is not None and str(value).strip().isdigit():
                out[capacity_id].append((when, int(value)))
    return out


def _trend(service: str | None, unit: str, maximum: int | None, now: int,
           reports: list[tuple[dt.datetime, int]], zone: dt.tzinfo) -> CapacityTrend:
    counts = [n for _, n in reports]
    weeks: dict[dt.date, list[int]] = defaultdict(list)
    for when, n in reports:
        day = (when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)).astimezone(zone).date()
        weeks[day - dt.timedelta(days=day.weekday())].append(n)
    return CapacityTrend(
        service=service, unit=unit, maximum=maximum, reports=len(counts),
        lowest=min(counts) if counts else None,
        average=round(statistics.fmean(counts), 1) if counts else None,
        full=sum(1 for n in counts if n == 0),
        weekly=tuple((monday, round(statistics.fmean(ns), 1)) for monday, ns in sorted(weeks.items())),
        now=now)


def availability_trends(session: Session, district: str, since: dt.date, until: dt.date,
                        zone: dt.tzinfo) -> list[CapacityTrend]:
    """The trends of the capacities of ``district``'s shelters from ``since`` to ``until`` (days
    and weeks in ``zone``, the directory's time zone, as the sheet's period is): named ones by
    service and unit, then the confidential ones combined per unit."""
    capacities = _district_capacities(session, district)
    reports = _reports(session, capacities, since, until, zone)
    named: list[CapacityTrend] = []
    secret: dict[str, list[str]] = defaultdict(list)
    for capacity_id, (service, unit, maximum, now, confidential) in capacities.items():
        if confidential:
            secret[unit].append(capacity_id)
        else:
            named.append(_trend(service, unit, maximum, now, reports.get(capacity_id, []), zone))
    combined = []
    for unit, ids in secret.items():
        merged = sorted((r for i in ids for r in reports.get(i, [])), key=lambda r: r[0])
        maxima = [capacities[i][2] for i in ids]
        total = None if any(m is None for m in maxima) else sum(m for m in maxima if m is not None)
        combined.append(_trend(None, unit, total, sum(capacities[i][3] for i in ids), merged, zone))
    return sorted(named, key=lambda t: (t.service or "", t.unit)) + sorted(combined, key=lambda t: t.unit)
