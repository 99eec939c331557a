"""Embeds: an optional expiry time, after which the embed's URL answers 404.

Revision ID: a1e5b0000007
Revises: a1e5b0000004
Create Date: 2026-12-06 20:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a1e5b0000007'
down_revision = "a1e5b0000004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('embed', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('embed', schema=None) as batch_op:
        batch_op.drop_column('expires_at')
