"""``GET /healthz``: database, index usability, freshness (journal lag) and writability."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import insert

from directory_data.models import ChangeJournalEntry
from kiosk.config import index_dir
from kiosk.db import get_database
from kiosk.search import catch_up_index, get_search
from search_factory import make_service
from search_index.upkeep import freshness
from search_index.engine.layout import IndexLayout


def _ready(app: Flask, count: int = 3) -> list[str]:
    """``count`` services committed through the app's session factory, and the index built."""
    factory = get_database(app).session_factory
    with factory.begin() as session:
        ids = [make_service(session, f"Clinic {i}", description="walk-in clinic").id for i in range(count)]
    catch_up_index(factory, index_dir(app.config))
    return ids


def _health(app: Flask) -> tuple[int, dict[str, Any]]:
    response = app.test_client().get("/healthz")
    return response.status_code, response.get_json()


def test_healthy_worker_reports_a_current_index(app: Flask) -> None:
    _ready(app, 3)
    code, body = _health(app)
    assert code == 200, body
    assert body["status"] == "ok" and body["database"] is True and body["problems"] == []
    index = body["index"]
    assert index["usable"] is True and index["documents"] == 3
    assert index["lag"] == 0 and index["position"] == index["journal_head"] >= 3
    assert index["seconds_behind"] == 0.0 and index["writable"] is True and index["free_bytes"] > 0
    assert index["generation"].startswith("gen-")


def test_a_lagging_index_is_degraded_with_its_lag(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    _ready(app, 2)
    monkeypatch.setattr(get_search(app).follower, "poll", lambda **_kw: None)  # a follower that fell behind
    old = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=60)
    with get_database(app).session_factory.begin() as session:
        session.execute(insert(ChangeJournalEntry), [{"service_id": f"s{i}", "changed_at": old} for i in range(4)])
    code, body = _health(app)
    assert code == 200 and body["status"] == "degraded", body
    assert body["index"]["lag"] == 4
    assert 55 <= body["index"]["seconds_behind"] < 120
    assert any("behind the journal" in p for p in body["problems"])


def test_a_short_lag_is_still_ok(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    _ready(app, 1)
    monkeypatch.setattr(get_search(app).follower, "poll", lambda **_kw: None)
    with get_database(app).session_factory.begin() as session:
        session.execute(insert(ChangeJournalEntry), [{"service_id": "s", "changed_at": dt.datetime.now(dt.timezone.utc)}])
    code, body = _health(app)
    assert (code, body["status"], body["index"]["lag"]) == (200, "ok", 1)


def test_an_unwritable_index_directory_is_degraded_but_searchable(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    _ready(app, 1)
    root = index_dir(app.config)
    if os.geteuid() == 0:  # root writes anywhere: stand in for the read-only directory
        real = freshness.write_problem
        monkeypatch.setattr(
            freshness, "write_problem",
            lambda d: f"{d}: cannot create files (Read-only file system)" if Path(d).is_relative_to(root) else real(d),
        )
    else:
        generation = IndexLayout(root).current()
        assert generation is not None
        for path in (root, generation.path):
            path.chmod(0o555)
    try:
        code, body = _health(app)
        searched = app.test_client().get("/api/v1/search?q=clinic")
    finally:
        for path in (root, *root.glob("gen-*")):
            path.chmod(0o755)
    assert code == 200 and body["status"] == "degraded", body
    assert body["index"]["writable"] is False and body["index"]["usable"] is True
    assert any("cannot create files" in p for p in body["problems"])
    assert searched.status_code == 200 and searched.get_json()["total"] == 1


def test_write_probe_reports_a_directory_it_cannot_write(tmp_path: Path) -> None:
    assert freshness.write_problem(tmp_path) is None
    assert list(tmp_path.iterdir()) == []  # the probe file is gone
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    assert "cannot create files" in (freshness.write_problem(not_a_dir) or "")


def test_low_disk_space_is_degraded(app: Flask) -> None:
    _ready(app, 1)
    app.config["HEALTH_MIN_FREE_BYTES"] = 1 << 62
    code, body = _health(app)
    assert code == 200 and body["status"] == "degraded"
    assert any("MiB free" in p for p in body["problems"])


def test_a_failing_catch_up_shows_until_a_pass_succeeds(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    _ready(app, 1)
    follower = get_search(app).follower

    def broken(**_options: Any) -> Any:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(follower.sync, "catch_up", broken)
    _ready(app, 1)  # the commit's pass of the journal reader fails to apply it
    code, body = _health(app)
    assert code == 200 and body["status"] == "degraded"
    assert any("No space left on device" in p for p in body["problems"])
    monkeypatch.undo()
    assert follower.wait_caught_up()
    assert _health(app)[1]["status"] == "ok"


def test_no_index_is_unavailable(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_search(app).follower, "poll", lambda **_kw: None)  # still being built
    app.config["SEARCH_READY_TIMEOUT"] = 0.5  # how long /healthz waits for the first pass
    code, body = _health(app)
    assert code == 503 and body["status"] == "unavailable" and body["database"] is True
    assert body["index"]["usable"] is False
    assert any("no index has been built" in p for p in body["problems"])


def test_a_corrupt_index_is_rebuilt_by_the_journal_reader(app: Flask) -> None:
    _ready(app, 2)
    generation = IndexLayout(index_dir(app.config)).current()
    assert generation is not None
    generation.meta_path.write_text("{not json")
    assert get_search(app).follower.wait_caught_up()
    code, body = _health(app)
    assert code == 200 and body["status"] == "ok", body
    assert body["index"]["generation"] != generation.name and body["index"]["documents"] == 2


def test_database_down_is_unavailable(app_factory: Any) -> None:
    app = app_factory(DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:1/none")
    code, body = _health(app)
    assert code == 503 and body["status"] == "unavailable" and body["database"] is False
    assert "the database does not answer" in body["problems"]
    assert body["index"]["journal_head"] is None
