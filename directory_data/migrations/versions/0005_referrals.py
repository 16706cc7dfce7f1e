"""referrals: the referral a resident takes away, and weekly referral counts

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22

``referral`` holds a referral until it expires (no IP address, user agent or session);
``referral_count`` keeps weekly aggregates per category, station, district and surface, with no
link to any referral.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('referral',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.Column('service_ids', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('lang', sa.String(length=8), nullable=False),
    sa.Column('mode', sa.String(length=10), nullable=False),
    sa.Column('qr_mode', sa.String(length=10), nullable=False),
    sa.Column('discreet', sa.Boolean(), nullable=False),
    sa.Column('surface', sa.String(length=10), nullable=False),
    sa.Column('station', sa.String(length=80), nullable=False),
    sa.Column('district', sa.String(length=80), nullable=False),
    sa.Column('qr_payload', sa.Text(), nullable=False),
    sa.Column('qr_svg', sa.Text(), nullable=False),
    sa.Column('qr_png', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral')),
    sa.UniqueConstraint('token', name=op.f('uq_referral_token'))
    )
    op.create_index(op.f('ix_referral_expires_at'), 'referral', ['expires_at'], unique=False)
    op.create_table('referral_count',
    sa.Column('week', sa.Date(), nullable=False),
    sa.Column('category', sa.String(length=64), nullable=False),
    sa.Column('station', sa.String(length=80), nullable=False),
    sa.Column('district', sa.String(length=80), nullable=False),
    sa.Column('surface', sa.String(length=10), nullable=False),
    sa.Column('referrals', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('week', 'category', 'station', 'district', 'surface',
                            name=op.f('pk_referral_count'))
    )


def downgrade() -> None:
    op.drop_table('referral_count')
    op.drop_index(op.f('ix_referral_expires_at'), table_name='referral')
    op.drop_table('referral')
