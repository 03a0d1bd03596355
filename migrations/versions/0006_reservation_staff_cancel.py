"""reservations remember whether staff cancelled them

Revision ID: 0006_reservation_staff_cancel
Revises: 0005_closing_time
Create Date: 2026-12-01

A promoter or admin may cancel a reservation from the session's reservations page; the resident
who opens the code then reads that the staff cancelled it, not that they did it themselves.
"""
import sqlalchemy as sa
from alembic import op


revision = '0006_reservation_staff_cancel'
down_revision = '0005_closing_time'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('reservations') as batch:
        batch.add_column(sa.Column('cancelled_by_staff', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('reservations') as batch:
        batch.drop_column('cancelled_by_staff')
