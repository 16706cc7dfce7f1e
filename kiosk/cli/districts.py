"""``kiosk districts load FILE``: load district boundaries (GeoJSON) and assign every place to
its district; ``kiosk districts list``: the loaded districts and how many places each holds
(see :mod:`directory_data.districts`)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from kiosk.cli import fail
from kiosk.db import get_database


@click.group("districts")
def districts_group() -> None:
    """District boundaries: load them, list them."""


@districts_group.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def load_command(path: Path) -> None:
    """Replace the districts with the Polygon and MultiPolygon features of the GeoJSON file PATH
    (each named by a code property: code, district, id or name) and reassign every place."""
    from directory_data.districts import BoundaryError, load_districts, parse_boundaries

    try:
        boundaries = parse_boundaries(path.read_bytes())
    except BoundaryError as error:
        fail("; ".join(error.problems))
    with get_database().transaction() as session:
        report = load_districts(session, boundaries)
    click.echo(report.summary())


@districts_group.command("list")
@with_appcontext
def list_command() -> None:
    """The loaded districts and how many places each holds."""
    from directory_data.districts import districts, place_counts

    with get_database().session_factory() as session:
        counts = place_counts(session)
        for district in districts(session):
            click.echo(f"{district.code}\t{district.name}\t{counts.get(district.code, 0)} places")
        click.echo(f"outside\t\t{counts.get('outside', 0)} places")
