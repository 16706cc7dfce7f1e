"""Fault: the database stops answering, then comes back, while the app keeps running.

People at the kiosk get a calm 503 page that keeps the crisis lines and quick exit; API and
health callers get a JSON 503; when the database answers again the same app (no restart) serves
normally. On PostgreSQL the outage is real: the app talks to the server through a loopback relay
(tests/faults.py) that is cut and restored. On SQLite every connection fails as an unopenable
file would.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.engine import make_url

from curated_app import with_curated_directory
from directory_data.models import Service
from faults import TcpProxy, sqlite_outage
from kiosk.db import get_database
from kiosk.search import wait_caught_up

Outage = Callable[[], AbstractContextManager[None]]


@pytest.fixture
def app_with_outage(
    app_factory: Callable[..., Flask], database_url: str
) -> Iterator[tuple[Flask, Outage]]:
    """An app with the curated directory, and a way to take its database away for a while.

    Once its journal reader has failed to read (within ``SEARCH_POLL_INTERVAL``), no page is
    served from its display caches; the test waits for that pass (:func:`kiosk.search.wait_caught_up`).
    """
    proxy: TcpProxy | None = None
    if database_url.startswith("postgresql"):
        url = make_url(database_url)
        proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
        app = app_factory(DATABASE_URL=url.set(host="127.0.0.1", port=proxy.port).render_as_string(False))

        @contextmanager
        def outage() -> Iterator[None]:
            assert proxy is not None
            proxy.cut()
            try:
                yield
            finally:
                proxy.restore()
    else:
        app = app_factory()

        def outage() -> AbstractContextManager[None]:
            return sqlite_outage(get_database(app).engine)

    yield with_curated_directory(app), outage
    if proxy is not None:
        proxy.cut()


def _answers(client: FlaskClient, service_id: str) -> dict[str, tuple[int, str]]:
    urls = {
        "search page": "/search?q=shelter",
        "detail page": f"/services/{service_id}",
        "api search": "/api/v1/search?q=shelter",
        "api service": f"/api/v1/services/{service_id}",
        "api list": "/api/v1/services",
        "health": "/healthz",
    }
    out = {}
    for label, url in urls.items():
        response = client.get(url)
        out[label] = (response.status_code, response.get_data(as_text=True))
        response.close()
    return out


def test_database_outage_gives_503s_and_recovers_without_restart(
    app_with_outage: tuple[Flask, Outage], caplog: pytest.LogCaptureFixture
) -> None:
    app, outage = app_with_outage
    client = app.test_client()
    with get_database(app).session_factory() as session:
        service_id = session.scalars(select(Service.id).order_by(Service.name)).first()
    before = _answers(client, service_id)
    assert {label: status for label, (status, _body) in before.items()} == dict.fromkeys(before, 200)

    with caplog.at_level(logging.WARNING), outage():
        assert not wait_caught_up(app)  # the journal reader's pass fails
        down = _answers(client, service_id)
        home = client.get("/")  # needs no database: still served
    for label, (status, body) in down.items():
        assert status == 503, (label, body[:500])
    for label in ("search page", "detail page"):
        body = down[label][1]
        assert "The directory is not available right now" in body
        assert "<strong>988</strong>" in body and 'id="quick-exit"' in body
    for label in ("api search", "api service", "api list"):
        assert "unavailable" in down[label][1] and down[label][1].lstrip().startswith("{")
    assert json.loads(down["health"][1])["database"] is False
    assert home.status_code == 200
    assert any("database unavailable" in r.getMessage() for r in caplog.records)
    assert not any("shelter" in r.getMessage() for r in caplog.records if r.name == "kiosk.unavailable")

    assert wait_caught_up(app)
    after = _answers(client, service_id)  # the same app, no restart
    assert {label: status for label, (status, _body) in after.items()} == dict.fromkeys(after, 200)
    assert after["api service"][1] == before["api service"][1]
