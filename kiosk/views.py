"""The lobby kiosk: topic tiles and search, results, a service's detail, collecting a referral,
the language and display switches, quick exit and idle reset.

Every page works without JavaScript; ``static/kiosk.js`` adds the idle countdown, the Escape
key for quick exit, and navigation that leaves no browser history.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue

from directory_data.models import MISSION_CATEGORIES
from directory_data.referrals import InvalidReferral

from kiosk import finder, referrals, visit
from kiosk.card_context import CardContext, PlacedCard
from kiosk.config import station
from kiosk.db import get_session
from kiosk.i18n import LANGUAGE_KEY, localized_name
from kiosk.pages import after_post, safe_next
from kiosk.request_language import gettext
from kiosk.security import CLEAR_SITE_DATA

bp = Blueprint("lobby", __name__)


@bp.context_processor
def _lobby_context() -> dict[str, object]:
    return {"card_context": CardContext(detail_endpoint="lobby.service",
                                        referral_endpoint="lobby.referral", officer=False)}


def _tiles() -> list[dict[str, str]]:
    hints = {
        "mental-health": gettext("Counseling, crisis support, addiction"),
        "childcare": gettext("Daycare, after school, help paying"),
        "abuse": gettext("Domestic violence, shelters, legal help"),
        "housing": gettext("Shelter, rent help, utilities"),
    }
    from kiosk.icons import CATEGORY_ICONS

    return [
        {"slug": slug, "name": localized_name(*names), "hint": hints[slug], "icon": CATEGORY_ICONS[slug]}
        for slug, names in MISSION_CATEGORIES.items()
    ]


@bp.get("/")
def home() -> ResponseReturnValue:
    """The home page: four topic tiles, a search box, and the crisis lines."""
    return render_template("lobby/home.html", tiles=_tiles(), query="", category=None)


@bp.get("/search")
def results() -> ResponseReturnValue:
    """Search results (text and/or a topic), nearest to this station, with the open-now filter."""
    query = finder.parse_query(request.args, point=station(current_app.config), default_open=False)
    page = finder.find(get_session(), query, officer=False)
    category = finder.category_of(get_session(), query.category)
    response = make_response(render_template(
        "lobby/results.html",
        results=page,
        query=query.text,
        category=category,
        category_label=finder.category_name(category) if category is not None else None,
        open_only=query.open_only,
        free_only=query.free_only,
        page_url=lambda n: url_for("lobby.results", **query.url_args(page=n)),
    ))
    finder.count_search(response, query, page, officer=False)
    return response


@bp.get("/category/<slug>")
def category(slug: str) -> ResponseReturnValue:
    """A topic's services (the tiles link to the results page filtered by topic)."""
    return redirect(url_for("lobby.results", category=slug), 301)


@bp.get("/services/<service_id>")
def service(service_id: str) -> ResponseReturnValue:
    """One service's detail page, with its distance from this station (:func:`finder.detail_page`)."""
    return finder.detail_page(service_id, "lobby", point=station(current_app.config), officer=False)


def _referral_page(errors: dict[str, str] | None = None, values: dict[str, object] | None = None) -> str:
    return referrals.referral_page("lobby/referral.html", point=station(current_app.config), officer=False,
                                   errors=errors, values=values)


@bp.get("/referral")
def referral() -> ResponseReturnValue:
    """The services collected for the resident's referral, the form that makes it, and once
    made, its QR code and print link."""
    return _referral_page()


@bp.post("/referral/make")
def referral_make() -> ResponseReturnValue:
    """Make the referral from the collected services (the form works without JavaScript)."""
    data = referrals.form_data(request.form, visit.referral_ids())
    try:
        made = referrals.make(data, referrals.origin("kiosk"))
    except InvalidReferral as error:
        return _referral_page(referrals.messages(error), data), 422
    visit.remember_made(made.token)
    flash(gettext("Your referral is ready."))
    return after_post(url_for("lobby.referral"))


def _referral_changed(service_id: str, message: str) -> ResponseReturnValue:
    """Where a card's "Add to my referral" or "remove" form leads: posted in place by kiosk.js
    (``X-Kiosk-Navigation: inplace``), the card's new form, the referral's count and the message
    as JSON, so the page stays where the resident was; otherwise back to the page, at the card
    (its ``next`` carries the ``#card-<id>`` fragment)."""
    target = safe_next(request.form.get("next"), url_for("lobby.referral"))
    if request.headers.get("X-Kiosk-Navigation") != "inplace":
        flash(message)
        return after_post(target)
    context = CardContext(detail_endpoint="lobby.service", referral_endpoint="lobby.referral",
                          officer=False, page=target.split("#", 1)[0])
    count = len(visit.referral_ids())
    return jsonify(
        form=render_template("lobby/_in_place.html", card=PlacedCard(service_id), card_context=context),
        count=count, badge=render_template("lobby/_badge.html", count=count), message=message)


@bp.get("/referral/print")
def referral_print() -> ResponseReturnValue:
    """The print screen of the referral made in this visit: the slip goes to the printer, the
    screen says to take it and goes back to the start after ``PRINT_RETURN_SECONDS`` (the
    referral page when none has been made)."""
    made = referrals.find(visit.made_token())
    if made is None:
        return redirect(url_for("lobby.referral"), 303)
    with referrals.in_language(made.lang):
        return render_template("lobby/print.html", **referrals.slip_context(get_session(), made),
                               layout=referrals.print_layout(),
                               return_seconds=int(current_app.config["PRINT_RETURN_SECONDS"]))


referrals.collect_routes(bp, _referral_changed)


@bp.get("/language/<code>")
def language(code: str) -> ResponseReturnValue:
    """The language switch: answer in ``code`` from now on (until the visit ends)."""
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    session[LANGUAGE_KEY] = code
    return redirect(safe_next(request.args.get("next"), url_for("lobby.home")), 303)


@bp.post("/display/<mode>")
def display(mode: str) -> ResponseReturnValue:
    """Switch larger text or high contrast on or off (until the visit ends)."""
    if mode not in visit.DISPLAY_MODES:
        abort(404)
    visit.toggle_display(mode)
    return after_post(safe_next(request.form.get("next"), url_for("lobby.home")))


def _forget_visit(target: str) -> ResponseReturnValue:
    """Forget the visit (and the browser's data of this site), then go to ``target``."""
    visit.end_visit()
    return redirect(target, 303), {"Clear-Site-Data": CLEAR_SITE_DATA}


@bp.get("/exit")
def quick_exit() -> ResponseReturnValue:
    """Quick exit: forget the visit and show a neutral welcome screen."""
    return _forget_visit(url_for("lobby.welcome"))


@bp.get("/welcome")
def welcome() -> ResponseReturnValue:
    """The neutral screen quick exit lands on: nothing about what was looked at."""
    return render_template("lobby/welcome.html")


@bp.get("/reset")
def reset() -> ResponseReturnValue:
    """Idle reset: forget the visit and start again at the home page."""
    return _forget_visit(url_for("lobby.home"))
