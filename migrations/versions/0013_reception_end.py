"""ending reception early: when staff stopped new check-ins and walk-ins for a running session

Revision ID: 0013_reception_end
Revises: 0012_audit_events
Create Date: 2026-12-01

`sessions.reception_ended_at` is set when a promoter of the session or an admin ends reception
early (issue 15): no more check-ins or walk-ins from then on; those already waiting stay in
line and are seen. NULL: reception runs until `ends_at` as before.
"""
from alembic import op
import sqlalchemy as sa


revision = '0013_reception_end'
down_revision = '0012_audit_events'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reception_ended_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.drop_column('reception_ended_at')
