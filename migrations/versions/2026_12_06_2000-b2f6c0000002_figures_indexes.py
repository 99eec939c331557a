"""Program figures indexes: approved attempts by (state, decided_at, activity_id) and by
(state, advocate_id, decided_at), advocates by (state, status) and by (eligible, readiness_tier,
state), asks by (advocate_id, state, counts_as_ask, sent_at), so the figures of a year and their
trends are counted from indexes alone.

Revision ID: b2f6c0000002
Revises: b2f6c0000001
Create Date: 2026-12-06 20:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b2f6c0000002'
down_revision = "b2f6c0000001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.create_index('ix_attempt_state_decided', ['state', 'decided_at', 'activity_id'], unique=False)
        batch_op.create_index('ix_attempt_state_advocate_decided', ['state', 'advocate_id', 'decided_at'],
                              unique=False)
    with op.batch_alter_table('advocate', schema=None) as batch_op:
        batch_op.create_index('ix_advocate_state_status', ['state', 'status'], unique=False)
        batch_op.create_index('ix_advocate_eligible_tier', ['eligible', 'readiness_tier', 'state'], unique=False)
    with op.batch_alter_table('ask', schema=None) as batch_op:
        batch_op.create_index('ix_ask_advocate_counted', ['advocate_id', 'state', 'counts_as_ask', 'sent_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('ask', schema=None) as batch_op:
        batch_op.drop_index('ix_ask_advocate_counted')
    with op.batch_alter_table('advocate', schema=None) as batch_op:
        batch_op.drop_index('ix_advocate_eligible_tier')
        batch_op.drop_index('ix_advocate_state_status')
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_attempt_state_advocate_decided')
        batch_op.drop_index('ix_attempt_state_decided')
