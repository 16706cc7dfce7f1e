"""The ``kiosk`` command line: serve, init, import/export, index upkeep, users, backups, referrals."""

from __future__ import annotations

import sys
from typing import NoReturn

import click


def fail(message: object) -> NoReturn:
    """Say what went wrong on stderr, without a traceback (of a database that does not answer,
    only why: :func:`kiosk.unavailable.reason`), and exit with status 2."""
    from sqlalchemy.exc import OperationalError

    if isinstance(message, OperationalError):
        from kiosk.unavailable import reason

        message = f"the database does not answer ({reason(message)})"
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


def catch_up() -> str:
    """Bring this host's search index up to date with the database; what was done, in words."""
    from flask import current_app

    from kiosk.config import index_dir
    from kiosk.db import get_database
    from kiosk.search import catch_up_index

    return catch_up_index(get_database().session_factory, index_dir(current_app.config))
