"""``kiosk backup PATH`` and ``kiosk restore PATH``: online snapshots of the database.

The snapshot logic lives in :mod:`directory_data.backup`; these commands add the app's
configuration, a confirmation before anything is replaced, and the index rebuild after a restore.
"""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from sqlalchemy.exc import OperationalError

from kiosk import __version__
from kiosk.cli import fail
from kiosk.config import index_dir
from kiosk.db import get_database


@click.command("backup")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Snapshot the database (listings, journal, audit log, accounts) into the new folder PATH.

    The app may keep serving meanwhile: SQLite is copied with its online backup API, PostgreSQL
    with pg_dump from one consistent snapshot. PATH gets a manifest.json beside the data.
    """
    from directory_data.backup import BackupError, create_backup  # imports Alembic: only here

    started = time.monotonic()
    try:
        manifest = create_backup(get_database().engine, path, app_version=__version__)
    except (BackupError, OperationalError) as error:
        fail(error)
    click.echo(
        f"backup of the {manifest.database_kind} database at revision {manifest.revision}: "
        f"{manifest.services} services, {sum(manifest.row_counts.values())} rows in "
        f"{len(manifest.row_counts)} tables -> {path} ({time.monotonic() - started:.1f} s)"
    )


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(path: Path, yes: bool) -> None:
    """Replace the configured database with the backup in PATH, then rebuild the search index.

    Refuses a backup of the other database kind, or one made by a newer release (a migration
    revision this code does not know). An older backup is migrated to this release.
    """
    from directory_data.backup import BackupError, check_restorable, read_manifest, restore_backup
    from search_index.engine.layout import IndexLayout
    from search_index.upkeep.rebuild import rebuild_index

    database = get_database()
    url = database.engine.url.render_as_string(hide_password=True)
    try:
        manifest = read_manifest(path)
        check_restorable(manifest, database.engine)
    except (BackupError, OperationalError) as error:
        fail(error)
    if not yes:
        click.confirm(f"Replace everything in {url} with the backup of {manifest.created_at} "
                      f"({manifest.services} services, revision {manifest.revision})?", abort=True)
    try:
        report = restore_backup(database.engine, path)
    except (BackupError, OperationalError) as error:
        fail(error)
    click.echo(report.summary())
    rebuilt = rebuild_index(IndexLayout(index_dir(current_app.config)), database.session_factory,
                            timezone=str(current_app.config["TIMEZONE"]))
    assert rebuilt is not None
    click.echo(f"search index: {rebuilt.summary()}")
