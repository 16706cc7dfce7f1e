"""Throttling sign-ins and anonymous writes with counts every process and host shares.

**The rule** (:func:`allowed`), over moving windows (``"5 per minute;20 per hour"``):

* ``per_address``: an address may make that many attempts of the scope (any account).
* ``per_account``: an account may fail that many times from one address. Over all addresses
  together it may fail that many times too, but that limit only refuses addresses that have
  themselves failed for the account in the window: an address that has not (an officer's own
  tablet) may still try while someone else guesses the account's password, so failures cannot
  lock an officer out of a shift. Each address gets one try per window while the account is over
  its limit, so guessing from many addresses stays slow.

An attempt is reserved *before* the password is checked (it counts as a failure until it is
known to have signed in), under a lock, so concurrent attempts on any number of workers and
hosts never pass the limit: with 5 per minute exactly 5 wrong passwords are checked. A
successful sign-in removes its reservation and the earlier failures of that account from that
address. A refused attempt counts nothing.

**Stored** (:class:`~directory_data.models.ThrottleEvent`): keyed hashes (:func:`keyed_hash`)
of the account name and the address, never the values; rows past the longest window of their
scope are deleted by the next attempt of the scope.

**The lock**: PostgreSQL takes a transaction-scoped advisory lock; SQLite's first statement is
the purge ``DELETE``, which takes the database's write lock. The caller commits right after
:func:`reserve` (in a transaction of its own), which releases it. The functions here add and
flush; they never commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import and_, delete, func, select, text
from sqlalchemy.orm import Session

from directory_data.models import ThrottleEvent

#: Scopes: sign-in attempts, and anonymous writes (referrals, problem reports).
LOGIN, WRITE = "login", "write"
_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*(?:per|/)\s*(\d+)?\s*(second|minute|hour|day)s?\s*$", re.I)
#: The advisory lock key of each scope (PostgreSQL).
_LOCK_KEYS = {LOGIN: 0x6B696F736B01, WRITE: 0x6B696F736B02}


@dataclass(frozen=True)
class Rate:
    """At most ``count`` attempts in any ``seconds``."""

    count: int
    seconds: int


def parse_rates(text: str) -> tuple[Rate, ...]:
    """The rates of ``"5 per minute;20 per hour"`` (also ``"5/minute"``, ``"10 per 2 hours"``);
    ``ValueError`` for anything else."""
    rates = []
    for part in (text or "").split(";"):
        if not part.strip():
            continue
        found = _RATE.match(part)
        if found is None:
            raise ValueError(f"not a rate: {part.strip()!r} (write e.g. '5 per minute')")
        count, many, unit = found.groups()
        rates.append(Rate(int(count), int(many or 1) * _UNITS[unit.lower()]))
    return tuple(rates)


@dataclass(frozen=True)
class Rules:
    """The limits of one scope (see the module docstring)."""

    per_address: tuple[Rate, ...] = ()
    per_account: tuple[Rate, ...] = ()

    @property
    def longest(self) -> int:
        """The longest window, in seconds (rows older than it no longer count)."""
        return max((r.seconds for r in (*self.per_address, *self.per_account)), default=0)


@dataclass(frozen=True)
class Attempt:
    """One attempt: its scope and the keyed hashes of its account (``""``: none) and address."""

    scope: str
    account: str
    address: str


#: ``count(kind, seconds)``: attempts of the kind ``"pair"`` (this account from this address),
#: ``"address"`` or ``"account"`` within the last ``seconds``.
Counter = Callable[[str, int], int]


def allowed(rules: Rules, count: Counter) -> bool:
    """Whether an attempt may go ahead, given what already counts (see the module docstring)."""
    for rate in rules.per_address:
        if count("address", rate.seconds) >= rate.count:
            return False
    for rate in rules.per_account:
        pair = count("pair", rate.seconds)
        if pair >= rate.count:
            return False
        if pair > 0 and count("account", rate.seconds) >= rate.count:
            return False
    return True


def keyed_hash(key: bytes, value: str) -> str:
    """128 bits of HMAC-SHA256 of ``value`` under ``key``, in hex: what is stored of an address
    or an account name."""
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def _lock(session: Session, scope: str, cutoff: dt.datetime) -> None:
    """Serialise the attempts of ``scope`` until the transaction ends, and purge old rows."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEYS.get(scope, 0)})
    # On SQLite this DELETE, the transaction's first statement, takes the write lock.
    session.execute(delete(ThrottleEvent).where(ThrottleEvent.scope == scope, ThrottleEvent.at < cutoff))


def reserve(session: Session, attempt: Attempt, rules: Rules, now: dt.datetime) -> int | None:
    """Count ``attempt`` if :func:`allowed` lets it go ahead: its row's id, else ``None``
    (nothing counted). Commit right after it: the lock lasts until the transaction ends."""
    _lock(session, attempt.scope, now - dt.timedelta(seconds=rules.longest))
    kinds = {
        "pair": and_(ThrottleEvent.account_hash == attempt.account,
                     ThrottleEvent.address_hash == attempt.address),
        "address": ThrottleEvent.address_hash == attempt.address,
        "account": ThrottleEvent.account_hash == attempt.account,
    }

    def count(kind: str, seconds: int) -> int:
        since = now - dt.timedelta(seconds=seconds)
        return int(session.scalar(select(func.count()).select_from(ThrottleEvent).where(
            ThrottleEvent.scope == attempt.scope, kinds[kind], ThrottleEvent.at > since)) or 0)

    if not allowed(rules, count):
        return None
    event = ThrottleEvent(scope=attempt.scope, account_hash=attempt.account,
                          address_hash=attempt.address, at=now)
    session.add(event)
    session.flush()
    return event.id


def forgive(session: Session, attempt: Attempt, event_id: int) -> None:
    """``attempt`` (reserved as ``event_id``) succeeded: it no longer counts, nor do the earlier
    failures of its account from its address."""
    session.execute(delete(ThrottleEvent).where(
        ThrottleEvent.scope == attempt.scope,
        (ThrottleEvent.id == event_id) | and_(ThrottleEvent.account_hash == attempt.account,
                                              ThrottleEvent.address_hash == attempt.address)))
    session.flush()
