"""Phone numbers of services, locations and organizations."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from sqlalchemy import Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, SourcedMixin

if TYPE_CHECKING:
    from .language import Language
    from .location import Location
    from .organization import Organization
    from .service import Service


class PhoneType(str, enum.Enum):
    """HSDS phone ``type``, including text/SMS lines."""

    voice = "voice"
    text = "text"
    fax = "fax"
    cell = "cell"
    video = "video"
    pager = "pager"
    textphone = "textphone"


class PhoneAudience(str, enum.Enum):
    """Who may see a number: everyone, or only officers (intake lines, direct lines)."""

    public = "public"
    officer = "officer"


class Phone(SourcedMixin, Base):
    """A phone number, attached to a service, a location, an organization or a combination."""

    __tablename__ = "phone"
    __table_args__ = (UniqueConstraint("source", "source_id"),)

    service_id: Mapped[str | None] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    location_id: Mapped[str | None] = mapped_column(
        ForeignKey("location.id", ondelete="CASCADE"), index=True
    )
    organization_id: Mapped[str | None] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[str] = mapped_column(String(40))
    extension: Mapped[int | None] = mapped_column(Integer)
    type: Mapped[PhoneType] = mapped_column(
        Enum(PhoneType, native_enum=False, length=20), default=PhoneType.voice
    )
    description: Mapped[str | None] = mapped_column(Text)
    audience: Mapped[PhoneAudience] = mapped_column(
        Enum(PhoneAudience, native_enum=False, length=20), default=PhoneAudience.public
    )

    service: Mapped[Service | None] = relationship(back_populates="phones")
    location: Mapped[Location | None] = relationship(back_populates="phones")
    organization: Mapped[Organization | None] = relationship(back_populates="phones")
    languages: Mapped[list[Language]] = relationship(back_populates="phone")

    @property
    def is_public(self) -> bool:
        """Whether anyone, not only officers, may see this number."""
        return self.audience == PhoneAudience.public
