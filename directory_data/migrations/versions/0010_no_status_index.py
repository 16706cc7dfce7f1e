"""drop the index on service.status

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07

A status holds most of the directory, so the index never narrowed a query; worse, SQLite's
planner (which has no statistics unless ``ANALYZE`` ran) preferred it to the primary key for
"these services, if they are listed", scanning every active service to load one page of cards:
5 ms instead of 0.3 ms per table at 10,000 services (``bench/search.py --http``).
"""

from __future__ import annotations

from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_status'))


def downgrade() -> None:
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_status'), ['status'], unique=False)
