"""The kiosk's side of referrals (the rules are :mod:`directory_data.referrals`'s): the words of
the payloads, where a referral is made (surface, station, district), making one for a request
(with the throttled purge; the request commits), and what the referral pages show.

Every link that leaves the building -- a link code, the API's ``url`` -- is made on
``PUBLIC_BASE_URL`` only, never on a request's Host header; without it link codes are not offered
(:func:`offered_modes`), and the pages say why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import force_locale, gettext, lazy_gettext
from markupsafe import Markup
from sqlalchemy.orm import Session

from directory_data.models import QRMode, Referral, utcnow
from directory_data.referral_form import AUTO, district_choices, form_request, origin_district
from directory_data.referral_payload import Labels, ReferralView, entries_for, is_sensitive, referral_view
from directory_data.referrals import (
    InvalidReferral,
    Origin,
    create_referral,
    current_payload,
    listed_services,
    live_referral,
    live_services,
    parse_request,
    purge_now_and_then,
)

from kiosk import qr
from kiosk.config import PublicBaseUrlError, public_base_url
from kiosk.db import get_session
from kiosk.district_cache import kiosk_district, loaded_districts
from kiosk.pages import after_post, local_now
from kiosk.request_language import forget_request_language

#: Form and API messages for the error codes of :data:`directory_data.referrals.MESSAGES`.
ERROR_MESSAGES = {
    "required": lazy_gettext("Choose at least one service."),
    "too-many": lazy_gettext("A referral can hold at most 10 services."),
    "not-a-list": lazy_gettext("Choose services from the list."),
    "unknown": lazy_gettext("A chosen service is no longer listed. Please choose again."),
    "too-long": lazy_gettext("Please keep the note under 280 characters."),
    "not-text": lazy_gettext("The note must be text."),
    "unknown-language": lazy_gettext("Choose English or Spanish."),
    "unknown-mode": lazy_gettext("Choose what the QR code holds."),
    "link-unavailable": lazy_gettext(
        "Codes that open a web page are off here: this kiosk has no public web address set up. "
        "Choose another kind of code."),
    "text-too-long": lazy_gettext(
        "The list is too long for a code that works without internet. Choose fewer services, or a "
        "contact or crisis-line code."),
    "not-boolean": lazy_gettext("Discreet must be on or off."),
    "not-an-object": lazy_gettext("Send the referral as a JSON object."),
}


#: The neutral words of each kind of help (:mod:`directory_data.help_kinds`), for discreet names.
KIND_WORDS = {
    "support-line": lazy_gettext("support line"),
    "housing": lazy_gettext("housing"),
    "legal-help": lazy_gettext("legal help"),
    "counseling": lazy_gettext("counseling"),
    "support-group": lazy_gettext("support group"),
    "health-care": lazy_gettext("health care"),
    "family-support": lazy_gettext("family support"),
    "advocacy": lazy_gettext("one-to-one support"),
    "classes": lazy_gettext("classes"),
    "money-and-jobs": lazy_gettext("money and jobs"),
    "child-care": lazy_gettext("child care"),
}  # "support" (nothing more telling): plain "Support service"


def list_mode_choices() -> list[tuple[str, str]]:
    """``(value, label)`` of the form's choices for the list's code: chosen for you (the default),
    then the :func:`offered_modes` that hold the list or its first service."""
    labels = {
        QRMode.link: gettext("A link to a page with the list (needs internet)"),
        QRMode.text: gettext("The list itself, readable without internet"),
        QRMode.contact: gettext("The first service as a phone contact"),
    }
    return [(AUTO, gettext("Chosen for you (recommended)"))] + [
        (mode.value, labels[mode]) for mode in offered_modes() if mode in labels]


def offered_modes() -> tuple[QRMode, ...]:
    """The QR modes offered, the default first: link codes only with a ``PUBLIC_BASE_URL``."""
    modes = tuple(QRMode)
    return modes if base_url() is not None else tuple(m for m in modes if m != QRMode.link)


def labels() -> Labels:
    """The payload words in the current interface language."""
    return Labels(
        title=gettext("Your referral"),
        discreet_title=gettext("Community resources"),
        neutral_service=gettext("Support service"),
        danger=gettext("If you are in danger, call 911"),
        confidential=gettext("Address given by phone"),
        days=[gettext("Mon"), gettext("Tue"), gettext("Wed"), gettext("Thu"), gettext("Fri"),
              gettext("Sat"), gettext("Sun")],
        clock12=gettext("clock:12h") != "clock:24h",
        open_24_hours=gettext("Open 24 hours"),
        all_day=gettext("24 hours"),
        text_to=gettext("Text %(keyword)s to %(number)s"),
        text_number=gettext("Text %(number)s"),
        sample=gettext("Sample listing, not a real service"),
        kinds=tuple((kind, str(words)) for kind, words in KIND_WORDS.items()),
    )


@contextmanager
def in_language(lang: str) -> Iterator[None]:
    """Answer in ``lang`` inside the block (the referral's language, not the phone's)."""
    forget_request_language()
    with force_locale(lang):
        yield
    forget_request_language()


def base_url() -> str | None:
    """Where residents' phones reach the public referral pages: ``PUBLIC_BASE_URL`` (``None``
    when it is not set or not a valid address; never the request's host)."""
    try:
        return public_base_url(current_app.config)
    except PublicBaseUrlError:
        return None


