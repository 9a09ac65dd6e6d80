"""Celery: the claiming task and enqueue time of each call, its worker; the workers table

Revision ID: 0011_celery_workers
Revises: 0010
Create Date: 2026-12-02 09:30:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0011_celery_workers'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claim_task', sa.String(length=155), nullable=True))
        batch_op.add_column(sa.Column('enqueued_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('worker', sa.String(length=200), nullable=True))
    op.create_table('workers',
    sa.Column('id', sa.String(length=200), nullable=False),
    sa.Column('host', sa.String(length=200), nullable=False),
    sa.Column('pid', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('engine', sa.String(length=300), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('stopped_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deliveries', sa.Integer(), nullable=False),
    sa.Column('calls_done', sa.Integer(), nullable=False),
    sa.Column('current_call_id', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workers'))
    )
    with op.batch_alter_table('workers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workers_last_seen_at'), ['last_seen_at'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('workers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workers_last_seen_at'))
    op.drop_table('workers')
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_column('worker')
        batch_op.drop_column('enqueued_at')
        batch_op.drop_column('claim_task')
