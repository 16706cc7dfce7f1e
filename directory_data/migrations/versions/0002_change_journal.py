"""change journal

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('change_journal',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('service_id', sa.String(length=36), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_change_journal'))
    )
    with op.batch_alter_table('change_journal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_change_journal_changed_at'), ['changed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_change_journal_service_id'), ['service_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('change_journal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_change_journal_service_id'))
        batch_op.drop_index(batch_op.f('ix_change_journal_changed_at'))

    op.drop_table('change_journal')
