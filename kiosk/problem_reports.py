""""Report a problem with this listing": a short form on the kiosk, patrol and referral pages.

The resident or officer picks what is wrong ("phone number wrong", "closed" ...) and may add a
few words; nothing about them is asked for or kept (see :mod:`directory_data.problems`). The
report lands in the caseworkers' queue (``/admin/problems``) with the listing linked.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length

from directory_data.models import ProblemKind
from directory_data.problems import MAX_DETAILS, report_problem

from kiosk import finder
from kiosk.auth import is_officer
from kiosk.db import get_session
from kiosk.pages import after_post, local_now, safe_next

bp = Blueprint("problems", __name__)

#: The page layout for each surface a report may come from.
LAYOUTS = {"kiosk": "lobby/layout.html", "patrol": "patrol/layout.html", "referral": "base.html"}


def kind_choices() -> list[tuple[str, str]]:
    """``(value, label)`` of what may be wrong, in the interface language."""
    return [
        (ProblemKind.phone_wrong.value, gettext("The phone number is wrong")),
        (ProblemKind.address_wrong.value, gettext("The address is wrong")),
        (ProblemKind.hours_wrong.value, gettext("The hours are wrong")),
        (ProblemKind.closed.value, gettext("It is closed or no longer offered")),
        (ProblemKind.other.value, gettext("Something else")),
    ]


class ProblemForm(FlaskForm):
    """What is wrong (one of :class:`ProblemKind`), and optional words about it."""

    kind = StringField(lazy_gettext("What is wrong?"),
                       validators=[DataRequired(), AnyOf([k.value for k in ProblemKind])])
    details = TextAreaField(lazy_gettext("More details (optional). Please do not write your name "
                                         "or phone number."),
                            validators=[Length(max=MAX_DETAILS)])


def _surface() -> str:
    surface = request.values.get("from", "kiosk")
    if surface == "patrol" and not is_officer():
        surface = "kiosk"
    return surface if surface in LAYOUTS else "kiosk"


@bp.route("/problem/<service_id>", methods=["GET", "POST"])
def report(service_id: str) -> ResponseReturnValue:
    """The form, and filing the report."""
    cards = finder.cards_for(get_session(), [service_id], point=None, officer=False)
    if not cards:
        abort(404)
    surface = _surface()
    fallback = {"kiosk": url_for("lobby.service", service_id=service_id),
                "patrol": url_for("patrol.service", service_id=service_id),
                "referral": url_for("lobby.home")}[surface]
    back = safe_next(request.values.get("back"), fallback)
    form = ProblemForm()
    if form.validate_on_submit():
        report_problem(get_session(), service_id, ProblemKind(form.kind.data),
                       form.details.data or "", surface=surface, today=local_now().date())
        return after_post(url_for("problems.thanks", back=back, **{"from": surface}))
    status = 422 if request.method == "POST" else 200
    return render_template("problems/report.html", layout=LAYOUTS[surface], form=form,
                           choices=kind_choices(),
                           card=cards[0], surface=surface, back_url=back,
                           heading=gettext("Report a problem with this listing")), status


@bp.get("/problem/thanks")
def thanks() -> ResponseReturnValue:
    """The page after a report (a redirect after the POST, so a reload sends nothing again)."""
    surface = _surface()
    back = safe_next(request.args.get("back"), url_for("lobby.home"))
    return render_template("problems/thanks.html", layout=LAYOUTS[surface], back_url=back,
                           surface=surface)
