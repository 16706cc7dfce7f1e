"""Recent sign-in attempts and anonymous writes, counted to throttle them (see
:mod:`directory_data.throttle`).

A row holds no address and no account name: only keyed hashes of them (HMAC-SHA256 under a key
derived from the app's secret key, cut to 128 bits), the scope (``login`` or ``write``) and the
time. Rows older than the longest window of their scope are deleted as new ones come in.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime


class ThrottleEvent(Base):
    """One counted attempt: a sign-in not (yet) known to have succeeded, or an anonymous write."""

    __tablename__ = "throttle_event"
    __table_args__ = (
        Index("ix_throttle_event_scope_at", "scope", "at"),
        Index("ix_throttle_event_scope_account", "scope", "account_hash", "at"),
        Index("ix_throttle_event_scope_address", "scope", "address_hash", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scope: Mapped[str] = mapped_column(String(16))
    account_hash: Mapped[str] = mapped_column(String(32), default="")
    address_hash: Mapped[str] = mapped_column(String(32))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
