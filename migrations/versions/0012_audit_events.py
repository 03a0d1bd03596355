"""the audit log: audit_events

Revision ID: 0012_audit_events
Revises: 0008_checkin_reservation_unique
Create Date: 2026-12-01

Who signed in and what staff did (issue 14, finding 13; CONTRACT §7): one row per event with
its time, the acting account (kept as a login when the account goes), the action and the id of
what it was done to. No resident text and no address is ever written here.
"""
from alembic import op
import sqlalchemy as sa


revision = '0012_audit_events'
down_revision = '0011_session_day'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('actor', sa.String(length=64), nullable=False),
        sa.Column('action', sa.String(length=32), nullable=False),
        sa.Column('target', sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_events_actor_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events')),
    )
    op.create_index('ix_audit_events_at', 'audit_events', ['at'], unique=False)


def downgrade():
    op.drop_index('ix_audit_events_at', table_name='audit_events')
    op.drop_table('audit_events')
