"""Opening hours in HSDS 3.0's RRULE-like shape.

Conventions (documented in the README):

* a weekly span is ``freq="WEEKLY"``, ``byday="MO,TU"`` with ``opens_at``/``closes_at``; several
  spans a day are several rows; a span whose ``closes_at`` is not after ``opens_at`` runs overnight;
* a holiday closure is a row with ``valid_from``/``valid_to`` and no ``freq``, ``byday`` or hours;
* special hours on given dates are a row with ``valid_from``/``valid_to`` and hours but no ``freq``;
* ``timezone`` is an IANA zone name (``America/New_York``); empty means the directory's default.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, Integer, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, SourcedMixin

if TYPE_CHECKING:
    from .location import Location
    from .service import Service

WEEKDAYS: tuple[str, ...] = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


class Schedule(SourcedMixin, Base):
    """One span of opening hours, a closure, or special hours for a service and/or location."""

    __tablename__ = "schedule"
    __table_args__ = (UniqueConstraint("source", "source_id"),)

    service_id: Mapped[str | None] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    location_id: Mapped[str | None] = mapped_column(
        ForeignKey("location.id", ondelete="CASCADE"), index=True
    )
    service_at_location_id: Mapped[str | None] = mapped_column(
        ForeignKey("service_at_location.id", ondelete="CASCADE"), index=True
    )
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    dtstart: Mapped[dt.date | None] = mapped_column(Date)
    timezone: Mapped[str | None] = mapped_column(String(64))
    until: Mapped[dt.date | None] = mapped_column(Date)
    count: Mapped[int | None] = mapped_column(Integer)
    wkst: Mapped[str | None] = mapped_column(String(2))
    freq: Mapped[str | None] = mapped_column(String(10))
    interval: Mapped[int | None] = mapped_column(Integer)
    byday: Mapped[str | None] = mapped_column(String(60))
    byweekno: Mapped[str | None] = mapped_column(String(60))
    bymonthday: Mapped[str | None] = mapped_column(String(60))
    byyearday: Mapped[str | None] = mapped_column(String(60))
    opens_at: Mapped[dt.time | None] = mapped_column(Time)
    closes_at: Mapped[dt.time | None] = mapped_column(Time)
    description: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    attending_type: Mapped[str | None] = mapped_column(String(60))
    schedule_link: Mapped[str | None] = mapped_column(String(500))

    service: Mapped[Service | None] = relationship(back_populates="schedules")
    location: Mapped[Location | None] = relationship(back_populates="schedules")

    @property
    def weekdays(self) -> list[str]:
        """The two-letter weekdays (``MO`` ... ``SU``) this span repeats on."""
        if not self.byday:
            return []
        return [d.strip().upper()[-2:] for d in self.byday.split(",") if d.strip()]

    @property
    def is_closure(self) -> bool:
        """Whether this row closes the service on the dates ``valid_from``..``valid_to``."""
        return (
            self.valid_from is not None
            and self.freq is None
            and not self.byday
            and self.opens_at is None
            and self.closes_at is None
        )

    @property
    def is_overnight(self) -> bool:
        """Whether the span runs past midnight (closes at or before it opens)."""
        return (
            self.opens_at is not None
            and self.closes_at is not None
            and self.closes_at <= self.opens_at
        )
