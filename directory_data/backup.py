"""Consistent online backups of the directory database, and restoring them (no Flask here).

A backup is a folder::

    <path>/
      manifest.json       format, app version, migration revision, database kind, created at,
                          row counts per table, the data file's name and SHA-256
      database.sqlite3    SQLite: a copy made with SQLite's online backup API
      database.pgdump     PostgreSQL: ``pg_dump --format=custom``

Both are taken while the app keeps serving. SQLite's backup API copies a consistent state of
the file; on PostgreSQL the row counts are read in a ``REPEATABLE READ`` transaction whose
snapshot is handed to ``pg_dump --snapshot``, so the manifest describes exactly the rows dumped.
The folder is written as ``<path>.partial-*`` and renamed when complete: an interrupted backup
never looks like a finished one.

:func:`restore_backup` refuses a backup of the other database kind or from a migration revision
this code does not know, replaces every table with the backup's rows (SQLite: the backup API in
reverse; PostgreSQL: ``pg_restore`` run through ``psql`` in one transaction), checks the row
counts against the manifest, and migrates an older backup to head. Last it journals every
service present before or after the restore, with journal numbers above any used before, so the
index of every host (whose journal cursor is past the backup's entries) catches up with the
restored directory. The caller then rebuilds its own index.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, inspect, insert, select, text
from sqlalchemy.engine import URL

from directory_data import migrate
from directory_data.models.journal import ChangeJournalEntry

#: The manifest's file name inside a backup folder.
MANIFEST = "manifest.json"

#: The version of the backup folder's layout.
FORMAT = 1

DATA_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}

#: Where Debian installs each PostgreSQL major version's client programs.
PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"


class BackupError(Exception):
    """A backup cannot be taken, read or restored; the message says why, for the operator."""


@dataclass
class Manifest:
    """What a backup holds (``manifest.json``)."""

    app_version: str
    revision: str | None
    database_kind: str
    created_at: str
    row_counts: dict[str, int]
    data_file: str
    sha256: str
    server_version: str | None = None
    format: int = FORMAT

    @property
    def services(self) -> int:
        """How many services (listings) the backup holds."""
        return self.row_counts.get("service", 0)

    def to_json(self) -> str:
        """The manifest as indented JSON."""
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    @classmethod
    def from_dict(cls, value: Mapping[str, Any]) -> Manifest:
        """The manifest read from ``value`` (raises :class:`BackupError` when it is not one)."""
        try:
            return cls(
                app_version=str(value["app_version"]),
                revision=value["revision"],
                database_kind=str(value["database_kind"]),
                created_at=str(value["created_at"]),
                row_counts={str(k): int(v) for k, v in value["row_counts"].items()},
                data_file=str(value["data_file"]),
                sha256=str(value["sha256"]),
                server_version=value.get("server_version"),
                format=int(value.get("format", FORMAT)),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise BackupError(f"the manifest is incomplete or damaged ({error!r})") from error


@dataclass
class RestoreReport:
    """What a restore did."""

    manifest: Manifest
    revision: str | None
    journaled: int
    seconds: float
    phases: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        """The report in one line."""
        return (
            f"restored the backup of {self.manifest.created_at} ({self.manifest.services} services, "
            f"{sum(self.manifest.row_counts.values())} rows) in {self.seconds:.1f} s; database at "
            f"revision {self.revision}; {self.journaled} services journaled for every host's index"
        )


# Reading the database ----------------------------------------------------------------------


def database_kind(engine: Engine) -> str:
    """``sqlite`` or ``postgresql`` (raises :class:`BackupError` for anything else)."""
    kind = engine.dialect.name
    if kind not in DATA_FILES:
        raise BackupError(f"backups of {kind} databases are not supported")
    return kind


def row_counts(connection: Connection) -> dict[str, int]:
    """``{table: rows}`` for every table of the database (the migration table included)."""
    names = sorted(inspect(connection).get_table_names())
    quote = connection.dialect.identifier_preparer.quote
    return {
        name: int(connection.execute(text(f"SELECT count(*) FROM {quote(name)}")).scalar_one())
        for name in names
    }


def revision_of(connection: Connection) -> str | None:
    """The migration revision recorded in the database (None when it has none)."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def file_sha256(path: Path) -> str:
    """The SHA-256 of the file at ``path``, in hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# PostgreSQL client programs ----------------------------------------------------------------


def server_major(connection: Connection) -> int:
    """The PostgreSQL server's major version (15 for 15.4)."""
    return int(connection.execute(text("SHOW server_version_num")).scalar_one()) // 10000


def find_pg_tool(name: str, major: int) -> str:
    """The path of the client program ``name`` (pg_dump, pg_restore, psql) for server ``major``.

    Debian's ``/usr/lib/postgresql/<major>/bin`` is preferred; else the program on ``PATH`` when
    its major version is the server's.
    """
    candidate = Path(PG_BIN_GLOB.replace("*", str(major))) / name
    if candidate.is_file():
        return str(candidate)
    found = shutil.which(name)
    if found is not None and _tool_major(found) == major:
        return found
    raise BackupError(
        f"{name} for PostgreSQL {major} was not found (looked in {candidate.parent} and on PATH); "
        f"install postgresql-client-{major}"
    )


