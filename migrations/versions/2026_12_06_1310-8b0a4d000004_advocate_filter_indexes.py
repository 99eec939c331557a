"""Advocate filter indexes: (region, lifetime_points) and (industry, lifetime_points), so the
leaderboard's filter options and the audience pickers read the held values from an index instead
of every advocate, and a filtered board's own-rank count is index-only.

Revision ID: 8b0a4d000004
Revises: 6e0b1e000002
Create Date: 2026-12-06 13:10:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '8b0a4d000004'
down_revision = '6e0b1e000002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('advocate', schema=None) as batch_op:
        batch_op.create_index('ix_advocate_region_points', ['region', 'lifetime_points'], unique=False)
        batch_op.create_index('ix_advocate_industry_points', ['industry', 'lifetime_points'], unique=False)


def downgrade():
    with op.batch_alter_table('advocate', schema=None) as batch_op:
        batch_op.drop_index('ix_advocate_industry_points')
        batch_op.drop_index('ix_advocate_region_points')
