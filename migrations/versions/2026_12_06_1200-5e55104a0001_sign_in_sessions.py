"""Sign-in security (issue 12): server-side sign-in sessions, password-reset links and an atomic
throttle counter. Replaces the per-user session_version (advocate, staff_user) and the
login_failure log; every browser signed in before this upgrade is signed out once.

Revision ID: 5e55104a0001
Revises: a7b8c9d0e1f2
Create Date: 2026-12-06 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e55104a0001'
down_revision = 'a7b8c9d0e1f2'
branch_labels = None
depends_on = None

ONE_OWNER = '(advocate_id IS NULL) <> (staff_id IS NULL)'


def _owned_table(name, *columns):
    op.create_table(name,
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('advocate_id', sa.Integer(), nullable=True),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    *columns,
    sa.CheckConstraint(ONE_OWNER, name=op.f(f'ck_{name}_one_owner')),
    sa.ForeignKeyConstraint(['advocate_id'], ['advocate.id'], name=op.f(f'fk_{name}_advocate_id_advocate')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_user.id'], name=op.f(f'fk_{name}_staff_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{name}')),
    sa.UniqueConstraint('token_hash', name=op.f(f'uq_{name}_token_hash'))
    )
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f'ix_{name}_advocate_id'), ['advocate_id'], unique=False)
        batch_op.create_index(batch_op.f(f'ix_{name}_staff_id'), ['staff_id'], unique=False)
        batch_op.create_index(batch_op.f(f'ix_{name}_expires_at'), ['expires_at'], unique=False)


def _drop_session_version(table):
    # SQLite 3.35+ drops a plain column in place; a batch copy would have to drop the table, which
    # the foreign keys pointing at it refuse once it holds rows.
    if op.get_bind().dialect.name == 'sqlite':
        op.execute(f'ALTER TABLE {table} DROP COLUMN session_version')
    else:
        op.drop_column(table, 'session_version')


def upgrade():
    _owned_table('login_session',
                 sa.Column('remember', sa.Boolean(), nullable=False),
                 sa.Column('created_at', sa.DateTime(), nullable=False),
                 sa.Column('expires_at', sa.DateTime(), nullable=False),
                 sa.Column('ended_at', sa.DateTime(), nullable=True),
                 sa.Column('ip', sa.String(length=64), nullable=False),
                 sa.Column('user_agent', sa.String(length=200), nullable=False))
    _owned_table('password_reset',
                 sa.Column('created_at', sa.DateTime(), nullable=False),
                 sa.Column('expires_at', sa.DateTime(), nullable=False),
                 sa.Column('used_at', sa.DateTime(), nullable=True),
                 sa.Column('superseded_at', sa.DateTime(), nullable=True))
    op.create_table('login_throttle',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('window_start', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_login_throttle'))
    )
    with op.batch_alter_table('login_throttle', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_throttle_window_start'), ['window_start'], unique=False)

    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.drop_index('ix_login_failure_ip_at')
        batch_op.drop_index('ix_login_failure_email_at')
    op.drop_table('login_failure')
    _drop_session_version('advocate')
    _drop_session_version('staff_user')


def downgrade():
    for table in ('staff_user', 'advocate'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='1', nullable=False))
    op.create_table('login_failure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failure'))
    )
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.create_index('ix_login_failure_email_at', ['email', 'at'], unique=False)
        batch_op.create_index('ix_login_failure_ip_at', ['ip', 'at'], unique=False)

    with op.batch_alter_table('login_throttle', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_throttle_window_start'))
    op.drop_table('login_throttle')
    for name in ('password_reset', 'login_session'):
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{name}_expires_at'))
            batch_op.drop_index(batch_op.f(f'ix_{name}_staff_id'))
            batch_op.drop_index(batch_op.f(f'ix_{name}_advocate_id'))
        op.drop_table(name)
