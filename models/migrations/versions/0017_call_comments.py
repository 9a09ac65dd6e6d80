"""Comments pinned to a moment of a call: a supervisor's note at m:ss, which the call's agent
sees with the call (a new table only)

Revision ID: 0017_call_comments
Revises: 0016_token_team
Create Date: 2026-12-02 10:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0017_call_comments'
down_revision = '0016_token_team'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('call_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('at_s', sa.Float(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_call_comments_author_id_users')),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_call_comments_call_id_calls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_comments'))
    )
    with op.batch_alter_table('call_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_comments_call_id'), ['call_id'], unique=False)

def downgrade() -> None:
    with op.batch_alter_table('call_comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_comments_call_id'))

    op.drop_table('call_comments')
