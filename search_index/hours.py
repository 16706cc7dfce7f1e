"""Opening hours for open-now: a compact weekly encoding built at index time, checked at query time.

Encoding (a plain dict, stored with the document)::

    {"tz": "America/New_York",
     "w": [[start, end], [start, end, from_ord, to_ord], ...],   # weekly spans
     "c": [[from_ord, to_ord], ...],                            # closures (holidays)
     "s": [[from_ord, to_ord, open_min, close_min], ...]}       # special hours on dates

``start``/``end`` are minutes of the week counted from Monday 00:00 local time, ``end > start``;
a span that runs past midnight simply ends on the next day (past Sunday it ends after minute
10080 and wraps to Monday). ``from_ord``/``to_ord`` are ``date.toordinal()`` values, 0 meaning
unbounded. On a closure date the service is closed; on a special date only the special hours
apply. The conventions follow :mod:`directory_data.models.schedule`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from directory_data.hsds.schedule_times import zone_info
from directory_data.models import WEEKDAYS, Schedule

MINUTES_PER_DAY = 1440
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY

#: The zone a schedule without one is read in (the curated directory is in Florida).
DEFAULT_TIMEZONE = "America/New_York"

Hours = dict[str, Any]


def _minutes(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def _day_span(opens: dt.time, closes: dt.time) -> tuple[int, int]:
    """Minutes from midnight to open and to close; a close at or before the open is next day."""
    start = _minutes(opens)
    end = _minutes(closes)
    if closes.hour == 23 and closes.minute == 59:
        end = MINUTES_PER_DAY
    if end <= start:
        end += MINUTES_PER_DAY
    return start, end


def _ordinal(value: dt.date | None) -> int:
    return value.toordinal() if value is not None else 0


def encode_schedules(schedules: Iterable[Schedule], default_tz: str = DEFAULT_TIMEZONE) -> Hours | None:
    """The open-now encoding of ``schedules``, or None when they say nothing about hours."""
    weekly: list[list[int]] = []
    closures: list[list[int]] = []
    special: list[list[int]] = []
    tz = ""
    for row in schedules:
        if row.timezone and not tz:
            tz = row.timezone
        if row.is_closure:
            closures.append([_ordinal(row.valid_from), _ordinal(row.valid_to or row.valid_from)])
            continue
        if row.opens_at is None or row.closes_at is None:
            continue
        start, end = _day_span(row.opens_at, row.closes_at)
        if row.freq is None and not row.byday and row.valid_from is not None:
            special.append(
                [_ordinal(row.valid_from), _ordinal(row.valid_to or row.valid_from), start, end]
            )
            continue
        days = [d for d in row.weekdays if d in WEEKDAYS] or list(WEEKDAYS)
        valid_from = _ordinal(row.valid_from or row.dtstart)
        valid_to = _ordinal(row.valid_to or row.until)
        for day in days:
            offset = WEEKDAYS.index(day) * MINUTES_PER_DAY
            span = [offset + start, offset + end]
            if valid_from or valid_to:
                span += [valid_from, valid_to]
            if span not in weekly:
                weekly.append(span)
    if not weekly and not closures and not special:
        return None
    weekly.sort()
    hours: Hours = {"tz": tz or default_tz, "w": weekly}
    if closures:
        hours["c"] = closures
    if special:
        hours["s"] = special
    return hours


def zone(name: str) -> dt.tzinfo:
    """The ``ZoneInfo`` for ``name``, or the default zone when the name is unknown."""
    return zone_info(name) or ZoneInfo(DEFAULT_TIMEZONE)


def in_dates(from_ord: int, to_ord: int, day: int) -> bool:
    """Whether the date ordinal ``day`` is within ``from_ord``..``to_ord`` (0: unbounded)."""
    return (not from_ord or from_ord <= day) and (not to_ord or day <= to_ord)


def is_open(hours: Mapping[str, Any] | None, now: dt.datetime) -> bool | None:
    """Whether a service with ``hours`` is open at the aware instant ``now``; None if unknown."""
    if not hours:
        return None
    local = now.astimezone(zone(hours.get("tz") or DEFAULT_TIMEZONE))
    today = local.date().toordinal()
    minute_of_day = local.hour * 60 + local.minute
    for from_ord, to_ord in hours.get("c", ()):
        if in_dates(from_ord, to_ord, today):
            return False
    special = hours.get("s")
    if special:
        dated = [s for s in special if in_dates(s[0], s[1], today)]
        if dated:
            return any(s[2] <= minute_of_day < s[3] for s in dated)
        yesterday = today - 1
        if any(in_dates(s[0], s[1], yesterday) and minute_of_day + MINUTES_PER_DAY < s[3] for s in special):
            return True
    minute = local.weekday() * MINUTES_PER_DAY + minute_of_day
    wrapped = minute + MINUTES_PER_WEEK
    for span in hours.get("w", ()):
        start, end = span[0], span[1]
        if start <= minute < end or start <= wrapped < end:
            if len(span) == 2 or in_dates(span[2], span[3], today):
                return True
    return False
