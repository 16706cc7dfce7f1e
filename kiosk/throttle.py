"""Throttling sign-ins and the anonymous writes, with counts every worker and host shares.

The rule is :mod:`directory_data.throttle`'s (counts: :mod:`directory_data.throttle_store`): per
address, and per account from one address; over all addresses an account's limit only refuses
addresses that have failed for it, so an officer at a clean device can still sign in while someone
guesses elsewhere. A refused sign-in gets 429 before its password is checked. The anonymous
writes -- a referral, a problem report, a provider's availability update -- are limited per
address (:data:`ANONYMOUS_WRITES`).

Settings (``kiosk/defaults.toml``): ``LOGIN_LIMIT_PER_ACCOUNT``, ``LOGIN_LIMIT_PER_ADDRESS``,
``ANONYMOUS_WRITE_LIMIT`` and ``RATELIMIT_STORAGE_URI`` (``database`` or a Redis URL). The address
is ``request.remote_addr``: behind reverse proxies set ``TRUSTED_PROXIES`` (Werkzeug's ``ProxyFix``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue

from directory_data.throttle import LOGIN, WRITE
from directory_data.throttle_store import Reserved, Throttle

from kiosk.db import get_database

_EXTENSION = "kiosk_throttle"

#: Endpoints anyone may POST to that store something, limited per address.
ANONYMOUS_WRITES = ("api_referrals.create", "lobby.referral_make", "patrol.referral_make",
                    "problems.report")


def get_throttle(app: Flask | None = None) -> Throttle:
    """The :class:`Throttle` of ``app`` (default: the current app)."""
    return (app or current_app).extensions[_EXTENSION]


def client_address() -> str:
    """The address a request comes from (as the WSGI server, or ``ProxyFix``, gives it)."""
    return request.remote_addr or ""


def login_attempt(name: str) -> Reserved | None:
    """Reserve a sign-in attempt for the account ``name`` from this request's address: ``None``
    when it is throttled (the password must not be checked then)."""
    throttle = get_throttle()
    account = (name or "").strip().lower()[:80]
    return throttle.reserve(throttle.attempt(LOGIN, account, client_address()))


def signed_in(reserved: Reserved) -> None:
    """The attempt signed in: it and the account's failures from this address no longer count."""
    get_throttle().forgive(reserved)


def write_refused() -> bool:
    """Whether this request's address has made too many anonymous writes (this one counted)."""
    throttle = get_throttle()
    return throttle.reserve(throttle.attempt(WRITE, "", client_address())) is None


def too_many() -> ResponseReturnValue:
    """The answer to a throttled request: 429, JSON for the API, the kind page otherwise."""
    if request.path.startswith("/api/"):
        body: Any = jsonify({"error": "too many requests; try again in a minute", "fields": {}})
    else:
        body = render_template("errors/too_many.html")
    return body, 429, {"Retry-After": "60"}


def _limited(view: Callable[..., ResponseReturnValue]) -> Callable[..., ResponseReturnValue]:
    """``view``, refused with 429 when its address has made too many anonymous writes."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        if request.method == "POST" and write_refused():
            return too_many()
        return view(*args, **kwargs)

    return guarded


def init_app(app: Flask) -> None:
    """Set up ``app``'s throttle and limit the :data:`ANONYMOUS_WRITES` (call after their
    blueprints are registered); the login view asks :func:`login_attempt` itself."""
    app.extensions[_EXTENSION] = Throttle(app.config, get_database(app).session_factory)
    for endpoint in ANONYMOUS_WRITES:
        if endpoint in app.view_functions:
            app.view_functions[endpoint] = _limited(app.view_functions[endpoint])
