"""Next opening and closing times agree with open-now."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from directory_data.models import Schedule
from search_index.hours import encode_schedules
from search_index.opening import opening_status

NY = ZoneInfo("America/New_York")


def weekly(byday: str, opens: str, closes: str) -> Schedule:
    return Schedule(freq="WEEKLY", byday=byday, opens_at=dt.time.fromisoformat(opens),
                    closes_at=dt.time.fromisoformat(closes))


def test_open_service_says_when_it_closes() -> None:
    hours = encode_schedules([weekly("MO,TU,WE,TH,FR", "09:00", "17:00")])
    status = opening_status(hours, dt.datetime(2026, 11, 17, 10, 30, tzinfo=NY))  # Tuesday
    assert status.open is True
    assert status.closes_at == dt.datetime(2026, 11, 17, 17, 0, tzinfo=NY)
    assert status.opens_at is None


def test_closed_service_says_when_it_opens_next_week_day() -> None:
    hours = encode_schedules([weekly("MO,TU,WE,TH,FR", "09:00", "17:00")])
    status = opening_status(hours, dt.datetime(2026, 11, 21, 12, 0, tzinfo=NY))  # Saturday
    assert status.open is False
    assert status.opens_at == dt.datetime(2026, 11, 23, 9, 0, tzinfo=NY)  # Monday


def test_overnight_and_around_the_clock() -> None:
    overnight = encode_schedules([weekly("FR", "20:00", "06:00")])
    status = opening_status(overnight, dt.datetime(2026, 11, 20, 23, 0, tzinfo=NY))
    assert status.open and status.closes_at == dt.datetime(2026, 11, 21, 6, 0, tzinfo=NY)
    always = encode_schedules([weekly("MO,TU,WE,TH,FR,SA,SU", "00:00", "23:59")])
    status = opening_status(always, dt.datetime(2026, 11, 20, 23, 0, tzinfo=NY))
    assert status.open is True and status.changes_at is None


def test_no_hours_is_unknown() -> None:
    assert opening_status(None, dt.datetime(2026, 11, 20, tzinfo=NY)).open is None
