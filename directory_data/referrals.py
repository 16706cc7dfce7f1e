"""Referrals: check what was asked, make one (token, expiry, QR payload, codes), find a live one
by its token, purge the expired ones, and count them in weekly aggregates (add + flush, never
commit).

Rules:

* 1 to :data:`MAX_SERVICES` distinct listed services; a note of at most :data:`MAX_NOTE`
  characters (there is no name field anywhere); a language of the interface; a QR mode of
  :class:`~directory_data.models.QRMode`; discreet on or off (left out: on when a service is
  about abuse).
* The token is 128 random bits, URL-safe (22 characters); a referral expires
  :data:`DEFAULT_DAYS` days after it is made unless the caller says otherwise.
* Its times are stored to the hour, never finer (:func:`to_the_hour`): made at 14:37, it says
  14:00, and it expires at the first full hour at least that many days later.
* Nothing about the person is stored: no IP address, user agent, session or account.
* A text-mode code that would hold more than :data:`MAX_TEXT_BYTES` bytes falls back to link
  mode (``qr_mode`` says which mode the code really uses).
* The stored codes are a cache of what the referral's data gave when it was made, never served
  after the data changed (:func:`current_payload`).
* Link codes need the public address the caller configured (``base_url``); without one, link
  mode is not offered (``modes`` of :func:`parse_request`) and a text referral too long for its
  code is refused (``text-too-long``) instead of falling back.
* Each referral adds one to its week's :class:`~directory_data.models.ReferralCount` per
  category of its services (``""`` when none), station, district and surface; the counts
  outlive the referral and have no link to it.

Errors are :class:`InvalidReferral`, whose ``fields`` map a field to a code of :data:`MESSAGES`
(the interface translates them).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, selectinload

from directory_data.locations import live_location_link
from directory_data.models import (
    Location,
    QRMode,
    Referral,
    ReferralCount,
    Service,
    ServiceAtLocation,
    ServiceTaxonomy,
)
from directory_data.referral_payload import (
    Entry,
    Labels,
    contact_payload,
    entries_for,
    hotline_payload,
    is_sensitive,
    link_payload,
    text_payload,
)
from directory_data.service_rows import listed

log = logging.getLogger(__name__)

MAX_SERVICES = 10
MAX_NOTE = 280
DEFAULT_DAYS = 30
#: Largest text-mode payload (UTF-8 bytes) put in a code; a longer one falls back to link mode.
MAX_TEXT_BYTES = 600
SURFACES = ("kiosk", "patrol")
TOKEN_BYTES = 16
_TOKEN = re.compile(r"[A-Za-z0-9_-]{22}")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
#: How often creating a referral also purges expired ones (per process).
PURGE_EVERY = dt.timedelta(hours=1)

#: What each error code means (English; the interface has its own translated messages).
MESSAGES = {
    "required": "choose at least one service",
    "too-many": f"at most {MAX_SERVICES} services",
    "not-a-list": "must be a list of service ids",
    "unknown": "no listed service has this id",
    "too-long": f"at most {MAX_NOTE} characters",
    "not-text": "must be text",
    "unknown-language": "not a language of this kiosk",
    "unknown-mode": "must be link, text, contact or hotline",
    "link-unavailable": "link codes are off: no public address (PUBLIC_BASE_URL) is configured",
    "text-too-long": f"the list is over {MAX_TEXT_BYTES} bytes, too long for a code without a link",
    "not-boolean": "must be true or false",
    "not-an-object": "the body must be a JSON object",
}


class InvalidReferral(Exception):
    """What cannot make a referral: ``fields`` maps a field name to an error code."""

    def __init__(self, fields: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {MESSAGES.get(v, v)}" for k, v in fields.items()))
        self.fields = dict(fields)


@dataclass(frozen=True)
class ReferralRequest:
    """A checked request for a referral (the services still have to be found)."""

    service_ids: tuple[str, ...]
    note: str = ""
    lang: str = "en"
    mode: QRMode = QRMode.link
    discreet: bool | None = None  # None: on when a service is about abuse


@dataclass(frozen=True)
class Origin:
    """Where a referral was made: the surface, the station and its district."""

    surface: str
    station: str
    district: str


#: Turns a QR payload into ``(svg, png)``.
Renderer = Callable[[str], tuple[str, bytes]]


def _service_ids(value: Any, errors: dict[str, str]) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors["service_ids"] = "not-a-list" if value is not None else "required"
        return ()
    ids = tuple(dict.fromkeys(v.strip() for v in value if v.strip()))
    if not ids:
        errors["service_ids"] = "required"
    elif len(ids) > MAX_SERVICES:
        errors["service_ids"] = "too-many"
    elif any(len(i) > 64 for i in ids):
        errors["service_ids"] = "unknown"
    return ids


def _note(value: Any, errors: dict[str, str]) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        errors["note"] = "not-text"
        return ""
    note = " ".join(_CONTROL.sub(" ", value).split())
    if len(note) > MAX_NOTE:
        errors["note"] = "too-long"
    return note


def parse_request(data: Any, *, languages: Sequence[str],
                  modes: Sequence[QRMode] = tuple(QRMode)) -> ReferralRequest:
    """The :class:`ReferralRequest` in ``data`` (a decoded JSON object or form values); the
    modes offered are ``modes``, the first of them is the default.

    Raises :class:`InvalidReferral` naming every bad field.
    """
    if not isinstance(data, Mapping):
        raise InvalidReferral({"body": "not-an-object"})
    errors: dict[str, str] = {}
    ids = _service_ids(data.get("service_ids"), errors)
    note = _note(data.get("note"), errors)
    lang = data.get("lang") or languages[0]
    if lang not in languages:
        errors["lang"] = "unknown-language"
    mode = data.get("mode") or modes[0].value
    if mode not in {m.value for m in QRMode}:
        errors["mode"] = "unknown-mode"
    elif QRMode(mode) not in modes:
        errors["mode"] = "link-unavailable" if mode == QRMode.link.value else "unknown-mode"
    discreet = data.get("discreet")
    if discreet is not None and not isinstance(discreet, bool):
        errors["discreet"] = "not-boolean"
    if errors:
        raise InvalidReferral(errors)
    return ReferralRequest(ids, note, str(lang), QRMode(mode), discreet)


def _entry_options() -> list[Any]:
    """Eager loads of what a referral entry reads (phones, hours, places, categories); retired
    places are left out, as on every surface (:func:`directory_data.locations.live_location_link`)."""
    location = (selectinload(Service.location_links.and_(live_location_link()))
                .selectinload(ServiceAtLocation.location))
    return [selectinload(Service.phones), selectinload(Service.schedules),
            selectinload(Service.category_links),
            selectinload(Service.taxonomy_links).selectinload(ServiceTaxonomy.term),
            location.selectinload(Location.addresses),
            location.selectinload(Location.phones), location.selectinload(Location.schedules)]


def listed_services(session: Session, ids: Sequence[str]) -> list[Service]:
    """The listed (shown) services among ``ids`` in that order, loaded for referral entries."""
    rows = session.scalars(select(Service).where(
        Service.id.in_(list(ids)), listed()).options(*_entry_options()))
    by_id = {service.id: service for service in rows}
    return [by_id[i] for i in ids if i in by_id]


def find_services(session: Session, ids: Sequence[str]) -> list[Service]:
    """The listed services of ``ids`` in that order; :class:`InvalidReferral` when one is not."""
    services = listed_services(session, ids)
    if len(services) != len(ids):
        raise InvalidReferral({"service_ids": "unknown"})
    return services


def new_token() -> str:
    """128 random bits, URL-safe base64 without padding (22 characters)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def qr_payload(
    request: ReferralRequest, entries: Sequence[Entry], labels: Labels, *, discreet: bool,
    base_url: str | None, token: str, station: str, day: dt.date,
) -> tuple[str, QRMode]:
    """What the code carries, and the mode it really uses (text falls back to link when long);
    :class:`InvalidReferral` when a link is needed and there is no ``base_url``."""
    if request.mode == QRMode.text:
        text = text_payload(entries, labels, discreet=discreet, station=station, day=day,
                            note=request.note)
        if len(text.encode("utf-8")) <= MAX_TEXT_BYTES:
            return text, QRMode.text
    elif request.mode == QRMode.contact:
        return contact_payload(entries[0], labels, discreet=discreet), QRMode.contact
    elif request.mode == QRMode.hotline:
        return hotline_payload(entries), QRMode.hotline
    if base_url is None:
        raise InvalidReferral({"mode": "text-too-long" if request.mode == QRMode.text
                               else "link-unavailable"})
    return link_payload(base_url, token), QRMode.link