def origin(surface: str, district: str | None = None) -> Origin:
    """Where a referral is made (the district: :func:`directory_data.referral_form.origin_district`)."""
    config = current_app.config
    chosen = origin_district(surface, district, patrol_districts(), kiosk_district(),
                             str(config["STATION_DISTRICT"]))
    return Origin(surface, str(config["STATION_NAME"]), chosen)


def patrol_districts() -> list[str]:
    """The districts an officer may choose (the station's own first): the loaded districts, else
    ``STATION_DISTRICT`` and ``PATROL_DISTRICTS``."""
    config = current_app.config
    return district_choices(loaded_districts(), kiosk_district(), str(config["STATION_DISTRICT"]),
                            [str(d) for d in config["PATROL_DISTRICTS"]])


def make(data: Mapping[str, Any], origin: Origin) -> Referral:
    """Make the referral ``data`` asks for (committed with the request), or raise
    :class:`InvalidReferral` (the request answers with an error; nothing is stored)."""
    session = get_session()
    parsed = parse_request(data, languages=tuple(current_app.config["LANGUAGES"]),
                           modes=offered_modes())
    now = utcnow()
    with in_language(parsed.lang):
        referral = create_referral(
            session, parsed, labels(), origin=origin, base_url=base_url(), now=now,
            day=local_now().date(), render=qr.render, days=int(current_app.config["REFERRAL_DAYS"]))
    purge_now_and_then(session, now)
    return referral


def messages(error: InvalidReferral) -> dict[str, str]:
    """The translated message for each bad field of ``error``."""
    return {name: str(ERROR_MESSAGES.get(code, code)) for name, code in error.fields.items()}


def find(token: str | None) -> Referral | None:
    """The live referral ``token`` names, or None (none, unknown, malformed and expired alike)."""
    return live_referral(get_session(), token, utcnow()) if token else None


def collect_routes(bp: Blueprint, answer: Callable[[str, str], ResponseReturnValue]) -> None:
    """Register ``bp``'s ``referral_add`` (collect a shown service; 404 for another),
    ``referral_remove`` and ``referral_clear`` (then the referral page), guarded as ``bp`` is;
    ``answer(service_id, message)`` is where an add or a remove form leads."""
    from kiosk import finder, visit

    @bp.post("/referral/add", endpoint="referral_add")
    def add() -> ResponseReturnValue:
        """Collect a service for the referral, then go back where the form was."""
        service_id = request.form.get("service_id", "")
        if not finder.cards_for(get_session(), [service_id], point=None, officer=False):
            abort(404)
        if visit.add_to_referral(service_id):
            return answer(service_id, gettext("Added to your referral."))
        return answer(service_id, gettext("Your referral is full. Remove a service to add another."))

    @bp.post("/referral/remove", endpoint="referral_remove")
    def remove() -> ResponseReturnValue:
        """Drop a service from the referral."""
        service_id = request.form.get("service_id", "")
        visit.remove_from_referral(service_id)
        return answer(service_id, gettext("Removed from your referral."))

    @bp.post("/referral/clear", endpoint="referral_clear")
    def clear() -> ResponseReturnValue:
        """Drop every service from the referral (start a new one)."""
        visit.clear_referral()
        return after_post(url_for(f"{bp.name}.referral"))


