"""The app factory: configuration sources, and no side effects."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk import create_app
from kiosk.config import database_url, index_dir


def test_factory_has_no_side_effects(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "fresh-home"
    monkeypatch.setenv("KIOSK_HOME", str(home))
    app = create_app()
    assert app.config["KIOSK_HOME"] == str(home.resolve())
    assert not home.exists(), "creating the app must not create the instance folder"


def test_defaults_put_database_and_index_in_kiosk_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KIOSK_HOME", str(tmp_path))
    monkeypatch.delenv("KIOSK_DATABASE_URL", raising=False)
    app = create_app()
    assert database_url(app.config) == f"sqlite:///{tmp_path.resolve() / 'kiosk.db'}"
    assert index_dir(app.config) == tmp_path.resolve() / "index"


def test_environment_and_explicit_config_override(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KIOSK_DATABASE_URL", "postgresql+psycopg://u@db.example/kiosk")
    app = create_app()
    assert database_url(app.config) == "postgresql+psycopg://u@db.example/kiosk"
    app = create_app({"DATABASE_URL": "sqlite:///other.db", "INDEX_DIR": str(tmp_path / "ix")})
    assert database_url(app.config) == "sqlite:///other.db"
    assert index_dir(app.config) == tmp_path / "ix"


def test_healthz_reports_database(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["database"] is True


def test_healthz_is_honest_when_database_is_down(app_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = app_factory(DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:1/none")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert (body["status"], body["database"]) == ("unavailable", False)
