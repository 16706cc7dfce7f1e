"""Throttling with Flask-Limiter: failed sign-ins are limited per account name and per address
(a limited request gets HTTP 429 without the password being checked), and the anonymous writes
-- making a referral, reporting a problem -- per address, so nothing can flood the database.

Settings: ``LOGIN_LIMIT_PER_ACCOUNT`` (default ``5 per minute;20 per hour``),
``LOGIN_LIMIT_PER_ADDRESS`` (default ``20 per minute;200 per hour``), ``ANONYMOUS_WRITE_LIMIT``
(default ``30 per minute;500 per hour``: a lobby kiosk is one address, and even a busy one makes
a few referrals an hour), and Flask-Limiter's own
``RATELIMIT_STORAGE_URI``: ``memory://`` (default; one process) or ``redis://host:6379/0`` so
that every process and host behind a load balancer shares the counts. Behind a proxy, make
``request.remote_addr`` the client's address (Werkzeug's ``ProxyFix``) first. If Redis cannot
be reached, each process throttles in its own memory until it can.
"""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.exceptions import TooManyRequests
from werkzeug.wrappers import Response

_EXTENSION = "kiosk_limiter"

#: Endpoints anyone may POST to that store something, limited per address.
ANONYMOUS_WRITES = ("api_referrals.create", "lobby.referral_make", "patrol.referral_make",
                    "problems.report")


def account_key() -> str:
    """The account name a sign-in attempt is for (normalised as the accounts are)."""
    return "account:" + (request.form.get("name") or "").strip().lower()[:80]


def address_key() -> str:
    """The address a sign-in attempt comes from."""
    return "address:" + (get_remote_address() or "")


def _failed(response: Response) -> bool:
    """Only attempts that did not sign in count against the limits."""
    return response.status_code != 303


def _too_many(error: TooManyRequests) -> ResponseReturnValue:
    if request.endpoint == "auth.login":
        from .auth import LoginForm

        return render_template("auth/login.html", form=LoginForm(), failed=False, throttled=True), 429
    if request.path.startswith("/api/"):
        return jsonify({"error": "too many requests; try again in a minute", "fields": {}}), 429
    return render_template("errors/too_many.html"), 429


def init_app(app: Flask) -> None:
    """Limit ``auth.login`` and the :data:`ANONYMOUS_WRITES` POSTs on ``app`` (call after their
    blueprints are registered)."""
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    # When the shared storage (Redis) cannot be reached, keep throttling in this process's memory.
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("LOGIN_LIMIT_PER_ACCOUNT", "5 per minute;20 per hour")
    app.config.setdefault("LOGIN_LIMIT_PER_ADDRESS", "20 per minute;200 per hour")
    limiter = Limiter(get_remote_address, app=app, default_limits=[],
                      key_prefix=str(app.config.get("RATELIMIT_KEY_PREFIX", "kiosk")))
    view = app.view_functions["auth.login"]
    view = limiter.limit(app.config["LOGIN_LIMIT_PER_ACCOUNT"], key_func=account_key,
                         methods=["POST"], deduct_when=_failed, scope="login-account")(view)
    view = limiter.limit(app.config["LOGIN_LIMIT_PER_ADDRESS"], key_func=address_key,
                         methods=["POST"], deduct_when=_failed, scope="login-address")(view)
    app.view_functions["auth.login"] = view
    app.config.setdefault("ANONYMOUS_WRITE_LIMIT", "30 per minute;500 per hour")
    for endpoint in ANONYMOUS_WRITES:
        if endpoint in app.view_functions:
            # one budget per address for all of them together
            app.view_functions[endpoint] = limiter.shared_limit(
                app.config["ANONYMOUS_WRITE_LIMIT"], scope="anonymous-write", key_func=address_key,
                methods=["POST"])(app.view_functions[endpoint])
    app.register_error_handler(429, _too_many)
    app.extensions[_EXTENSION] = limiter
    _drop_app_wide_check(app, limiter)


#: Settings that give Flask-Limiter limits of its own to check on every request.
_APP_WIDE_SETTINGS = ("RATELIMIT_DEFAULT", "RATELIMIT_APPLICATION", "RATELIMIT_META",
                      "RATELIMIT_IN_MEMORY_FALLBACK")


def _drop_app_wide_check(app: Flask, limiter: Limiter) -> None:
    """Take Flask-Limiter's check off every request when it has nothing to check there.

    Its ``before_request`` check enforces default, application, meta and fallback limits only;
    the limits above are on their views and checked by their decorators. Without any of those
    settings it costs about 0.2 ms of every request for nothing.
    """
    if any(app.config.get(name) for name in _APP_WIDE_SETTINGS):
        return
    hooks = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit in hooks:  # noqa: SLF001 - the hook Flask-Limiter registers
        hooks.remove(limiter._check_request_limit)  # noqa: SLF001
