"""Fault: ``kiosk import`` interrupted halfway leaves the database exactly as it was.

Interrupted three ways once the importer has written organizations and services inside its
transaction: an exception, a KeyboardInterrupt (Ctrl-C), and SIGKILL of a real ``kiosk import``
process. Every row of every table is compared before and after, the index stays clean, and the
same import then runs to the end.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from curated_app import with_curated_directory
from directory_data.curated import SAMPLE_SOURCE, sample_path
from directory_data.hsds.loader import Loader
from directory_data.models import Service
from kiosk.config import index_dir
from kiosk.db import get_database
from search_index.upkeep.drift import find_drift
from search_index.engine.layout import IndexLayout
from table_rows import table_rows

CHILD = Path(__file__).with_name("import_child.py")
SOURCE = SAMPLE_SOURCE


@pytest.fixture
def revised(tmp_path: Path) -> Path:
    """The curated directory with every listing's name and description revised (an update import)."""
    document = json.loads(sample_path().read_text(encoding="utf-8"))
    for service in document["contents"]:
        service["name"] = f"{service['name']} (revised)"
        service["description"] = f"{service['description']} Revised."
    path = tmp_path / "revised.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _revised_count(app: Flask) -> int:
    with get_database(app).session_factory() as session:
        return int(session.scalar(select(func.count()).select_from(Service)
                                  .where(Service.name.endswith("(revised)"))) or 0)


@pytest.fixture
def curated_app(app_factory: Callable[..., Flask]) -> Flask:
    """An app with the curated directory and its index."""
    return with_curated_directory(app_factory())


def _interrupt_after_services(monkeypatch: pytest.MonkeyPatch, error: BaseException) -> list[str]:
    written: list[str] = []
    real = Loader._write

    def write(self: Loader, name: str) -> None:
        real(self, name)
        written.append(name)
        if name == "service":
            self.session.flush()
            raise error

    monkeypatch.setattr(Loader, "_write", write)
    return written


def _assert_unchanged(app: Flask, before: dict[str, Any]) -> None:
    assert table_rows(get_database(app).engine) == before
    report = find_drift(IndexLayout(index_dir(app.config)), get_database(app).session_factory)
    assert report.clean, report.summary()


@pytest.mark.parametrize("error", [RuntimeError("the importer broke"), KeyboardInterrupt()],
                         ids=["exception", "ctrl-c"])
def test_import_interrupted_in_process_changes_nothing(
    curated_app: Flask, revised: Path, monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    app = curated_app
    before = table_rows(get_database(app).engine)
    written = _interrupt_after_services(monkeypatch, error)
    result = app.test_cli_runner().invoke(args=["import", str(revised), "--source", SOURCE])
    assert "service" in written and result.exit_code != 0
    _assert_unchanged(app, before)

    monkeypatch.undo()
    result = app.test_cli_runner().invoke(args=["import", str(revised), "--source", SOURCE])
    assert result.exit_code == 0, result.output
    assert _revised_count(app) >= 150


@pytest.mark.slow
def test_import_process_killed_halfway_changes_nothing(curated_app: Flask, revised: Path, database_url: str) -> None:
    app = curated_app
    before = table_rows(get_database(app).engine)
    env = {**os.environ, "KIOSK_DATABASE_URL": database_url, "KIOSK_HOME": app.config["KIOSK_HOME"],
           "KIOSK_INDEX_DIR": str(index_dir(app.config))}
    child = subprocess.Popen([sys.executable, str(CHILD), str(revised), SOURCE], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        line = child.stdout.readline().strip()
        assert line == "halfway", (line, child.stderr.read() if child.poll() is not None else "")
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    _assert_unchanged(app, before)

    # Nothing is left locked: the same import now runs to the end.
    result = app.test_cli_runner().invoke(args=["import", str(revised), "--source", SOURCE])
    assert result.exit_code == 0, result.output
    assert _revised_count(app) >= 150
