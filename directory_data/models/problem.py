"""Problem reports: "this listing is wrong", sent from the kiosk, the patrol view or a referral.

Nothing here identifies the person who sent it: a short choice, optional text (scrubbed of
anything that looks like an e-mail address or a phone number before it is stored), which
surface it came from, and the day. No time of day, address, session or account.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Date, Enum, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, new_id


class ProblemKind(str, enum.Enum):
    """What is wrong with the listing."""

    phone_wrong = "phone-wrong"
    address_wrong = "address-wrong"
    hours_wrong = "hours-wrong"
    closed = "closed"
    other = "other"


class ProblemReport(Base):
    """One report about one listing, open until a caseworker resolves it."""

    __tablename__ = "problem_report"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    listing_id: Mapped[str] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[ProblemKind] = mapped_column(
        Enum(ProblemKind, native_enum=False, length=20,
             values_callable=lambda e: [m.value for m in e])
    )
    details: Mapped[str] = mapped_column(Text, default="")
    surface: Mapped[str] = mapped_column(String(20), default="kiosk")
    reported_on: Mapped[dt.date] = mapped_column(Date, index=True)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    resolved_by: Mapped[str | None] = mapped_column(String(80))

    @property
    def is_open(self) -> bool:
        """Whether no caseworker has resolved the report yet."""
        return self.resolved_at is None
