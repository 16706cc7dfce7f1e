"""Response headers that keep the kiosk private and safe: a strict Content-Security-Policy (``'self'``
only: no inline script or style, no third-party origin), no referrer, no framing, no caching of
pages (the back button shows nothing of a past visit); and the largest request bodies:
``MAX_CONTENT_LENGTH`` but for an HSDS upload (``IMPORT_MAX_UPLOAD_BYTES``), 413 before reading.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import RequestEntityTooLarge

CONTENT_SECURITY_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "font-src 'self'; connect-src 'self'; manifest-src 'self'; form-action 'self'; "
                           "base-uri 'none'; frame-ancestors 'none'")

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
    """Add the safety headers a response does not set itself; pages (not static files) are
    never stored by the browser."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"
        response.headers.pop("Expires", None)
    return response


#: Endpoints whose request body may be as large as ``IMPORT_MAX_UPLOAD_BYTES``.
UPLOAD_ENDPOINTS = frozenset({"admin.import_package"})


def _body_limit() -> None:
    """Let an upload's request body be larger than any other's (before anything reads it)."""
    if request.endpoint in UPLOAD_ENDPOINTS:
        request.max_content_length = int(current_app.config["IMPORT_MAX_UPLOAD_BYTES"])


def _too_large(error: RequestEntityTooLarge) -> ResponseReturnValue:
    """413 in words: JSON for the API, the import page for an upload, plain text otherwise."""
    from flask_babel import gettext

    from kiosk.api.errors import fields_error

    limit = request.max_content_length or 0
    if request.path.startswith("/api/"):
        return fields_error(413, f"the request is larger than {limit} bytes")
    message = gettext("The file is larger than %(size)s MB, the most an upload may be "
                      "(IMPORT_MAX_UPLOAD_BYTES). Nothing was imported. Import a package this large "
                      "on the server with kiosk import.", size="{:,.0f}".format(limit / (1024 * 1024)))
    if request.endpoint in UPLOAD_ENDPOINTS:
        return render_template("admin/import.html", form=None, error=message), 413
    return Response(gettext("The request is too large."), 413, mimetype="text/plain")


def init_app(app: Flask) -> None:
    """Set the headers on every response of ``app`` and the request body limits (call before
    anything that reads a form, such as CSRF protection)."""
    app.before_request(_body_limit)
    app.register_error_handler(RequestEntityTooLarge, _too_large)
    app.after_request(set_headers)
