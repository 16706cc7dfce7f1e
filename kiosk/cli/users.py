"""``kiosk user add|disable|enable|reset-password NAME``: staff accounts from the command line.

Passwords are never taken from the command line: a hidden prompt (asked twice), or the first
line of standard input with ``--password-stdin``. Changes are recorded in the audit trail as made
by ``cli:<operating-system user>``.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from directory_data.accounts import AccountError, add_user, find_user, set_active, set_password
from directory_data.audit import set_actor
from directory_data.models import Role, User

from kiosk.cli import fail
from kiosk.db import get_database


@click.group("user")
def user_group() -> None:
    """Staff accounts: officers (patrol view), caseworkers (workspace), admins (accounts)."""


def cli_actor() -> str:
    """Who a command acts as in the audit trail: ``cli:<operating system user>``."""
    try:
        return f"cli:{getpass.getuser()}"[:80]
    except (KeyError, OSError):
        return "cli"


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


@contextmanager
def _accounts() -> Iterator[Session]:
    """The command's transaction, acting as :func:`cli_actor` (an :class:`AccountError` rolls it
    back and ends the command with status 2)."""
    try:
        with get_database().transaction() as session:
            set_actor(session, cli_actor())
            yield session
    except AccountError as error:
        fail(error)


@user_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.officer.value,
              show_default=True, help="What the account may do.")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from standard input (first line) instead of a prompt.")
@with_appcontext
def add_command(name: str, role: str, password_stdin: bool) -> None:
    """Create the account NAME (the password is never taken from the command line)."""
    password = _read_password(password_stdin)
    with _accounts() as session:
        user = add_user(session, name, password, Role(role))
        done = f"added {user.role.value} {user.name}"
    click.echo(done)


def _change(name: str, done: str, change: Callable[[Session, User], None]) -> None:
    with _accounts() as session:
        user = find_user(session, name)
        if user is None:
            fail(f"no account is called {name.strip().lower()!r}")
        change(session, user)
        done = f"{done} {user.name}"
    click.echo(done)


@user_group.command("disable")
@click.argument("name")
@with_appcontext
def disable_command(name: str) -> None:
    """Stop the account NAME from signing in; its open sessions end at their next request."""
    _change(name, "disabled", lambda session, user: set_active(session, user, False))


@user_group.command("enable")
@click.argument("name")
@with_appcontext
def enable_command(name: str) -> None:
    """Let a disabled account NAME sign in again."""
    _change(name, "enabled", lambda session, user: set_active(session, user, True))


@user_group.command("reset-password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True,
              help="Read the new password from standard input (first line) instead of a prompt.")
@with_appcontext
def reset_password_command(name: str, password_stdin: bool) -> None:
    """Give the account NAME a new password; its open sessions end."""
    _change(name, "new password for",
            lambda session, user: set_password(session, user, _read_password(password_stdin)))
