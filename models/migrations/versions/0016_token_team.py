"""API tokens scoped to teams: a token given teams sees only their agents' calls, as a
supervisor given them does (a new table only: existing tokens keep seeing every call)

Revision ID: 0016_token_team
Revises: 0015_qa_program
Create Date: 2026-12-02 10:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0016_token_team'
down_revision = '0015_qa_program'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('api_token_teams',
    sa.Column('token_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_api_token_teams_team_id_teams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['token_id'], ['api_tokens.id'], name=op.f('fk_api_token_teams_token_id_api_tokens'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token_id', 'team_id', name=op.f('pk_api_token_teams'))
    )
    with op.batch_alter_table('api_token_teams', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_token_teams_team_id'), ['team_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('api_token_teams', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_token_teams_team_id'))

    op.drop_table('api_token_teams')
