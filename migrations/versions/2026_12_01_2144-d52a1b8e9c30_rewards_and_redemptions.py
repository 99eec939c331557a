"""Rewards catalog and redemptions (SPEC §11), with CHECKs on stock and cost.

Revision ID: d52a1b8e9c30
Revises: c41f0a9d2b77
Create Date: 2026-12-01 21:44:51.027669

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd52a1b8e9c30'
down_revision = 'c41f0a9d2b77'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reward',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('kind', sa.Enum('swag', 'early_access', 'event', 'donation', 'advisory_seat', 'gift_card', 'other', name='rewardkind', native_enum=False, length=24), nullable=False),
    sa.Column('points_cost', sa.Integer(), nullable=False),
    sa.Column('stock', sa.Integer(), nullable=True),
    sa.Column('min_status', sa.Enum('bronze', 'silver', 'gold', 'platinum', name='status', native_enum=False, length=24), nullable=False),
    sa.Column('requires_approval', sa.Boolean(), nullable=False),
    sa.Column('unit_cost_cents', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('points_cost > 0', name=op.f('ck_reward_points_cost_positive')),
    sa.CheckConstraint('stock IS NULL OR stock >= 0', name=op.f('ck_reward_stock_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reward'))
    )
    op.create_table('redemption',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('advocate_id', sa.Integer(), nullable=False),
    sa.Column('reward_id', sa.Integer(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('requested', 'approved', 'fulfilled', 'rejected', 'cancelled', name='redemptionstate', native_enum=False, length=24), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('request_key', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('fulfilled_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['advocate_id'], ['advocate.id'], name=op.f('fk_redemption_advocate_id_advocate')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['staff_user.id'], name=op.f('fk_redemption_decided_by_id_staff_user')),
    sa.ForeignKeyConstraint(['reward_id'], ['reward.id'], name=op.f('fk_redemption_reward_id_reward')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_redemption')),
    sa.UniqueConstraint('request_key', name=op.f('uq_redemption_request_key'))
    )
    with op.batch_alter_table('redemption', schema=None) as batch_op:
        batch_op.create_index('ix_redemption_advocate_created', ['advocate_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_redemption_reward_id'), ['reward_id'], unique=False)
        batch_op.create_index('ix_redemption_state_created', ['state', 'created_at'], unique=False)



def downgrade():
    with op.batch_alter_table('redemption', schema=None) as batch_op:
        batch_op.drop_index('ix_redemption_state_created')
        batch_op.drop_index(batch_op.f('ix_redemption_reward_id'))
        batch_op.drop_index('ix_redemption_advocate_created')

    op.drop_table('redemption')
    op.drop_table('reward')
