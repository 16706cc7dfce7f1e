"""Count the searches for needs the directory has no services for, by category of need (add +
flush, never commit).

A search whose need no listing serves ("food" on a directory of mental health, child care, abuse
and housing services) is told so and handed off to 211 (:mod:`search_index.query.need_ranking`). The gap
report counts it under the need's category (``food``, ``legal``, ``transportation`` ...: the
categories of ``directory_data/need_categories.csv``), per day, station and district, never under the words
typed: a category is one of a fixed list, so it can be shown however few searches share it.

A busy server adds them up in memory (:class:`UnmetNeedTally`, aggregates only) and writes them
with :func:`record_unmet_needs`, one increment per row, as :mod:`directory_data.search_stats` does.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections import Counter
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from directory_data.models import UnmetNeedCount

#: A category of need as counted: lower-case letters, digits and hyphens (others are not counted).
_CATEGORY = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")

#: A row a search adds one to: ``(day, need category, station, district)``.
UnmetKey = tuple[dt.date, str, str, str]


class UnmetNeedTally:
    """Unmet needs added up in memory by the rows they count in (thread-safe)."""

    def __init__(self) -> None:
        self._counts: Counter[UnmetKey] = Counter()
        self._lock = threading.Lock()

    def add(self, day: dt.date, categories: Iterable[str], station: str = "", district: str = "") -> None:
        """Count one search on ``day`` that asked for needs of ``categories`` no listing serves
        (each category once), made at ``station`` in ``district``."""
        keys = [(day, c, station[:80], district[:40]) for c in dict.fromkeys(categories) if _CATEGORY.match(c)]
        if keys:
            with self._lock:
                self._counts.update(keys)

    def drain(self) -> Counter[UnmetKey]:
        """Everything counted so far; the tally starts again from nothing."""
        with self._lock:
            counts, self._counts = self._counts, Counter()
        return counts

    def restore(self, counts: Counter[UnmetKey]) -> None:
        """Put back ``counts`` taken by :meth:`drain` that could not be written."""
        with self._lock:
            self._counts.update(counts)

    def __len__(self) -> int:
        with self._lock:
            return len(self._counts)


def record_unmet_needs(session: Session, counts: Counter[UnmetKey]) -> None:
    """Add ``counts`` (from :meth:`UnmetNeedTally.drain`) to the rows, one statement per row."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for key in sorted(counts):  # one order for every writer: no lock-order deadlocks
        day, category, station, district = key
        by = counts[key]
        statement = insert(UnmetNeedCount).values(day=day, need_category=category, station=station,
                                                  district=district, searches=by)
        session.execute(statement.on_conflict_do_update(
            index_elements=["day", "need_category", "station", "district"],
            set_={"searches": UnmetNeedCount.searches + by}))
    session.flush()


def unmet_needs_by_category(session: Session, since: dt.date, until: dt.date,
                            district: str | None = None) -> list[tuple[str, int]]:
    """Searches for needs no listing served, per category of need, from ``since`` to ``until``
    (inclusive), most first; only those counted in ``district`` when given."""
    total = func.sum(UnmetNeedCount.searches).label("total")
    statement = select(UnmetNeedCount.need_category, total).where(UnmetNeedCount.day.between(since, until))
    if district is not None:
        statement = statement.where(UnmetNeedCount.district == district)
    rows = session.execute(
        statement
        .group_by(UnmetNeedCount.need_category)
        .order_by(total.desc(), UnmetNeedCount.need_category)
    )
    return [(category, int(n)) for category, n in rows]


def unmet_needs_by_station(session: Session, since: dt.date, until: dt.date) -> list[tuple[str, str, int]]:
    """Searches for needs no listing served, per station and category of need, from ``since`` to
    ``until`` (inclusive)."""
    total = func.sum(UnmetNeedCount.searches).label("total")
    rows = session.execute(
        select(UnmetNeedCount.station, UnmetNeedCount.need_category, total)
        .where(UnmetNeedCount.day.between(since, until))
        .group_by(UnmetNeedCount.station, UnmetNeedCount.need_category)
        .order_by(UnmetNeedCount.station, total.desc(), UnmetNeedCount.need_category)
    )
    return [(station, category, int(n)) for station, category, n in rows]
