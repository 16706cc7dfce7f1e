"""Response headers that keep the kiosk private and safe: a strict Content-Security-Policy, no
referrer, no framing, no caching of pages (the back button shows nothing of a past visit).

Every asset is served by the app, so the policy allows ``'self'`` only: no inline script or
style, no third-party origin. Pages that wipe the browser's state add ``Clear-Site-Data``.
The session cookie is Flask's signed cookie (:class:`SessionInterface` only keeps its signer).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "manifest-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
))

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "geolocation=(self), camera=(), microphone=(), payment=(), usb=()",
}

#: Sent by the pages that end a visit (quick exit, idle reset).
CLEAR_SITE_DATA = '"cache", "cookies", "storage"'


_LOWER_NAMES = [(name.lower(), name, value) for name, value in HEADERS.items()]


def set_headers(response: Response) -> Response:
    """Add the safety headers a response does not set itself; pages (not static files) are
    never stored by the browser."""
    headers = response.headers
    present = {name.lower() for name in headers.keys()}
    headers.extend([(name, value) for lower, name, value in _LOWER_NAMES if lower not in present])
    if request.endpoint != "static":
        headers["Cache-Control"] = "no-store"
        headers.pop("Expires", None)
    return response


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed session cookie, with its signing serializer made once per set of keys
    (Flask makes a new one to read and another to write the cookie of every request)."""

    def __init__(self) -> None:
        self._serializer: tuple[tuple[Any, ...], URLSafeTimedSerializer | None] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """The serializer for ``app``'s ``SECRET_KEY`` and ``SECRET_KEY_FALLBACKS`` as they are now."""
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        made = self._serializer
        if made is None or made[0] != keys:
            made = self._serializer = (keys, super().get_signing_serializer(app))
        return made[1]


def init_app(app: Flask) -> None:
    """Set the headers on every response of ``app``, and its session cookie's signer."""
    app.after_request(set_headers)
    app.session_interface = SessionInterface()
