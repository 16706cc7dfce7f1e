"""Response headers that keep the kiosk private and safe: a strict Content-Security-Policy, no
referrer, no framing, no caching of pages (the back button shows nothing of a past visit).

Every asset is served by the app, so the policy allows ``'self'`` only: no inline script or
style, no third-party origin. Pages that wipe the browser's state add ``Clear-Site-Data``.
"""

from __future__ import annotations

from flask import Flask, Response, request

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


def set_headers(response: Response) -> Response:
    """Add the safety headers; pages (not static files) are never stored by the browser."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"
        response.headers.pop("Expires", None)
    return response


def init_app(app: Flask) -> None:
    """Set the headers on every response of ``app``."""
    app.after_request(set_headers)
