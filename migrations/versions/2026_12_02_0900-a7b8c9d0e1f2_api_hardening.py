"""API hardening: live API key names unique by a partial index, a lookup index on the key prefix, and an
index on idempotency records' age for the purge job.

Live keys that already share a name (made before the check existed, or by a race) are renamed, all but
the oldest, to "<name> (key <id>)" — with their actor rows — rather than revoked: renaming breaks no
integration, and the admin list shows which is which.

Revision ID: a7b8c9d0e1f2
Revises: 9c1d2e3f4a51
Create Date: 2026-12-02 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7b8c9d0e1f2'
down_revision = '9c1d2e3f4a51'
branch_labels = None
depends_on = None

LIVE = sa.text('revoked_at IS NULL')
NAME_MAX = 80


def _rename_live_duplicates(connection) -> None:
    keys = sa.table('api_key', sa.column('id', sa.Integer), sa.column('name', sa.String),
                    sa.column('actor_id', sa.Integer), sa.column('revoked_at', sa.DateTime))
    staff = sa.table('staff_user', sa.column('id', sa.Integer), sa.column('name', sa.String))
    rows = connection.execute(sa.select(keys.c.id, keys.c.name, keys.c.actor_id)
                              .where(keys.c.revoked_at.is_(None)).order_by(keys.c.name, keys.c.id)).all()
    taken = {row.name for row in rows}
    seen = set()
    for row in rows:
        if row.name not in seen:
            seen.add(row.name)
            continue
        name, attempt = None, 0
        while name is None or name in taken:  # another live key may already be named so
            suffix = f' (key {row.id})' if attempt == 0 else f' (key {row.id}-{attempt})'
            name, attempt = row.name[:NAME_MAX - len(suffix)] + suffix, attempt + 1
        taken.add(name)
        connection.execute(keys.update().where(keys.c.id == row.id).values(name=name))
        connection.execute(staff.update().where(staff.c.id == row.actor_id).values(name=f'API key: {name}'))


def upgrade():
    _rename_live_duplicates(op.get_bind())
    with op.batch_alter_table('api_key', schema=None) as batch_op:
        batch_op.create_index('uq_api_key_live_name', ['name'], unique=True, sqlite_where=LIVE,
                              postgresql_where=LIVE)
        batch_op.create_index('ix_api_key_prefix', ['prefix'], unique=False)
    with op.batch_alter_table('idempotency_record', schema=None) as batch_op:
        batch_op.create_index('ix_idempotency_record_created_at', ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('idempotency_record', schema=None) as batch_op:
        batch_op.drop_index('ix_idempotency_record_created_at')
    with op.batch_alter_table('api_key', schema=None) as batch_op:
        batch_op.drop_index('ix_api_key_prefix')
        batch_op.drop_index('uq_api_key_live_name', sqlite_where=LIVE, postgresql_where=LIVE)
