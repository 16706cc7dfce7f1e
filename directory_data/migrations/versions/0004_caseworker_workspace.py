"""caseworker workspace: audit trail, problem reports, retirement, verifier, search station

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22

The audit trail (one row per changed field, HSDS ``metadata`` shape), problem reports about
listings, when an organization or a service was retired, which account verified a service last,
and the station a search was made at (for the gap report per station).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_entry',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('listing_id', sa.String(length=36), nullable=True),
    sa.Column('resource_type', sa.String(length=40), nullable=False),
    sa.Column('resource_id', sa.String(length=60), nullable=False),
    sa.Column('last_action_date', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_action_type', sa.String(length=20), nullable=False),
    sa.Column('field_name', sa.String(length=80), nullable=False),
    sa.Column('previous_value', sa.Text(), nullable=False),
    sa.Column('replacement_value', sa.Text(), nullable=False),
    sa.Column('updated_by', sa.String(length=80), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_audit_entry')),
    sa.UniqueConstraint('id', name=op.f('uq_audit_entry_id'))
    )
    op.create_index(op.f('ix_audit_entry_listing_id'), 'audit_entry', ['listing_id'], unique=False)
    op.create_index(op.f('ix_audit_entry_last_action_date'), 'audit_entry', ['last_action_date'], unique=False)
    op.create_table('problem_report',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('listing_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.Enum('phone-wrong', 'address-wrong', 'hours-wrong', 'closed', 'other', name='problemkind', native_enum=False, length=20), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.Column('surface', sa.String(length=20), nullable=False),
    sa.Column('reported_on', sa.Date(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_by', sa.String(length=80), nullable=True),
    sa.ForeignKeyConstraint(['listing_id'], ['service.id'], name=op.f('fk_problem_report_listing_id_service'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_problem_report'))
    )
    op.create_index(op.f('ix_problem_report_listing_id'), 'problem_report', ['listing_id'], unique=False)
    op.create_index(op.f('ix_problem_report_reported_on'), 'problem_report', ['reported_on'], unique=False)
    with op.batch_alter_table('service') as batch:
        batch.add_column(sa.Column('assured_by', sa.String(length=80), nullable=True))
        batch.add_column(sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('organization') as batch:
        batch.add_column(sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('search_count', recreate='always') as batch:
        batch.add_column(sa.Column('station', sa.String(length=80), nullable=False, server_default=''))
        batch.drop_constraint('pk_search_count', type_='primary')
        batch.create_primary_key('pk_search_count', ['day', 'category', 'station'])


def downgrade() -> None:
    with op.batch_alter_table('search_count', recreate='always') as batch:
        batch.drop_constraint('pk_search_count', type_='primary')
        batch.drop_column('station')
        batch.create_primary_key('pk_search_count', ['day', 'category'])
    with op.batch_alter_table('organization') as batch:
        batch.drop_column('retired_at')
    with op.batch_alter_table('service') as batch:
        batch.drop_column('retired_at')
        batch.drop_column('assured_by')
    op.drop_index(op.f('ix_problem_report_reported_on'), table_name='problem_report')
    op.drop_index(op.f('ix_problem_report_listing_id'), table_name='problem_report')
    op.drop_table('problem_report')
    op.drop_index(op.f('ix_audit_entry_last_action_date'), table_name='audit_entry')
    op.drop_index(op.f('ix_audit_entry_listing_id'), table_name='audit_entry')
    op.drop_table('audit_entry')
