"""The ``kiosk`` command: every command has help, and ``init`` prepares an instance idempotently."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import func, select

from directory_data.curated import CURATED_SOURCE
from directory_data.models import Service
from kiosk.cli import main
from kiosk.db import get_database


@pytest.mark.parametrize("command", ["init", "serve", "import", "export"])
def test_every_command_has_help(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_serve_defaults_to_loopback_port_5000() -> None:
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert "127.0.0.1" in result.output and "5000" in result.output


def _service_count(app: Flask) -> int:
    with get_database(app).session_factory() as session:
        return session.scalar(select(func.count()).select_from(Service)) or 0


def test_init_loads_curated_directory_and_is_idempotent(app: Flask, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["init"])
    assert first.exit_code == 0, first.output
    count = _service_count(app)
    assert count >= 150
    home = Path(app.config["KIOSK_HOME"])
    assert (home / "secret_key").is_file()
    assert (Path(app.config["INDEX_DIR"])).is_dir()

    second = runner.invoke(args=["init"])
    assert second.exit_code == 0, second.output
    assert _service_count(app) == count
    with get_database(app).session_factory() as session:
        sources = set(session.scalars(select(Service.source).distinct()))
    assert sources == {CURATED_SOURCE}


def test_import_and_export_through_the_cli(app: Flask, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    assert runner.invoke(args=["init"]).exit_code == 0
    exported = tmp_path / "directory.json"
    result = runner.invoke(args=["export", str(exported), "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(exported.read_text(encoding="utf-8"))
    assert document["total_items"] == _service_count(app)
    report = tmp_path / "report.json"
    result = runner.invoke(args=["import", str(exported), "--report", str(report)])
    assert result.exit_code == 0, result.output
    counts = json.loads(report.read_text(encoding="utf-8"))
    assert counts, "the report is written"
    assert _service_count(app) == document["total_items"], "re-importing the export adds nothing"
