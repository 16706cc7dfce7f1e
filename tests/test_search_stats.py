"""Search statistics are day-level aggregates with nothing that identifies a person."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from directory_data.models import SearchCount, ZeroResultTerm
from directory_data.search_stats import (
    WITHHELD_TERM,
    normalise_term,
    record_search,
    searches_by_category,
    zero_result_terms,
)

DAY = dt.date(2026, 11, 20)


def test_counts_add_up_per_day_and_category(db_session: Session) -> None:
    record_search(db_session, DAY, category="housing", term="shelter", found=4)
    record_search(db_session, DAY, category="housing", term="", found=9)
    record_search(db_session, DAY, category=None, term="food", found=2)
    record_search(db_session, DAY + dt.timedelta(days=1), category="housing", term="", found=1)
    db_session.commit()
    assert searches_by_category(db_session, DAY, DAY) == {"housing": 2, "": 1}
    assert searches_by_category(db_session, DAY, DAY + dt.timedelta(days=1))["housing"] == 3
    assert zero_result_terms(db_session, DAY, DAY) == []


def test_zero_result_terms_are_normalised_and_counted(db_session: Session) -> None:
    record_search(db_session, DAY, category=None, term="  Pet   FOSTER ", found=0)
    record_search(db_session, DAY, category="abuse", term="pet foster", found=0)
    record_search(db_session, DAY, category=None, term="dentist", found=0)
    db_session.commit()
    assert zero_result_terms(db_session, DAY, DAY) == [("pet foster", 2), ("dentist", 1)]


def test_personal_looking_terms_are_withheld() -> None:
    assert normalise_term("jane.doe@example.org") == WITHHELD_TERM
    assert normalise_term("call me 407 555 0134") == WITHHELD_TERM
    assert normalise_term("4111 1111 1111 1111") == WITHHELD_TERM
    assert normalise_term("988") == "988"
    assert normalise_term("x" * 200) == WITHHELD_TERM  # not a need word (and too long)
    assert normalise_term("food " * 20) == WITHHELD_TERM  # need words, but over 80 characters


def test_tables_hold_no_address_session_or_time_of_day(db_session: Session) -> None:
    for model in (SearchCount, ZeroResultTerm):
        columns = {c.key: str(c.type) for c in inspect(model).columns}
        # "station" names the kiosk's station or district (the gap report per station), never a person
        assert set(columns) <= {"day", "category", "station", "term", "searches"}
        assert columns["day"] == "DATE"
