"""When a service next opens or closes, from the open-now encoding of :mod:`search_index.hours`.

:func:`opening_status` checks each span boundary of the coming week with
:func:`search_index.hours.is_open`, so a card's "closes at 5:00 PM" agrees with open-now.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from search_index.hours import (
    DEFAULT_TIMEZONE,
    MINUTES_PER_DAY,
    MINUTES_PER_WEEK,
    is_open,
    zone,
)

#: How far ahead a next opening is looked for.
LOOKAHEAD_DAYS = 8


@dataclass(frozen=True)
class OpeningStatus:
    """Whether a service is open at an instant (None: no hours), and when that changes (or None)."""

    open: bool | None
    changes_at: dt.datetime | None = None

    @property
    def closes_at(self) -> dt.datetime | None:
        """When an open service closes."""
        return self.changes_at if self.open else None

    @property
    def opens_at(self) -> dt.datetime | None:
        """When a closed service opens."""
        return self.changes_at if self.open is False else None


def _boundaries(hours: Mapping[str, Any], local_now: dt.datetime) -> Iterator[dt.datetime]:
    """Every local instant in the look-ahead at which a span starts or ends, in order."""
    minutes_of_day: set[int] = set()
    week_minutes: set[int] = set()
    for span in hours.get("w", ()):
        for minute in span[:2]:
            week_minutes.add(minute % MINUTES_PER_WEEK)
    for special in hours.get("s", ()):
        for minute in special[2:4]:
            minutes_of_day.add(minute % MINUTES_PER_DAY)
    midnight = local_now.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    found: set[dt.datetime] = set()
    for day in range(LOOKAHEAD_DAYS + 1):
        date = midnight + dt.timedelta(days=day)
        weekday_start = date.weekday() * MINUTES_PER_DAY
        for minute in week_minutes:
            if weekday_start <= minute < weekday_start + MINUTES_PER_DAY:
                found.add(date + dt.timedelta(minutes=minute - weekday_start))
        for minute in minutes_of_day:
            found.add(date + dt.timedelta(minutes=minute))
        found.add(date)  # closures begin and end at midnight
    tz = local_now.tzinfo
    for naive in sorted(found):
        moment = naive.replace(tzinfo=tz)
        if moment > local_now:
            yield moment


def opening_status(hours: Mapping[str, Any] | None, now: dt.datetime) -> OpeningStatus:
    """Whether ``hours`` say open at the aware instant ``now``, and the next local change time."""
    state = is_open(hours, now)
    if state is None or hours is None:
        return OpeningStatus(None)
    local_now = now.astimezone(zone(hours.get("tz") or DEFAULT_TIMEZONE))
    for moment in _boundaries(hours, local_now):
        if is_open(hours, moment) != state:
            return OpeningStatus(state, moment)
    return OpeningStatus(state)


def hours_key(hours: Mapping[str, Any] | None) -> str | None:
    """A hashable form of an hours encoding (a card's week table is made from it)."""
    return None if hours is None else json.dumps(hours, sort_keys=True, separators=(",", ":"))
