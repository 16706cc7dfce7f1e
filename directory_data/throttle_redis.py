"""The throttle's counts in Redis instead of the database (``RATELIMIT_STORAGE_URI=redis://...``),
for many hosts that would rather not write a row per attempt to the database.

The rule is :func:`directory_data.throttle.allowed`, exactly as with the database: each kind of
count (this account from this address, this address, this account) is a sorted set of attempt
ids scored by time, and an attempt is checked and reserved under a Redis lock of its scope, so
no two attempts are decided at once on any host. Keys expire after the longest window.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

import redis

from directory_data.throttle import Attempt, Rules, allowed

#: Errors that mean Redis cannot be used right now.
RedisError = redis.exceptions.RedisError


@dataclass(frozen=True)
class RedisTicket:
    """A reserved attempt: its member id in the sorted sets."""

    member: str


class RedisAttempts:
    """Attempts counted in Redis (see the module docstring)."""

    def __init__(self, url: str, prefix: str) -> None:
        self.client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        self.prefix = prefix

    def _keys(self, attempt: Attempt) -> dict[str, str]:
        base = f"{self.prefix}:throttle:{attempt.scope}"
        keys = {"address": f"{base}:address:{attempt.address}"}
        if attempt.account:
            keys["pair"] = f"{base}:pair:{attempt.account}:{attempt.address}"
            keys["account"] = f"{base}:account:{attempt.account}"
        return keys

    def reserve(self, attempt: Attempt, rules: Rules) -> RedisTicket | None:
        """Count ``attempt`` if the rule lets it go ahead (its ticket), else ``None``."""
        keys = self._keys(attempt)
        with self.client.lock(f"{self.prefix}:throttle:{attempt.scope}:lock", timeout=10,
                              blocking_timeout=10):
            now = time.time()
            pipe = self.client.pipeline()
            for key in keys.values():
                pipe.zremrangebyscore(key, "-inf", now - rules.longest)
            pipe.execute()

            def count(kind: str, seconds: int) -> int:
                return int(self.client.zcount(keys[kind], now - seconds, "+inf"))

            if not allowed(rules, count):
                return None
            member = uuid.uuid4().hex
            pipe = self.client.pipeline()
            for key in keys.values():
                pipe.zadd(key, {member: now})
                pipe.expire(key, rules.longest + 1)
            pipe.execute()
        return RedisTicket(member)

    def forgive(self, attempt: Attempt, ticket: RedisTicket) -> None:
        """``attempt`` signed in: neither it nor the account's failures from its address count."""
        keys = self._keys(attempt)
        pipe = self.client.pipeline()
        for kind, key in keys.items():
            if kind == "pair":
                pipe.delete(key)
            else:
                pipe.zrem(key, ticket.member)
        pipe.execute()
