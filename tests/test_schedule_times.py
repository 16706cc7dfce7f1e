"""Schedule times with their UTC offset (HSDS 3.0 ``schedule.timezone`` and ``09:00-05:00``),
and when a zone's offset last changed (:mod:`directory_data.hsds.schedule_times`)."""

from __future__ import annotations

import datetime as dt

from directory_data.hsds.schedule_times import ScheduleClock, changed_between, last_transition

UTC = dt.timezone.utc


def test_offsets_in_winter_and_summer_and_odd_ones() -> None:
    january = ScheduleClock(dt.datetime(2030, 1, 10, tzinfo=UTC), "America/New_York")
    july = ScheduleClock(dt.datetime(2030, 7, 10, tzinfo=UTC), "America/New_York")
    obj = {"opens_at": "09:00", "closes_at": "17:30:15"}
    assert january.apply(dict(obj), None) == {"opens_at": "09:00-05:00", "closes_at": "17:30:15-05:00", "timezone": -5}
    assert july.apply(dict(obj), "")["timezone"] == -4, "no zone: the directory's"
    assert july.apply(dict(obj), "Asia/Kolkata") == {"opens_at": "09:00+05:30", "closes_at": "17:30:15+05:30",
                                                     "timezone": 5.5}
    assert july.apply({}, "Asia/Kathmandu") == {"timezone": 5.75}, "a closure has no times, but its zone"
    assert july.apply({"opens_at": "08:00"}, "UTC")["opens_at"] == "08:00Z"
    assert july.apply({}, "Not/AZone")["timezone"] == -4, "an unknown name: the directory's zone"


def test_the_last_offset_change_of_a_zone() -> None:
    spring = dt.datetime(2030, 3, 10, 7, 0, tzinfo=UTC)  # 2 a.m. EST -> 3 a.m. EDT
    autumn = dt.datetime(2030, 11, 3, 6, 0, tzinfo=UTC)
    assert last_transition("America/New_York", dt.datetime(2030, 6, 1, tzinfo=UTC)) == spring
    assert last_transition("America/New_York", spring) == spring
    assert last_transition("America/New_York", spring - dt.timedelta(minutes=1)) == dt.datetime(
        2029, 11, 4, 6, 0, tzinfo=UTC)
    assert last_transition("America/New_York", dt.datetime(2030, 12, 1, tzinfo=UTC)) == autumn
    assert last_transition("Asia/Kolkata", dt.datetime(2030, 6, 1, tzinfo=UTC)) is None
    assert last_transition("Not/AZone", dt.datetime(2030, 6, 1, tzinfo=UTC)) is None
    assert changed_between("America/New_York", spring, spring + dt.timedelta(days=1))
    assert not changed_between("America/New_York", spring + dt.timedelta(seconds=1), autumn - dt.timedelta(seconds=1))


def test_the_latest_change_among_a_services_zones() -> None:
    clock = ScheduleClock(dt.datetime(2030, 4, 10, tzinfo=UTC), "America/New_York")
    assert clock.last_change({None}) == dt.datetime(2030, 3, 10, 7, 0, tzinfo=UTC)
    # Europe moves its clocks on the last Sunday of March (01:00 UTC), after the United States.
    assert clock.last_change({None, "Europe/Paris"}) == dt.datetime(2030, 3, 31, 1, 0, tzinfo=UTC)
    assert clock.last_change({"Asia/Kolkata"}) is None
