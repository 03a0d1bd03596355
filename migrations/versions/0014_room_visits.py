"""the metaverse room: visits that are not (yet) in line, when they asked, and practice visits

Revision ID: 0014_room_visits
Revises: 0013_reception_end
Create Date: 2026-12-01

A check-in with `"intent": "visit"` (CONTRACT §9) enters the room without joining the line:
status `visiting` (a visit), `intent` "visit". Its `{"type":"ask"}` puts it in line: status
`waiting`, `asked_at` set (the line and the wait run from then). `room_practices` counts 見学
(practice) visits outside session hours apart from visits: one row each, nothing about the person.
"""
from alembic import op
import sqlalchemy as sa


revision = '0014_room_visits'
down_revision = '0013_reception_end'
branch_labels = None
depends_on = None

OLD = "status IN ('waiting','in_consultation','closed','left','removed')"
NEW = "status IN ('waiting','visiting','in_consultation','closed','left','removed')"


def upgrade():
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.add_column(sa.Column('intent', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('asked_at', sa.DateTime(), nullable=True))
        batch_op.drop_constraint(op.f('ck_checkins_status'), type_='check')
        batch_op.create_check_constraint('status', NEW)
    op.create_table(
        'room_practices',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], name=op.f('fk_room_practices_session_id_sessions')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_room_practices')),
    )
    with op.batch_alter_table('room_practices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_room_practices_session_id'), ['session_id'], unique=False)


def downgrade():
    with op.batch_alter_table('room_practices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_room_practices_session_id'))
    op.drop_table('room_practices')
    op.execute("UPDATE checkins SET status = 'left' WHERE status = 'visiting'")
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_checkins_status'), type_='check')
        batch_op.create_check_constraint('status', OLD)
        batch_op.drop_column('asked_at')
        batch_op.drop_column('intent')
