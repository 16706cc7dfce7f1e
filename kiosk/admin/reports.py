"""Reports: stale listings per category (with a one-click list to work through), and the gap
report for command staff (searches that found nothing, needs the directory has no services for by
category of need, activity per category, station and week, a chart and a CSV download). Everything here comes from aggregates: nothing identifies a person."""

from __future__ import annotations

import datetime as dt

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from directory_data.gap_report import MIN_SHARED_SEARCHES, GapReport, gap_report, report_csv, week_of
from directory_data.models import MISSION_CATEGORIES
from directory_data.referrals import referrals_by_district
from directory_data.workspace_queries import stale_counts

from kiosk.db import get_session
from kiosk.i18n import current_language, localized_name
from kiosk.search_tally import get_tally
from kiosk.admin.chart import bar_chart
from kiosk.admin.common import bp, stale_after_days, today, weeks_asked
from kiosk.pages import attachment


@bp.get("/stale")
def stale() -> ResponseReturnValue:
    """How many live listings of each category are stale (not verified for the set number of
    days), each linking to the list of them, stalest first."""
    return render_template("admin/stale.html", counts=stale_counts(
        get_session(), today=today(), stale_after_days=stale_after_days()),
        stale_days=stale_after_days(), spanish=current_language() == "es")


def _period() -> tuple[dt.date, dt.date, int]:
    weeks, until = weeks_asked(), today()
    since = week_of(until) - dt.timedelta(weeks=weeks - 1)
    return since, until, weeks


def category_name(slug: str) -> str:
    """A category's name in the interface language (``""``: searches without a category)."""
    if not slug:
        return gettext("No category chosen")
    names = MISSION_CATEGORIES.get(slug)
    return slug if names is None else localized_name(*names)


def need_category_name(key: str) -> str:
    """A category of need (``need_categories.csv``) in the interface language."""
    from search_index.query.needs import load_needs

    found = load_needs().categories.get(key)
    return found.name(current_language()) if found is not None else key


def measure_name(measure: str) -> str:
    """The name of a counted activity."""
    return {"searches": gettext("Searches"), "referrals": gettext("Referrals")}.get(measure, measure)


def _chart(report: GapReport) -> object:
    weeks = report.weeks()
    by_week = dict(report.totals("week"))
    series = [(measure_name(m), [by_week.get(w.isoformat(), {}).get(m, 0) for w in weeks])
              for m in report.measures]
    return bar_chart([w.strftime("%m/%d") for w in weeks], series,
                     title=gettext("Activity per week"),
                     description=gettext("Bars per week from %(since)s to %(until)s; the table below "
                                         "gives the same numbers.", since=report.since.isoformat(),
                                         until=report.until.isoformat()))


@bp.get("/reports")
def reports() -> ResponseReturnValue:
    """The gap report over the last ``weeks`` weeks (default 12)."""
    since, until, weeks = _period()
    get_tally().write()  # this process's latest search counts first
    report = gap_report(get_session(), since, until)
    return render_template("admin/reports.html", report=report, weeks=weeks, chart=_chart(report),
                           category_name=category_name, measure_name=measure_name,
                           need_category_name=need_category_name,
                           min_shared=MIN_SHARED_SEARCHES,
                           districts=referrals_by_district(get_session(), since, until))


@bp.get("/reports.csv")
def reports_csv() -> ResponseReturnValue:
    """The gap report as CSV."""
    since, until, _ = _period()
    get_tally().write()
    return attachment(report_csv(gap_report(get_session(), since, until)), "text/csv",
                      f"gap-report-{since.isoformat()}-{until.isoformat()}.csv")
