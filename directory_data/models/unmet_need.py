"""Searches for a need the directory has no services for, counted per day, category of need and
station (:mod:`directory_data.unmet_needs`)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class UnmetNeedCount(Base):
    """How many searches on a day asked for a need of ``need_category`` (``food``, ``legal`` ...:
    the categories of ``directory_data/need_categories.csv``) that no listing serves, per station
    (``""`` when not known) and district. Never the words typed."""

    __tablename__ = "unmet_need_count"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    need_category: Mapped[str] = mapped_column(String(40), primary_key=True)
    station: Mapped[str] = mapped_column(String(80), primary_key=True, default="", server_default="")
    #: The district of the kiosk or patrol view (``""`` when not known; ``outside``).
    district: Mapped[str] = mapped_column(String(40), primary_key=True, default="", server_default="")
    searches: Mapped[int] = mapped_column(Integer, default=0)
