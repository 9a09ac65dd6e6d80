"""workers_seen: when each processing worker last polled, so the UI can say that none runs

Revision ID: 0014_hardening
Revises: 0010
Create Date: 2026-12-02 09:40:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0014_hardening'
down_revision = '0013_surveys_api'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'workers_seen',
        sa.Column('worker', sa.String(length=200), nullable=False),
        sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('worker', name=op.f('pk_workers_seen')),
    )
    op.create_index(op.f('ix_workers_seen_seen_at'), 'workers_seen', ['seen_at'])


def downgrade() -> None:
    op.drop_index(op.f('ix_workers_seen_seen_at'), table_name='workers_seen')
    op.drop_table('workers_seen')
