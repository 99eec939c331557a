"""JSON API (SPEC §15): hashed keys, per-minute request counts, stored idempotent responses, and
the (filter, id) indexes that keep the API's keyset pages off full scans.

Revision ID: f74c3d0a2b55
Revises: d52a1b8e9c30
Create Date: 2026-12-01 23:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f74c3d0a2b55'
down_revision = 'd52a1b8e9c30'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('api_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('scope', sa.Enum('read', 'write', name='apiscope', native_enum=False, length=24), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['staff_user.id'], name=op.f('fk_api_key_actor_id_staff_user')),
    sa.ForeignKeyConstraint(['created_by_id'], ['staff_user.id'], name=op.f('fk_api_key_created_by_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_key')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_api_key_key_hash'))
    )
    op.create_table('api_request_count',
    sa.Column('api_key_id', sa.Integer(), nullable=False),
    sa.Column('window_start', sa.DateTime(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['api_key_id'], ['api_key.id'], name=op.f('fk_api_request_count_api_key_id_api_key')),
    sa.PrimaryKeyConstraint('api_key_id', 'window_start', name=op.f('pk_api_request_count'))
    )
    op.create_table('idempotency_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('api_key_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['api_key_id'], ['api_key.id'], name=op.f('fk_idempotency_record_api_key_id_api_key')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_record')),
    sa.UniqueConstraint('api_key_id', 'key', name='uq_idempotency_record_key')
    )
    op.create_index('ix_advocate_readiness_id', 'advocate', ['readiness_tier', 'id'])
    op.create_index('ix_advocate_state_id', 'advocate', ['state', 'id'])
    op.create_index('ix_advocate_status_id', 'advocate', ['status', 'id'])
    op.create_index('ix_attempt_mission_id_id', 'attempt', ['mission_id', 'id'])
    op.create_index('ix_attempt_state_id', 'attempt', ['state', 'id'])


def downgrade():
    op.drop_index('ix_attempt_state_id', table_name='attempt')
    op.drop_index('ix_attempt_mission_id_id', table_name='attempt')
    op.drop_index('ix_advocate_status_id', table_name='advocate')
    op.drop_index('ix_advocate_state_id', table_name='advocate')
    op.drop_index('ix_advocate_readiness_id', table_name='advocate')
    op.drop_table('idempotency_record')
    op.drop_table('api_request_count')
    op.drop_table('api_key')
