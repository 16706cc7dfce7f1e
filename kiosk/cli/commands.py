"""The ``kiosk`` command: init, serve, import and export (each with ``--help``)."""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import secrets
import sys
import time
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from kiosk.cli import catch_up, fail
from kiosk.cli.index import index_group
from kiosk.config import index_dir
from kiosk.db import get_database

# The import, export, migration (Alembic) and search modules are imported inside the commands that
# use them, so that the app (and ``kiosk --help``) starts without loading them.
EXPORT_FORMATS = ("json", "csv")
#: What ``kiosk serve`` says once at start when no public address is configured.
NO_PUBLIC_BASE_URL = (
    "KIOSK_PUBLIC_BASE_URL is not set, so referral QR codes cannot link to a web page "
    "(text, contact and crisis-line codes still work); set it to the address residents' phones "
    "reach this site at, e.g. KIOSK_PUBLIC_BASE_URL=https://help.example.org")


def _create_app() -> Flask:
    from kiosk import create_cli_app

    return create_cli_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False)
def main() -> None:
    """Community resource directory and referral kiosk."""


_exit_code: list[int] = [0]


def run() -> None:
    """The ``kiosk`` console script: :func:`main`, then an exit without the interpreter's teardown
    (freeing every object one by one took 0.3-0.5 s after an import): the last exit handler closes
    the databases' connections, flushes the standard streams and ends with the command's status."""
    atexit.register(_leave)  # registered first: runs last
    try:
        main()
    except SystemExit as done:  # sys.exit(message) means 1 (Python prints the message)
        _exit_code[0] = 0 if done.code is None else done.code if isinstance(done.code, int) else 1
        raise
    except BaseException:
        _exit_code[0] = 1  # Python prints the traceback, then runs the exit handlers
        raise


def _leave() -> None:
    from kiosk.db import dispose_all

    try:
        dispose_all()
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        os._exit(_exit_code[0])


main.add_command(index_group)


def init_app(app: Flask) -> None:
    """Register every ``kiosk`` command on ``app`` (so ``flask --app kiosk`` offers them too)."""
    from kiosk.cli.backup import backup_command, restore_command
    from kiosk.cli.districts import districts_group
    from kiosk.cli.referrals import purge_command
    from kiosk.cli.sample import sample_group
    from kiosk.cli.users import user_group

    for command in (init_command, serve_command, import_command, export_command, index_group,
                    sample_group, user_group, purge_command, backup_command, restore_command, districts_group):
        app.cli.add_command(command)


@click.command("init")
@click.option("--sample/--no-sample", "sample", default=None,
              help="Load the fictional sample directory whatever the directory holds, or bring a "
                   "retired one back (--sample); never load it (--no-sample). Default: only into "
                   "an empty directory.")
