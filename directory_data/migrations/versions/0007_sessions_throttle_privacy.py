"""server-side staff sessions, shared throttle counts, referral times to the hour, need-word terms

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07

* ``staff_session``: one row per signed-in staff session (the SHA-256 of its token, the account,
  when it began); a request is signed in only while its row exists.
* ``throttle_event``: recent sign-in attempts and anonymous writes, keyed by hashes of the
  account name and the address, counted by every worker and host.
* Stored referral times are cut to the hour (``created_at`` down, ``expires_at`` up), as new
  referrals are stored from now on.
* Zero-result terms stored before this release that are not made of need words (the rule of
  ``directory_data.search_terms`` as this release ships it: names, streets, numbers ...) are
  added to the day's ``(withheld)`` count and deleted.

The downgrade drops the two tables; the times and terms stay as they were made (the finer
values are gone).
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

_referral = sa.table('referral', sa.column('id', sa.String), sa.column('created_at', sa.DateTime(timezone=True)),
                     sa.column('expires_at', sa.DateTime(timezone=True)))
_term = sa.table('zero_result_term', sa.column('day', sa.Date), sa.column('term', sa.String),
                 sa.column('searches', sa.Integer))


def _hour(moment: dt.datetime | str | None, *, up: bool) -> dt.datetime | None:
    if moment is None:
        return None
    if isinstance(moment, str):  # SQLite without type information
        moment = dt.datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    hour = moment.replace(minute=0, second=0, microsecond=0)
    return hour + dt.timedelta(hours=1) if up and hour != moment else hour


def _referral_times(connection: sa.Connection) -> None:
    rows = connection.execute(sa.select(_referral.c.id, _referral.c.created_at, _referral.c.expires_at)).all()
    for referral_id, created, expires in rows:
        new = (_hour(created, up=False), _hour(expires, up=True))
        if new != (created, expires):
            connection.execute(_referral.update().where(_referral.c.id == referral_id)
                               .values(created_at=new[0], expires_at=new[1]))


def _terms(connection: sa.Connection) -> None:
    from directory_data.search_terms import WITHHELD_TERM, is_need_term

    withheld: dict[dt.date, int] = {}
    for day, term, searches in connection.execute(sa.select(_term.c.day, _term.c.term, _term.c.searches)).all():
        if term != WITHHELD_TERM and not is_need_term(term):
            withheld[day] = withheld.get(day, 0) + int(searches)
            connection.execute(_term.delete().where(_term.c.day == day, _term.c.term == term))
    for day, searches in withheld.items():
        updated = connection.execute(_term.update().where(_term.c.day == day, _term.c.term == WITHHELD_TERM)
                                     .values(searches=_term.c.searches + searches))
        if not updated.rowcount:
            connection.execute(_term.insert().values(day=day, term=WITHHELD_TERM, searches=searches))


def upgrade() -> None:
    op.create_table('staff_session',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                            name=op.f('fk_staff_session_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_staff_session'))
    )
    op.create_index(op.f('ix_staff_session_created_at'), 'staff_session', ['created_at'], unique=False)
    op.create_index(op.f('ix_staff_session_user_id'), 'staff_session', ['user_id'], unique=False)
    op.create_table('throttle_event',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('account_hash', sa.String(length=32), nullable=False),
    sa.Column('address_hash', sa.String(length=32), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_throttle_event'))
    )
    op.create_index('ix_throttle_event_scope_account', 'throttle_event', ['scope', 'account_hash', 'at'],
                    unique=False)
    op.create_index('ix_throttle_event_scope_address', 'throttle_event', ['scope', 'address_hash', 'at'],
                    unique=False)
    op.create_index('ix_throttle_event_scope_at', 'throttle_event', ['scope', 'at'], unique=False)
    connection = op.get_bind()
    _referral_times(connection)
    _terms(connection)


def downgrade() -> None:
    op.drop_index('ix_throttle_event_scope_at', table_name='throttle_event')
    op.drop_index('ix_throttle_event_scope_address', table_name='throttle_event')
    op.drop_index('ix_throttle_event_scope_account', table_name='throttle_event')
    op.drop_table('throttle_event')
    op.drop_index(op.f('ix_staff_session_user_id'), table_name='staff_session')
    op.drop_index(op.f('ix_staff_session_created_at'), table_name='staff_session')
    op.drop_table('staff_session')
