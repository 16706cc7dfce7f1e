"""The ``kiosk index`` commands: status, verify, update and rebuild of this host's search index."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import click
from flask import current_app
from flask.cli import with_appcontext

from kiosk.cli import fail
from kiosk.config import index_dir
from kiosk.db import get_database

# The search_index modules (and Whoosh) are imported inside the commands, so that the app and
# ``kiosk --help`` start without loading them.

if TYPE_CHECKING:
    from search_index.engine.layout import IndexLayout


def _layout() -> IndexLayout:
    from search_index.engine.layout import IndexLayout

    return IndexLayout(index_dir(current_app.config))


def _timezone() -> str:
    return str(current_app.config["TIMEZONE"])


@click.group("index")
def index_group() -> None:
    """Inspect and repair this host's search index (it is derived from the database)."""


@index_group.command("status")
@with_appcontext
def status_command() -> None:
    """Show the live index: generation, documents, size, journal position and backlog."""
    from search_index.engine.store import index_health
    from search_index.upkeep.sync import IndexSync, read_cursor

    layout = _layout()
    problem = index_health(layout)
    click.echo(f"index directory: {layout.root}")
    if problem is not None:
        click.echo(f"no usable index: {problem}")
        sys.exit(1)
    sync = IndexSync(layout, get_database().session_factory, timezone=_timezone())
    generation, ix = sync.live()
    backlog = sync.pending(limit=100_000).entries
    click.echo(f"generation: {generation.name}")
    click.echo(f"documents: {ix.doc_count()}")
    click.echo(f"size: {layout.size_bytes() / 1e6:.1f} MB")
    click.echo(f"journal position: {read_cursor(generation).position}")
    click.echo(f"journal entries not applied yet: {len(backlog)}{'+' if len(backlog) >= 100_000 else ''}")


@index_group.command("verify")
@click.option("--json", "as_json", is_flag=True, help="Print the drift report as JSON.")
@with_appcontext
def verify_command(as_json: bool) -> None:
    """Compare the index with the database; exit 1 on drift (2 when there is no index).

    Reports services missing from the index, documents that should not be there, documents
    whose content differs from the database (stale), and duplicated documents.
    """
    from search_index.upkeep.drift import find_drift
    from search_index.engine.store import IndexUnavailable

    layout = _layout()
    try:
        report = find_drift(layout, get_database().session_factory, timezone=_timezone())
    except IndexUnavailable as error:
        click.echo(f"no usable index: {error}", err=True)
        sys.exit(2)
    click.echo(json.dumps(report.to_dict(), indent=2) if as_json else report.summary())
    if not report.clean:
        sys.exit(1)


@index_group.command("update")
@with_appcontext
def update_command() -> None:
    """Apply the journal, then repair any drift left (builds the index if there is none)."""
    from search_index.upkeep.drift import find_drift, repair_drift
    from search_index.upkeep.follower import bring_up_to_date

    layout, factory, timezone = _layout(), get_database().session_factory, _timezone()
    click.echo(bring_up_to_date(layout, factory, timezone=timezone))
    report = find_drift(layout, factory, timezone=timezone)
    if report.clean:
        click.echo("no drift")
        return
    written, removed = repair_drift(layout, factory, report, timezone=timezone)
    click.echo(f"repaired drift: {written} documents written, {removed} removed")
    after = find_drift(layout, factory, timezone=timezone)
    if not after.clean:  # changes committed while repairing; the journal brings them in
        click.echo(after.summary())


@index_group.command("rebuild")
@click.option("--processes", type=click.IntRange(1, 64), help="Writer processes (default: one per CPU for large directories).")
@with_appcontext
def rebuild_command(processes: int | None) -> None:
    """Rebuild the index from the database into a new directory and swap it in atomically.

    Searches keep being answered from the old index until the swap.
    """
    from search_index.engine.locking import LockTimeout
    from search_index.upkeep.rebuild import rebuild_index

    try:
        report = rebuild_index(_layout(), get_database().session_factory, processes=processes,
                               timezone=_timezone(), lock_timeout=5.0)
    except LockTimeout as error:
        fail(error)
    assert report is not None
    click.echo(report.summary())
