"""Trigger events (SPEC §8): the rules (with the default ones), the events, and on each ask the event
that made it and its follow-up.

Revision ID: 9c1d2e3f4a51
Revises: e63b2c9f1a44
Create Date: 2026-12-02 09:00:00.000000

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9c1d2e3f4a51'
down_revision = 'e63b2c9f1a44'
branch_labels = None
depends_on = None

EVENT_TYPES = ('nps_submitted', 'renewal', 'milestone', 'support_resolved', 'onboarding_completed')
KINDS = ('review', 'referral', 'reference_call', 'webinar', 'case_study', 'testimonial', 'social_post',
         'speaking', 'beta', 'advisory_board', 'survey', 'content')
OUTCOMES = ('asked', 'no_rule', 'no_mission', 'superseded')
FOLLOW_UPS = ('sent', 'responded', 'paused', 'opted_out', 'mission_closed')
FOLLOWUP_DUE = "trigger_event_id IS NOT NULL AND followed_up_at IS NULL"

# SPEC §8 defaults: (event type, min, max, activity kind). onboarding_completed has none.
DEFAULT_RULES = (
    ('nps_submitted', 9, 10, 'review'),
    ('renewal', None, None, 'review'),
    ('milestone', None, None, 'social_post'),
    ('support_resolved', 5, 5, 'testimonial'),
)


def _enum(values, name):
    return sa.Enum(*values, name=name, native_enum=False, length=24)


def upgrade():
    rules = op.create_table('trigger_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_type', _enum(EVENT_TYPES, 'triggereventtype'), nullable=False),
    sa.Column('min_value', sa.Integer(), nullable=True),
    sa.Column('max_value', sa.Integer(), nullable=True),
    sa.Column('activity_kind', _enum(KINDS, 'activitykind'), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trigger_rule'))
    )
    with op.batch_alter_table('trigger_rule', schema=None) as batch_op:
        batch_op.create_index('ix_trigger_rule_type_enabled', ['event_type', 'enabled'], unique=False)

    now = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
    op.bulk_insert(rules, [
        {'event_type': event_type, 'min_value': low, 'max_value': high, 'activity_kind': kind,
         'priority': 1, 'enabled': True, 'created_at': now, 'updated_at': now}
        for event_type, low, high, kind in DEFAULT_RULES])

    op.create_table('trigger_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('type', _enum(EVENT_TYPES, 'triggereventtype'), nullable=False),
    sa.Column('advocate_id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('rule_id', sa.Integer(), nullable=True),
    sa.Column('outcome', _enum(OUTCOMES, 'triggeroutcome'), nullable=False),
    sa.Column('detail', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['staff_user.id'], name=op.f('fk_trigger_event_actor_id_staff_user')),
    sa.ForeignKeyConstraint(['advocate_id'], ['advocate.id'], name=op.f('fk_trigger_event_advocate_id_advocate')),
    sa.ForeignKeyConstraint(['rule_id'], ['trigger_rule.id'], name=op.f('fk_trigger_event_rule_id_trigger_rule')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trigger_event'))
    )
    with op.batch_alter_table('trigger_event', schema=None) as batch_op:
        batch_op.create_index('ix_trigger_event_advocate_type_occurred', ['advocate_id', 'type', 'occurred_at'],
                              unique=False)

    with op.batch_alter_table('ask', schema=None) as batch_op:
        batch_op.add_column(sa.Column('trigger_event_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('followed_up_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('followup', _enum(FOLLOW_UPS, 'followup'), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_ask_trigger_event_id_trigger_event'), 'trigger_event',
                                    ['trigger_event_id'], ['id'])
        batch_op.create_index('ix_ask_trigger_event', ['trigger_event_id'], unique=False)
        batch_op.create_index('ix_ask_followup_due', ['sent_at'], unique=False,
                              sqlite_where=sa.text(FOLLOWUP_DUE), postgresql_where=sa.text(FOLLOWUP_DUE))


def downgrade():
    with op.batch_alter_table('ask', schema=None) as batch_op:
        batch_op.drop_index('ix_ask_followup_due', sqlite_where=sa.text(FOLLOWUP_DUE),
                            postgresql_where=sa.text(FOLLOWUP_DUE))
        batch_op.drop_index('ix_ask_trigger_event')
        batch_op.drop_constraint(batch_op.f('fk_ask_trigger_event_id_trigger_event'), type_='foreignkey')
        batch_op.drop_column('followup')
        batch_op.drop_column('followed_up_at')
        batch_op.drop_column('trigger_event_id')

    with op.batch_alter_table('trigger_event', schema=None) as batch_op:
        batch_op.drop_index('ix_trigger_event_advocate_type_occurred')
    op.drop_table('trigger_event')
    with op.batch_alter_table('trigger_rule', schema=None) as batch_op:
        batch_op.drop_index('ix_trigger_rule_type_enabled')
    op.drop_table('trigger_rule')
