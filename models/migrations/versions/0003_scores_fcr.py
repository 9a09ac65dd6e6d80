"""Scorecards, call scores and item results, FCR results; calls made from transcripts

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 08:58:57.484732
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('scorecards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('version', sa.String(length=64), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scorecards')),
    sa.UniqueConstraint('name', 'version', name=op.f('uq_scorecards_name'))
    )
    op.create_table('call_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('scorecard_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('passed_weight', sa.Float(), nullable=False),
    sa.Column('applicable_weight', sa.Float(), nullable=False),
    sa.Column('flagged', sa.Boolean(), nullable=False),
    sa.Column('capped', sa.Boolean(), nullable=False),
    sa.Column('needs_review', sa.Boolean(), nullable=False),
    sa.Column('metrics', sa.JSON(), nullable=False),
    sa.Column('scored_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_call_scores_call_id_calls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['scorecard_id'], ['scorecards.id'], name=op.f('fk_call_scores_scorecard_id_scorecards')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_scores')),
    sa.UniqueConstraint('call_id', name=op.f('uq_call_scores_call_id'))
    )
    with op.batch_alter_table('call_scores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_scores_score'), ['score'], unique=False)

    op.create_table('fcr_results',
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('signals', sa.JSON(), nullable=False),
    sa.Column('topics', sa.JSON(), nullable=False),
    sa.Column('repeat_of', sa.JSON(), nullable=False),
    sa.Column('window_ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_fcr_results_call_id_calls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('call_id', name=op.f('pk_fcr_results'))
    )
    with op.batch_alter_table('fcr_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fcr_results_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_fcr_results_window_ends_at'), ['window_ends_at'], unique=False)

    op.create_table('item_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_score_id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.String(length=64), nullable=False),
    sa.Column('verdict', sa.String(length=16), nullable=False),
    sa.Column('weight', sa.Float(), nullable=False),
    sa.Column('critical', sa.Boolean(), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=True),
    sa.Column('confidence', sa.Float(), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_item_results_call_id_calls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['call_score_id'], ['call_scores.id'], name=op.f('fk_item_results_call_score_id_call_scores'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item_results'))
    )
    with op.batch_alter_table('item_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_results_call_id'), ['call_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_item_results_call_score_id'), ['call_score_id'], unique=False)
        batch_op.create_index('ix_item_results_item_verdict', ['item_id', 'verdict'], unique=False)

    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=16), nullable=False,
                                      server_default='recording'))
        batch_op.add_column(sa.Column('customer_key', sa.String(length=64), nullable=True))
        batch_op.alter_column('storage_name',
               existing_type=sa.VARCHAR(length=200),
               nullable=True)
        batch_op.alter_column('size_bytes',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_index(batch_op.f('ix_calls_customer_key'), ['customer_key'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calls_customer_key'))
        batch_op.alter_column('size_bytes',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.alter_column('storage_name',
               existing_type=sa.VARCHAR(length=200),
               nullable=False)
        batch_op.drop_column('customer_key')
        batch_op.drop_column('source')

    with op.batch_alter_table('item_results', schema=None) as batch_op:
        batch_op.drop_index('ix_item_results_item_verdict')
        batch_op.drop_index(batch_op.f('ix_item_results_call_score_id'))
        batch_op.drop_index(batch_op.f('ix_item_results_call_id'))

    op.drop_table('item_results')
    with op.batch_alter_table('fcr_results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fcr_results_window_ends_at'))
        batch_op.drop_index(batch_op.f('ix_fcr_results_status'))

    op.drop_table('fcr_results')
    with op.batch_alter_table('call_scores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_scores_score'))

    op.drop_table('call_scores')
    op.drop_table('scorecards')
