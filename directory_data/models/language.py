"""Languages spoken at a service, a location, or on a phone line (ISO 639 codes)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, SourcedMixin

if TYPE_CHECKING:
    from .location import Location
    from .phone import Phone
    from .service import Service


class Language(SourcedMixin, Base):
    """A language, by ISO 639 code (``en``, ``es``, ``ht`` ...) and name."""

    __tablename__ = "language"
    __table_args__ = (UniqueConstraint("source", "source_id"),)

    service_id: Mapped[str | None] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    location_id: Mapped[str | None] = mapped_column(
        ForeignKey("location.id", ondelete="CASCADE"), index=True
    )
    phone_id: Mapped[str | None] = mapped_column(
        ForeignKey("phone.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str | None] = mapped_column(String(100))
    code: Mapped[str | None] = mapped_column(String(12), index=True)
    note: Mapped[str | None] = mapped_column(Text)

    service: Mapped[Service | None] = relationship(back_populates="languages")
    location: Mapped[Location | None] = relationship(back_populates="languages")
    phone: Mapped[Phone | None] = relationship(back_populates="languages")
