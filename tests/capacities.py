"""A test directory with capacities, for the HSDS availability tests (imported as a module)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session, sessionmaker

from directory_data.availability_updates import add_capacity
from kiosk_directory import make_directory

#: When the capacities were last updated.
AS_OF = dt.datetime(2026, 12, 7, 14, 30, 15, tzinfo=dt.timezone.utc)


def add_test_capacities(session_factory: sessionmaker[Session]) -> dict[str, str]:
    """Make the test directory with three capacities: two at the confidential shelter, one at the
    child care centre (with a description and a unit with scheme, identifier and URI); the ids of
    the ``shelter`` and ``childcare`` services."""
    with session_factory() as session:
        made = make_directory(session)
        add_capacity(session, made.shelter, unit="family beds", unit_es="camas para familias",
                     available=3, maximum=10, actor="t", now=AS_OF)
        add_capacity(session, made.shelter, unit="single women's beds", unit_es=None,
                     available=0, maximum=None, actor="t", now=AS_OF - dt.timedelta(hours=30))
        child = add_capacity(session, made.childcare, unit="child care slots", unit_es="plazas de cuidado infantil",
                             available=5, maximum=12, actor="t", now=AS_OF)
        child.description = "Ages 2 to 5, weekdays"
        child.unit.scheme, child.unit.identifier, child.unit.uri = "kiosk", "slot", "https://example.org/units/slot"
        session.commit()
        return {"shelter": made.shelter, "childcare": made.childcare}
