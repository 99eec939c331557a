"""Outbox channel: an outbox message is an email or a Slack post (the weekly post to an incoming webhook).

Revision ID: a1e5b0000004
Revises: a1e5b0000003
Create Date: 2026-12-06 20:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a1e5b0000004'
down_revision = 'a1e5b0000003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.String(length=16), server_default='email', nullable=False))


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('channel')
