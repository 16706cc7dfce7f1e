"""The listing cache keeps what it loaded while the journal moved, unless the journal named it."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session, sessionmaker

from directory_data.models import Service
from kiosk import listing_cache as app_cache
from kiosk.db import get_database
from search_index import listing_cache
from search_index.listing_cache import ListingCache
from search_factory import make_service


def test_a_load_racing_a_catch_up_keeps_only_what_did_not_change(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    factory: sessionmaker[Session] = get_database(app).session_factory  # journals every commit
    with factory.begin() as session:
        a, b = (make_service(session, name).id for name in ("Alpha Clinic", "Beta Clinic"))
    cache = ListingCache("America/New_York", build=_Named)
    real = listing_cache.services_in_order

    def load_then_edit(session: Session, ids: list[str]) -> Any:
        rows = real(session, ids)  # read before the edit of Beta commits ...
        with factory.begin() as other:
            other.get(Service, b).name = "Beta Clinic (moved)"
        cache.changed(frozenset({b}))  # ... and the journal reader tells the cache
        return rows

    with factory() as session:
        monkeypatch.setattr(listing_cache, "services_in_order", load_then_edit)
        first = cache.facts(session, [a, b])
        monkeypatch.setattr(listing_cache, "services_in_order", real)
        assert [f.name for f in first] == ["Alpha Clinic", "Beta Clinic"]  # this request's view
        assert set(cache._facts) == {a}  # Beta's old facts were not kept
        again = cache.facts(session, [a, b])
    assert [f.name for f in again] == ["Alpha Clinic", "Beta Clinic (moved)"]


class _Named:
    """What the test cache keeps of a service: its name and status."""

    def __init__(self, service: Service) -> None:
        self.name = service.name
        self.status = service.status


def test_prefill_reads_the_shown_services_in_batches(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    from directory_data.models import ServiceStatus
    from kiosk.listing_cache import prefill

    factory: sessionmaker[Session] = get_database(app).session_factory
    with factory.begin() as session:
        ids = [make_service(session, f"Clinic {i}").id for i in range(5)]
        session.get(Service, ids[0]).status = ServiceStatus.defunct
    loads: list[int] = []
    real = app_cache.services_in_order
    monkeypatch.setattr(app_cache, "services_in_order", lambda s, batch: loads.append(len(batch)) or real(s, batch))
    cache = ListingCache("America/New_York")
    with factory() as session:
        assert prefill(session, cache, batch=3) == 4
    assert loads == [3, 1]  # two batches
    assert set(cache._facts) == set(ids[1:])


def test_a_miss_is_read_once_for_the_kiosk_and_the_api(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    from kiosk.listing_cache import get_listing_cache

    factory: sessionmaker[Session] = get_database(app).session_factory
    with factory.begin() as session:
        service_id = make_service(session, "Gamma Clinic").id
    loads: list[list[str]] = []
    real = listing_cache.services_in_order
    monkeypatch.setattr(listing_cache, "services_in_order", lambda s, ids: loads.append(list(ids)) or real(s, ids))
    with app.app_context(), factory() as session:
        cache = get_listing_cache(app)
        assert [f.facts.name for f in cache.facts(session, [service_id])] == ["Gamma Clinic"]
        assert [f.fields["name"] for f in cache.facts(session, [service_id])] == ["Gamma Clinic"]
    assert loads == [[service_id]]  # the API's fields came with the kiosk's load
