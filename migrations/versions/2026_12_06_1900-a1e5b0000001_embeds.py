"""Embeds: leaderboards shown on other sites through a signed, revocable, read-only URL.

Revision ID: a1e5b0000001
Revises: 9c1d2e000005
Create Date: 2026-12-06 19:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a1e5b0000001'
down_revision = '9c1d2e000005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'embed',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('kind', sa.String(length=24), nullable=False),
        sa.Column('period', sa.Enum('week', 'month', 'all_time', name='embedperiod', native_enum=False,
                                    create_constraint=False, length=24), nullable=False),
        sa.Column('region', sa.String(length=80), nullable=True),
        sa.Column('industry', sa.String(length=80), nullable=True),
        sa.Column('rows', sa.Integer(), nullable=False),
        sa.Column('theme', sa.Enum('light', 'dark', name='embedtheme', native_enum=False,
                                   create_constraint=False, length=24), nullable=False),
        sa.Column('names', sa.Enum('full', 'first_initial', 'company', name='embednames', native_enum=False,
                                   create_constraint=False, length=24), nullable=False),
        sa.Column('allowed_origins', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['staff_user.id'], name=op.f('fk_embed_created_by_id_staff_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_embed')),
        sa.UniqueConstraint('name', name=op.f('uq_embed_name')),
    )


def downgrade():
    op.drop_table('embed')