def to_the_hour(moment: dt.datetime, *, up: bool = False) -> dt.datetime:
    """``moment`` cut to its hour (``up``: the next full hour unless it is one already)."""
    hour = moment.replace(minute=0, second=0, microsecond=0)
    return hour + dt.timedelta(hours=1) if up and hour != moment else hour


def create_referral(
    session: Session, request: ReferralRequest, labels: Labels, *, origin: Origin,
    base_url: str | None, now: dt.datetime, day: dt.date, render: Renderer,
    days: int = DEFAULT_DAYS,
) -> Referral:
    """Make the referral ``request`` asks for, its codes and its count (add + flush).

    ``base_url`` is the configured public address link codes point at (``None``: none).
    ``day`` is the station's local date (printed on the slip and counted), ``render`` makes the
    codes once; they are stored and served from then on.
    """
    services = find_services(session, request.service_ids)
    entries = entries_for(services, request.lang, labels)
    discreet = is_sensitive(entries) if request.discreet is None else request.discreet
    token = new_token()
    payload, mode = qr_payload(request, entries, labels, discreet=discreet, base_url=base_url,
                               token=token, station=origin.station, day=day)
    svg, png = render(payload)
    referral = Referral(
        token=token, service_ids=[s.id for s in services], note=request.note, lang=request.lang,
        mode=request.mode.value, qr_mode=mode.value, discreet=discreet,
        surface=origin.surface if origin.surface in SURFACES else "kiosk",
        station=origin.station[:80], district=origin.district[:80], qr_payload=payload,
        qr_svg=svg, qr_png=png, created_at=to_the_hour(now),
        expires_at=to_the_hour(now + dt.timedelta(days=days), up=True),
    )
    session.add(referral)
    categories = sorted({c for s in services for c in s.category_slugs}) or [""]
    for category in categories:
        _count(session, week=day - dt.timedelta(days=day.weekday()), category=category,
               origin=origin)
    session.flush()
    return referral


