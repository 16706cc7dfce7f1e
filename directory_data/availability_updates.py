"""The availability use-cases: add or remove a capacity (caseworkers), and update the counts
(caseworkers and providers through their link). Each change is audited in the same transaction
and, because a capacity carries its ``service_id``, journaled, so every index and listing cache
shows it within the journal reader's next pass. Add and flush; never commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from directory_data.audit import record_action, text_value
from directory_data.availability import MAX_COUNT
from directory_data.models import Service, ServiceCapacity, Unit, utcnow

MAX_UNIT_CHARS = 200


class InvalidAvailability(ValueError):
    """Counts that cannot be saved, with one message per field (capacity id or form field)."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = dict(errors)


def capacities_of(session: Session, service_id: str) -> list[ServiceCapacity]:
    """The service's capacities, by unit name."""
    rows = session.scalars(select(ServiceCapacity).where(ServiceCapacity.service_id == service_id))
    return sorted(rows, key=lambda c: (c.unit.name.lower(), c.id))


def read_count(raw: object, *, required: bool = True) -> int | None:
    """A count typed in a form: a whole number from 0 to :data:`MAX_COUNT` (``ValueError`` with
    a message otherwise; None for an empty optional one)."""
    text = str(raw if raw is not None else "").strip()
    if not text:
        if required:
            raise ValueError("enter a number")
        return None
    if not text.isdigit():
        raise ValueError("enter a whole number, 0 or more")
    value = int(text)
    if value > MAX_COUNT:
        raise ValueError(f"enter a number up to {MAX_COUNT}")
    return value


def _unit_named(session: Session, name: str, name_es: str | None) -> Unit:
    unit = session.scalar(select(Unit).where(func.lower(Unit.name) == name.lower()).order_by(Unit.id).limit(1))
    if unit is None:
        unit = Unit(name=name, name_es=name_es or None)
        session.add(unit)
    elif name_es and not unit.name_es:
        unit.name_es = name_es
    return unit


def add_capacity(session: Session, service_id: str, *, unit: str, unit_es: str | None,
                 available: object, maximum: object, actor: str,
                 now: dt.datetime | None = None) -> ServiceCapacity:
    """Give the service a capacity of ``unit`` (a unit of that name is reused); ``available`` and
    ``maximum`` (optional) are numbers or the text typed for them. :class:`InvalidAvailability`
    names every field that cannot be saved."""
    name = " ".join((unit or "").split())[:MAX_UNIT_CHARS]
    errors: dict[str, str] = {}
    counts: dict[str, int | None] = {}
    for field, raw, required in (("available", available, True), ("maximum", maximum, False)):
        try:
            counts[field] = read_count(raw, required=required)
        except ValueError as error:
            errors[field] = str(error)
    if not name:
        errors["unit"] = "name what is counted, e.g. family beds"
    free, most = counts.get("available"), counts.get("maximum")
    if free is not None and most is not None and free > most:
        errors["available"] = "cannot be more than the maximum"
    if session.get(Service, service_id) is None:
        errors["service"] = "no such service"
    if errors:
        raise InvalidAvailability(errors)
    assert free is not None
    spanish = " ".join((unit_es or "").split())[:MAX_UNIT_CHARS] or None
    capacity = ServiceCapacity(service_id=service_id, unit=_unit_named(session, name, spanish),
                               available=free, maximum=most, updated=now or utcnow())
    session.add(capacity)
    session.flush()
    record_action(session, action="create", actor=actor, resource_type="service_capacity",
                  resource_id=capacity.id, listing_id=service_id, field_name="available",
                  replacement=text_value(free))
    return capacity


def remove_capacity(session: Session, service_id: str, capacity_id: str, actor: str) -> None:
    """Remove a capacity of the service (``LookupError`` when it has none of that id)."""
    capacity = session.get(ServiceCapacity, capacity_id)
    if capacity is None or capacity.service_id != service_id:
        raise LookupError(capacity_id)
    record_action(session, action="delete", actor=actor, resource_type="service_capacity",
                  resource_id=capacity.id, listing_id=service_id, field_name="available",
                  previous=text_value(capacity.available))
    session.delete(capacity)
    session.flush()


def update_counts(session: Session, service_id: str, counts: Mapping[str, object], actor: str,
                  now: dt.datetime | None = None) -> list[ServiceCapacity]:
    """Set the available counts of the service's capacities (``counts``: capacity id -> the
    typed count) as of ``now``; every capacity named must be the service's, every count valid
    (else :class:`InvalidAvailability`, nothing changed). A count given again unchanged still
    moves its "as of" time: the provider confirmed it. Each count is one audit row."""
    when = now or utcnow()
    mine = {c.id: c for c in capacities_of(session, service_id)}
    errors: dict[str, str] = {}
    values: dict[str, int] = {}
    for capacity_id, raw in counts.items():
        capacity = mine.get(capacity_id)
        if capacity is None:
            errors[capacity_id] = "not a capacity of this service"
            continue
        try:
            value = read_count(raw)
        except ValueError as error:
            errors[capacity_id] = str(error)
            continue
        assert value is not None
        if capacity.maximum is not None and value > capacity.maximum:
            errors[capacity_id] = f"cannot be more than {capacity.maximum}"
            continue
        values[capacity_id] = value
    if errors or not values:
        raise InvalidAvailability(errors or {"counts": "enter a number"})
    changed = []
    for capacity_id, value in values.items():
        capacity = mine[capacity_id]
        previous = capacity.available
        capacity.available = value
        capacity.updated = when
        record_action(session, action="update", actor=actor, resource_type="service_capacity",
                      resource_id=capacity.id, listing_id=service_id, field_name="available",
                      previous=text_value(previous), replacement=text_value(value))
        changed.append(capacity)
    session.flush()
    return changed
