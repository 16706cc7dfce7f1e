"""Referrals a resident takes away (a printed slip, a QR code), and their aggregate counts.

A :class:`Referral` holds what was chosen and where it was made, nothing about the person: the
services' ids, an optional short note, the language, the surface (kiosk or patrol), the station
and district, the QR code's mode and its payload, the codes themselves (made once, served from
then on), and when it was made and expires. No IP address, user agent, session or account.

A :class:`ReferralCount` is a weekly aggregate per category, station, district and surface, kept
for reporting after the referral itself is purged; it has no link to any referral.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, Boolean, Date, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, new_id


class QRMode(str, enum.Enum):
    """What a referral's QR code carries."""

    link = "link"  # the referral page's URL
    text = "text"  # the referral itself as plain text (works offline)
    contact = "contact"  # one service as a MECARD contact
    hotline = "hotline"  # a tel: code for a crisis line


class Referral(Base):
    """One referral, reachable by its random token until it expires."""

    __tablename__ = "referral"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    service_ids: Mapped[list[str]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")
    lang: Mapped[str] = mapped_column(String(8))
    mode: Mapped[str] = mapped_column(String(10), default=QRMode.link.value)
    #: The mode the code really uses (``link`` when a text referral did not fit).
    qr_mode: Mapped[str] = mapped_column(String(10), default=QRMode.link.value)
    discreet: Mapped[bool] = mapped_column(Boolean, default=False)
    surface: Mapped[str] = mapped_column(String(10), default="kiosk")
    station: Mapped[str] = mapped_column(String(80), default="")
    district: Mapped[str] = mapped_column(String(80), default="")
    qr_payload: Mapped[str] = mapped_column(Text, default="")
    qr_svg: Mapped[str] = mapped_column(Text, default="")
    qr_png: Mapped[bytes] = mapped_column(LargeBinary, default=b"")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)


class ReferralCount(Base):
    """How many referrals were made in a week (its Monday), per category (``""``: none),
    station, district and surface."""

    __tablename__ = "referral_count"

    week: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    category: Mapped[str] = mapped_column(String(64), primary_key=True, default="")
    station: Mapped[str] = mapped_column(String(80), primary_key=True, default="")
    district: Mapped[str] = mapped_column(String(80), primary_key=True, default="")
    surface: Mapped[str] = mapped_column(String(10), primary_key=True, default="kiosk")
    referrals: Mapped[int] = mapped_column(Integer, default=0)