def _count(session: Session, *, week: dt.date, category: str, origin: Origin) -> None:
    """One more referral in the week's row (``INSERT .. ON CONFLICT DO UPDATE``)."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    keys = {"week": week, "category": category[:64], "station": origin.station[:80],
            "district": origin.district[:80], "surface": origin.surface[:10]}
    statement = insert(ReferralCount).values(**keys, referrals=1).on_conflict_do_update(
        index_elements=list(keys), set_={"referrals": ReferralCount.referrals + 1})
    session.execute(statement)


def live_referral(session: Session, token: str, now: dt.datetime) -> Referral | None:
    """The referral ``token`` names if it has not expired; None for any other token (a
    malformed one is refused before the database is asked)."""
    if not _TOKEN.fullmatch(token or ""):
        return None
    return session.scalar(select(Referral).where(Referral.token == token,
                                                 Referral.expires_at > now))


def live_services(session: Session, referral: Referral) -> list[Service]:
    """The services of ``referral`` still listed, in its order."""
    return listed_services(session, list(referral.service_ids))


#: Modes whose code carries listing content (names, phones, addresses, hours).
CONTENT_MODES = frozenset({QRMode.text.value, QRMode.contact.value})


def current_payload(session: Session, referral: Referral, labels: Labels, *, day: dt.date) -> str | None:
    """What ``referral``'s code may carry now, built again from the current data; None when no
    code may be served any more.

    Why on read: a referral's codes are made once and stored, but the data they copy can later
    become unsafe to show -- a place made confidential (its street), a phone made officer-only,
    a listing or place retired -- through any path that writes the directory (the workspace, an
    import, a restore). Rather than catch every such write, every page, slip and image that
    serves a code asks this function first, and the stored code is served only while it equals
    what the current data gives (a content check on the whole payload); otherwise the caller
    makes the code again from this payload. So a stored code never outlives such a change, and
    reading writes nothing. Link and hotline codes carry no listing content and are returned as
    stored. A text code is rebuilt from the referral's listings still shown (``labels`` in the
    referral's language, ``day`` its local date of creation); None when it no longer fits
    :data:`MAX_TEXT_BYTES`. A contact code names the referral's first service: None once that
    service is no longer listed.
    """
    if referral.qr_mode not in CONTENT_MODES:
        return referral.qr_payload
    services = live_services(session, referral)
    entries = entries_for(services, referral.lang, labels)
    discreet = bool(referral.discreet)
    if referral.qr_mode == QRMode.contact.value:
        first = list(referral.service_ids)[:1]
        if not entries or [entries[0].id] != first:
            return None
        return contact_payload(entries[0], labels, discreet=discreet)
    text = text_payload(entries, labels, discreet=discreet, station=referral.station, day=day,
                        note=referral.note)
    return text if len(text.encode("utf-8")) <= MAX_TEXT_BYTES else None


def purge_expired(session: Session, now: dt.datetime) -> int:
    """Delete every referral past its expiry; how many there were (counts are kept)."""
    result = session.execute(delete(Referral).where(Referral.expires_at <= now))
    session.flush()
    return int(getattr(result, "rowcount", 0) or 0)


_last_purge: dt.datetime | None = None
_purge_lock = threading.Lock()


def purge_now_and_then(session: Session, now: dt.datetime, every: dt.timedelta = PURGE_EVERY) -> int:
    """:func:`purge_expired` at most once per ``every`` in this process (called on creation)."""
    global _last_purge
    with _purge_lock:
        if _last_purge is not None and now - _last_purge < every:
            return 0
        _last_purge = now
    return purge_expired(session, now)


def referral_activity(
    session: Session, since: dt.date, until: dt.date
) -> list[tuple[dt.date, str, str, int]]:
    """Referrals per week (its Monday), category and station from the week of ``since`` to
    ``until`` -- an activity source of :mod:`directory_data.gap_report`."""
    first_week = since - dt.timedelta(days=since.weekday())
    total = func.sum(ReferralCount.referrals)
    rows = session.execute(
        select(ReferralCount.week, ReferralCount.category, ReferralCount.station, total)
        .where(ReferralCount.week.between(first_week, until))
        .group_by(ReferralCount.week, ReferralCount.category, ReferralCount.station)
    )
    return [(week, category, station, int(n)) for week, category, station, n in rows]


def referrals_by_district(session: Session, since: dt.date, until: dt.date) -> dict[str, int]:
    """Referrals per district from the week of ``since`` to ``until`` (for outreach planning).

    A referral with services in several categories is counted once per category, as in every
    referral aggregate."""
    first_week = since - dt.timedelta(days=since.weekday())
    rows = session.execute(
        select(ReferralCount.district, func.sum(ReferralCount.referrals))
        .where(ReferralCount.week.between(first_week, until))
        .group_by(ReferralCount.district)
    )
    return {district: int(n) for district, n in rows}
