"""item_overrides.decided_by_listening: decisions taken in the "To review" queue, and the
index that finds the items still in review

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 06:30:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
# Written beside another branch's 0007; once both are merged this becomes '0007'.
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing overrides were all made on the call page: not by listening.
    with op.batch_alter_table('item_overrides', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decided_by_listening', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table('item_results', schema=None) as batch_op:
        batch_op.create_index('ix_item_results_effective_call', ['effective_verdict', 'call_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('item_results', schema=None) as batch_op:
        batch_op.drop_index('ix_item_results_effective_call')
    with op.batch_alter_table('item_overrides', schema=None) as batch_op:
        batch_op.drop_column('decided_by_listening')
