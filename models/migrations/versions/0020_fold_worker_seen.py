"""workers_seen goes: the "no worker runs" notice reads the workers table, which every worker
process (embedded, pooled or Celery) refreshes each heartbeat, instead of a second table
that only the polling worker wrote

Revision ID: 0020_fold_worker_seen
Revises: 0019_saved_filters
Create Date: 2026-12-02 12:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0020_fold_worker_seen'
down_revision = '0019_saved_filters'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index(op.f('ix_workers_seen_seen_at'), table_name='workers_seen')
    op.drop_table('workers_seen')


def downgrade() -> None:
    op.create_table(
        'workers_seen',
        sa.Column('worker', sa.String(length=200), nullable=False),
        sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('worker', name=op.f('pk_workers_seen')),
    )
    op.create_index(op.f('ix_workers_seen_seen_at'), 'workers_seen', ['seen_at'])
