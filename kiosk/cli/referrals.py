"""``kiosk purge``: delete every referral past its expiry (the weekly counts are kept).

Referrals are also purged on their own, at most once an hour per process, when one is made
(:func:`directory_data.referrals.purge_now_and_then`); the command is for a daily timer.
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from directory_data.models import utcnow
from directory_data.referrals import purge_expired

from kiosk.db import get_database


@click.command("purge")
@with_appcontext
def purge_command() -> None:
    """Delete the referrals past their expiry date (aggregate counts stay)."""
    with get_database().transaction() as session:
        removed = purge_expired(session, utcnow())
    click.echo(f"expired referrals purged: {removed}")
