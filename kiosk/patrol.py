"""The patrol view for officers' tablets: compact results nearest to where the officer stands,
open now by default, tap-to-call, officer-only phones and notes, and a referral QR code shown
full-screen for the resident to scan.

"Near me" is the tablet's position (``static/patrol.js`` fills ``lat``/``lon``), else the station;
results are nearest first within relevance (best matches first), and the visit keeps the point
they were measured from (:func:`kiosk.visit.remember_position`), so the visit's detail and
referral pages put a service as far.
"""

from __future__ import annotations

from flask import Blueprint, current_app, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from directory_data.districts import district_names
from directory_data.models import MISSION_CATEGORIES
from directory_data.referrals import InvalidReferral

from kiosk import finder
from kiosk import referrals
from kiosk import visit
from kiosk.auth import guard_blueprint
from kiosk.card_context import CardContext
from kiosk.config import on_earth, station
from kiosk.db import get_session
from kiosk.i18n import localized_name
from kiosk.pages import after_post, safe_next

bp = Blueprint("patrol", __name__, url_prefix="/patrol")
guard_blueprint(bp, "officer")


@bp.context_processor
def _patrol_context() -> dict[str, object]:
    _point, from_device = _visit_point()
    return {"card_context": CardContext(detail_endpoint="patrol.service",
                                        referral_endpoint="patrol.referral", officer=True,
                                        from_device=from_device)}


def _visit_point() -> tuple[tuple[float, float], bool]:
    """The point this page measures from, and whether it is the officer's tablet: the
    position in the request (``lat``/``lon``), else the visit's (kept by the results page),
    else the station."""
    device = _device_point() or visit.position()
    if device is not None:
        return device, True
    return station(current_app.config), False


def _device_point() -> tuple[float, float] | None:
    """The tablet's position from ``lat``/``lon``, or None when absent or not a place on Earth."""
    try:
        point = float(request.args["lat"]), float(request.args["lon"])
    except (KeyError, ValueError):
        return None
    return point if on_earth(point) else None


@bp.get("/")
def home() -> ResponseReturnValue:
    """Search, nearest first: from the tablet's position, else from the station."""
    device = _device_point()
    visit.remember_position(device)
    point = device or station(current_app.config)
    query = finder.parse_query(request.args, point=point, default_open=True, sort="distance")
    page = finder.find(get_session(), query, officer=True)
    category = finder.category_of(get_session(), query.category)
    topics = [(slug, localized_name(*names)) for slug, names in MISSION_CATEGORIES.items()]
    extra = {"lat": f"{point[0]:.3f}", "lon": f"{point[1]:.3f}"} if device else {}
    response = make_response(render_template(
        "patrol/home.html", results=page, query=query.text, category=category, open_only=query.open_only,
        room_only=query.room_only,
        topics=topics, here_is_device=device is not None, sorted_by=page.sorted_by,
        lat=extra.get("lat", ""), lon=extra.get("lon", ""), heading=finder.heading(query, category),
        page_url=lambda n: url_for("patrol.home", **query.url_args(page=n), **extra),
    ))
    finder.count_search(response, query, page, officer=True)
    return response


@bp.get("/services/<service_id>")
def service(service_id: str) -> ResponseReturnValue:
    """A service's detail with officer-only phones and notes, its distance from the visit's
    point (:func:`finder.detail_page`)."""
    return finder.detail_page(service_id, "patrol", point=_visit_point()[0], officer=True)


def _referral_page(errors: dict[str, str] | None = None, values: dict[str, object] | None = None) -> str:
    return referrals.referral_page("patrol/referral.html", point=_visit_point()[0], officer=True, errors=errors,
                                   values=values, districts=referrals.patrol_districts(),
                                   district_names=district_names(get_session()))


@bp.get("/referral")
def referral() -> ResponseReturnValue:
    """The services collected for the resident in front of the officer, and the form that makes
    the referral (mode, discreet, note, district)."""
    return _referral_page()


@bp.post("/referral/make")
def referral_make() -> ResponseReturnValue:
    """Make the referral and show its QR code full screen."""
    data = referrals.form_data(request.form, visit.referral_ids())
    data["district"] = request.form.get("district", "")
    try:
        made = referrals.make(data, referrals.origin("patrol", request.form.get("district")))
    except InvalidReferral as error:
        return _referral_page(referrals.messages(error), data), 422
    visit.remember_made(made.token)
    return after_post(url_for("patrol.referral_qr"))


referrals.collect_routes(bp, lambda _service_id, _message: after_post(
    safe_next(request.form.get("next"), url_for("patrol.referral"))))


@bp.get("/referral/qr")
def referral_qr() -> ResponseReturnValue:
    """The referral made for the resident as a QR code filling the screen, for their phone
    (back to the referral page when none has been made yet)."""
    made = referrals.find(visit.made_token())
    if made is None:
        return redirect(url_for("patrol.referral"), 303)
    view = referrals.view_of(get_session(), made)
    return render_template("patrol/qr.html", qr_svg=referrals.code_markup(get_session(), made), view=view,
                           count=len(view.entries))
