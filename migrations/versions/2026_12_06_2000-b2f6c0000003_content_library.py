"""Content library: content items, their consent history; a review attempt's rating and platform.

Revision ID: b2f6c0000003
Revises: b2f6c0000002
Create Date: 2026-12-06 20:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b2f6c0000003'
down_revision = "b2f6c0000002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'content_item',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('review', 'quote', 'testimonial', 'case_study', 'social', 'video',
                                  name='contentkind', native_enum=False, create_constraint=False, length=24),
                  nullable=False),
        sa.Column('state', sa.Enum('draft', 'awaiting_author', 'approved', 'archived', name='contentstate',
                                   native_enum=False, create_constraint=False, length=24), nullable=False),
        sa.Column('title', sa.String(length=160), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('link', sa.String(length=2000), nullable=True),
        sa.Column('rating', sa.Integer(), nullable=True),
        sa.Column('platform', sa.String(length=80), nullable=True),
        sa.Column('advocate_id', sa.Integer(), nullable=True),
        sa.Column('author_name', sa.String(length=120), nullable=False),
        sa.Column('author_company', sa.String(length=120), nullable=False),
        sa.Column('source_attempt_id', sa.Integer(), nullable=True),
        sa.Column('segment', sa.String(length=80), nullable=False),
        sa.Column('industry', sa.String(length=80), nullable=False),
        sa.Column('use_case', sa.String(length=80), nullable=False),
        sa.Column('outcome', sa.String(length=80), nullable=False),
        sa.Column('challenge', sa.Text(), nullable=False),
        sa.Column('solution', sa.Text(), nullable=False),
        sa.Column('results', sa.Text(), nullable=False),
        sa.Column('quote', sa.Text(), nullable=False),
        sa.Column('author_approved_at', sa.DateTime(), nullable=True),
        sa.Column('published_at', sa.DateTime(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['advocate_id'], ['advocate.id'], name=op.f('fk_content_item_advocate_id_advocate')),
        sa.ForeignKeyConstraint(['created_by_id'], ['staff_user.id'],
                                name=op.f('fk_content_item_created_by_id_staff_user')),
        sa.ForeignKeyConstraint(['source_attempt_id'], ['attempt.id'],
                                name=op.f('fk_content_item_source_attempt_id_attempt')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_content_item')),
        sa.UniqueConstraint('source_attempt_id', name='uq_content_item_source_attempt'),
    )
    with op.batch_alter_table('content_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_content_item_advocate_id'), ['advocate_id'], unique=False)
        batch_op.create_index('ix_content_item_state_kind', ['state', 'kind', 'id'], unique=False)
    op.create_table(
        'content_consent',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('use', sa.Enum('website', 'sales', 'social', name='contentuse', native_enum=False,
                                 create_constraint=False, length=24), nullable=False),
        sa.Column('granted', sa.Boolean(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('by_kind', sa.String(length=20), nullable=False),
        sa.Column('by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['item_id'], ['content_item.id'], name=op.f('fk_content_consent_item_id_content_item')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_content_consent')),
    )
    with op.batch_alter_table('content_consent', schema=None) as batch_op:
        batch_op.create_index('ix_content_consent_item_use', ['item_id', 'use', 'id'], unique=False)
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_rating', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('review_platform', sa.String(length=80), nullable=True))


def downgrade():
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_column('review_platform')
        batch_op.drop_column('review_rating')
    with op.batch_alter_table('content_consent', schema=None) as batch_op:
        batch_op.drop_index('ix_content_consent_item_use')
    op.drop_table('content_consent')
    with op.batch_alter_table('content_item', schema=None) as batch_op:
        batch_op.drop_index('ix_content_item_state_kind')
        batch_op.drop_index(batch_op.f('ix_content_item_advocate_id'))
    op.drop_table('content_item')
