"""The gap report for command staff: what residents look for and do not find (terms that found
nothing, and needs the directory has no services for by category of need), and how much the
directory is used per category, per station and per week.

Built only from day-level aggregates (:mod:`directory_data.search_stats`), so nothing in it can
identify a person. A search term is shown only when at least :data:`MIN_SHARED_SEARCHES`
searches that found nothing share it over the period; terms withheld as personal-looking data
are never shown.

Activity comes from *sources*, each a function ``(session, since, until) -> rows of
(day, category, station, count)``. :data:`ACTIVITY_SOURCES` holds the searches and the
referrals (weekly aggregates per category and station, :func:`directory_data.referrals.referral_activity`);
every table, total, chart and CSV column of the report follows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from directory_data.models import SearchCount, ZeroResultTerm
from directory_data.referrals import referral_activity
from directory_data.search_stats import WITHHELD_TERM
from directory_data.unmet_needs import unmet_needs_by_category

#: A term that found nothing is shown only when at least this many searches share it.
MIN_SHARED_SEARCHES = 5

ActivityRows = Iterable[tuple[dt.date, str, str, int]]
ActivitySource = Callable[[Session, dt.date, dt.date], ActivityRows]


def search_activity(session: Session, since: dt.date, until: dt.date) -> ActivityRows:
    """Searches per day, category and station from ``since`` to ``until`` (inclusive)."""
    rows = session.execute(
        select(SearchCount.day, SearchCount.category, SearchCount.station, SearchCount.searches)
        .where(SearchCount.day.between(since, until))
    )
    return [(day, category, station, int(n)) for day, category, station, n in rows]


#: The activities the report counts, by name (one column each).
ACTIVITY_SOURCES: tuple[tuple[str, ActivitySource], ...] = (
    ("searches", search_activity),
    ("referrals", referral_activity),
)


def week_of(day: dt.date) -> dt.date:
    """The Monday of the ISO week ``day`` falls in."""
    return day - dt.timedelta(days=day.weekday())


@dataclass
class Activity:
    """Counts of each activity in one week, category and station."""

    week: dt.date
    category: str
    station: str
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class GapReport:
    """The whole report for a period."""

    since: dt.date
    until: dt.date
    measures: list[str]
    rows: list[Activity]
    unmet: list[tuple[str, int]]
    #: Searches for needs the directory has no services for, per category of need (never the
    #: words typed; :mod:`directory_data.unmet_needs`), most first.
    unmet_by_need: list[tuple[str, int]] = field(default_factory=list)

    def totals(self, by: str) -> list[tuple[str, dict[str, int]]]:
        """Counts summed per ``by`` (``"category"``, ``"station"`` or ``"week"``), sorted."""
        sums: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(self.measures, 0))
        for row in self.rows:
            key = row.week.isoformat() if by == "week" else getattr(row, by)
            for measure, n in row.counts.items():
                sums[key][measure] += n
        return sorted(sums.items())

    def weeks(self) -> list[dt.date]:
        """Every week of the period, first to last (weeks without activity included)."""
        weeks, week = [], week_of(self.since)
        while week <= self.until:
            weeks.append(week)
            week += dt.timedelta(days=7)
        return weeks


def unmet_needs(
    session: Session, since: dt.date, until: dt.date, *, min_searches: int = MIN_SHARED_SEARCHES,
    limit: int = 50,
) -> list[tuple[str, int]]:
    """Terms that found nothing at least ``min_searches`` times in the period, most first."""
    total = func.sum(ZeroResultTerm.searches)
    rows = session.execute(
        select(ZeroResultTerm.term, total)
        .where(ZeroResultTerm.day.between(since, until), ZeroResultTerm.term != WITHHELD_TERM)
        .group_by(ZeroResultTerm.term)
        .having(total >= max(min_searches, MIN_SHARED_SEARCHES))
        .order_by(total.desc(), ZeroResultTerm.term).limit(limit)
    )
    return [(term, int(n)) for term, n in rows]


def gap_report(
    session: Session, since: dt.date, until: dt.date,
    sources: Sequence[tuple[str, ActivitySource]] = ACTIVITY_SOURCES,
) -> GapReport:
    """The report from ``since`` to ``until`` (inclusive) over the activity ``sources``."""
    measures = [name for name, _ in sources]
    cells: dict[tuple[dt.date, str, str], Activity] = {}
    for name, source in sources:
        for day, category, station, n in source(session, since, until):
            key = (week_of(day), category, station)
            cell = cells.get(key)
            if cell is None:
                cell = cells[key] = Activity(*key, counts=dict.fromkeys(measures, 0))
            cell.counts[name] += n
    rows = sorted(cells.values(), key=lambda a: (a.week, a.category, a.station))
    return GapReport(since, until, measures, rows, unmet_needs(session, since, until),
                     unmet_needs_by_category(session, since, until))


def _cell(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def report_csv(report: GapReport) -> str:
    """The report as CSV: one row per week, category and station, then the terms that found
    nothing, then the needs with no services per category of need."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["week", "category", "station", *report.measures])
    for row in report.rows:
        writer.writerow([row.week.isoformat(), _cell(row.category), _cell(row.station),
                         *(row.counts[m] for m in report.measures)])
    writer.writerow([])
    writer.writerow(["search that found nothing", f"searches (at least {MIN_SHARED_SEARCHES})"])
    for term, n in report.unmet:
        writer.writerow([_cell(term), n])
    writer.writerow([])
    writer.writerow(["need with no services in the directory (category)", "searches"])
    for category, n in report.unmet_by_need:
        writer.writerow([_cell(category), n])
    return out.getvalue()
