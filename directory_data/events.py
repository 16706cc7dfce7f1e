"""Outreach events: check and publish them, find the upcoming ones, and write them as iCalendar
(add + flush, never commit).

Rules:

* An event has a kind of :data:`KINDS`, a loaded district (or :data:`~directory_data.models.OUTSIDE`
  for a county-wide event), a title in English and in Spanish, a place, a start before its end
  (at most :data:`MAX_DAYS` days long), and the languages spoken there (codes of :data:`LANGUAGES`).
* Public surfaces show an event until it ends: past events leave the kiosk, the patrol view and
  the calendar feed by themselves (every query takes ``now``).
* Nothing about a resident is ever part of an event: who attends is not recorded.
* The calendar (:func:`calendar_ics`) is iCalendar (RFC 5545) written by ``icalendar``; each event's
  UID is stable (``<id>@<host>``), so a phone that added it updates it rather than adding it twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import icalendar
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory_data.models import OUTSIDE, District, OutreachEvent

#: The kinds of event, in the order forms offer them.
KINDS = ("district-meeting", "coffee-with-a-cop", "resource-fair", "food-pantry", "id-drive", "other")
#: Languages an event may say it is held in.
LANGUAGES = ("en", "es", "ht", "pt", "vi", "asl")
#: Longest event, in days.
MAX_DAYS = 7
MAX_TITLE, MAX_PLACE, MAX_DESCRIPTION = 200, 300, 2000

#: What each error code means (English; the interface has its own translated messages).
MESSAGES = {
    "required": "required",
    "too-long": "too long",
    "unknown-kind": "not a kind of event",
    "unknown-district": "not a loaded district",
    "not-a-time": "not a date and time",
    "ends-before-start": "must end after it starts",
    "too-long-event": f"at most {MAX_DAYS} days long",
    "unknown-language": "not a language offered",
}


class InvalidEvent(Exception):
    """What cannot be published: ``fields`` maps a field to an error code of :data:`MESSAGES`."""

    def __init__(self, fields: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {MESSAGES.get(v, v)}" for k, v in fields.items()))
        self.fields = dict(fields)


@dataclass(frozen=True)
class EventInput:
    """An event as a form or a script gives it (times timezone-aware)."""

    kind: str
    district_code: str
    title_en: str
    title_es: str
    place: str
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    description_en: str = ""
    description_es: str = ""
    languages: tuple[str, ...] = ("en",)


def _text(value: str, limit: int, field: str, errors: dict[str, str], *, required: bool = True) -> str:
    text = " ".join(value.split()) if field.startswith(("title", "place")) else value.strip()
    if required and not text:
        errors[field] = "required"
    elif len(text) > limit:
        errors[field] = "too-long"
    return text


def check_event(session: Session, data: EventInput) -> EventInput:
    """``data`` cleaned, or :class:`InvalidEvent`."""
    errors: dict[str, str] = {}
    if data.kind not in KINDS:
        errors["kind"] = "unknown-kind"
    known = set(session.scalars(select(District.code))) | {OUTSIDE}
    if data.district_code not in known:
        errors["district_code"] = "unknown-district"
    title_en = _text(data.title_en, MAX_TITLE, "title_en", errors)
    title_es = _text(data.title_es, MAX_TITLE, "title_es", errors)
    place = _text(data.place, MAX_PLACE, "place", errors)
    description_en = _text(data.description_en, MAX_DESCRIPTION, "description_en", errors, required=False)
    description_es = _text(data.description_es, MAX_DESCRIPTION, "description_es", errors, required=False)
    for field in ("starts_at", "ends_at"):
        value = getattr(data, field)
        if value is None or value.tzinfo is None:
            errors[field] = "not-a-time"
    if "starts_at" not in errors and "ends_at" not in errors:
        assert data.starts_at is not None and data.ends_at is not None
        if data.ends_at <= data.starts_at:
            errors["ends_at"] = "ends-before-start"
        elif data.ends_at - data.starts_at > dt.timedelta(days=MAX_DAYS):
            errors["ends_at"] = "too-long-event"
    languages = tuple(dict.fromkeys(data.languages))
    if not languages:
        errors["languages"] = "required"
    elif any(code not in LANGUAGES for code in languages):
        errors["languages"] = "unknown-language"
    if errors:
        raise InvalidEvent(errors)
    return EventInput(data.kind, data.district_code, title_en, title_es, place, data.starts_at,
                      data.ends_at, description_en, description_es, languages)


def publish_event(session: Session, data: EventInput, *, actor: str,
                  event: OutreachEvent | None = None) -> OutreachEvent:
    """Publish a new event (or change ``event``) from checked or unchecked ``data``."""
    clean = check_event(session, data)
    if event is None:
        event = OutreachEvent(created_by=actor[:80])
        session.add(event)
    event.kind, event.district_code = clean.kind, clean.district_code
    event.title_en, event.title_es = clean.title_en, clean.title_es
    event.description_en, event.description_es = clean.description_en, clean.description_es
    event.place, event.languages = clean.place, list(clean.languages)
    event.starts_at, event.ends_at = clean.starts_at, clean.ends_at  # type: ignore[assignment]
    session.flush()
    return event


def cancel_event(session: Session, event_id: str) -> bool:
    """Remove an event; whether there was one."""
    event = session.get(OutreachEvent, event_id)
    if event is None:
        return False
    session.delete(event)
    session.flush()
    return True


def upcoming(session: Session, now: dt.datetime, *, district: str | None = None,
             until: dt.datetime | None = None, limit: int | None = None) -> list[OutreachEvent]:
    """Events that have not ended by ``now``, soonest first: of ``district`` (and county-wide
    ones, :data:`OUTSIDE`) when given, starting before ``until`` when given."""
    statement = select(OutreachEvent).where(OutreachEvent.ends_at > now)
    if district is not None:
        statement = statement.where(OutreachEvent.district_code.in_([district, OUTSIDE]))
    if until is not None:
        statement = statement.where(OutreachEvent.starts_at < until)
    statement = statement.order_by(OutreachEvent.starts_at, OutreachEvent.id)
    if limit is not None:
        statement = statement.limit(limit)
    return list(session.scalars(statement))


def public_event(session: Session, event_id: str, now: dt.datetime) -> OutreachEvent | None:
    """The event ``event_id`` while it is still to come or under way (None once it ended)."""
    event = session.get(OutreachEvent, event_id) if len(event_id) <= 36 else None
    return event if event is not None and event.ends_at > now else None


def _vevent(event: OutreachEvent, *, host: str, lang: str, url: str | None,
            district_name: str, stamp: dt.datetime) -> icalendar.Event:
    spanish = lang == "es"
    item = icalendar.Event()
    item.add("uid", f"{event.id}@{host}")
    item.add("dtstamp", stamp)
    item.add("dtstart", event.starts_at)
    item.add("dtend", event.ends_at)
    item.add("summary", event.title_es if spanish else event.title_en)
    description = event.description_es if spanish else event.description_en
    other = event.title_en if spanish else event.title_es
    text = "\n\n".join(part for part in (description, other) if part)
    if text:
        item.add("description", text)
    item.add("location", event.place)
    item.add("categories", [event.kind, district_name])
    if url:
        item.add("url", url)
    item.add("last-modified", event.updated_at)
    return item


def calendar_ics(events: Sequence[OutreachEvent], *, host: str, lang: str = "en",
                 urls: Mapping[str, str] | None = None, district_names: Mapping[str, str] | None = None,
                 stamp: dt.datetime, name: str = "Meet your officers") -> bytes:
    """``events`` as one iCalendar file (UTF-8, CRLF lines), titles in ``lang``."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Community resource kiosk//Outreach events//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    names = district_names or {}
    for event in events:
        calendar.add_component(_vevent(event, host=host, lang=lang, url=(urls or {}).get(event.id),
                                       district_name=names.get(event.district_code, event.district_code),
                                       stamp=stamp))
    return calendar.to_ical()
