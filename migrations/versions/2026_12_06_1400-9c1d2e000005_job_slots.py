"""Job slots: a scheduled run records the due time it serves (job_run.due_at) and claims it in a
unique index on (name, due_at) that ignores abandoned runs, so each job runs once per due time
across scheduler processes; job_run.abandoned marks a run whose holder stopped before it finished.

Revision ID: 9c1d2e000005
Revises: 8b0a4d000004
Create Date: 2026-12-06 14:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '9c1d2e000005'
down_revision = '8b0a4d000004'
branch_labels = None
depends_on = None

LIVE_RUN = sa.text('NOT abandoned')


def upgrade():
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('abandoned', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.create_index('uq_job_run_slot', ['name', 'due_at'], unique=True, sqlite_where=LIVE_RUN,
                              postgresql_where=LIVE_RUN)


def downgrade():
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.drop_index('uq_job_run_slot')
        batch_op.drop_column('abandoned')
        batch_op.drop_column('due_at')
