"""The listing -> document mapping and the batched loader."""

from __future__ import annotations

import pytest

import datetime as dt
from pathlib import Path

from sqlalchemy import event, select
from sqlalchemy.orm import Session
from whoosh import index

from directory_data.models import Service, ServiceStatus
from search_factory import no_search_errors, build_index, make_service
from directory_data.service_rows import load_listings
from search_index.documents import phone_digits, service_document
from search_index.engine.schema import SCHEMA_VERSION, build_schema


def test_document_carries_search_filter_and_ranking_fields(db_session: Session) -> None:
    svc = make_service(
        db_session,
        "Safe Harbor Shelter",
        description="Emergency shelter",
        categories=["housing", "abuse"],
        taxonomy=[("BH-1800.8500", "Homeless Shelter")],
        languages=["es"],
        phones=["1-800-799-SAFE", "988"],
        hours=[("MO,TU", "09:00", "17:00"), ("SA", "22:00", "02:00")],
        timezone="America/Chicago",
        point=(28.8, -81.27),
        postal_code="32771-1234",
        free=True,
        min_age=18,
        walk_in=True,
        assured=dt.date(2026, 1, 2),
    )
    doc = service_document(svc)
    assert doc["id"] == svc.id
    assert doc["categories"] == "abuse,housing"
    assert doc["taxonomy_codes"] == "bh-1800.8500"
    assert "Homeless Shelter" in str(doc["taxonomy_names"]) and "Vivienda" in str(doc["taxonomy_names"])
    assert doc["languages"] == "es"
    assert doc["phones"] == "8007997233,988"
    assert doc["free"] is True and doc["walk_in"] is True
    assert (doc["min_age"], doc["max_age"]) == (18, -1)
    assert doc["points"] == [[28.8, -81.27, "32771"]]
    assert doc["zips"] == "32771"
    assert doc["assured"] == dt.date(2026, 1, 2).toordinal()
    hours = doc["hours"]
    assert isinstance(hours, dict) and hours["tz"] == "America/Chicago"
    # Saturday 22:00 to Sunday 02:00 in minutes of the week.
    assert [5 * 1440 + 22 * 60, 6 * 1440 + 2 * 60] in hours["w"]
    assert service_document(svc) == doc  # pure: same service, same document


def test_document_fits_the_schema(db_session: Session, tmp_path: Path) -> None:
    make_service(db_session, "Food Pantry", description="Groceries <b>free</b>", free=True)
    ix = build_index(tmp_path / "ix", db_session)
    with ix.searcher() as searcher:
        assert searcher.doc_count() == 1
        assert searcher.stored_fields(0)["description"] == "Groceries <b>free</b>"
    assert isinstance(SCHEMA_VERSION, int)
    assert "id" in build_schema().stored_names()
    assert index.exists_in(str(tmp_path / "ix"))


def test_loader_skips_defunct_and_unknown_ids(db_session: Session) -> None:
    live = make_service(db_session, "Live")
    gone = make_service(db_session, "Gone", status=ServiceStatus.defunct)
    closed = make_service(db_session, "Closed", status=ServiceStatus.temporarily_closed)
    db_session.commit()
    assert {s.id for s in load_listings(db_session, [live.id, gone.id, closed.id])} == {live.id, closed.id}
    asked = [live.id, gone.id, "00000000-0000-0000-0000-000000000000"]
    assert [s.id for s in load_listings(db_session, asked)] == [live.id]


def test_loader_runs_a_fixed_number_of_queries(db_session: Session) -> None:
    for i in range(30):
        make_service(
            db_session, f"Service {i}", phones=["988"], hours=[("MO", "09:00", "17:00")],
            point=(28.0, -81.0), postal_code="32771", taxonomy=[(f"X-{i}", "Thing")],
            categories=["housing"], languages=["en"], free=True,
        )
    db_session.commit()
    db_session.expunge_all()
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    engine = db_session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        ids = list(db_session.scalars(select(Service.id)))
        docs = [service_document(s) for s in load_listings(db_session, ids)]
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(docs) == 30
    assert len(statements) < 20, statements


def test_phone_digits() -> None:
    assert phone_digits("1-800-799-SAFE (7233)") != ""
    assert phone_digits("1-800-799-SAFE") == "8007997233"
    assert phone_digits("(800) 656-4673 ext. 12") == "8006564673"
    assert phone_digits("988") == "988"
    assert phone_digits("2-1-1") == "211"


@pytest.fixture(autouse=True)
def _fail_on_search_errors(no_search_errors: None) -> None:
    """Every test here fails if the search layer logged an error."""
