"""``kiosk serve``: gunicorn sized to the machine, ``--dev``, and structured logs without personal data."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import func, select
from werkzeug.test import Client

from directory_data.models import ZeroResultTerm
from kiosk import serving
from kiosk.cli.commands import main
from kiosk.logs import JsonFormatter, without_query
from kiosk.request_log import RequestLog
from served import KIOSK, Host, kiosk_env


@pytest.fixture
def request_lines() -> Iterator[io.StringIO]:
    """What the ``kiosk.request`` logger writes, as JSON lines."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("kiosk.request")
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    yield out
    logger.removeHandler(handler)
    logger.setLevel(old_level)


def _records(out: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_defaults_are_sized_to_the_machine() -> None:
    assert serving.default_workers(1) == 2
    assert serving.default_workers(2) == 3
    assert serving.default_workers(64) == serving.MAX_DEFAULT_WORKERS
    assert serving.default_workers() == min(serving.cpu_count() + 1, serving.MAX_DEFAULT_WORKERS)
    options = serving.gunicorn_options("127.0.0.1", 5000, 3, 4)
    assert (options["bind"], options["workers"], options["threads"]) == ("127.0.0.1:5000", 3, 4)
    assert options["worker_class"] == "gthread" and options["accesslog"] is None


def test_serve_passes_its_options_to_gunicorn(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}
    monkeypatch.setattr(serving, "run_gunicorn", lambda *args: seen.setdefault("args", args))
    assert CliRunner().invoke(main, ["serve"]).exit_code == 0
    assert seen["args"] == ("127.0.0.1", 5000, serving.default_workers(), serving.DEFAULT_THREADS)
    seen.clear()
    result = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0", "--port", "8080", "--workers", "3", "--threads", "2"])
    assert result.exit_code == 0 and seen["args"] == ("0.0.0.0", 8080, 3, 2)
    seen.clear()
    assert CliRunner(env={"KIOSK_WORKERS": "7"}).invoke(main, ["serve"]).exit_code == 0
    assert seen["args"][2] == 7


def test_gunicorn_application_gets_the_settings() -> None:
    server = serving.KioskServer(serving.gunicorn_options("127.0.0.1", 5099, 3, 2))
    assert server.cfg is not None
    assert (server.cfg.workers, server.cfg.threads, server.cfg.bind) == (3, 2, ["127.0.0.1:5099"])
    assert server.cfg.logger_class is serving.JsonLogger


def test_dev_runs_flasks_reloader(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import werkzeug.serving

    seen: dict[str, Any] = {}

    def fake_run_simple(host: str, port: int, app: Any, **kwargs: Any) -> None:
        seen.update(host=host, port=port, app=app, **kwargs)

    monkeypatch.setattr(werkzeug.serving, "run_simple", fake_run_simple)
    result = CliRunner(env={"KIOSK_HOME": str(tmp_path)}).invoke(main, ["serve", "--dev", "--port", "5055"])
    assert result.exit_code == 0, result.output
    assert (seen["host"], seen["port"], seen["use_reloader"]) == ("127.0.0.1", 5055, True)
    assert isinstance(seen["app"], RequestLog) and isinstance(seen["app"].app, Flask)
    assert "healthz" in {rule.rule.strip("/") for rule in seen["app"].app.url_map.iter_rules()}, "the whole app"


def test_one_line_per_request_without_personal_data(app: Flask, request_lines: io.StringIO) -> None:
    client = Client(serving.wsgi_app(app))
    client.set_cookie("kiosk", "cookie-secret-value")
    response = client.get(
        "/api/v1/search?q=my+private+worry&category=housing",
        headers={"User-Agent": "UniqueAgent/1.0"},
        environ_base={"REMOTE_ADDR": "10.9.8.7"},
    )
    response.close()
    client.get("/r/signed.referral.token").close()
    text = request_lines.getvalue()
    for secret in ("private", "worry", "housing", "UniqueAgent", "10.9.8.7", "cookie-secret-value", "signed.referral"):
        assert secret not in text
    first, second = _records(request_lines)
    assert {k: first[k] for k in ("method", "path", "msg")} == {"method": "GET", "path": "/api/v1/search", "msg": "request"}
    assert first["status"] in (200, 503) and first["duration_ms"] >= 0 and isinstance(first["pid"], int)
    assert second["path"] == "/r/..."


def test_served_by_header_only_when_configured(app_factory: Any) -> None:
    plain = Client(serving.wsgi_app(app_factory())).get("/healthz")
    assert "X-Served-By" not in plain.headers
    tagged = Client(serving.wsgi_app(app_factory(SERVED_BY_HEADER=True))).get("/healthz")
    assert tagged.headers["X-Served-By"] == serving.served_by()


def test_log_lines_lose_query_strings_even_in_errors() -> None:
    assert without_query('Error handling request /search?q=my+secret&x=1 now') == "Error handling request /search?... now"
    record = logging.LogRecord("gunicorn.error", logging.ERROR, __file__, 1, "Error handling request %s",
                               ("/api/v1/search?q=secret",), None)
    line = json.loads(JsonFormatter().format(record))
    assert line["msg"] == "Error handling request /api/v1/search?..." and line["level"] == "error"


@pytest.mark.slow
def test_gunicorn_serves_with_several_workers_and_logs_json(tmp_path: Path, database_url: str, session_factory: Any) -> None:
    home = tmp_path / "host"
    env = kiosk_env(home, database_url)
    subprocess.run([KIOSK, "init"], env=env, check=True, capture_output=True, timeout=300)
    host = Host(home, database_url, workers=2, threads=2)
    try:
        host.wait_up()
        workers: set[str] = set()
        # The kernel hands connections to whichever worker accepts first; on a busy machine one
        # worker may take many in a row, so ask until both have answered (at least 30 times).
        deadline = time.monotonic() + 60
        asked = 0
        while asked < 30 or (len(workers) < 2 and time.monotonic() < deadline):
            answer = host.get("/api/v1/search?q=counseling+secretword")
            assert answer.status == 200 and answer.json()["total"] >= 0
            workers.add(answer.worker)
            asked += 1
        assert host.get("/").status == 200
        for _ in range(4):  # counted in the workers' memory, written by the latest at their exit
            assert host.get("/search?q=tax+storage").status == 200
        health = host.get("/healthz").json()
        assert health["status"] == "ok" and health["index"]["lag"] == 0, health
    finally:
        code = host.stop()
    assert code == 0
    assert len(workers) == 2, workers  # both workers answered searches
    records = host.log_records()  # every line is JSON
    requests = [r for r in records if r.get("msg") == "request"]
    assert len(requests) >= 32
    assert {r["path"] for r in requests} >= {"/api/v1/search", "/", "/healthz"}
    assert {r["pid"] for r in requests if r["path"] == "/api/v1/search"} == {int(w.rsplit(":", 1)[1]) for w in workers}
    assert "secretword" not in host.log_text() and "127.0.0.1:" not in json.dumps(requests)
    assert any("Booting worker" in r["msg"] for r in records)
    # Each worker's warm-up (postings, listing cache, pages) ends by freezing its heap, before
    # the worker answers its first request.
    assert sum("objects frozen out of garbage collection" in r["msg"] for r in records) == 2
    for pid in {r["pid"] for r in requests}:
        warmed = next(i for i, r in enumerate(records) if r.get("pid") == pid and "objects frozen" in r["msg"])
        answered = next(i for i, r in enumerate(records) if r.get("pid") == pid and r.get("msg") == "request")
        assert warmed < answered
    with session_factory() as session:
        assert session.scalar(select(func.sum(ZeroResultTerm.searches))
                              .where(ZeroResultTerm.term == "tax storage")) == 4


def test_warm_up_builds_the_index_and_fills_the_listing_cache(app: Flask) -> None:
    from kiosk.db import get_database
    from kiosk.listing_cache import get_listing_cache
    from kiosk.search import get_search
    from search_factory import make_service

    with get_database(app).session_factory.begin() as session:
        ids = {make_service(session, f"Clinic {i}").id for i in range(3)}
    serving.warm_up(app)
    assert get_search(app).layout.current() is not None
    assert set(get_listing_cache(app)._facts) == ids
