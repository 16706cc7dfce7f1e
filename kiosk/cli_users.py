"""``kiosk user add NAME --role officer --password-stdin``: staff accounts from the command line."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import with_appcontext

from directory_data.accounts import AccountError, add_user
from directory_data.models import Role

from .db import get_database


@click.group("user")
def user_group() -> None:
    """Staff accounts (officers for the patrol view)."""


@user_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.officer.value,
              show_default=True, help="What the account may do.")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from standard input (first line) instead of a prompt.")
@with_appcontext
def add_command(name: str, role: str, password_stdin: bool) -> None:
    """Create the account NAME (the password is never taken from the command line)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with get_database().session_factory() as session:
        try:
            user = add_user(session, name, password, Role(role))
            session.commit()
        except AccountError as error:
            session.rollback()
            click.echo(f"error: {error}", err=True)
            sys.exit(2)
        click.echo(f"added {user.role.value} {user.name}")


def init_app(app: Flask) -> None:
    """Register ``kiosk user`` on ``app``."""
    app.cli.add_command(user_group)
