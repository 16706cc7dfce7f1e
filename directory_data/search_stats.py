"""Count searches without remembering who made them (add + flush, never commit).

:func:`record_search` adds one to the day's count for the search's category and, when the
search found nothing, to the day's count for its normalised term. Nothing finer than the day,
no address, no session, no user: the rows are aggregates from the moment they are written.
Terms that look like personal data (an e-mail address, a phone or card number) are never
stored; they are counted under :data:`WITHHELD_TERM`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from directory_data.models.search_stats import NO_CATEGORY, SearchCount, ZeroResultTerm

#: How a zero-result term that looks like personal data is counted.
WITHHELD_TERM = "(withheld)"
#: Longest term kept (longer ones are cut).
MAX_TERM_LENGTH = 80
_PERSONAL = re.compile(r"@|\d[\d\s().-]{5,}\d")
_SPACE = re.compile(r"\s+")


def normalise_term(text: str) -> str:
    """The form a zero-result term is counted under: lower case, single spaces, at most 80
    characters, or :data:`WITHHELD_TERM` when it holds an e-mail address or a long number."""
    term = _SPACE.sub(" ", text).strip().lower()
    if _PERSONAL.search(term):
        return WITHHELD_TERM
    return term[:MAX_TERM_LENGTH]


def _increment(session: Session, model: Any, values: dict[str, Any]) -> None:
    """``INSERT .. ON CONFLICT DO UPDATE searches = searches + 1`` on SQLite or PostgreSQL."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(model).values(**values, searches=1)
    statement = statement.on_conflict_do_update(
        index_elements=list(values), set_={"searches": model.searches + 1}
    )
    session.execute(statement)


def record_search(
    session: Session, day: dt.date, *, category: str | None, term: str, found: int,
    station: str = "",
) -> None:
    """Count one search made on ``day`` (the station's local date) in ``session``'s transaction.

    ``category`` is the category filter (``None``: none), ``term`` the text typed (may be empty),
    ``found`` how many services it found, ``station`` the station (or district) the kiosk or
    patrol view serves (never anything finer).
    """
    _increment(session, SearchCount, {"day": day, "category": category or NO_CATEGORY,
                                      "station": station[:80]})
    normalised = normalise_term(term)
    if found == 0 and normalised:
        _increment(session, ZeroResultTerm, {"day": day, "term": normalised})
    session.flush()


def searches_by_category(
    session: Session, since: dt.date, until: dt.date
) -> dict[str, int]:
    """How many searches each category had from ``since`` to ``until`` (inclusive)."""
    rows = session.execute(
        select(SearchCount.category, func.sum(SearchCount.searches))
        .where(SearchCount.day.between(since, until))
        .group_by(SearchCount.category)
    )
    return {category: int(total) for category, total in rows}


def zero_result_terms(
    session: Session, since: dt.date, until: dt.date, *, limit: int = 50
) -> list[tuple[str, int]]:
    """The terms that found nothing from ``since`` to ``until``, most frequent first."""
    total = func.sum(ZeroResultTerm.searches).label("total")
    rows = session.execute(
        select(ZeroResultTerm.term, total)
        .where(ZeroResultTerm.day.between(since, until))
        .group_by(ZeroResultTerm.term)
        .order_by(total.desc(), ZeroResultTerm.term)
        .limit(limit)
    )
    return [(term, int(n)) for term, n in rows]
