"""``kiosk backup`` / ``kiosk restore``: a round trip brings back every row, and search finds it.

Runs on the database under test (SQLite by default, PostgreSQL with KIOSK_TEST_DATABASE_URL).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, select, text

from curated_app import with_curated_directory
from directory_data.accounts import add_user
from directory_data.audit import set_actor
from directory_data.models import AuditEntry, Role, Service, User
from kiosk.db import get_database
from search_index.upkeep.drift import find_drift
from search_index.engine.layout import IndexLayout
from search_index.upkeep.rebuild import rebuild_index
from search_index.upkeep.sync import IndexSync
from table_rows import table_rows

PASSWORD = "a staff passphrase"


@pytest.fixture
def curated_app(app_factory: Callable[..., Flask]) -> Flask:
    """An app whose database holds the curated directory and whose index is built."""
    return with_curated_directory(app_factory())


def _rename(app: Flask, service_id: str, name: str, actor: str) -> None:
    with get_database(app).session_factory() as session:
        set_actor(session, actor)
        session.get(Service, service_id).name = name
        session.commit()


def _search_ids(app: Flask, query: str) -> list[str]:
    response = app.test_client().get("/api/v1/search", query_string={"q": query, "per_page": 50})
    assert response.status_code == 200, response.get_data(as_text=True)
    return [hit["id"] for hit in response.get_json()["results"]]


def _populate(app: Flask) -> tuple[str, str]:
    """A user and an audited edit on top of the curated directory; (service id, its new name)."""
    factory = get_database(app).session_factory
    with factory() as session:
        add_user(session, "caseworker.backup", PASSWORD, Role.caseworker)
        session.commit()
        service_id = session.scalars(select(Service.id).order_by(Service.name)).first()
    _rename(app, service_id, "Quillfeather Family Center", "caseworker.backup")
    return service_id, "Quillfeather"


def test_backup_and_restore_round_trip(curated_app: Flask, tmp_path: Path) -> None:
    app = curated_app
    engine = get_database(app).engine
    runner = app.test_cli_runner()
    service_id, word = _populate(app)
    with engine.connect() as connection:
        assert connection.scalar(select(AuditEntry.id).where(AuditEntry.listing_id == service_id)) is not None
    before = table_rows(engine)

    started = time.monotonic()
    result = runner.invoke(args=["backup", str(tmp_path / "backup")])
    backup_seconds = time.monotonic() - started
    assert result.exit_code == 0, result.output
    manifest: dict[str, Any] = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["database_kind"] == engine.dialect.name
    assert manifest["row_counts"] == {name: len(rows) for name, rows in before.items()}
    assert manifest["row_counts"]["user_account"] == 1 and manifest["row_counts"]["audit_entry"] > 0

    # Afterwards: another audited rename, a retired listing, the account gone, a new one, the
    # audit log wiped, a journal that moved on.
    _rename(app, service_id, "Zanzibarine Placeholder", "someone.else")
    factory = get_database(app).session_factory
    with factory() as session:
        other = session.scalars(select(Service).where(Service.id != service_id).order_by(Service.name)).first()
        other_id, other.status = other.id, "defunct"
        session.execute(delete(User))
        add_user(session, "officer.later", PASSWORD, Role.officer)
        session.commit()
    with engine.begin() as connection:
        connection.execute(delete(AuditEntry))
        top = connection.scalar(text("SELECT max(seq) FROM change_journal"))
    assert _search_ids(app, "Zanzibarine") == [service_id]
    assert other_id not in _search_ids(app, other.name)
    other_host = IndexLayout(tmp_path / "other-host-index")  # another host's index, current now
    rebuild_index(other_host, factory)

    started = time.monotonic()
    result = runner.invoke(args=["restore", str(tmp_path / "backup"), "--yes"])
    restore_seconds = time.monotonic() - started
    assert result.exit_code == 0, result.output
    print(f"\ncurated directory on {engine.dialect.name}: backup {backup_seconds:.2f} s, "
          f"restore with index rebuild {restore_seconds:.2f} s")

    after = table_rows(engine)
    journal_before, journal_after = sorted(before.pop("change_journal")), sorted(after.pop("change_journal"))
    assert after == before
    # The journal holds the backup's entries, then the restore's own: one per service, numbered
    # past everything the journal had handed out, so every host's index learns of the restore.
    assert journal_after[: len(journal_before)] == journal_before
    extra = journal_after[len(journal_before):]
    assert all(seq > top for seq, *_ in extra)
    with engine.connect() as connection:
        service_ids = sorted(connection.scalars(select(Service.id)))
    assert sorted(sid for _seq, sid, _at in extra) == service_ids

    assert _search_ids(app, word) == [service_id]
    assert _search_ids(app, "Zanzibarine") == []
    assert other_id in _search_ids(app, other.name)
    # The other host was not rebuilt: reading the journal brings it to the restored directory.
    IndexSync(other_host, factory).catch_up(lock_timeout=10.0)
    report = find_drift(other_host, factory)
    assert report.clean, report.summary()


def test_restore_asks_first_and_refuses_foreign_backups(curated_app: Flask, tmp_path: Path) -> None:
    app = curated_app
    runner = app.test_cli_runner()
    engine = get_database(app).engine
    backup = tmp_path / "backup"
    assert runner.invoke(args=["backup", str(backup)]).exit_code == 0
    assert runner.invoke(args=["backup", str(backup)]).exit_code == 2  # never over a backup

    before = table_rows(engine)
    declined = runner.invoke(args=["restore", str(backup)], input="n\n")
    assert declined.exit_code != 0 and "Replace everything" in declined.output
    assert table_rows(engine) == before

    manifest_path = backup / "manifest.json"
    original = json.loads(manifest_path.read_text())
    for change, message in (
        ({"revision": "9999"}, "newer release"),
        ({"database_kind": "postgresql" if engine.dialect.name == "sqlite" else "sqlite"}, "configured database is"),
    ):
        manifest_path.write_text(json.dumps({**original, **change}))
        refused = runner.invoke(args=["restore", str(backup), "--yes"])
        assert refused.exit_code == 2, refused.output
        assert message in refused.output
    manifest_path.write_text(json.dumps(original))
    (backup / original["data_file"]).write_bytes(b"damaged")
    damaged = runner.invoke(args=["restore", str(backup), "--yes"])
    assert damaged.exit_code == 2 and "checksum" in damaged.output
    assert table_rows(engine) == before
