"""The caseworkers' queue of problem reports, and closing a report once it is dealt with."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from directory_data.models import ProblemReport
from directory_data.problems import open_reports, resolve_report

from kiosk.db import get_session
from kiosk.pages import redirect_with, safe_next
from kiosk.admin.common import ActionForm, actor, bp, record_or_404


@bp.get("/problems")
def problems() -> ResponseReturnValue:
    """Open problem reports, oldest first, each with its listing linked."""
    return render_template("admin/problems.html", rows=open_reports(get_session()), form=ActionForm())


@bp.post("/problems/<report_id>/resolve")
def resolve(report_id: str) -> ResponseReturnValue:
    """Close a report."""
    resolve_report(get_session(), record_or_404(ProblemReport, report_id), actor=actor())
    return redirect_with(gettext("The report was closed."),
                         safe_next(request.form.get("next"), url_for("admin.problems")))
