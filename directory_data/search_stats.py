"""Count searches without remembering who made them (add + flush, never commit).

:func:`record_search` adds one to the day's count for the search's category and, when the
search found nothing, to the day's count for its normalised term. Nothing finer than the day,
no address, no session, no user: the rows are aggregates from the moment they are written.
A term is kept only when every word of it is a need word
(:mod:`directory_data.search_terms`: a lexicon of needs, the synonym table, the crisis triggers,
the taxonomy crosswalk, the categories); any other term -- a name, a street, an e-mail address,
a number -- is counted under :data:`WITHHELD_TERM`, so nothing stored can identify a person.

A busy server need not write a row per search: a :class:`SearchTally` adds searches up in
memory (already aggregated, the same keys as the rows) and :func:`record_tally` writes what it
gathered as one increment per row.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections import Counter
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from directory_data.models.search_stats import NO_CATEGORY, SearchCount, ZeroResultTerm
from directory_data.search_terms import WITHHELD_TERM, is_need_term

__all__ = ["WITHHELD_TERM", "SearchTally", "normalise_term", "record_search", "record_tally",
           "searches_by_category", "zero_result_terms"]

#: Longest term kept (a longer one is withheld: need words do not run to 80 characters).
MAX_TERM_LENGTH = 80
_SPACE = re.compile(r"\s+")


def normalise_term(text: str) -> str:
    """The form a zero-result term is counted under: lower case, single spaces, when every word
    of it is a need word and it has at most 80 characters; else :data:`WITHHELD_TERM`; ``""``
    for an empty search."""
    term = _SPACE.sub(" ", text).strip().lower()
    if not term:
        return ""
    if len(term) > MAX_TERM_LENGTH or not is_need_term(term):
        return WITHHELD_TERM
    return term


def _increment(session: Session, model: Any, values: dict[str, Any], by: int = 1) -> None:
    """``INSERT .. ON CONFLICT DO UPDATE searches = searches + by`` on SQLite or PostgreSQL."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(model).values(**values, searches=by)
    statement = statement.on_conflict_do_update(
        index_elements=list(values), set_={"searches": model.searches + by}
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
    tally = SearchTally()
    tally.add(day, category=category, term=term, found=found, station=station)
    record_tally(session, tally.drain())


#: A row a search adds one to: ``("search", day, category, station)`` or ``("zero", day, term)``.
TallyKey = tuple[Any, ...]


class SearchTally:
    """Searches added up in memory by the rows they count in (thread-safe).

    Only the aggregate keys are kept (day, category, station; the normalised term of a search
    that found nothing), never a search itself.
    """

    def __init__(self) -> None:
        self._counts: Counter[TallyKey] = Counter()
        self._lock = threading.Lock()

    def add(self, day: dt.date, *, category: str | None, term: str, found: int, station: str = "") -> None:
        """Count one search (the arguments of :func:`record_search`)."""
        keys: list[TallyKey] = [("search", day, category or NO_CATEGORY, station[:80])]
        normalised = normalise_term(term) if found == 0 else ""
        if normalised:
            keys.append(("zero", day, normalised))
        with self._lock:
            self._counts.update(keys)

    def drain(self) -> Counter[TallyKey]:
        """Everything counted so far; the tally starts again from nothing."""
        with self._lock:
            counts, self._counts = self._counts, Counter()
        return counts

    def restore(self, counts: Counter[TallyKey]) -> None:
        """Put back ``counts`` taken by :meth:`drain` that could not be written."""
        with self._lock:
            self._counts.update(counts)

    def __len__(self) -> int:
        with self._lock:
            return len(self._counts)


def record_tally(session: Session, counts: Counter[TallyKey]) -> None:
    """Add ``counts`` (from :meth:`SearchTally.drain`) to the rows, one statement per row."""
    for key in sorted(counts, key=repr):  # one order for every writer: no lock-order deadlocks
        by = counts[key]
        if key[0] == "search":
            _, day, category, station = key
            _increment(session, SearchCount, {"day": day, "category": category, "station": station}, by)
        else:
            _, day, term = key
            _increment(session, ZeroResultTerm, {"day": day, "term": term}, by)
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
