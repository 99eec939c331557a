"""Referrals: codes, link clicks, referred friends (one accepted referral per email) and their history.

Revision ID: c41f0a9d2b77
Revises: e55b8cddca18
Create Date: 2026-12-01 11:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c41f0a9d2b77'
down_revision = 'e55b8cddca18'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('referral_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('advocate_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['advocate_id'], ['advocate.id'], name=op.f('fk_referral_code_advocate_id_advocate')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_code')),
    sa.UniqueConstraint('advocate_id', name=op.f('uq_referral_code_advocate_id')),
    sa.UniqueConstraint('code', name=op.f('uq_referral_code_code'))
    )
    op.create_table('referral',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code_id', sa.Integer(), nullable=False),
    sa.Column('referrer_id', sa.Integer(), nullable=False),
    sa.Column('friend_name', sa.String(length=120), nullable=False),
    sa.Column('friend_email', sa.String(length=254), nullable=False),
    sa.Column('friend_company', sa.String(length=120), nullable=False),
    sa.Column('state', sa.Enum('submitted', 'qualified', 'converted', 'lost', 'rejected', name='referralstate', native_enum=False, length=24), nullable=False),
    sa.Column('rejection_reason', sa.Enum('self_referral', 'same_company', 'known_prospect', 'burst', name='rejectionreason', native_enum=False, length=24), nullable=True),
    sa.Column('rejection_message', sa.Text(), nullable=True),
    sa.Column('discount_code', sa.String(length=32), nullable=True),
    sa.Column('client_hash', sa.String(length=64), nullable=False),
    sa.Column('deal_amount', sa.Integer(), nullable=True),
    sa.Column('qualified_at', sa.DateTime(), nullable=True),
    sa.Column('converted_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['code_id'], ['referral_code.id'], name=op.f('fk_referral_code_id_referral_code')),
    sa.ForeignKeyConstraint(['referrer_id'], ['advocate.id'], name=op.f('fk_referral_referrer_id_advocate')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral')),
    sa.UniqueConstraint('discount_code', name=op.f('uq_referral_discount_code'))
    )
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.create_index('ix_referral_client_created', ['client_hash', 'created_at'], unique=False)
        batch_op.create_index('ix_referral_code_created', ['code_id', 'created_at'], unique=False)
        batch_op.create_index('ix_referral_referrer_state', ['referrer_id', 'state'], unique=False)
        batch_op.create_index('ix_referral_state_created', ['state', 'created_at'], unique=False)
        batch_op.create_index('uq_referral_prospect', ['friend_email'], unique=True, sqlite_where=sa.text('rejection_reason IS NULL'), postgresql_where=sa.text('rejection_reason IS NULL'))

    op.create_table('referral_click',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code_id', sa.Integer(), nullable=False),
    sa.Column('client_hash', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['code_id'], ['referral_code.id'], name=op.f('fk_referral_click_code_id_referral_code')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_click'))
    )
    with op.batch_alter_table('referral_click', schema=None) as batch_op:
        batch_op.create_index('ix_referral_click_code_at', ['code_id', 'at'], unique=False)

    op.create_table('referral_transition',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('from_state', sa.Enum('submitted', 'qualified', 'converted', 'lost', 'rejected', name='referralstate', native_enum=False, length=24), nullable=True),
    sa.Column('to_state', sa.Enum('submitted', 'qualified', 'converted', 'lost', 'rejected', name='referralstate', native_enum=False, length=24), nullable=False),
    sa.Column('actor_kind', sa.String(length=20), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=120), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['referral_id'], ['referral.id'], name=op.f('fk_referral_transition_referral_id_referral')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_transition'))
    )
    with op.batch_alter_table('referral_transition', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_transition_referral_id'), ['referral_id'], unique=False)


def downgrade():
    with op.batch_alter_table('referral_transition', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_transition_referral_id'))

    op.drop_table('referral_transition')
    with op.batch_alter_table('referral_click', schema=None) as batch_op:
        batch_op.drop_index('ix_referral_click_code_at')

    op.drop_table('referral_click')
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_index('uq_referral_prospect', sqlite_where=sa.text('rejection_reason IS NULL'), postgresql_where=sa.text('rejection_reason IS NULL'))
        batch_op.drop_index('ix_referral_state_created')
        batch_op.drop_index('ix_referral_referrer_state')
        batch_op.drop_index('ix_referral_code_created')
        batch_op.drop_index('ix_referral_client_created')

    op.drop_table('referral')
    op.drop_table('referral_code')
