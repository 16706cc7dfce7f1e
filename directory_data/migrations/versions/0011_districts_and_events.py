"""districts, the district of each location, outreach events; unmet needs per district

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07

* ``district``: the boundaries a department loads (GeoJSON, with their bounding box).
* ``location_district``: the district each location lies in (``outside`` when in none), kept by
  ``directory_data.districts``; filled when boundaries are loaded.
* ``outreach_event``: events where residents meet their officers, in English and Spanish.
* ``unmet_need_count.district``: the district of the kiosk or patrol view that counted the search
  (part of the key; earlier rows get ``""``, not known).

The downgrade drops the three tables, and the rows of ``unmet_need_count`` counted in a district
(their key would collide without the column), then the column.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('district',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('geometry', sa.JSON(), nullable=False),
    sa.Column('min_latitude', sa.Float(), nullable=False),
    sa.Column('min_longitude', sa.Float(), nullable=False),
    sa.Column('max_latitude', sa.Float(), nullable=False),
    sa.Column('max_longitude', sa.Float(), nullable=False),
    sa.Column('loaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_district'))
    )
    op.create_table('location_district',
    sa.Column('location_id', sa.String(length=36), nullable=False),
    sa.Column('district_code', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_location_district_location_id_location'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('location_id', name=op.f('pk_location_district'))
    )
    op.create_index(op.f('ix_location_district_district_code'), 'location_district', ['district_code'], unique=False)
    op.create_table('outreach_event',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('district_code', sa.String(length=40), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('title_es', sa.String(length=200), nullable=False),
    sa.Column('description_en', sa.Text(), nullable=False),
    sa.Column('description_es', sa.Text(), nullable=False),
    sa.Column('place', sa.String(length=300), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outreach_event'))
    )
    op.create_index(op.f('ix_outreach_event_district_code'), 'outreach_event', ['district_code'], unique=False)
    op.create_index(op.f('ix_outreach_event_starts_at'), 'outreach_event', ['starts_at'], unique=False)
    op.create_index(op.f('ix_outreach_event_ends_at'), 'outreach_event', ['ends_at'], unique=False)
    with op.batch_alter_table('unmet_need_count', recreate='always') as batch:
        batch.add_column(sa.Column('district', sa.String(length=40), server_default='', nullable=False))
        batch.drop_constraint('pk_unmet_need_count', type_='primary')
        batch.create_primary_key('pk_unmet_need_count', ['day', 'need_category', 'station', 'district'])


def downgrade() -> None:
    op.execute("DELETE FROM unmet_need_count WHERE district <> ''")
    with op.batch_alter_table('unmet_need_count', recreate='always') as batch:
        batch.drop_constraint('pk_unmet_need_count', type_='primary')
        batch.drop_column('district')
        batch.create_primary_key('pk_unmet_need_count', ['day', 'need_category', 'station'])
    op.drop_index(op.f('ix_outreach_event_ends_at'), table_name='outreach_event')
    op.drop_index(op.f('ix_outreach_event_starts_at'), table_name='outreach_event')
    op.drop_index(op.f('ix_outreach_event_district_code'), table_name='outreach_event')
    op.drop_table('outreach_event')
    op.drop_index(op.f('ix_location_district_district_code'), table_name='location_district')
    op.drop_table('location_district')
    op.drop_table('district')
