"""Throttling sign-ins and the anonymous writes, with counts every worker and host shares.

The rule is :mod:`directory_data.throttle`'s: per address, and per account from one address;
over all addresses an account's limit only refuses addresses that have failed for it, so an
officer at a clean device can still sign in while someone guesses the password elsewhere. A
refused request gets HTTP 429 without its password being checked (:func:`login_attempt` is
called by the login view once the form is valid). The anonymous writes -- making a referral,
reporting a problem -- are limited per address (:data:`ANONYMOUS_WRITES`).

Settings: ``LOGIN_LIMIT_PER_ACCOUNT`` (default ``5 per minute;20 per hour``),
``LOGIN_LIMIT_PER_ADDRESS`` (``20 per minute;200 per hour``), ``ANONYMOUS_WRITE_LIMIT``
(``30 per minute;500 per hour``: a lobby kiosk is one address, and even a busy one makes a few
referrals an hour), and ``RATELIMIT_STORAGE_URI``: ``database`` (default: the app's database,
shared by every worker and host that uses it) or ``redis://host:6379/0`` (keys prefixed with
``RATELIMIT_KEY_PREFIX``; if Redis cannot be reached, the database counts until it can). The
address is ``request.remote_addr``: behind reverse proxies, set ``TRUSTED_PROXIES`` to how many
there are, so it is the client's (Werkzeug's ``ProxyFix``, :func:`kiosk.create_app`). Addresses and account names are stored only as keyed hashes, under a key
derived from ``SECRET_KEY``, and nothing here logs them.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import Flask, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue

from directory_data.models import utcnow
from directory_data.throttle import LOGIN, WRITE, Attempt, Rules, forgive, keyed_hash, parse_rates, reserve

from kiosk.db import get_database

log = logging.getLogger(__name__)

_EXTENSION = "kiosk_throttle"

#: Endpoints anyone may POST to that store something, limited per address.
ANONYMOUS_WRITES = ("api_referrals.create", "lobby.referral_make", "patrol.referral_make",
                    "problems.report")


@dataclass
class Reserved:
    """A reserved attempt: what it was, and how its store knows it."""

    attempt: Attempt
    ticket: Any
    store: str  # "database" or "redis"


class Throttle:
    """One app's rules, hash key and store."""

    def __init__(self, app: Flask) -> None:
        config = app.config
        self.rules = {
            LOGIN: Rules(per_address=parse_rates(config["LOGIN_LIMIT_PER_ADDRESS"]),
                         per_account=parse_rates(config["LOGIN_LIMIT_PER_ACCOUNT"])),
            WRITE: Rules(per_address=parse_rates(config["ANONYMOUS_WRITE_LIMIT"])),
        }
        secret = str(config["SECRET_KEY"]).encode("utf-8")
        self.key = hashlib.sha256(b"kiosk throttle\x00" + secret).digest()
        self.database = get_database(app)
        uri = str(config.get("RATELIMIT_STORAGE_URI") or "database")
        self.redis = None
        if uri.startswith(("redis://", "rediss://", "unix://")):
            from kiosk.throttle_redis import RedisAttempts

            self.redis = RedisAttempts(uri, str(config.get("RATELIMIT_KEY_PREFIX") or "kiosk"))
        elif uri != "database":
            raise ValueError(f"RATELIMIT_STORAGE_URI must be 'database' or a redis:// URL, not {uri!r}")

    def attempt(self, scope: str, account: str, address: str) -> Attempt:
        """The attempt, with its account name and address hashed."""
        return Attempt(scope, keyed_hash(self.key, account) if account else "",
                       keyed_hash(self.key, address))

    def reserve(self, attempt: Attempt) -> Reserved | None:
        """Count ``attempt`` if the rules let it go ahead, else ``None``."""
        rules = self.rules[attempt.scope]
        if self.redis is not None:
            from kiosk.throttle_redis import RedisError

            try:
                ticket = self.redis.reserve(attempt, rules)
            except RedisError:
                log.warning("the throttle cannot reach Redis; counting in the database meanwhile")
            else:
                return None if ticket is None else Reserved(attempt, ticket, "redis")
        with self.database.transaction() as session:  # counted whatever the request's outcome
            event_id = reserve(session, attempt, rules, utcnow())
        return None if event_id is None else Reserved(attempt, event_id, "database")

    def forgive(self, reserved: Reserved) -> None:
        """The reserved sign-in succeeded (see :func:`directory_data.throttle.forgive`)."""
        if reserved.store == "redis" and self.redis is not None:
            from kiosk.throttle_redis import RedisError

            try:
                self.redis.forgive(reserved.attempt, reserved.ticket)
            except RedisError:
                log.warning("the throttle cannot reach Redis to clear a sign-in")
            return
        with self.database.transaction() as session:
            forgive(session, reserved.attempt, reserved.ticket)


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
        if request.method == "POST":
            throttle = get_throttle()
            if throttle.reserve(throttle.attempt(WRITE, "", client_address())) is None:
                return too_many()
        return view(*args, **kwargs)

    return guarded


def init_app(app: Flask) -> None:
    """Set up ``app``'s throttle and limit the :data:`ANONYMOUS_WRITES` (call after their
    blueprints are registered); the login view asks :func:`login_attempt` itself."""
    app.config.setdefault("RATELIMIT_STORAGE_URI", "database")
    app.config.setdefault("LOGIN_LIMIT_PER_ACCOUNT", "5 per minute;20 per hour")
    app.config.setdefault("LOGIN_LIMIT_PER_ADDRESS", "20 per minute;200 per hour")
    app.config.setdefault("ANONYMOUS_WRITE_LIMIT", "30 per minute;500 per hour")
    app.extensions[_EXTENSION] = Throttle(app)
    for endpoint in ANONYMOUS_WRITES:
        if endpoint in app.view_functions:
            app.view_functions[endpoint] = _limited(app.view_functions[endpoint])
