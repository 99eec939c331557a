"""A picture on each reward (the product photo) and a banner on each mission: the stored file's token,
empty when there is none.

Revision ID: c3a7d0000003
Revises: c3a7d0000002
Create Date: 2026-12-07 00:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c3a7d0000003'
down_revision = 'c3a7d0000002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('reward', schema=None) as batch_op:
        batch_op.add_column(sa.Column('picture', sa.String(length=64), server_default='', nullable=False))
    with op.batch_alter_table('mission', schema=None) as batch_op:
        batch_op.add_column(sa.Column('picture', sa.String(length=64), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('mission', schema=None) as batch_op:
        batch_op.drop_column('picture')
    with op.batch_alter_table('reward', schema=None) as batch_op:
        batch_op.drop_column('picture')
