"""location retired_at: when a caseworker retired a place, backfilled from the audit trail

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22

Until now a location was retired while its newest ``retire``/``restore`` audit entry was a
``retire``. The upgrade gives each such location that entry's time as ``retired_at``; every
other location stays ``NULL`` (in use). The retire and restore use-cases still write those
audit entries, so the downgrade drops the column without losing which places are retired.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

#: The id of the newest retire/restore audit entry of the location being updated.
_NEWEST = """(SELECT max(a.seq) FROM audit_entry AS a
              WHERE a.resource_type = 'location' AND a.resource_id = location.id
                AND a.last_action_type IN ('retire', 'restore'))"""

#: Both columns are ``DateTime(timezone=True)``: the value is copied as stored, on every dialect.
BACKFILL = f"""
UPDATE location
   SET retired_at = (SELECT entry.last_action_date FROM audit_entry AS entry
                      WHERE entry.seq = {_NEWEST})
 WHERE (SELECT entry.last_action_type FROM audit_entry AS entry
         WHERE entry.seq = {_NEWEST}) = 'retire'
"""


def upgrade() -> None:
    with op.batch_alter_table('location') as batch:
        batch.add_column(sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True))
        batch.create_index(batch.f('ix_location_retired_at'), ['retired_at'], unique=False)
    op.execute(sa.text(BACKFILL))


def downgrade() -> None:
    with op.batch_alter_table('location') as batch:
        batch.drop_index(batch.f('ix_location_retired_at'))
        batch.drop_column('retired_at')
