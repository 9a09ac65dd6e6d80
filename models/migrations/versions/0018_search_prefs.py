"""When each user last signed in (shown to admins)

Revision ID: 0018_search_prefs
Revises: 0016_token_team
Create Date: 2026-12-02 10:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0018_search_prefs'
down_revision = '0016_token_team'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('last_login_at')
