"""check-ins remember when the relay last saw the resident

Revision ID: 0002_checkin_last_seen
Revises: 0001
Create Date: 2026-11-26

A waiting check-in whose resident has had no connection for CHECKIN_TIMEOUT_MINUTES becomes
`left`; with several relay processes only the database knows when someone was last connected.
"""
from alembic import op
import sqlalchemy as sa


revision = '0002_checkin_last_seen'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_seen_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.drop_column('last_seen_at')
