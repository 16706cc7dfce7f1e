"""Aggregate search statistics: counts per day and category, and terms that found nothing.

Nothing here identifies a person or a visit: no IP address, no session, no time finer than the
day. A search adds one to its day's row for its category; a search that found nothing also adds
one to its day's row for its (normalised) term. See :mod:`directory_data.search_stats`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base

#: The ``category`` of a search made without a category filter.
NO_CATEGORY = ""


class SearchCount(Base):
    """How many searches were made on a day, per category (``""``: no category filter) and
    station (the kiosk's or patrol view's station name; ``""`` when not known)."""

    __tablename__ = "search_count"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    category: Mapped[str] = mapped_column(String(64), primary_key=True, default=NO_CATEGORY)
    station: Mapped[str] = mapped_column(String(80), primary_key=True, default="",
                                         server_default="")
    searches: Mapped[int] = mapped_column(Integer, default=0)


class ZeroResultTerm(Base):
    """How many times on a day a (normalised) search term found nothing."""

    __tablename__ = "zero_result_term"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    term: Mapped[str] = mapped_column(String(80), primary_key=True)
    searches: Mapped[int] = mapped_column(Integer, default=0)
