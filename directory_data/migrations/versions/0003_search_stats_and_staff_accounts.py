"""search stats and staff accounts

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22

Aggregate search counts (per day and category; zero-result terms per day) with nothing that
identifies a person, and the staff accounts of the officer login.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('search_count',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('category', sa.String(length=64), nullable=False),
    sa.Column('searches', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'category', name=op.f('pk_search_count'))
    )
    op.create_table('user_account',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('role', sa.Enum('officer', 'caseworker', 'admin', name='role', native_enum=False, length=20), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
    sa.UniqueConstraint('name', name=op.f('uq_user_account_name'))
    )
    op.create_table('zero_result_term',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('term', sa.String(length=80), nullable=False),
    sa.Column('searches', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'term', name=op.f('pk_zero_result_term'))
    )


def downgrade() -> None:
    op.drop_table('zero_result_term')
    op.drop_table('user_account')
    op.drop_table('search_count')
