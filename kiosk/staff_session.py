"""Staff sessions end after ``STAFF_IDLE_MINUTES`` (default 30) without a request.

The time of the last request is kept in the signed session cookie (to the half minute); when it
is too old the session ends on the server too (:func:`end_staff_session`: its row in the
database goes, so no copy of the cookie, however fresh, opens a page again). The anonymous
kiosk is not affected: its own idle reset wipes a resident's visit (:mod:`kiosk.visit`).
"""

from __future__ import annotations

import time

from flask import Flask, current_app, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user, logout_user

from directory_data.staff_sessions import end_session

from kiosk.db import get_session
from kiosk.pages import redirect_with

#: Session key of the token of the staff session started at sign-in (its row in the database).
SESSION_ID_KEY = "sid"
#: Session key of the time (seconds since the epoch) of the account's last request.
SEEN_KEY = "seen"
#: The stored time is refreshed at most this often (seconds), to spare a cookie per request.
RESOLUTION = 30


def mark_active() -> None:
    """Note that the signed-in account made a request now."""
    session[SEEN_KEY] = int(time.time())


def end_staff_session() -> None:
    """End the request's staff session on the server, for every copy of its cookie (committed
    with the request: its answer is a redirect)."""
    token = session.get(SESSION_ID_KEY)
    if isinstance(token, str) and token:
        end_session(get_session(), token)


def end_idle_session() -> ResponseReturnValue | None:
    """Sign an account out whose last request is older than the idle limit."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    now = int(time.time())
    seen = session.get(SEEN_KEY)
    limit = int(current_app.config["STAFF_IDLE_MINUTES"]) * 60
    if not isinstance(seen, int) or now - seen > limit:
        end_staff_session()
        logout_user()
        session.clear()
        return redirect_with(gettext("You were signed out after a time without activity."),
                             url_for("auth.login", next=request.path))
    if now - seen >= RESOLUTION:
        session[SEEN_KEY] = now
    return None


def init_app(app: Flask) -> None:
    """Check every request of ``app`` for an idle staff session."""
    app.before_request(end_idle_session)
