"""The week's hours table of a detail page: several spans a day, overnight spans, open 24 hours,
seasons, holiday closures and special hours, each weekday on its next date."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from directory_data.models import Schedule
from search_index.hours import encode_schedules
from search_index.opening import hours_key, opening_status
from search_index.week_hours import DayHours, week_hours, week_hours_at

NY = ZoneInfo("America/New_York")
TUESDAY = dt.date(2026, 11, 24)


def weekly(byday: str, opens: str, closes: str, **dates: dt.date) -> Schedule:
    return Schedule(freq="WEEKLY", byday=byday, opens_at=dt.time.fromisoformat(opens),
                    closes_at=dt.time.fromisoformat(closes), **dates)


def closure(first: dt.date, last: dt.date | None = None) -> Schedule:
    return Schedule(valid_from=first, valid_to=last)


def _rows(days: tuple[DayHours, ...]) -> dict[str, list[str]]:
    out = {}
    for day in days:
        if day.all_day:
            out[day.date.strftime("%a")] = ["24h"]
        elif day.closed_for_holiday:
            out[day.date.strftime("%a")] = ["holiday"]
        else:
            out[day.date.strftime("%a")] = [
                f"{s.opens:%H:%M}-{s.closes:%H:%M}{'+1' if s.overnight else ''}{' midnight' if s.to_midnight else ''}"
                for s in day.spans]
    return out


def test_several_spans_a_day_overnight_and_closed_days() -> None:
    hours = encode_schedules([weekly("MO,TU,WE,TH,FR", "09:00", "12:00"),
                              weekly("MO,TU,WE,TH,FR", "13:00", "17:00"),
                              weekly("FR,SA", "20:00", "06:00"),
                              weekly("SU", "18:00", "00:00")])
    week = week_hours(hours, TUESDAY)
    assert [d.date.weekday() for d in week.days] == list(range(7)), "Monday first"
    assert _rows(week.days) == {
        "Mon": ["09:00-12:00", "13:00-17:00"], "Tue": ["09:00-12:00", "13:00-17:00"],
        "Wed": ["09:00-12:00", "13:00-17:00"], "Thu": ["09:00-12:00", "13:00-17:00"],
        "Fri": ["09:00-12:00", "13:00-17:00", "20:00-06:00+1"], "Sat": ["20:00-06:00+1"],
        "Sun": ["18:00-00:00 midnight"]}
    today = [d for d in week.days if d.today]
    assert [d.date for d in today] == [TUESDAY]
    # Each weekday is its next date from today on: Monday is next week's.
    assert week.days[0].date == dt.date(2026, 11, 30) and week.days[1].date == TUESDAY
    assert week.notices == ()


def test_open_24_hours_written_either_way_and_pieced_together() -> None:
    for closes in ("23:59", "00:00"):
        week = week_hours(encode_schedules([weekly("MO,TU,WE,TH,FR,SA,SU", "00:00", closes)]), TUESDAY)
        assert week.every_day_all_day and all(not d.spans for d in week.days)
    pieced = encode_schedules([weekly("MO,TU,WE,TH,FR,SA,SU", "08:00", "20:00"),
                               weekly("MO,TU,WE,TH,FR,SA,SU", "20:00", "08:00")])
    assert week_hours(pieced, TUESDAY).every_day_all_day
    weekdays_only = week_hours(encode_schedules([weekly("MO,TU,WE,TH,FR", "00:00", "00:00")]), TUESDAY)
    assert [d.all_day for d in weekdays_only.days] == [True] * 5 + [False, False]
    assert weekdays_only.days[5].closed and not weekdays_only.every_day_all_day


def test_holiday_closures_and_special_hours_coming_up() -> None:
    thanksgiving = dt.date(2026, 11, 26)
    hours = encode_schedules([
        weekly("MO,TU,WE,TH,FR", "09:00", "17:00"),
        closure(thanksgiving, dt.date(2026, 11, 27)),
        closure(dt.date(2026, 11, 2)),  # past: not announced
        closure(dt.date(2027, 6, 1)),  # too far ahead
        Schedule(valid_from=dt.date(2026, 12, 24), opens_at=dt.time(9), closes_at=dt.time(13)),
    ])
    week = week_hours(hours, TUESDAY)
    rows = _rows(week.days)
    assert rows["Thu"] == ["holiday"] and rows["Fri"] == ["holiday"] and rows["Wed"] == ["09:00-17:00"]
    assert [(n.first, n.last, n.closure) for n in week.notices] == [
        (thanksgiving, dt.date(2026, 11, 27), True), (dt.date(2026, 12, 24), dt.date(2026, 12, 24), False)]
    assert [(f"{s.opens:%H:%M}", f"{s.closes:%H:%M}") for s in week.notices[1].spans] == [("09:00", "13:00")]
    christmas_eve = week_hours(hours, dt.date(2026, 12, 21))
    thursday = next(d for d in christmas_eve.days if d.date == dt.date(2026, 12, 24))
    assert thursday.special and [f"{s.opens:%H}-{s.closes:%H}" for s in thursday.spans] == ["09-13"]


def test_a_season_counts_on_its_dates_only() -> None:
    summer = encode_schedules([weekly("SA", "10:00", "14:00", valid_from=dt.date(2026, 6, 1),
                                      valid_to=dt.date(2026, 8, 31)),
                               weekly("MO", "09:00", "17:00")])
    assert _rows(week_hours(summer, TUESDAY).days)["Sat"] == []
    assert _rows(week_hours(summer, dt.date(2026, 7, 7)).days)["Sat"] == ["10:00-14:00"]


def test_no_hours_no_table_and_the_table_agrees_with_open_now() -> None:
    assert week_hours(None, TUESDAY) is None and week_hours_at(None, dt.datetime.now(NY)) is None
    hours = encode_schedules([weekly("MO,WE,FR", "08:30", "12:00"), weekly("MO,WE,FR", "13:00", "16:30"),
                              weekly("SA", "22:00", "02:00")])
    week = week_hours_at(hours_key(hours), dt.datetime(2026, 11, 24, 12, tzinfo=NY))
    for day in week.days:
        for hour in range(24):
            moment = dt.datetime.combine(day.date, dt.time(hour, 15), tzinfo=NY)
            opened = any(s.opens <= moment.replace(tzinfo=None) < s.closes for s in day.spans)
            spill = [s for d in week.days for s in d.spans
                     if s.overnight and s.closes.date() == day.date and moment.replace(tzinfo=None) < s.closes]
            assert opening_status(hours, moment).open == (opened or bool(spill)), moment
