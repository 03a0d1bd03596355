"""the history of admins' edits to the referral directory and the crisis contacts: directory_edits

Revision ID: 0015_directory_edits
Revises: 0014_room_visits
Create Date: 2026-12-01

Admins edit the agencies (outcome `referred_to` terms) and the crisis contacts on top of the
deployment profile (issue 16); each change is kept here field by field with who made it, when,
and the old and new value. Nothing about residents is written here.
"""
from alembic import op
import sqlalchemy as sa


revision = '0015_directory_edits'
down_revision = '0014_room_visits'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('directory_edits',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('actor', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('item', sa.String(length=60), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('action', sa.String(length=16), nullable=False),
        sa.Column('field', sa.String(length=30), nullable=False),
        sa.Column('old_value', sa.Text(), nullable=False),
        sa.Column('new_value', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_directory_edits_actor_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_directory_edits')),
    )
    op.create_index('ix_directory_edits_at', 'directory_edits', ['at'], unique=False)


def downgrade():
    op.drop_index('ix_directory_edits_at', table_name='directory_edits')
    op.drop_table('directory_edits')