@with_appcontext
def init_command(sample: bool | None) -> None:
    """Prepare the instance: migrate, load the real help lines (and the sample directory into an
    empty directory), build the search index.

    Safe to run again: migrations and the curated imports are idempotent, and the index only
    catches up with what changed. A directory with listings of its own, or whose sample was
    retired, never gets the sample back unless --sample asks for it.
    """
    from directory_data import migrate
    from directory_data.sample import is_empty, load_national, load_sample, sample_state

    from kiosk.cli.users import cli_actor

    home = Path(current_app.config["KIOSK_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    secret = home / "secret_key"
    if not secret.exists():
        secret.write_text(secrets.token_hex(32), encoding="ascii")
        secret.chmod(0o600)
    database = get_database()
    migrate.upgrade(database.engine)
    click.echo(f"database: {database.engine.url.render_as_string(hide_password=True)} at "
               f"revision {migrate.current_revision(database.engine)}")
    with database.transaction() as session:
        report = load_national(session)
        click.echo(f"national and Florida help lines: {report.summary()}")
        if sample is None and is_empty(session):
            sample = True
        if sample:
            loaded, restored = load_sample(session, actor=cli_actor())
            click.echo(f"sample directory: {loaded.summary()}"
                       + (f"; {restored:,} retired sample listings restored" if restored else ""))
        state = sample_state(session)
    click.echo(f"sample directory: {state.summary()}")
    click.echo(f"search index: {index_dir(current_app.config)} ({catch_up()})")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@click.option("--workers", type=click.IntRange(min=1), envvar="KIOSK_WORKERS",
              help="gunicorn worker processes (default: cores + 1, at most 8).")
@click.option("--threads", type=click.IntRange(min=1), envvar="KIOSK_THREADS",
              help="Threads per worker (default: 4).")
@click.option("--dev", is_flag=True, help="Flask's development server with the reloader instead.")
@with_appcontext
def serve_command(host: str, port: int, workers: int | None, threads: int | None, dev: bool) -> None:
    """Serve the app over HTTP with gunicorn (run ``kiosk init`` first).

    Each worker creates its own app and follows the search index; logs are JSON lines on stderr.
    Without ``KIOSK_PUBLIC_BASE_URL`` it warns once that referral codes cannot link to a page.
    """
    import logging

    from kiosk import serving
    from kiosk.config import PublicBaseUrlError, public_base_url
    from kiosk.logs import configure_logging

    try:
        public = public_base_url(current_app.config)
    except PublicBaseUrlError as error:
        fail(error)
    if public is None:
        configure_logging()  # a JSON line on stderr, like every other line of the server's log
        logging.getLogger("kiosk.serve").warning(NO_PUBLIC_BASE_URL)

    if dev:
        from kiosk import create_app

        serving.run_dev(create_app(), host, port)  # the whole app (commands run in a lighter one)
        return
    serving.run_gunicorn(host, port, workers or serving.default_workers(), threads or serving.DEFAULT_THREADS)


@click.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--source", help="Name of the source (default: from the package or folder name).")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Write the import report (per-table counts, every skipped row) as JSON here.")
@click.option("--dry-run", is_flag=True, help="Read and check everything, then roll back.")
@click.option("--retire-sample", is_flag=True,
              help="Retire the fictional sample listings in the same transaction (the real "
                   "national and Florida help lines stay).")
@with_appcontext
def import_command(path: Path, source: str | None, report_path: Path | None, dry_run: bool,
                   retire_sample: bool) -> None:
    """Import an HSDS package: a folder of CSVs, a datapackage.json, or an HSDS JSON file.

    Everything is imported in one transaction: on a fatal error the database is left exactly
    as it was and the command exits with status 2. Listings that cannot be shown (no way to
    reach them, no category) are held for review in the workspace; the summary counts them.
    """
    from directory_data.hsds.importer import HSDSImportError
    from directory_data.sample import import_package

    from kiosk.cli.users import cli_actor

    try:
        with get_database().transaction(commit=not dry_run) as session:
            done = import_package(session, path, source=source, actor=cli_actor(),
                                  retire_sample_listings=retire_sample)
    except HSDSImportError as error:
        fail(error)
    report = done.report
    if report_path is not None:
        report_path.write_text(json.dumps(report.to_dict(), indent=2), encoding="utf-8")
    click.echo(("dry run, nothing saved: " if dry_run else "imported: ") + report.summary())
    if report.held_total:
        click.echo(f"held for review: {report.held_total:,} services are not shown until a caseworker "
                   f"fixes them (workspace: Listings, \"Held for review\")")
    if retire_sample:
        click.echo(f"sample directory: {done.sample_retired:,} sample listings "
                   + ("would be retired" if dry_run else "retired") + "; the real help lines stay")
    elif done.sample_live:
        click.echo(f"sample directory: {done.sample_live:,} fictional sample listings are still shown "
                   f"beside this data; import with --retire-sample (or run kiosk sample retire) to "
                   f"retire them in the same transaction")
    if not dry_run:
        started = time.perf_counter()
        applied = catch_up()
        click.echo(f"search index: {applied} ({time.perf_counter() - started:.1f} s)")


@click.command("export")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="json", show_default=True,
              help="json: one HSDS 3.0 service list file; csv: an HSDS 3.0 tabular data package folder.")
@with_appcontext
def export_command(path: Path, fmt: str) -> None:
    """Export the directory as HSDS 3.0 (JSON file or CSV data package)."""
    from directory_data.hsds.exporter import export_directory

    with get_database().session_factory() as session:
        written = export_directory(session, path, fmt)
    click.echo(f"exported {written} services to {path}")
