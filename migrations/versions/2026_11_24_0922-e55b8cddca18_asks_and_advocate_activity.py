"""Asks and pushes (the ask governor), advocate activity time and email opt-outs, deadline index.

Revision ID: e55b8cddca18
Revises: f792bea1ded7
Create Date: 2026-11-24 09:22:30.964505

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e55b8cddca18'
down_revision = 'f792bea1ded7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('ask_push',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mission_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('segment', sa.JSON(), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['staff_user.id'], name=op.f('fk_ask_push_created_by_id_staff_user')),
    sa.ForeignKeyConstraint(['mission_id'], ['mission.id'], name=op.f('fk_ask_push_mission_id_mission')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ask_push'))
    )
    with op.batch_alter_table('ask_push', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ask_push_mission_id'), ['mission_id'], unique=False)

    op.create_table('ask',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('push_id', sa.Integer(), nullable=True),
    sa.Column('advocate_id', sa.Integer(), nullable=False),
    sa.Column('mission_id', sa.Integer(), nullable=True),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('counts_as_ask', sa.Boolean(), nullable=False),
    sa.Column('state', sa.Enum('sent', 'queued', 'blocked', 'dropped', name='askstate', native_enum=False, length=24), nullable=False),
    sa.Column('reason', sa.Enum('frequency_cap', 'yearly_cap', 'cooldown', 'paused', 'opted_out', 'low_nps', 'not_eligible', 'already_asked', 'competing_ask', 'mission_closed', name='askreason', native_enum=False, length=24), nullable=True),
    sa.Column('queued_until', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['activity_id'], ['activity_type.id'], name=op.f('fk_ask_activity_id_activity_type')),
    sa.ForeignKeyConstraint(['advocate_id'], ['advocate.id'], name=op.f('fk_ask_advocate_id_advocate')),
    sa.ForeignKeyConstraint(['mission_id'], ['mission.id'], name=op.f('fk_ask_mission_id_mission')),
    sa.ForeignKeyConstraint(['push_id'], ['ask_push.id'], name=op.f('fk_ask_push_id_ask_push')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ask'))
    )
    with op.batch_alter_table('ask', schema=None) as batch_op:
        batch_op.create_index('ix_ask_advocate_sent', ['advocate_id', 'sent_at'], unique=False)
        batch_op.create_index('ix_ask_push_state', ['push_id', 'state'], unique=False)
        batch_op.create_index('ix_ask_state_queued_until', ['state', 'queued_until'], unique=False)
        batch_op.create_index('uq_ask_live_mission_advocate', ['mission_id', 'advocate_id'], unique=True, sqlite_where=sa.text("state IN ('sent', 'queued')"), postgresql_where=sa.text("state IN ('sent', 'queued')"))

    with op.batch_alter_table('advocate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_active_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('email_opt_outs', sa.JSON(), nullable=False, server_default='[]'))

    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.create_index('ix_attempt_state_deadline', ['state', 'deadline_at'], unique=False)



def downgrade():
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_attempt_state_deadline')

    with op.batch_alter_table('advocate', schema=None) as batch_op:
        batch_op.drop_column('email_opt_outs')
        batch_op.drop_column('last_active_at')

    with op.batch_alter_table('ask', schema=None) as batch_op:
        batch_op.drop_index('uq_ask_live_mission_advocate', sqlite_where=sa.text("state IN ('sent', 'queued')"), postgresql_where=sa.text("state IN ('sent', 'queued')"))
        batch_op.drop_index('ix_ask_state_queued_until')
        batch_op.drop_index('ix_ask_push_state')
        batch_op.drop_index('ix_ask_advocate_sent')

    op.drop_table('ask')
    with op.batch_alter_table('ask_push', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ask_push_mission_id'))

    op.drop_table('ask_push')
