"""calls.error_msgid, calls.error_params: a processing error as a message id and parameters,
so the web shows it in the reader's language; calls.error keeps the English text

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 06:30:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('error_msgid', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('error_params', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_column('error_params')
        batch_op.drop_column('error_msgid')
