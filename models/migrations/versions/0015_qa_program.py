"""The QA program: teams and the supervisors given them, sampling rules and review
assignments, calibration sessions, coaching notes (new tables only: nothing existing changes)

Revision ID: 0015_qa_program
Revises: 0010
Create Date: 2026-12-02 09:12:56.709728
"""
import sqlalchemy as sa
from alembic import op

revision = '0015_qa_program'
# Written beside other branches' migrations; the lead re-chains it at merge.
down_revision = '0014_hardening'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('teams',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_teams')),
    sa.UniqueConstraint('name', name=op.f('uq_teams_name'))
    )
    op.create_table('sampling_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('queue_id', sa.Integer(), nullable=True),
    sa.Column('per_agent_week', sa.Integer(), nullable=False),
    sa.Column('include_critical', sa.Boolean(), nullable=False),
    sa.Column('include_review', sa.Boolean(), nullable=False),
    sa.Column('include_disputed', sa.Boolean(), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.Column('assign_mode', sa.String(length=16), nullable=False),
    sa.Column('due_days', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['queue_id'], ['queues.id'], name=op.f('fk_sampling_rules_queue_id_queues'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_sampling_rules_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sampling_rules')),
    sa.UniqueConstraint('name', name=op.f('uq_sampling_rules_name'))
    )
    op.create_table('team_members',
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_team_members_agent_id_agents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_team_members_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('agent_id', name=op.f('pk_team_members'))
    )
    with op.batch_alter_table('team_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_team_members_team_id'), ['team_id'], unique=False)

    op.create_table('calibration_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['lead_id'], ['users.id'], name=op.f('fk_calibration_sessions_lead_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calibration_sessions'))
    )
    op.create_table('coaching_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('item_ids', sa.JSON(), nullable=False),
    sa.Column('moments', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_coaching_notes_agent_id_agents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_coaching_notes_author_id_users')),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_coaching_notes_call_id_calls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coaching_notes'))
    )
    with op.batch_alter_table('coaching_notes', schema=None) as batch_op:
        batch_op.create_index('ix_coaching_notes_agent_status', ['agent_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_coaching_notes_call_id'), ['call_id'], unique=False)

    op.create_table('review_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.Integer(), nullable=True),
    sa.Column('reviewer_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('week_start', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('assigned_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['users.id'], name=op.f('fk_review_assignments_assigned_by_id_users')),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_review_assignments_call_id_calls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_review_assignments_reviewer_id_users')),
    sa.ForeignKeyConstraint(['rule_id'], ['sampling_rules.id'], name=op.f('fk_review_assignments_rule_id_sampling_rules'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_assignments')),
    sa.UniqueConstraint('rule_id', 'call_id', name=op.f('uq_review_assignments_rule_id'))
    )
    with op.batch_alter_table('review_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_assignments_call_id'), ['call_id'], unique=False)
        batch_op.create_index('ix_review_assignments_reviewer_status', ['reviewer_id', 'status'], unique=False)

    op.create_table('sampling_reviewers',
    sa.Column('rule_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['rule_id'], ['sampling_rules.id'], name=op.f('fk_sampling_reviewers_rule_id_sampling_rules'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sampling_reviewers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('rule_id', 'user_id', name=op.f('pk_sampling_reviewers'))
    )
    op.create_table('team_supervisors',
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_team_supervisors_team_id_teams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_team_supervisors_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('team_id', 'user_id', name=op.f('pk_team_supervisors'))
    )
    with op.batch_alter_table('team_supervisors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_team_supervisors_user_id'), ['user_id'], unique=False)

    op.create_table('calibration_agreed',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.String(length=64), nullable=False),
    sa.Column('verdict', sa.String(length=16), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_calibration_agreed_call_id_calls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_calibration_agreed_decided_by_id_users')),
    sa.ForeignKeyConstraint(['session_id'], ['calibration_sessions.id'], name=op.f('fk_calibration_agreed_session_id_calibration_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', 'call_id', 'item_id', name=op.f('pk_calibration_agreed'))
    )
    op.create_table('calibration_calls',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_calibration_calls_call_id_calls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['calibration_sessions.id'], name=op.f('fk_calibration_calls_session_id_calibration_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', 'call_id', name=op.f('pk_calibration_calls'))
    )
    with op.batch_alter_table('calibration_calls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calibration_calls_call_id'), ['call_id'], unique=False)

    op.create_table('calibration_reviewers',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['session_id'], ['calibration_sessions.id'], name=op.f('fk_calibration_reviewers_session_id_calibration_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_calibration_reviewers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', 'user_id', name=op.f('pk_calibration_reviewers'))
    )
    with op.batch_alter_table('calibration_reviewers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calibration_reviewers_user_id'), ['user_id'], unique=False)

    op.create_table('calibration_verdicts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('verdict', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_calibration_verdicts_call_id_calls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['calibration_sessions.id'], name=op.f('fk_calibration_verdicts_session_id_calibration_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_calibration_verdicts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calibration_verdicts')),
    sa.UniqueConstraint('session_id', 'call_id', 'item_id', 'user_id', name=op.f('uq_calibration_verdicts_session_id'))
    )



def downgrade() -> None:
    op.drop_table('calibration_verdicts')
    with op.batch_alter_table('calibration_reviewers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calibration_reviewers_user_id'))

    op.drop_table('calibration_reviewers')
    with op.batch_alter_table('calibration_calls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calibration_calls_call_id'))

    op.drop_table('calibration_calls')
    op.drop_table('calibration_agreed')
    with op.batch_alter_table('team_supervisors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_team_supervisors_user_id'))

    op.drop_table('team_supervisors')
    op.drop_table('sampling_reviewers')
    with op.batch_alter_table('review_assignments', schema=None) as batch_op:
        batch_op.drop_index('ix_review_assignments_reviewer_status')
        batch_op.drop_index(batch_op.f('ix_review_assignments_call_id'))

    op.drop_table('review_assignments')
    with op.batch_alter_table('coaching_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coaching_notes_call_id'))
        batch_op.drop_index('ix_coaching_notes_agent_status')

    op.drop_table('coaching_notes')
    op.drop_table('calibration_sessions')
    with op.batch_alter_table('team_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_team_members_team_id'))

    op.drop_table('team_members')
    op.drop_table('sampling_rules')
    op.drop_table('teams')
