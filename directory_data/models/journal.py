"""The change journal: which services changed, written in the same transaction as the change.

Every process and host that keeps a search index reads the journal past the last entry it has
applied, so a committed edit reaches every index; a rolled-back change leaves no entry.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow


class ChangeJournalEntry(Base):
    """One changed (created, updated or removed) service."""

    __tablename__ = "change_journal"

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    service_id: Mapped[str] = mapped_column(String(36), index=True)
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
