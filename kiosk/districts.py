"""Districts in the workspace: the pages that load boundaries and show a district's sheet (HTML, printable on Letter, and CSV). The rules are in
:mod:`directory_data.districts` and :mod:`directory_data.district_sheet`."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from directory_data.district_sheet import MIN_COUNT, district_sheet, map_svg, sheet_csv
from directory_data.districts import BoundaryError, district_names, districts, load_districts, parse_boundaries
from directory_data.models import OUTSIDE, utcnow

from kiosk.admin.common import ActionForm, stale_after_days, today, weeks_asked
from kiosk.auth import guard_blueprint
from kiosk.db import get_session
from kiosk.district_cache import forget, kiosk_district
from kiosk.pages import attachment, redirect_with

bp = Blueprint("districts", __name__, url_prefix="/admin/districts")
guard_blueprint(bp, "caseworker")


def _page(problems: list[str] | None = None) -> ResponseReturnValue:
    """The districts page, with the ``problems`` of a refused upload (422)."""
    return render_template("admin/districts.html", districts=districts(get_session()), form=ActionForm(),
                           kiosk=kiosk_district(), outside=OUTSIDE, problems=problems or []), 422 if problems else 200


@bp.get("")
def index() -> ResponseReturnValue:
    """The loaded districts, each linking to its sheet, and the form to load new boundaries."""
    return _page()


@bp.post("")
def upload() -> ResponseReturnValue:
    """Load the uploaded GeoJSON boundaries: every district replaced, every place reassigned."""
    upload_file = request.files.get("boundaries")
    if upload_file is None or not upload_file.filename:
        return _page([gettext("Choose a GeoJSON file of district boundaries.")])
    try:
        report = load_districts(get_session(), parse_boundaries(upload_file.read()))
    except BoundaryError as error:
        return _page(error.problems)
    forget()
    return redirect_with(gettext("%(count)s districts loaded; every place was assigned to its district.",
                                 count=len(report.districts)), url_for("districts.index"))


def _sheet(code: str) -> Any:
    """The sheet of district ``code`` over the weeks asked for (404: no such district)."""
    from kiosk.search_tally import get_tally

    weeks, until = weeks_asked(), today()
    since = until - dt.timedelta(weeks=weeks) + dt.timedelta(days=1)

    get_tally().write()  # this process's latest counts first
    sheet = district_sheet(get_session(), code, since=since, until=until, now=utcnow(),
                           stale_after_days=stale_after_days(), zone=ZoneInfo(str(current_app.config["TIMEZONE"])))
    if sheet is None:
        abort(404)
    return sheet, weeks


@bp.get("/<code>")
def sheet(code: str) -> ResponseReturnValue:
    """The district sheet (prints on Letter)."""
    from kiosk.admin.reports import category_name, need_category_name

    found, weeks = _sheet(code)
    svg = map_svg(found, title=gettext("Map of %(name)s", name=found.name),
                  description=gettext("%(shown)s public places drawn as dots; %(hidden)s confidential places "
                                      "are counted but never drawn.", shown=len(found.places),
                                      hidden=found.confidential_places))
    return render_template("admin/district_sheet.html", sheet=found, weeks=weeks, map_svg=svg,
                           min_count=MIN_COUNT, category_name=category_name,
                           need_category_name=need_category_name, names=district_names(get_session()))


@bp.get("/<code>.csv")
def sheet_as_csv(code: str) -> ResponseReturnValue:
    """The district sheet as CSV."""
    found, _ = _sheet(code)
    return attachment(sheet_csv(found), "text/csv",
                      f"district-{found.code}-{found.since.isoformat()}-{found.until.isoformat()}.csv")
