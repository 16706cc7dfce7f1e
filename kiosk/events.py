"""Outreach events on the web: the kiosk's "Meet your officers" page (its district's next events,
each with a QR code of its calendar file), the patrol view's week, the public calendar feed
``/events.ics`` and one ``.ics`` per event, and the workspace page where caseworkers and command
staff publish and cancel events. The rules are in :mod:`directory_data.events`."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from directory_data.districts import district_names
from directory_data.events import KINDS, LANGUAGES, EventInput, InvalidEvent, calendar_ics, cancel_event, \
    public_event, publish_event, upcoming
from directory_data.models import OUTSIDE, OutreachEvent, utcnow

from kiosk.admin.common import ActionForm, actor
from kiosk.auth import officer_required, role_required
from kiosk.db import get_session
from kiosk.district_cache import kiosk_district
from kiosk.i18n import current_language
from kiosk.qr import svg_markup
from kiosk.referrals import base_url
from kiosk.pages import attachment, redirect_with

bp = Blueprint("events", __name__)

#: Events the kiosk page shows.
KIOSK_EVENTS = 6


def kind_name(kind: str) -> str:
    """A kind of event in the interface language."""
    return {"district-meeting": gettext("District meeting"), "coffee-with-a-cop": gettext("Coffee with a Cop"),
            "resource-fair": gettext("Resource fair"), "food-pantry": gettext("Mobile food pantry"),
            "id-drive": gettext("ID drive"), "other": gettext("Other event")}.get(kind, kind)


def language_name(code: str) -> str:
    """A language an event is held in, in the interface language."""
    return {"en": gettext("English"), "es": gettext("Spanish"), "ht": gettext("Haitian Creole"),
            "pt": gettext("Portuguese"), "vi": gettext("Vietnamese"),
            "asl": gettext("American Sign Language")}.get(code, code)


def title(event: OutreachEvent) -> str:
    """The event's title in the interface language."""
    return event.title_es if current_language() == "es" else event.title_en


def description(event: OutreachEvent) -> str:
    """The event's description in the interface language."""
    return event.description_es if current_language() == "es" else event.description_en


def _ics_url(event_id: str, lang: str = "en") -> str | None:
    """The public address of an event's calendar file (titles in ``lang``); None without a
    ``PUBLIC_BASE_URL``."""
    base = base_url()
    path = url_for("events.event_ics", event_id=event_id, lang=lang if lang != "en" else None)
    return f"{base.rstrip('/')}{path}" if base else None


def _host() -> str:
    return urlsplit(base_url() or "").hostname or "kiosk.invalid"


@bp.context_processor
def _helpers() -> dict[str, object]:
    """The event words of every page of this blueprint."""
    return {"kind_name": kind_name, "language_name": language_name, "event_title": title,
            "event_description": description}


def _calendar_language() -> str:
    """The language a calendar file's titles are in (``?lang=``; English by default)."""
    lang = request.args.get("lang")
    return lang if lang in current_app.config["LANGUAGES"] else "en"


@bp.get("/meet")
def meet() -> ResponseReturnValue:
    """Meet your officers: the next events of the kiosk's district (and county-wide ones), each
    with a code a phone scans to add it to its calendar."""
    district = kiosk_district()
    events = upcoming(get_session(), utcnow(), district=district or None, limit=KIOSK_EVENTS)
    codes = {e.id: svg_markup(url) for e in events if (url := _ics_url(e.id, current_language()))}
    names = district_names(get_session())
    return render_template("lobby/meet.html", events=events, codes=codes, district=district,
                           district_name=names.get(district, ""))


@bp.get("/events.ics")
def feed() -> ResponseReturnValue:
    """Every event still to come or under way, as one public iCalendar feed (``?district=``:
    one district's and county-wide ones; ``?lang=es``: titles in Spanish)."""
    session = get_session()
    names = district_names(session)
    district = request.args.get("district") or None
    if district is not None and district not in names and district != OUTSIDE:
        abort(404)
    events = upcoming(session, utcnow(), district=district)
    body = calendar_ics(events, host=_host(), lang=_calendar_language(), stamp=utcnow(), district_names=names,
                        urls={e.id: u for e in events if (u := _ics_url(e.id))})
    return attachment(body, "text/calendar", "events.ics", inline=True)


@bp.get("/events/<event_id>.ics")
def event_ics(event_id: str) -> ResponseReturnValue:
    """One event's calendar file (what the kiosk's code links to); 404 once it has ended."""
    event = public_event(get_session(), event_id, utcnow())
    if event is None:
        abort(404)
    body = calendar_ics([event], host=_host(), lang=_calendar_language(), stamp=utcnow(),
                        district_names=district_names(get_session()))
    return attachment(body, "text/calendar", f"event-{event.id}.ics", inline=True)


@bp.get("/patrol/events")
@officer_required
def patrol_week() -> ResponseReturnValue:
    """The patrol view's list of this week's events (the next seven days), every district."""
    now = utcnow()
    events = upcoming(get_session(), now, until=now + dt.timedelta(days=7))
    return render_template("patrol/events.html", events=events, names=district_names(get_session()))


def _local(value: str) -> dt.datetime | None:
    from search_index.hours import zone

    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment.replace(tzinfo=zone(current_app.config["TIMEZONE"])) if moment.tzinfo is None else moment


def _form_input() -> EventInput:
    form = request.form
    texts = {name: form.get(name, "") for name in ("kind", "district_code", "title_en", "title_es", "place",
                                                   "description_en", "description_es")}
    return EventInput(**texts, starts_at=_local(form.get("starts_at", "")), ends_at=_local(form.get("ends_at", "")),
                      languages=tuple(form.getlist("languages")))


def _workspace(errors: dict[str, str] | None = None, status: int = 200) -> ResponseReturnValue:
    session = get_session()
    messages = {"required": gettext("Required."), "too-long": gettext("Too long."),
                "unknown-kind": gettext("Choose a kind of event."),
                "unknown-district": gettext("Choose a district."),
                "not-a-time": gettext("Give a date and time."),
                "ends-before-start": gettext("It must end after it starts."),
                "too-long-event": gettext("An event lasts at most 7 days."),
                "unknown-language": gettext("Choose languages from the list.")}
    return render_template("admin/events.html", events=upcoming(session, utcnow()), form=ActionForm(),
                           kinds=KINDS, languages=LANGUAGES, names=district_names(session), outside=OUTSIDE,
                           errors={k: messages.get(v, v) for k, v in (errors or {}).items()},
                           values=request.form if errors else {},
                           chosen_languages=request.form.getlist("languages") if errors else ["en"]), status


@bp.get("/admin/events")
@role_required("caseworker")
def workspace() -> ResponseReturnValue:
    """The events still to come, and the form to publish one."""
    return _workspace()


@bp.post("/admin/events")
@role_required("caseworker")
def publish() -> ResponseReturnValue:
    """Publish an event from the form."""
    try:
        publish_event(get_session(), _form_input(), actor=actor())
    except InvalidEvent as error:
        return _workspace(error.fields, 422)
    return redirect_with(gettext("The event is published."), url_for("events.workspace"))


@bp.post("/admin/events/<event_id>/cancel")
@role_required("caseworker")
def cancel(event_id: str) -> ResponseReturnValue:
    """Cancel (remove) an event."""
    if not cancel_event(get_session(), event_id):
        abort(404)
    return redirect_with(gettext("The event is cancelled."), url_for("events.workspace"))
