"""an index on check-ins by session and status

Revision ID: 0003_checkin_session_status
Revises: 0002_checkin_last_seen
Create Date: 2026-11-27

The relay's queue frames, a resident's place in line and the per-session counts all read one
session's check-ins in one status; at a busy session (bench/relay.py: 1,000 waiting) the two
single-column indexes left a scan of the session's rows each time.
"""
from alembic import op


revision = '0003_checkin_session_status'
down_revision = '0002_checkin_last_seen'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_checkins_session_id_status', 'checkins', ['session_id', 'status'])


def downgrade():
    op.drop_index('ix_checkins_session_id_status', table_name='checkins')
