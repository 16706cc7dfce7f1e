"""Districts a department serves (e.g. city commission districts), the district each location
lies in, and the outreach events held in them (:mod:`directory_data.districts`,
:mod:`directory_data.events`)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, new_id, utcnow

if TYPE_CHECKING:
    from .location import Location

#: The district of a place, kiosk or referral that lies in no loaded district.
OUTSIDE = "outside"


class District(Base):
    """One district: its code (``"1"``, ``"north"``), its name and its boundary as a GeoJSON
    Polygon or MultiPolygon (longitude, latitude), with its bounding box."""

    __tablename__ = "district"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    geometry: Mapped[dict] = mapped_column(JSON)  # type: ignore[type-arg]
    min_latitude: Mapped[float] = mapped_column(Float)
    min_longitude: Mapped[float] = mapped_column(Float)
    max_latitude: Mapped[float] = mapped_column(Float)
    max_longitude: Mapped[float] = mapped_column(Float)
    loaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LocationDistrict(Base):
    """The district a location lies in (:data:`OUTSIDE` when in none), kept by
    :mod:`directory_data.districts` whenever boundaries are loaded or coordinates change."""

    __tablename__ = "location_district"

    location_id: Mapped[str] = mapped_column(
        ForeignKey("location.id", ondelete="CASCADE"), primary_key=True)
    district_code: Mapped[str] = mapped_column(String(40), index=True)

    #: One way (a location does not know its row): written before its row when both are new.
    location: Mapped[Location] = relationship(passive_deletes=True)


class OutreachEvent(Base):
    """A public event where residents meet their officers (a district meeting, "Coffee with a
    Cop", a resource fair, a mobile food pantry, an ID drive), in English and Spanish."""

    __tablename__ = "outreach_event"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(30))
    district_code: Mapped[str] = mapped_column(String(40), index=True)
    title_en: Mapped[str] = mapped_column(String(200))
    title_es: Mapped[str] = mapped_column(String(200))
    description_en: Mapped[str] = mapped_column(Text, default="")
    description_es: Mapped[str] = mapped_column(Text, default="")
    place: Mapped[str] = mapped_column(String(300))
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    #: Languages spoken at the event (ISO 639-1 codes).
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: The name of the account that published it (staff, never a resident).
    created_by: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
