"""Where the throttle's counts are kept: the database (default: shared by every worker and host
that uses it) or Redis (``redis://host:6379/0``, keys prefixed with ``RATELIMIT_KEY_PREFIX``); if
Redis cannot be reached, the database counts until it can. The rule is
:mod:`directory_data.throttle`'s; addresses and account names are stored only as keyed hashes,
under a key derived from ``SECRET_KEY``, and nothing here logs them.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from directory_data.models import utcnow
from directory_data.throttle import LOGIN, WRITE, Attempt, Rules, forgive, keyed_hash, parse_rates, reserve

log = logging.getLogger(__name__)


@dataclass
class Reserved:
    """A reserved attempt: what it was, and how its store knows it."""

    attempt: Attempt
    ticket: Any
    store: str  # "database" or "redis"


class Throttle:
    """The rules, hash key and store of one configuration (``LOGIN_LIMIT_PER_ADDRESS``,
    ``LOGIN_LIMIT_PER_ACCOUNT``, ``ANONYMOUS_WRITE_LIMIT``, ``SECRET_KEY``,
    ``RATELIMIT_STORAGE_URI``: ``database`` or a Redis URL, ``RATELIMIT_KEY_PREFIX``)."""

    def __init__(self, config: Mapping[str, Any], session_factory: sessionmaker[Session]) -> None:
        self.rules = {
            LOGIN: Rules(per_address=parse_rates(config["LOGIN_LIMIT_PER_ADDRESS"]),
                         per_account=parse_rates(config["LOGIN_LIMIT_PER_ACCOUNT"])),
            WRITE: Rules(per_address=parse_rates(config["ANONYMOUS_WRITE_LIMIT"])),
        }
        secret = str(config["SECRET_KEY"]).encode("utf-8")
        self.key = hashlib.sha256(b"kiosk throttle\x00" + secret).digest()
        self.session_factory = session_factory
        uri = str(config.get("RATELIMIT_STORAGE_URI") or "database")
        self.redis = None
        if uri.startswith(("redis://", "rediss://", "unix://")):
            from directory_data.throttle_redis import RedisAttempts

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
            from directory_data.throttle_redis import RedisError

            try:
                ticket = self.redis.reserve(attempt, rules)
            except RedisError:
                log.warning("the throttle cannot reach Redis; counting in the database meanwhile")
            else:
                return None if ticket is None else Reserved(attempt, ticket, "redis")
        with self.session_factory.begin() as session:  # its own: counted whatever the request's outcome
            event_id = reserve(session, attempt, rules, utcnow())
        return None if event_id is None else Reserved(attempt, event_id, "database")

    def forgive(self, reserved: Reserved) -> None:
        """The reserved sign-in succeeded (see :func:`directory_data.throttle.forgive`)."""
        if reserved.store == "redis" and self.redis is not None:
            from directory_data.throttle_redis import RedisError

            try:
                self.redis.forgive(reserved.attempt, reserved.ticket)
            except RedisError:
                log.warning("the throttle cannot reach Redis to clear a sign-in")
            return
        with self.session_factory.begin() as session:
            forgive(session, reserved.attempt, reserved.ticket)
