"""The ``kiosk`` command line: serve, init, import/export, index upkeep, users, backups, referrals."""

from __future__ import annotations

import sys
from typing import NoReturn

import click


def fail(message: object) -> NoReturn:
    """Say what went wrong on stderr, without a traceback, and exit with status 2."""
    click.echo(f"error: {message}", err=True)
    sys.exit(2)
