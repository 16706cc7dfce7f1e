"""A resident's visit: what it keeps, and how it ends without a trace.

Everything a visit keeps lives in the signed session cookie and identifies no one: the services
collected for a referral (ids only), the chosen language and the display modes; on the patrol
view also the point the officer's last results were measured from (rounded to about 100 m, for
``PATROL_POSITION_MINUTES`` at most), so the detail and referral pages of the same visit measure
from it too. It is never logged (the request log has no query string and no cookie). Quick exit
and idle reset call :func:`end_visit`, which forgets all of it; signing out does too.
"""

from __future__ import annotations

import time

from flask import current_app, session

from kiosk.config import on_earth

REFERRAL_KEY = "referral"
#: The token of the referral made in this visit (shown with its QR code until the list changes).
MADE_KEY = "referral_made"
DISPLAY_KEY = "display"
#: The patrol view's point of the visit: ``[latitude, longitude, minute it was taken]``.
POSITION_KEY = "patrol_point"
#: Decimal places a kept position is rounded to (about 100 m, as the tablet's script sends it).
POSITION_DECIMALS = 3

#: The display modes a resident can switch on: larger text, high contrast.
DISPLAY_MODES = ("large", "contrast")


def referral_ids() -> list[str]:
    """The ids of the services collected so far, in the order they were added."""
    return [str(i) for i in session.get(REFERRAL_KEY, [])]


def add_to_referral(service_id: str) -> bool:
    """Collect ``service_id``; False when the list is full (it is kept once at most)."""
    ids = referral_ids()
    if service_id in ids:
        return True
    if len(ids) >= int(current_app.config["REFERRAL_MAX_ITEMS"]):
        return False
    session[REFERRAL_KEY] = ids + [service_id]
    session.pop(MADE_KEY, None)
    return True


def remove_from_referral(service_id: str) -> None:
    """Drop ``service_id`` from the collected services."""
    session[REFERRAL_KEY] = [i for i in referral_ids() if i != service_id]
    session.pop(MADE_KEY, None)


def clear_referral() -> None:
    """Drop every collected service."""
    session.pop(REFERRAL_KEY, None)
    session.pop(MADE_KEY, None)


def remember_made(token: str) -> None:
    """Keep the token of the referral just made, to show its QR code and print link."""
    session[MADE_KEY] = token


def made_token() -> str | None:
    """The token of the referral made in this visit, if any."""
    token = session.get(MADE_KEY)
    return str(token) if token else None


def display_modes() -> list[str]:
    """The display modes switched on (a subset of :data:`DISPLAY_MODES`)."""
    return [m for m in session.get(DISPLAY_KEY, []) if m in DISPLAY_MODES]


def toggle_display(mode: str) -> None:
    """Switch the display mode ``mode`` on when it is off, off when it is on."""
    modes = display_modes()
    session[DISPLAY_KEY] = [m for m in modes if m != mode] if mode in modes else modes + [mode]


def remember_position(point: tuple[float, float] | None) -> None:
    """Keep ``point`` (the officer's tablet) as the visit's point, or forget it (``None``: the
    results were measured from the station, and so are the next pages)."""
    if point is None:
        session.pop(POSITION_KEY, None)
        return
    lat, lon = (round(value, POSITION_DECIMALS) for value in point)
    kept = [lat, lon, int(time.time() // 60)]
    if session.get(POSITION_KEY) != kept:
        session[POSITION_KEY] = kept


def position() -> tuple[float, float] | None:
    """The visit's point, unless it is older than ``PATROL_POSITION_MINUTES`` (None: use the
    station)."""
    kept = session.get(POSITION_KEY)
    try:
        lat, lon, minute = float(kept[0]), float(kept[1]), int(kept[2])
    except (TypeError, ValueError, IndexError, KeyError):
        return None
    fresh = time.time() // 60 - minute <= int(current_app.config["PATROL_POSITION_MINUTES"])
    return (lat, lon) if fresh and on_earth((lat, lon)) else None


def end_visit() -> None:
    """Forget everything about the visit (referral, language, display modes, form tokens)."""
    session.clear()
