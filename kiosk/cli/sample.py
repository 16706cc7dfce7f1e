"""The ``kiosk sample`` commands: the fictional sample directory's status, loading it on request,
and retiring it (see :mod:`directory_data.sample`)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from kiosk.cli import catch_up
from kiosk.cli.users import cli_actor
from kiosk.db import get_database


@click.group("sample")
def sample_group() -> None:
    """The fictional sample directory: status, load on request, retire.

    The real national and Florida help lines are not part of it and are never retired.
    """


@sample_group.command("status")
@with_appcontext
def status_command() -> None:
    """How many sample listings are shown and retired."""
    from directory_data.sample import sample_state

    with get_database().session_factory() as session:
        state = sample_state(session)
    click.echo(f"sample directory: {state.summary()}")


@sample_group.command("load")
@with_appcontext
def load_command() -> None:
    """Load the sample directory, or bring a retired one back (whatever else the directory holds)."""
    from directory_data.sample import load_sample

    with get_database().transaction() as session:
        report, restored = load_sample(session, actor=cli_actor())
    click.echo(f"sample directory: {report.summary()}; {restored:,} retired sample listings restored")
    click.echo(f"search index: {catch_up()}")


@sample_group.command("retire")
@with_appcontext
def retire_command() -> None:
    """Retire every sample listing, and the sample's organizations and places (the workspace can
    restore them one by one; kiosk sample load brings them all back)."""
    from directory_data.sample import retire_sample

    with get_database().transaction() as session:
        retired = retire_sample(session, actor=cli_actor())
    click.echo(f"sample directory: {retired:,} sample listings retired" if retired
               else "sample directory: no sample listing is shown; nothing to retire")
    if retired:
        click.echo(f"search index: {catch_up()}")
