"""Badge assertions: one Open Badges 2.0 hosted assertion per promotion, revoked when staff lower
the status below it.

Revision ID: a1e5b0000003
Revises: a1e5b0000002
Create Date: 2026-12-06 19:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a1e5b0000003'
down_revision = 'a1e5b0000002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'badge_assertion',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uid', sa.String(length=43), nullable=False),
        sa.Column('advocate_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.Enum('bronze', 'silver', 'gold', 'platinum', name='status',
                                    native_enum=False, create_constraint=False, length=24), nullable=False),
        sa.Column('salt', sa.String(length=32), nullable=False),
        sa.Column('issued_at', sa.DateTime(), nullable=False),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.Column('revocation_reason', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['advocate_id'], ['advocate.id'], name=op.f('fk_badge_assertion_advocate_id_advocate')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_badge_assertion')),
        sa.UniqueConstraint('uid', name=op.f('uq_badge_assertion_uid')),
    )
    with op.batch_alter_table('badge_assertion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_badge_assertion_advocate_id'), ['advocate_id'], unique=False)


def downgrade():
    with op.batch_alter_table('badge_assertion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_badge_assertion_advocate_id'))
    op.drop_table('badge_assertion')
