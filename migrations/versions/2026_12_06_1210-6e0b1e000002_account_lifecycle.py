"""Account lifecycle (SPEC §1): the account_event audit trail and the advocate's erasure stamp.

Revision ID: 6e0b1e000002
Revises: 5e55104a0001
Create Date: 2026-12-06 12:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6e0b1e000002'
down_revision = '5e55104a0001'
branch_labels = None
depends_on = None

SOURCES = ('staff', 'api', 'import', 'advocate')
KINDS = ('state', 'owner', 'ask_frequency', 'erased', 'role', 'active', 'invited')


def _enum(values, name):
    return sa.Enum(*values, name=name, native_enum=False, length=24)


def upgrade():
    op.create_table('account_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('advocate_id', sa.Integer(), nullable=True),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('source', _enum(SOURCES, 'eventsource'), nullable=False),
    sa.Column('kind', _enum(KINDS, 'eventkind'), nullable=False),
    sa.Column('from_value', sa.String(length=254), nullable=True),
    sa.Column('to_value', sa.String(length=254), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['staff_user.id'], name=op.f('fk_account_event_actor_id_staff_user')),
    sa.ForeignKeyConstraint(['advocate_id'], ['advocate.id'], name=op.f('fk_account_event_advocate_id_advocate')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_user.id'], name=op.f('fk_account_event_staff_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_event'))
    )
    with op.batch_alter_table('account_event', schema=None) as batch_op:
        batch_op.create_index('ix_account_event_advocate_at', ['advocate_id', 'at'], unique=False)
        batch_op.create_index('ix_account_event_staff_at', ['staff_id', 'at'], unique=False)

    with op.batch_alter_table('advocate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('advocate', schema=None) as batch_op:
        batch_op.drop_column('erased_at')

    with op.batch_alter_table('account_event', schema=None) as batch_op:
        batch_op.drop_index('ix_account_event_staff_at')
        batch_op.drop_index('ix_account_event_advocate_at')

    op.drop_table('account_event')
