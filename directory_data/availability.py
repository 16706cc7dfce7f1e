"""Availability: what a service's capacities say now, and how old that is.

A count is **fresh** while its ``updated`` ("as of") time is within the configured age (default
:data:`DEFAULT_MAX_AGE_HOURS`); an older count is not shown as a number ("call to check"), and
a service **has room now** when one of its fresh counts has ``available > 0``. The age is said
in words in English or Spanish ("40 minutes ago", "hace 40 minutos").

Pure functions of the rows and the clock: no session, no Flask.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from babel.dates import format_timedelta

from directory_data.hsds.export_fields import format_datetime

#: How long a count is shown as a number, by default (``AVAILABILITY_MAX_AGE_HOURS``).
DEFAULT_MAX_AGE_HOURS = 12.0
#: The highest count a capacity may hold (a typo guard: no shelter has 10,000 beds).
MAX_COUNT = 9999


@dataclass(frozen=True)
class Reading:
    """One capacity as a card shows it: its unit's names, the counts, and as of when."""

    unit: str
    unit_es: str | None
    available: int
    maximum: int | None
    updated: dt.datetime

    def fresh(self, now: dt.datetime, max_age: dt.timedelta) -> bool:
        """Whether the count may still be shown as a number at ``now``."""
        return is_fresh(self.updated, now, max_age)

    def unit_name(self, language: str) -> str:
        """The unit's name in ``language`` (the English one when there is no Spanish one)."""
        return (self.unit_es or self.unit) if language == "es" else self.unit


def max_age(hours: float | int | str | None) -> dt.timedelta:
    """The configured age as a timedelta (``None`` or nonsense: the default; at least 1 minute)."""
    try:
        value = float(hours) if hours is not None else DEFAULT_MAX_AGE_HOURS
    except (TypeError, ValueError):
        value = DEFAULT_MAX_AGE_HOURS
    if not value == value or value <= 0:  # NaN or not positive
        value = DEFAULT_MAX_AGE_HOURS
    return max(dt.timedelta(hours=value), dt.timedelta(minutes=1))


def is_fresh(updated: dt.datetime, now: dt.datetime, age: dt.timedelta) -> bool:
    """Whether a count ``updated`` then is still fresh at ``now``."""
    return now - updated <= age


def readings(capacities: Iterable[Any]) -> tuple[Reading, ...]:
    """The readings of loaded ``service_capacity`` rows (each with its ``unit``), by unit name."""
    found = [Reading(c.unit.name, c.unit.name_es, int(c.available), c.maximum, c.updated)
             for c in capacities if c.unit is not None]
    return tuple(sorted(found, key=lambda r: r.unit.lower()))


def room_since(capacities: Iterable[Any]) -> dt.datetime | None:
    """The latest "as of" time of a capacity with room (``available > 0``), or None: the service
    has room now while this is fresh."""
    times = [c.updated for c in capacities if c.available and c.available > 0 and c.updated]
    return max(times) if times else None


def has_room(capacities: Iterable[Any], now: dt.datetime, age: dt.timedelta) -> bool:
    """Whether a fresh capacity of the service has ``available > 0``."""
    since = room_since(capacities)
    return since is not None and is_fresh(since, now, age)


def counts_json(capacities: Iterable[Reading], now: dt.datetime, age: dt.timedelta) -> list[dict[str, Any]]:
    """The capacities as the API shows them at ``now``: a count older than ``age`` has
    ``available`` null and ``call_to_check`` true."""
    return [{"unit": r.unit, "unit_es": r.unit_es, "maximum": r.maximum,
             "available": r.available if r.fresh(now, age) else None,
             "call_to_check": not r.fresh(now, age), "updated": format_datetime(r.updated)}
            for r in capacities]


def age_words(updated: dt.datetime, now: dt.datetime, language: str) -> str:
    """How long ago ``updated`` was, in words of ``language`` ("40 minutes ago", "hace 3 horas";
    "less than a minute" counts as one minute; a time ahead of ``now`` as now)."""
    elapsed = max(now - updated, dt.timedelta(minutes=1))
    return format_timedelta(-elapsed, granularity="minute", add_direction=True,
                            locale="es" if language == "es" else "en")


def minutes_since_epoch(moment: dt.datetime) -> int:
    """``moment`` as whole minutes since 1970 (UTC), the index's clock for "has room now"."""
    return int(moment.timestamp() // 60)
