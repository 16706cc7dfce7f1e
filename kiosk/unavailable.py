"""When the database does not answer: a friendly 503 page for people, a JSON error for programs.

A request the database cannot serve (``OperationalError``, ``InterfaceError``) ends here, not in a
500: a calm page keeping the crisis lines and quick exit, or ``{"error": ..., "status": 503}`` for
``/api/`` and ``/healthz``, with ``Retry-After``. Nothing needs restarting when the database is
back. The log names the error class and the driver's first line only (a statement's parameters
can hold what a resident typed).
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import InterfaceError, OperationalError

log = logging.getLogger(__name__)

#: Seconds a client is asked to wait before trying again.
RETRY_AFTER = 30

#: Paths whose callers are programs: they get JSON.
JSON_PREFIXES = ("/api/", "/healthz")

DATABASE_DOWN = (OperationalError, InterfaceError)


def reason(error: BaseException) -> str:
    """The error class and the first line of the driver's message, without SQL or parameters."""
    original = getattr(error, "orig", None) or error
    first = str(original).strip().splitlines()[0] if str(original).strip() else ""
    return f"{type(original).__name__}: {first[:200]}"


def wants_json() -> bool:
    """Whether the current request comes from a program (the API, health checks)."""
    if request.path.startswith(JSON_PREFIXES):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and not request.accept_mimetypes.accept_html


def database_unavailable(error: Exception) -> ResponseReturnValue:
    """The 503 answer for a request the database could not serve."""
    log.warning("database unavailable (%s) on %s %s", reason(error), request.method, request.endpoint)
    headers = {"Retry-After": str(RETRY_AFTER), "Cache-Control": "no-store"}
    if wants_json():
        body = {"error": "the directory database is unavailable; try again shortly", "status": 503}
        return jsonify(body), 503, headers
    return render_template("errors/unavailable.html", retry_after=RETRY_AFTER), 503, headers


def init_app(app: Flask) -> None:
    """Answer database outages on every route of ``app`` with :func:`database_unavailable`."""
    for kind in DATABASE_DOWN:
        app.register_error_handler(kind, database_unavailable)
