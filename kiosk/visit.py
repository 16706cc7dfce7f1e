"""A resident's visit: what it keeps, and how it ends without a trace.

Everything a visit keeps lives in the signed session cookie and identifies no one: the services
collected for a referral (ids only), the chosen language and the display modes. Quick exit and
idle reset call :func:`end_visit`, which forgets all of it.
"""

from __future__ import annotations

from flask import current_app, session

REFERRAL_KEY = "referral"
#: The token of the referral made in this visit (shown with its QR code until the list changes).
MADE_KEY = "referral_made"
DISPLAY_KEY = "display"

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


def end_visit() -> None:
    """Forget everything about the visit (referral, language, display modes, form tokens)."""
    session.clear()
