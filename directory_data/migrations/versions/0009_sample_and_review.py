"""the sample directory apart from the real lines, and listings held for review

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07

* ``service.review_reasons``: why a listing is held for review instead of shown (``None``:
  published). Every listing of an earlier release stays published; the publication rules
  (``directory_data.publication``) apply from its next import or save.
* The curated directory was kept under one source, ``seminole-sample``, real lines and fictional
  listings alike. Its records are relabelled: the real national and Florida lines (organizations
  whose description does not end with the sample sentence, and everything of theirs) get the
  source ``national``, the fictional listings ``sample``, and the taxonomy terms ``airs-211`` with
  their code as source id (how ``kiosk init`` loads them from now on). Ids do not change.

The downgrade drops the column and puts the curated records back under ``seminole-sample``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

LEGACY = 'seminole-sample'
SAMPLE = 'sample'
NATIONAL = 'national'
TAXONOMY = 'airs-211'
#: The sentence every fictional organization's description ends with (as the releases wrote it).
SAMPLE_SENTENCE = 'Fictional sample listing for demonstration.'

#: Tables whose rows belong to an owner row, and the owner links to follow, in order.
OWNED: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ('location', (('organization_id', 'organization'),)),
    ('service', (('organization_id', 'organization'),)),
    ('service_at_location', (('service_id', 'service'),)),
    ('phone', (('service_id', 'service'), ('location_id', 'location'), ('organization_id', 'organization'))),
    ('schedule', (('service_id', 'service'), ('location_id', 'location'))),
    ('language', (('service_id', 'service'), ('location_id', 'location'))),
    ('cost_option', (('service_id', 'service'),)),
    ('address', (('location_id', 'location'),)),
    ('accessibility', (('location_id', 'location'),)),
)


def _relabel(connection: sa.Connection) -> None:
    connection.execute(sa.text(
        "UPDATE organization SET source = :national WHERE source = :legacy "
        "AND (description IS NULL OR substr(description, length(description) - :n + 1) <> :sentence)"),
        {'national': NATIONAL, 'legacy': LEGACY, 'n': len(SAMPLE_SENTENCE), 'sentence': SAMPLE_SENTENCE})
    for table, owners in OWNED:
        for column, owner in owners:
            connection.execute(sa.text(
                f"UPDATE {table} SET source = :national WHERE source = :legacy AND {column} IN "
                f"(SELECT id FROM {owner} WHERE source = :national)"),
                {'national': NATIONAL, 'legacy': LEGACY})
    for table in ('organization', *(t for t, _ in OWNED)):
        connection.execute(sa.text(f"UPDATE {table} SET source = :sample WHERE source = :legacy"),
                           {'sample': SAMPLE, 'legacy': LEGACY})
    connection.execute(sa.text(
        "UPDATE taxonomy_term SET source = :taxonomy, source_id = code WHERE source = :legacy "
        "AND code IS NOT NULL AND code <> ''"), {'taxonomy': TAXONOMY, 'legacy': LEGACY})


def _relabel_back(connection: sa.Connection) -> None:
    for table in ('organization', *(t for t, _ in OWNED)):
        connection.execute(sa.text(f"UPDATE {table} SET source = :legacy WHERE source IN (:sample, :national)"),
                           {'legacy': LEGACY, 'sample': SAMPLE, 'national': NATIONAL})
    connection.execute(sa.text("UPDATE taxonomy_term SET source = :legacy, source_id = id WHERE source = :taxonomy"),
                       {'legacy': LEGACY, 'taxonomy': TAXONOMY})


def upgrade() -> None:
    with op.batch_alter_table('service') as batch:
        batch.add_column(sa.Column('review_reasons', sa.String(length=100), nullable=True))
    _relabel(op.get_bind())


def downgrade() -> None:
    _relabel_back(op.get_bind())
    with op.batch_alter_table('service') as batch:
        batch.drop_column('review_reasons')
