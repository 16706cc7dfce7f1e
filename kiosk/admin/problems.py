"""The caseworkers' queue of problem reports, and closing a report once it is dealt with."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from directory_data.models import ProblemReport
from directory_data.problems import open_reports, resolve_report

from kiosk.db import get_session
from kiosk.pages import safe_next
from kiosk.admin.blueprint import bp
from kiosk.admin.common import ActionForm, actor, record_or_404


@bp.get("/problems")
def problems() -> ResponseReturnValue:
    """Open problem reports, oldest first, each with its listing linked."""
    return render_template("admin/problems.html", rows=open_reports(get_session()), form=ActionForm())


@bp.post("/problems/<report_id>/resolve")
def resolve(report_id: str) -> ResponseReturnValue:
    """Close a report."""
    resolve_report(get_session(), record_or_404(ProblemReport, report_id), actor=actor())
    flash(gettext("The report was closed."))
    return redirect(safe_next(request.form.get("next"), url_for("admin.problems")), 303)
