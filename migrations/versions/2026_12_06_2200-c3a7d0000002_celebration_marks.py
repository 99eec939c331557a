"""The advocate's celebration watermarks: the last ledger entry and status change the portal has
celebrated, and their avatar picture's token. Existing advocates start at their newest ones, so nothing old is celebrated after deploy.

Revision ID: c3a7d0000002
Revises: c3a7d0000001
Create Date: 2026-12-06 22:15:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c3a7d0000002'
down_revision = 'c3a7d0000001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('advocate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('celebrated_ledger_id', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('celebrated_status_change_id', sa.Integer(), server_default='0',
                                      nullable=False))
        batch_op.add_column(sa.Column('avatar', sa.String(length=64), server_default='', nullable=False))
    op.execute("UPDATE advocate SET celebrated_ledger_id = COALESCE((SELECT MAX(id) FROM ledger_entry "
               "WHERE ledger_entry.advocate_id = advocate.id), 0)")
    op.execute("UPDATE advocate SET celebrated_status_change_id = COALESCE((SELECT MAX(id) FROM status_change "
               "WHERE status_change.advocate_id = advocate.id), 0)")


def downgrade():
    with op.batch_alter_table('advocate', schema=None) as batch_op:
        batch_op.drop_column('avatar')
        batch_op.drop_column('celebrated_status_change_id')
        batch_op.drop_column('celebrated_ledger_id')
