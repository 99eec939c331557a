"""Customer signals (SPEC §7): one row per advocate, and the readiness score and eligible flag on the advocate.

Revision ID: e63b2c9f1a44
Revises: f74c3d0a2b55
Create Date: 2026-12-01 23:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e63b2c9f1a44'
down_revision = 'f74c3d0a2b55'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('customer_signal',
    sa.Column('advocate_id', sa.Integer(), nullable=False),
    sa.Column('purchase_count', sa.Integer(), nullable=False),
    sa.Column('last_purchase_on', sa.Date(), nullable=True),
    sa.Column('csat', sa.Float(), nullable=True),
    sa.Column('recovered', sa.Boolean(), nullable=False),
    sa.Column('usage_depth', sa.Integer(), nullable=True),
    sa.Column('referrals_made', sa.Integer(), nullable=False),
    sa.Column('social_mentions', sa.Integer(), nullable=False),
    sa.Column('last_active_on', sa.Date(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('csat IS NULL OR (csat >= 1 AND csat <= 5)', name=op.f('ck_customer_signal_csat_in_range')),
    sa.CheckConstraint('purchase_count >= 0', name=op.f('ck_customer_signal_purchase_count_not_negative')),
    sa.CheckConstraint('referrals_made >= 0', name=op.f('ck_customer_signal_referrals_made_not_negative')),
    sa.CheckConstraint('social_mentions >= 0', name=op.f('ck_customer_signal_social_mentions_not_negative')),
    sa.CheckConstraint('usage_depth IS NULL OR (usage_depth >= 0 AND usage_depth <= 100)', name=op.f('ck_customer_signal_usage_depth_in_range')),
    sa.ForeignKeyConstraint(['advocate_id'], ['advocate.id'], name=op.f('fk_customer_signal_advocate_id_advocate'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('advocate_id', name=op.f('pk_customer_signal'))
    )
    with op.batch_alter_table('advocate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('readiness_score', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('eligible', sa.Boolean(), server_default='0', nullable=False))
        batch_op.create_index('ix_advocate_readiness', ['state', 'readiness_tier', 'readiness_score'], unique=False)



def downgrade():
    with op.batch_alter_table('advocate', schema=None) as batch_op:
        batch_op.drop_index('ix_advocate_readiness')
    # SQLite 3.35+ drops a plain column in place; a batch copy of `advocate` would have to drop the
    # table, which its foreign keys refuse once it holds rows.
    for column in ('eligible', 'readiness_score'):
        if op.get_bind().dialect.name == 'sqlite':
            op.execute(f'ALTER TABLE advocate DROP COLUMN {column}')
        else:
            op.drop_column('advocate', column)
    op.drop_table('customer_signal')
