"""A service's hours as a detail page shows them: a table of the week (Monday to Sunday, each
day's spans, today marked) and the holiday closures and special hours coming up.

Built from the open-now encoding of :mod:`search_index.hours`, so the table and the status line
agree. Each weekday stands for its next date from today on, seasons, closures and special hours
included. A day whose every minute is open (spans of the evening before included) is
``all_day``; otherwise it lists the spans that start on it. :attr:`WeekHours.notices` lists the
closures and special hours of the next :data:`NOTICE_DAYS` days.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from search_index.hours import DEFAULT_TIMEZONE, MINUTES_PER_DAY, MINUTES_PER_WEEK, in_dates, zone

#: How far ahead holiday closures and special hours are announced.
NOTICE_DAYS = 60
#: How many of them a detail page lists at most.
MAX_NOTICES = 5

_MIDNIGHT = dt.time(0, 0)


@dataclass(frozen=True)
class Span:
    """One opening, as local wall-clock date-times (naive, in the listing's zone)."""

    opens: dt.datetime
    closes: dt.datetime

    @property
    def to_midnight(self) -> bool:
        """Whether it closes at midnight exactly (the end of its first day)."""
        return self.closes.time() == _MIDNIGHT and self.closes.date() == self.opens.date() + dt.timedelta(days=1)

    @property
    def overnight(self) -> bool:
        """Whether it closes after midnight, on the next day."""
        return self.closes.date() > self.opens.date() and not self.to_midnight


@dataclass(frozen=True)
class DayHours:
    """One row of the week's table: the next ``date`` of a weekday and its hours."""

    date: dt.date
    spans: tuple[Span, ...]
    all_day: bool = False
    closed_for_holiday: bool = False
    special: bool = False
    today: bool = False

    @property
    def closed(self) -> bool:
        """Whether the service does not open on this day."""
        return not self.all_day and not self.spans


@dataclass(frozen=True)
class DateNotice:
    """A holiday closure (no ``spans``) or special hours from ``first`` to ``last``."""

    first: dt.date
    last: dt.date
    spans: tuple[Span, ...] = ()

    @property
    def closure(self) -> bool:
        """Whether the service is closed on these dates."""
        return not self.spans


@dataclass(frozen=True)
class WeekHours:
    """The week's table (Monday first) and the dates coming up that differ from it."""

    days: tuple[DayHours, ...]
    notices: tuple[DateNotice, ...]

    @property
    def every_day_all_day(self) -> bool:
        """Whether every day of the table is open 24 hours."""
        return all(day.all_day for day in self.days)


def _spans_on(day: dt.date, minutes: Sequence[tuple[int, int]]) -> tuple[Span, ...]:
    """``(start, end)`` minutes from ``day``'s midnight as spans of that day, in order."""
    midnight = dt.datetime.combine(day, _MIDNIGHT)
    return tuple(Span(midnight + dt.timedelta(minutes=start), midnight + dt.timedelta(minutes=end))
                 for start, end in sorted(minutes))


def _whole_day(pieces: list[tuple[int, int]]) -> bool:
    """Whether ``pieces`` (minutes of one day) cover all of it."""
    reached = 0
    for start, end in sorted(pieces):
        if start > reached:
            return False
        reached = max(reached, end)
    return reached >= MINUTES_PER_DAY


def _day(hours: Mapping[str, Any], day: dt.date, today: dt.date) -> DayHours:
    ordinal = day.toordinal()
    if any(in_dates(first, last, ordinal) for first, last in hours.get("c", ())):
        return DayHours(day, (), closed_for_holiday=True, today=day == today)
    dated = [(s[2], s[3]) for s in hours.get("s", ()) if in_dates(s[0], s[1], ordinal)]
    if dated:
        return DayHours(day, () if _whole_day(dated) else _spans_on(day, dated),
                        all_day=_whole_day(dated), special=True, today=day == today)
    low = day.weekday() * MINUTES_PER_DAY
    high = low + MINUTES_PER_DAY
    starting: list[tuple[int, int]] = []
    covering: list[tuple[int, int]] = []
    for span in hours.get("w", ()):
        if len(span) > 2 and not in_dates(span[2], span[3], ordinal):
            continue
        start, end = span[0], span[1]
        if low <= start < high:
            starting.append((start - low, end - low))
        for shift in (0, MINUTES_PER_WEEK):  # a Sunday night span runs into Monday
            first, last = max(start - shift, low), min(end - shift, high)
            if first < last:
                covering.append((first - low, last - low))
    if _whole_day(covering):
        return DayHours(day, (), all_day=True, today=day == today)
    return DayHours(day, _spans_on(day, starting), today=day == today)


def _notices(hours: Mapping[str, Any], today: dt.date) -> tuple[DateNotice, ...]:
    start, stop = today.toordinal(), today.toordinal() + NOTICE_DAYS
    found: list[DateNotice] = []
    for first, last in hours.get("c", ()):
        last = last or first
        if last >= start and first <= stop:
            found.append(DateNotice(dt.date.fromordinal(max(first, start)), dt.date.fromordinal(last)))
    specials: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for first, last, opens, closes in hours.get("s", ()):
        last = last or first
        if last >= start and first <= stop:
            specials.setdefault((max(first, start), last), []).append((opens, closes))
    for (first, last), minutes in specials.items():
        found.append(DateNotice(dt.date.fromordinal(first), dt.date.fromordinal(last),
                                _spans_on(dt.date.fromordinal(first), minutes)))
    found.sort(key=lambda notice: (notice.first, notice.last, bool(notice.spans)))
    return tuple(found[:MAX_NOTICES])


def week_hours(hours: Mapping[str, Any] | None, today: dt.date) -> WeekHours | None:
    """The week's table and notices of ``hours`` on the listing's local date ``today`` (None: no hours)."""
    if not hours:
        return None
    dates = [today + dt.timedelta(days=offset) for offset in range(7)]
    dates.sort(key=dt.date.weekday)
    return WeekHours(tuple(_day(hours, day, today) for day in dates), _notices(hours, today))


def week_hours_at(key: str | None, now: dt.datetime) -> WeekHours | None:
    """:func:`week_hours` of the hours whose ``hours_key`` is ``key``, on the local date at ``now``."""
    if key is None:
        return None
    hours = json.loads(key)
    return week_hours(hours, now.astimezone(zone(str(hours.get("tz") or DEFAULT_TIMEZONE))).date())
