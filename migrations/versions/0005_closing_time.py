"""closing time: the closing notice sent once per end time; why a check-in ended

Revision ID: 0005_closing_time
Revises: 0004_crisis_settings
Create Date: 2026-12-01

`sessions.closing_notice_for` holds the `ends_at` the 10-minute notice went out for: a
conditional UPDATE on it lets exactly one relay send it, across restarts and several relays,
and an extension (a new `ends_at`) earns a new notice. `checkins.end_reason` is
`session_ended` for a resident still waiting when the session ended (shown to staff as 未対応
until a promoter closes them) and `timeout` for one gone too long.
"""
from alembic import op
import sqlalchemy as sa


revision = '0005_closing_time'
down_revision = '0004_crisis_settings'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closing_notice_for', sa.DateTime(), nullable=True))
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.add_column(sa.Column('end_reason', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.drop_column('end_reason')
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.drop_column('closing_notice_for')
