"""unmet need count: searches for a need the directory has no services for

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07

One row per day, category of need (``food``, ``legal`` ...) and station, counting the searches
whose need no listing serves (the search said it was out of scope and handed off to 211). Like
``search_count``, an aggregate from the moment it is written: nothing identifies a person, and the
words typed are not kept.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('unmet_need_count',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('need_category', sa.String(length=40), nullable=False),
    sa.Column('station', sa.String(length=80), server_default='', nullable=False),
    sa.Column('searches', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'need_category', 'station', name=op.f('pk_unmet_need_count'))
    )


def downgrade() -> None:
    op.drop_table('unmet_need_count')
