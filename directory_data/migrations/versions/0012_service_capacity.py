"""service capacities (HSDS 3.1 ``service_capacity`` and ``unit``) and providers' update links

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07

* ``unit``: what a capacity counts ("family beds"), with a Spanish name.
* ``service_capacity``: how many of a unit a service has free, its maximum, and as of when.
* ``availability_link``: a provider's private link to update one service's capacities (only the
  SHA-256 of its token), revocable.

The downgrade drops the three tables.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'unit',
        sa.Column('id', sa.String(36), nullable=False),
        sa.Column('source', sa.String(100), nullable=False),
        sa.Column('source_id', sa.String(200), nullable=False),
        sa.Column('name', sa.String(200), nullable=False),
        sa.Column('name_es', sa.String(200), nullable=True),
        sa.Column('scheme', sa.String(200), nullable=True),
        sa.Column('identifier', sa.String(200), nullable=True),
        sa.Column('uri', sa.String(500), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_unit')),
    )
    op.create_index(op.f('ix_unit_source'), 'unit', ['source'])
    op.create_table(
        'service_capacity',
        sa.Column('id', sa.String(36), nullable=False),
        sa.Column('source', sa.String(100), nullable=False),
        sa.Column('source_id', sa.String(200), nullable=False),
        sa.Column('service_id', sa.String(36), nullable=False),
        sa.Column('unit_id', sa.String(36), nullable=False),
        sa.Column('available', sa.Integer(), nullable=False),
        sa.Column('maximum', sa.Integer(), nullable=True),
        sa.Column('description', sa.Text(), nullable=True),
        sa.Column('updated', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['service_id'], ['service.id'], ondelete='CASCADE',
                                name=op.f('fk_service_capacity_service_id_service')),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_service_capacity_unit_id_unit')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_service_capacity')),
    )
    op.create_index(op.f('ix_service_capacity_source'), 'service_capacity', ['source'])
    op.create_index(op.f('ix_service_capacity_service_id'), 'service_capacity', ['service_id'])
    op.create_index(op.f('ix_service_capacity_unit_id'), 'service_capacity', ['unit_id'])
    op.create_table(
        'availability_link',
        sa.Column('id', sa.String(36), nullable=False),
        sa.Column('service_id', sa.String(36), nullable=False),
        sa.Column('token_hash', sa.String(64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by', sa.String(80), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_by', sa.String(80), nullable=True),
        sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['service_id'], ['service.id'], ondelete='CASCADE',
                                name=op.f('fk_availability_link_service_id_service')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_availability_link')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_availability_link_token_hash')),
    )
    op.create_index(op.f('ix_availability_link_service_id'), 'availability_link', ['service_id'])


def downgrade() -> None:
    op.drop_table('availability_link')
    op.drop_table('service_capacity')
    op.drop_table('unit')
