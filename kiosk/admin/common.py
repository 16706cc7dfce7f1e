"""What every workspace view needs: the ``admin`` blueprint (``/admin``: caseworkers and admins
only), the acting account, the local date, a CSRF-only form, the record a path names, field errors
by input name, and the page context (navigation, open problem count)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, TypeVar

from flask import Blueprint, abort, current_app, request
from flask_babel import format_date, gettext
from flask_login import current_user
from flask_wtf import FlaskForm

from directory_data.models import WEEKDAYS
from directory_data.problems import open_report_count
from directory_data.validation import FieldError

from kiosk.auth import guard_blueprint
from kiosk.db import get_session
from kiosk.pages import local_now
from kiosk.problem_reports import kind_choices

T = TypeVar("T")


class ActionForm(FlaskForm):
    """A form with nothing but its CSRF token (buttons such as "Mark verified")."""


def actor() -> str:
    """The name of the signed-in account, as the audit trail records it."""
    return str(current_user.name)


def record_or_404(model: type[T], record_id: str) -> T:
    """The ``model`` row ``record_id`` names; 404 when there is none."""
    return get_session().get(model, record_id) or abort(404)


def form_version() -> int:
    """The version of the record the posted form was opened at; 400 when it has none."""
    version = request.form.get("version", type=int)
    return version if version is not None else abort(400)


def today() -> dt.date:
    """Today in the directory's time zone."""
    return local_now().date()


#: Weeks a report (the gap report, a district's sheet) covers unless asked otherwise, and at most.
DEFAULT_WEEKS, MAX_WEEKS = 12, 104


def weeks_asked() -> int:
    """The ``weeks`` a report is asked to cover (:data:`DEFAULT_WEEKS` when absent or not a number)."""
    return min(max(request.args.get("weeks", DEFAULT_WEEKS, type=int), 1), MAX_WEEKS)


def stale_after_days() -> int:
    """How many days after its last verification a listing is stale."""
    return int(current_app.config["STALE_AFTER_DAYS"])


def errors_by_field(errors: Iterable[FieldError]) -> dict[str, list[str]]:
    """Field errors grouped by the input they belong to."""
    grouped: dict[str, list[str]] = {}
    for error in errors:
        grouped.setdefault(error.field, []).append(error.message)
    return grouped


def status_name(value: str) -> str:
    """A listing status (HSDS ``status`` value, or ``retired``) in the interface language."""
    return {
        "active": gettext("Active"), "inactive": gettext("Inactive"),
        "temporarily closed": gettext("Temporarily closed"), "defunct": gettext("Defunct"),
        "retired": gettext("Retired"), "held": gettext("Held for review"),
    }.get(value, value)


def hold_reason_names(reasons: Iterable[str]) -> list[str]:
    """Why listings are held for review (:mod:`directory_data.publication` reason codes), in
    the interface language."""
    names = {"no-contact": gettext("no public phone, address or web site"),
             "no-category": gettext("no category")}
    return [names.get(reason, reason) for reason in reasons]


def field_label(kind: str) -> str:
    """The name of a listing field, or of a section of rows, in the interface language."""
    return {
        "name": gettext("Name"), "name_es": gettext("Name in Spanish"),
        "alternate_name": gettext("Other name"), "description": gettext("Description"),
        "description_es": gettext("Description in Spanish"),
        "eligibility_description": gettext("Who is eligible"),
        "application_process": gettext("How to apply"), "fees_description": gettext("Fees"),
        "wait_time": gettext("Wait time"), "alert": gettext("Alert"),
        "officer_notes": gettext("Officer notes"), "url": gettext("Web address"),
        "email": gettext("E-mail"), "status": gettext("Status"),
        "minimum_age": gettext("Minimum age"), "maximum_age": gettext("Maximum age"),
        "walk_in": gettext("Walk-ins welcome"), "organization_id": gettext("Organization"),
        "categories": gettext("Categories"), "phones": gettext("Phones"),
        "hours": gettext("Weekly hours"), "closures": gettext("Holiday closures"),
        "languages": gettext("Languages spoken"), "costs": gettext("Cost options"),
        "place": gettext("Place"),
    }.get(kind, kind)


def problem_name(kind: str) -> str:
    """What a problem report says is wrong, in the interface language."""
    return dict(kind_choices()).get(kind, kind)


def role_name(role: str) -> str:
    """A staff role in the interface language."""
    return {"officer": gettext("Officer"), "caseworker": gettext("Caseworker"),
            "admin": gettext("Administrator")}.get(role, role)


def surface_name(surface: str) -> str:
    """Where a problem report came from, in the interface language."""
    return {"kiosk": gettext("Lobby kiosk"), "patrol": gettext("Patrol view"),
            "referral": gettext("Referral page")}.get(surface, surface)


def action_name(action: str) -> str:
    """An action of the audit trail in the interface language."""
    return {
        "create": gettext("Created"), "update": gettext("Changed"), "delete": gettext("Removed"),
        "retire": gettext("Retired"), "restore": gettext("Restored"),
        "resolve": gettext("Report closed"), "import": gettext("Imported"),
        "retire-sample": gettext("Sample directory retired"),
    }.get(action, action)


def weekday_names() -> list[tuple[str, str]]:
    """``(RRULE code, name)`` of the days of the week, Monday first, in the interface language."""
    monday = dt.date(2024, 1, 1)
    return [(code, format_date(monday + dt.timedelta(days=i), "EEEE"))
            for i, code in enumerate(WEEKDAYS)]


def workspace_context() -> dict[str, Any]:
    """Template values of every workspace page."""
    return {
        "open_problems": open_report_count(get_session()) if current_user.is_authenticated else 0,
        "status_name": status_name,
        "weekday_names": weekday_names,
        "field_label": field_label,
        "problem_name": problem_name,
        "action_name": action_name,
        "surface_name": surface_name,
        "role_name": role_name,
        "hold_reason_names": hold_reason_names,
    }


bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.context_processor(workspace_context)
guard_blueprint(bp, "caseworker")  # the account pages: admins only (kiosk.admin.users)
