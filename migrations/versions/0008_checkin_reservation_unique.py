"""one reservation code, one visit: a unique index on checkins.reservation_id

Revision ID: 0008_checkin_reservation_unique
Revises: 0007_reservation_slot_restrict
Create Date: 2026-12-01

One code checked in any number of times (issue 14, finding 6; CONTRACT §6 "One code, one
visit"). Check-ins that reused a code before keep their visit but lose the link to the
reservation, so the index can be built.
"""
from alembic import op


revision = '0008_checkin_reservation_unique'
down_revision = '0007_reservation_slot_restrict'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        "UPDATE checkins SET reservation_id = NULL WHERE reservation_id IS NOT NULL AND id NOT IN "
        "(SELECT first_id FROM (SELECT MIN(id) AS first_id FROM checkins "
        "WHERE reservation_id IS NOT NULL GROUP BY reservation_id) AS firsts)"
    )
    op.create_index('ix_checkins_reservation_id', 'checkins', ['reservation_id'], unique=True)


def downgrade():
    op.drop_index('ix_checkins_reservation_id', table_name='checkins')
