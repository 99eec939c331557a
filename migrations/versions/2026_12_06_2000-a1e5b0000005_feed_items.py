"""Community feed: achievements written with the change they tell of; staff may hide one.

Revision ID: a1e5b0000005
Revises: a1e5b0000007
Create Date: 2026-12-06 20:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a1e5b0000005'
down_revision = "a1e5b0000007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'feed_item',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=24), nullable=False),
        sa.Column('subject', sa.String(length=80), nullable=False),
        sa.Column('advocate_id', sa.Integer(), nullable=False),
        sa.Column('text', sa.String(length=300), nullable=False),
        sa.Column('occurred_at', sa.DateTime(), nullable=False),
        sa.Column('hidden_at', sa.DateTime(), nullable=True),
        sa.Column('hidden_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['advocate_id'], ['advocate.id'], name=op.f('fk_feed_item_advocate_id_advocate')),
        sa.ForeignKeyConstraint(['hidden_by_id'], ['staff_user.id'],
                                name=op.f('fk_feed_item_hidden_by_id_staff_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_feed_item')),
        sa.UniqueConstraint('kind', 'subject', name='uq_feed_item_kind_subject'),
    )
    with op.batch_alter_table('feed_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feed_item_advocate_id'), ['advocate_id'], unique=False)
        batch_op.create_index('ix_feed_item_occurred', ['occurred_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('feed_item', schema=None) as batch_op:
        batch_op.drop_index('ix_feed_item_occurred')
        batch_op.drop_index(batch_op.f('ix_feed_item_advocate_id'))
    op.drop_table('feed_item')
