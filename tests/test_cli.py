"""The ``kiosk`` command: every command has help, and ``init`` prepares an instance idempotently."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import Engine, func, select

from conftest import wipe
from directory_data.curated import NATIONAL_SOURCE, SAMPLE_SOURCE
from directory_data.models import AuditEntry, ChangeJournalEntry, Service
from kiosk import create_cli_app
from kiosk.cli.commands import main
from kiosk.db import get_database
from kiosk.search import stop


@pytest.mark.parametrize("command", ["init", "serve", "import", "export", "sample"])
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
    assert sources == {NATIONAL_SOURCE, SAMPLE_SOURCE}


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


def test_commands_run_in_an_app_without_the_pages_but_with_the_journal_and_audit(
    database_url: str, engine: Engine, tmp_path: Path
) -> None:
    """``kiosk`` runs its commands in create_cli_app(): no page modules, the same data hooks."""
    app = create_cli_app({"TESTING": True, "SECRET_KEY": "test", "DATABASE_URL": database_url,
                          "KIOSK_HOME": str(tmp_path / "instance"), "INDEX_DIR": str(tmp_path / "index")})
    try:
        assert {rule.endpoint for rule in app.url_map.iter_rules()} == {"static"}
        assert {"init", "serve", "import", "export", "index", "user", "purge", "backup", "restore"} <= set(app.cli.commands)
        runner = app.test_cli_runner()
        result = runner.invoke(args=["user", "add", "casey", "--role", "caseworker", "--password-stdin"],
                               input="a long enough password\n")
        assert result.exit_code == 0, result.output
        result = runner.invoke(args=["init"])
        assert result.exit_code == 0, result.output
        assert "search index:" in result.output
        with get_database(app).session_factory() as session:
            assert session.scalar(select(func.count()).select_from(AuditEntry)
                                  .where(AuditEntry.resource_type == "user_account")), "the account is audited"
            assert session.scalar(select(func.count()).select_from(ChangeJournalEntry)), "imports are journaled"
    finally:
        stop(app)
        get_database(app).dispose()
        wipe(engine)


def _kiosk(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The console script ``kiosk`` (kiosk.cli.commands:run) in a process of its own."""
    return subprocess.run([sys.executable, "-c", "from kiosk.cli.commands import run; run()", *args],
                          env=env, capture_output=True, text=True, timeout=300)


def test_the_console_script_exits_with_the_commands_status_and_closes_the_database(tmp_path: Path) -> None:
    """run() leaves without the interpreter's teardown, but with the status, the output and
    the database closed (SQLite's write-ahead log folded into the file)."""
    home = tmp_path / "instance"
    env = {**os.environ, "KIOSK_HOME": str(home), "KIOSK_DATABASE_URL": f"sqlite:///{home}/kiosk.db"}
    assert _kiosk(["--help"], env).returncode == 0
    failed = _kiosk(["import", str(tmp_path / "missing")], env)
    assert failed.returncode == 2 and "does not exist" in failed.stderr
    done = _kiosk(["init"], env)
    assert done.returncode == 0, done.stderr
    assert "help lines:" in done.stdout and "sample directory:" in done.stdout
    assert "search index:" in done.stdout
    assert (home / "kiosk.db").is_file() and not (home / "kiosk.db-wal").exists()
