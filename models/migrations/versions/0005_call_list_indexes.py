"""Call list indexes: filters read in started_at order, sorts by duration and score, failed items

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 13:10:00.000000
"""
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Agent and queue gain started_at: the list, newest first, walks one index range.
    # The wider indexes still serve the foreign keys, so the single-column ones go.
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.create_index('ix_calls_agent_started', ['agent_id', 'started_at'], unique=False)
        batch_op.create_index('ix_calls_queue_started', ['queue_id', 'started_at'], unique=False)
        batch_op.create_index('ix_calls_language_started', ['language', 'started_at'], unique=False)
        batch_op.create_index('ix_calls_status_started', ['status', 'started_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_calls_duration_s'), ['duration_s'], unique=False)
        batch_op.drop_index(batch_op.f('ix_calls_agent_id'))
        batch_op.drop_index(batch_op.f('ix_calls_queue_id'))

    with op.batch_alter_table('call_scores', schema=None) as batch_op:
        batch_op.create_index('ix_call_scores_score_call', ['score', 'call_id'], unique=False)
        batch_op.drop_index(batch_op.f('ix_call_scores_score'))

    with op.batch_alter_table('item_results', schema=None) as batch_op:
        batch_op.create_index('ix_item_results_item_effective_call',
                              ['item_id', 'effective_verdict', 'call_id'], unique=False)
        batch_op.drop_index('ix_item_results_item_effective')


def downgrade() -> None:
    with op.batch_alter_table('item_results', schema=None) as batch_op:
        batch_op.create_index('ix_item_results_item_effective', ['item_id', 'effective_verdict'],
                              unique=False)
        batch_op.drop_index('ix_item_results_item_effective_call')

    with op.batch_alter_table('call_scores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_scores_score'), ['score'], unique=False)
        batch_op.drop_index('ix_call_scores_score_call')

    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calls_queue_id'), ['queue_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_calls_agent_id'), ['agent_id'], unique=False)
        batch_op.drop_index(batch_op.f('ix_calls_duration_s'))
        batch_op.drop_index('ix_calls_status_started')
        batch_op.drop_index('ix_calls_language_started')
        batch_op.drop_index('ix_calls_queue_started')
        batch_op.drop_index('ix_calls_agent_started')
