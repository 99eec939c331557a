"""The figures' approved-actions index also carries a review's rating, so the period's average review
rating is read from the index alone, like the action counts beside it.

Revision ID: c3a7d0000001
Revises: b2f6c0000004
Create Date: 2026-12-06 21:45:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c3a7d0000001'
down_revision = 'b2f6c0000004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_attempt_state_decided')
        batch_op.create_index('ix_attempt_state_decided', ['state', 'decided_at', 'activity_id', 'review_rating'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_attempt_state_decided')
        batch_op.create_index('ix_attempt_state_decided', ['state', 'decided_at', 'activity_id'], unique=False)
