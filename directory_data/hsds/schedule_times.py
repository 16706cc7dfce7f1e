"""Schedule times with their UTC offset, as the HSDS 3.0 API shows them.

HSDS 3.0 wants ``schedule.timezone`` as a *number*, the UTC offset in hours ("Dates are assumed
to be UTC otherwise"), and ``opens_at``/``closes_at`` "with timezone information" such as
``09:00-05:00``. The model holds an IANA zone name per schedule (empty: the directory's default
zone), and the hours are wall-clock times in that zone. A weekly schedule in a zone with daylight
saving time has no single UTC offset, so :class:`ScheduleClock` gives each zone the offset *in
effect at the moment of the answer* (``-4`` in July, ``-5`` in January for ``America/New_York``);
the IANA name itself stays in the ``kiosk:timezone`` attribute.

The offset of a schedule therefore changes when its zone's offset changes, though nobody edited
it. :func:`last_transition` says when that last happened, and :mod:`directory_data.change_times`
counts it as a change of every service whose schedules are in that zone, so a copy kept in sync by
``modified_after`` gets the new offsets. Pure functions; the clock is passed in.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

#: Years back :func:`last_transition` looks for an offset change (DST changes twice a year).
_YEARS_BACK = 2

UTC = dt.timezone.utc


def zone_info(name: str) -> ZoneInfo | None:
    """The zone called ``name``, or None when there is no such IANA zone (``ZoneInfo`` keeps
    the zones it has read, so asking again costs a look-up)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def offset_at(zone: ZoneInfo, instant: dt.datetime) -> dt.timedelta:
    """The UTC offset of ``zone`` at the aware ``instant``."""
    return instant.astimezone(zone).utcoffset() or dt.timedelta(0)


def offset_hours(offset: dt.timedelta) -> int | float:
    """``offset`` as HSDS's number of hours: ``-5``, or ``5.5`` for India, ``5.75`` for Nepal."""
    hours = offset.total_seconds() / 3600
    return int(hours) if hours == int(hours) else hours


def offset_suffix(offset: dt.timedelta) -> str:
    """``offset`` as ISO 8601's time suffix: ``Z`` for UTC, else ``-05:00`` or ``+05:30``."""
    minutes = int(offset.total_seconds() // 60)
    if minutes == 0:
        return "Z"
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def time_text(value: dt.time, offset: dt.timedelta) -> str:
    """A wall-clock time with its offset: ``09:00-05:00`` (seconds only when not zero)."""
    clock = value.strftime("%H:%M:%S" if value.second else "%H:%M")
    return clock + offset_suffix(offset)


@functools.lru_cache(maxsize=512)
def _transitions_in_year(name: str, year: int) -> tuple[dt.datetime, ...]:
    """The instants (UTC, to the minute) in ``year`` at which zone ``name``'s offset changed (kept
    per process: about 1.3 ms of CPU to find, asked for every service of an HSDS answer)."""
    zone = zone_info(name)
    if zone is None:
        return ()
    found: list[dt.datetime] = []
    start = dt.datetime(year, 1, 1, tzinfo=UTC)
    end = dt.datetime(year + 1, 1, 1, tzinfo=UTC)
    step = dt.timedelta(hours=6)
    before, before_offset = start, offset_at(zone, start)
    while before < end:
        after = min(before + step, end)
        after_offset = offset_at(zone, after)
        if after_offset != before_offset:
            low, high = before, after  # offset(low) == before_offset != offset(high)
            while high - low > dt.timedelta(minutes=1):
                middle = low + (high - low) / 2
                if offset_at(zone, middle) == before_offset:
                    low = middle
                else:
                    high = middle
            found.append(high.replace(second=0, microsecond=0))
        before, before_offset = after, after_offset
    return tuple(found)


def last_transition(name: str, now: dt.datetime) -> dt.datetime | None:
    """When zone ``name``'s UTC offset last changed at or before ``now`` (within two years;
    None: not in that time, or no such zone)."""
    for year in range(now.year, now.year - _YEARS_BACK - 1, -1):
        earlier = [t for t in _transitions_in_year(name, year) if t <= now]
        if earlier:
            return earlier[-1]
    return None


def changed_between(name: str, start: dt.datetime, end: dt.datetime) -> bool:
    """Whether zone ``name``'s offset changed at or after ``start`` and at or before ``end``."""
    latest = last_transition(name, end)
    return latest is not None and latest >= start


@dataclass
class ScheduleClock:
    """The offsets of one answer: every schedule of zone Z gets Z's offset at ``now``.

    ``default_zone`` is the directory's zone, used for schedules without one (or with a name
    that is not an IANA zone).
    """

    now: dt.datetime
    default_zone: str
    _offsets: dict[str, dt.timedelta] = field(default_factory=dict, repr=False)

    def zone_name(self, name: str | None) -> str:
        """The zone a schedule whose ``timezone`` column holds ``name`` is read in."""
        if name and zone_info(name) is not None:
            return name
        return self.default_zone

    def offset(self, name: str | None) -> dt.timedelta:
        """The offset at ``now`` of the zone a schedule with ``timezone`` ``name`` is read in."""
        zone = self.zone_name(name)
        if zone not in self._offsets:
            info = zone_info(zone)
            self._offsets[zone] = offset_at(info, self.now) if info is not None else dt.timedelta(0)
        return self._offsets[zone]

    def apply(self, obj: dict[str, Any], timezone: str | None) -> dict[str, Any]:
        """The HSDS schedule object ``obj`` with ``timezone`` as its UTC offset and offsets on
        its ``opens_at``/``closes_at`` (given as ``HH:MM[:SS]`` wall-clock text)."""
        offset = self.offset(timezone)
        obj["timezone"] = offset_hours(offset)
        for key in ("opens_at", "closes_at"):
            if key in obj:
                obj[key] = time_text(dt.time.fromisoformat(obj[key]), offset)
        return obj

    def last_change(self, names: set[str | None]) -> dt.datetime | None:
        """The latest offset change at or before ``now`` of the zones schedules with
        ``timezone`` ``names`` are read in (None: none in two years)."""
        zones = {self.zone_name(name) for name in names}
        changes = [c for c in (last_transition(zone, self.now) for zone in zones) if c is not None]
        return max(changes) if changes else None