def _tool_major(path: str) -> int | None:
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    return int(match.group(1)) if match else None


def libpq_target(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URI for ``url`` without its password, and the environment with it."""
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: Mapping[str, str] | None = None) -> None:
    """Run a client program; raise :class:`BackupError` with its error output when it fails."""
    completed = subprocess.run(command, capture_output=True, text=True, env=env)
    if completed.returncode != 0:
        raise BackupError(
            f"{Path(command[0]).name} failed (exit {completed.returncode}): "
            f"{completed.stderr.strip()[-2000:]}"
        )


# Taking a backup ---------------------------------------------------------------------------


@contextmanager
def _partial_folder(path: Path) -> Iterator[Path]:
    """A scratch folder beside ``path``, renamed to ``path`` when the block succeeds."""
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise BackupError(f"{path} already exists; choose a new folder for the backup")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f"{path.name}.partial-", dir=path.parent))
    try:
        yield partial
        if path.exists():
            path.rmdir()
        os.rename(partial, path)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise


def create_backup(engine: Engine, path: Path, *, app_version: str) -> Manifest:
    """Snapshot the database of ``engine`` into the new folder ``path``; return its manifest."""
    kind = database_kind(engine)
    path = Path(path)
    with _partial_folder(path) as folder:
        data = folder / DATA_FILES[kind]
        if kind == "sqlite":
            counts, revision, server = _backup_sqlite(engine, data), None, None
            with sqlite3.connect(data) as copy:
                revision = _sqlite_revision(copy)
        else:
            counts, revision, server = _backup_postgres(engine, data)
        manifest = Manifest(
            app_version=app_version,
            revision=revision,
            database_kind=kind,
            created_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            row_counts=counts,
            data_file=data.name,
            sha256=file_sha256(data),
            server_version=server,
        )
        (folder / MANIFEST).write_text(manifest.to_json() + "\n", encoding="utf-8")
    return manifest


def _sqlite_revision(connection: sqlite3.Connection) -> str | None:
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:
        return None
    return row[0] if row else None


def _sqlite_counts(connection: sqlite3.Connection) -> dict[str, int]:
    names = [r[0] for r in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    )]
    return {n: int(connection.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0]) for n in names}


def _backup_sqlite(engine: Engine, data: Path) -> dict[str, int]:
    """Copy the live SQLite database into ``data`` (online backup API); return its row counts."""
    raw = engine.raw_connection()
    try:
        target = sqlite3.connect(data)
        try:
            raw.driver_connection.backup(target)  # type: ignore[union-attr]
            target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            return _sqlite_counts(target)
        finally:
            target.close()
    finally:
        raw.close()


def _backup_postgres(engine: Engine, data: Path) -> tuple[dict[str, int], str | None, str]:
    """``pg_dump`` the database into ``data`` from a snapshot the row counts are read in."""
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            counts = row_counts(connection)
            revision = revision_of(connection)
            server = str(connection.execute(text("SHOW server_version")).scalar_one())
            pg_dump = find_pg_tool("pg_dump", server_major(connection))
            target, env = libpq_target(engine.url)
            _run([pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={data}",
                  f"--dbname={target}"], env)
    return counts, revision, server


# Restoring ---------------------------------------------------------------------------------


def read_manifest(path: Path) -> Manifest:
    """The manifest of the backup folder ``path`` (raises :class:`BackupError`)."""
    manifest_path = Path(path) / MANIFEST
    try:
        value = json.loads(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise BackupError(f"{path} is not a kiosk backup: it has no {MANIFEST}") from error
    except (OSError, ValueError) as error:
        raise BackupError(f"{manifest_path} cannot be read ({error})") from error
    if not isinstance(value, dict):
        raise BackupError(f"{manifest_path} is not a backup manifest")
    manifest = Manifest.from_dict(value)
    if manifest.format > FORMAT:
        raise BackupError(f"{path} is a backup of format {manifest.format}; this code reads up to {FORMAT}")
    return manifest


def check_restorable(manifest: Manifest, engine: Engine) -> None:
    """Raise :class:`BackupError` when the backup ``manifest`` describes cannot go into ``engine``."""
    kind = database_kind(engine)
    if manifest.database_kind != kind:
        raise BackupError(
            f"this backup is of a {manifest.database_kind} database and the configured database is "
            f"{kind}; restore it into a {manifest.database_kind} database (or move the data with "
            f"`kiosk export` and `kiosk import`)"
        )
    if manifest.revision is None:
        return
    head = migrate.head_revision()
    try:
        known = ScriptDirectory.from_config(migrate.alembic_config(engine)).get_revision(manifest.revision)
    except CommandError:
        known = None
    if known is None:
        raise BackupError(
            f"this backup is at migration revision {manifest.revision}, which this version of the app "
            f"does not know (it knows up to {head}): it was made by a newer release; upgrade the app "
            f"first, then restore"
        )


def restore_backup(engine: Engine, path: Path) -> RestoreReport:
    """Replace the database of ``engine`` with the backup in ``path`` (see the module docstring).

    The caller disposes other engines' pooled connections as it sees fit and rebuilds its index.
    """
    started = time.monotonic()
    path = Path(path)
    manifest = read_manifest(path)
    check_restorable(manifest, engine)
    data = path / manifest.data_file
    if not data.is_file():
        raise BackupError(f"{data} is missing from the backup")
    if file_sha256(data) != manifest.sha256:
        raise BackupError(f"{data} does not match its checksum in the manifest: the backup is damaged")
    phases: dict[str, float] = {}
    before = _journal_mark(engine)
    engine.dispose()
    if manifest.database_kind == "sqlite":
        _restore_sqlite(engine, data)
    else:
        _restore_postgres(engine, data)
    engine.dispose()
    phases["restore"] = time.monotonic() - started
    with engine.connect() as connection:
        restored = row_counts(connection)
    if restored != manifest.row_counts:
        differ = sorted(k for k in {*restored, *manifest.row_counts}
                        if restored.get(k) != manifest.row_counts.get(k))
        raise BackupError(f"the restored row counts differ from the manifest in: {', '.join(differ)}")
    migrate.upgrade(engine)
    journaled = _journal_restore(engine, before)
    phases["migrate_and_journal"] = time.monotonic() - started - phases["restore"]
    return RestoreReport(manifest, migrate.current_revision(engine), journaled,
                         time.monotonic() - started, {k: round(v, 3) for k, v in phases.items()})


@dataclass(frozen=True)
class _JournalMark:
    """The journal's highest number and the service ids before a restore."""

    top: int
    service_ids: frozenset[str]


def _journal_mark(engine: Engine) -> _JournalMark:
    with engine.connect() as connection:
        names = set(inspect(connection).get_table_names())
        top = 0
        if "change_journal" in names:
            top = int(connection.execute(text("SELECT max(seq) FROM change_journal")).scalar() or 0)
        ids: frozenset[str] = frozenset()
        if "service" in names:
            ids = frozenset(connection.execute(text("SELECT id FROM service")).scalars())
    return _JournalMark(top, ids)


def _journal_restore(engine: Engine, before: _JournalMark) -> int:
    """Journal every service present before or after the restore, numbered past both journals."""
    table = ChangeJournalEntry.__table__
    with engine.begin() as connection:
        top = max(before.top, int(connection.scalar(select(table.c.seq).order_by(table.c.seq.desc()).limit(1)) or 0))
        ids = sorted(before.service_ids | set(connection.execute(text("SELECT id FROM service")).scalars()))
        now = dt.datetime.now(dt.timezone.utc)
        rows = [{"seq": top + i, "service_id": sid, "changed_at": now} for i, sid in enumerate(ids, start=1)]
        if rows:
            connection.execute(insert(table), rows)
        if connection.dialect.name == "postgresql" and top + len(rows) > 0:
            connection.execute(
                text("SELECT setval(pg_get_serial_sequence('change_journal', 'seq'), :value)"),
                {"value": top + len(rows)},
            )
    return len(ids)


def _restore_sqlite(engine: Engine, data: Path) -> None:
    """Copy the backup file over the live database with the backup API (one step for readers)."""
    source = sqlite3.connect(f"file:{data}?mode=ro", uri=True)
    try:
        raw = engine.raw_connection()
        try:
            source.backup(raw.driver_connection)  # type: ignore[arg-type]
        finally:
            raw.close()
    finally:
        source.close()


#: Drops every table and sequence of the current schema (the restore's first statement); gives up
#: after a minute when a session of a running app holds a lock on a table.
_DROP_ALL = """
SET lock_timeout = '60s';
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() LOOP
    EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', r.tablename);
  END LOOP;
  FOR r IN SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema() LOOP
    EXECUTE format('DROP SEQUENCE IF EXISTS %I CASCADE', r.sequencename);
  END LOOP;
END $$;
"""


def _restore_postgres(engine: Engine, data: Path) -> None:
    """Drop every table and load the dump, in one transaction (all or nothing)."""
    with engine.connect() as connection:
        major = server_major(connection)
    pg_restore = find_pg_tool("pg_restore", major)
    psql = find_pg_tool("psql", major)
    target, env = libpq_target(engine.url)
    with tempfile.TemporaryDirectory(prefix="kiosk-restore-") as scratch:
        script = Path(scratch) / "restore.sql"
        prefix = Path(scratch) / "drop.sql"
        _run([pg_restore, "--no-owner", "--no-privileges", f"--file={script}", str(data)])
        prefix.write_text(_DROP_ALL, encoding="utf-8")
        _run([psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction",
              f"--dbname={target}", "-f", str(prefix), "-f", str(script)], env)