def codes_of(session: Session, referral: Referral) -> tuple[str, bytes] | None:
    """``referral``'s QR code as it may be served now, ``(svg, png)``: as stored while it equals
    what the current data gives, else made again (never written by a read); None when it may not
    be served (:func:`directory_data.referrals.current_payload`)."""
    with in_language(referral.lang):
        payload = current_payload(session, referral, labels(), day=local_date(referral.created_at))
    if payload is None:
        return None
    if payload == referral.qr_payload:
        return referral.qr_svg, referral.qr_png
    return qr.render(payload)


def code_markup(session: Session, referral: Referral) -> Markup | None:
    """The SVG code of ``referral`` for a page (None: withdrawn), see :func:`codes_of`."""
    codes = codes_of(session, referral)
    return Markup(codes[0]) if codes is not None else None


def view_of(session: Session, referral: Referral) -> ReferralView:
    """The :class:`ReferralView` of ``referral`` in the current interface language."""
    return referral_view(referral, live_services(session, referral), labels())


#: The slip's layouts: US Letter and 80 mm thermal receipt paper.
LAYOUTS = ("letter", "receipt")


def print_layout(asked: str | None = None) -> str:
    """The slip's layout: ``asked`` if it is one of :data:`LAYOUTS`, else
    ``REFERRAL_PRINT_LAYOUT``, else Letter."""
    for layout in (asked, str(current_app.config["REFERRAL_PRINT_LAYOUT"])):
        if layout in LAYOUTS:
            return str(layout)
    return LAYOUTS[0]


def slip_context(session: Session, referral: Referral) -> dict[str, Any]:
    """What a referral's page and slip show (call in the referral's language, :func:`in_language`):
    its :class:`ReferralView`, its code, and the days it was made and expires."""
    return {"view": view_of(session, referral), "qr_svg": code_markup(session, referral),
            "made_on": local_date(referral.created_at), "expires_on": local_date(referral.expires_at)}


def local_date(moment: dt.datetime) -> dt.date:
    """The station's local date at ``moment`` (when a referral was made, when it expires)."""
    return moment.astimezone(local_now().tzinfo).date()


def form_data(form: Mapping[str, str], ids: list[str]) -> dict[str, Any]:
    """The API-shaped request of the HTML form for ``ids`` in the interface language (the default
    mode: the first offered)."""
    from kiosk.i18n import current_language

    return form_request(form, ids, lang=current_language(), default_mode=offered_modes()[0].value)


def referral_page(template: str, *, point: tuple[float, float] | None, officer: bool,
                  errors: Mapping[str, str] | None = None, values: Mapping[str, Any] | None = None,
                  **extra: Any) -> str:
    """``template`` with the visit's collected services as cards (distances from ``point``)
    and the form that makes the referral (:func:`form_context`)."""
    from kiosk import finder, visit

    cards = finder.cards_for(get_session(), visit.referral_ids(), point=point, officer=officer)
    form = form_context([c.id for c in cards], visit.made_token(), errors=errors, values=values)
    return render_template(template, cards=cards, **form, **extra)


def form_context(
    ids: list[str], made_token: str | None, *, errors: Mapping[str, str] | None = None,
    values: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """What the "make a referral" form and its result need: the mode choices, the preselected
    values, the errors, and the referral made in this visit (if it still lives)."""
    made = find(made_token)
    chosen = {"want": "list", "list_mode": AUTO, "note": "", **(values or {})}
    if "discreet" not in chosen:  # preselected for an abuse service
        entries = entries_for(listed_services(get_session(), ids), "en", labels()) if ids else []
        chosen["discreet"] = bool(entries) and is_sensitive(entries)
    return {
        "list_modes": list_mode_choices(), "links_offered": base_url() is not None,
        "values": chosen, "errors": dict(errors or {}),
        "made": made, "made_view": view_of(get_session(), made) if made else None,
        "made_svg": code_markup(get_session(), made) if made else None,
        "made_expires": local_date(made.expires_at) if made else None,
    }
